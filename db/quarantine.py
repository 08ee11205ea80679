"""Quarantine: a batch that failed validation waits here, whole, for a person to decide.

Nothing of a quarantined batch reaches ``observations``. Its rows are kept as JSON,
complete enough to rebuild every Observation and RankClaim, so that ``accept``
stores exactly what was validated (through ``db.store.store_batch``) and
records who decided, when and why; ``reject`` keeps it out for good. Only a pending
batch can be decided: accepting twice, or rejecting an accepted batch, raises.

The same batch (same source, same rows) quarantined again by a later run is the
same row: ``quarantine_batch`` returns the existing one, so a re-run raises no
second alert for it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import QuarantineRow
from db.session import rowcount
from tradewatch.errors import TradewatchError
from tradewatch.model import Flow, Observation, Period, RankClaim, utcnow

STATES = ("pending", "accepted", "rejected")


class QuarantineError(TradewatchError):
    """A quarantined batch that does not exist, or cannot be decided (already decided)."""


class Accepted(NamedTuple):
    row: QuarantineRow
    stored: Any  # the StoreResult of store_batch (or whatever store_fn returned)


# --- rows as JSON -----------------------------------------------------------------------------


def _dt(v: datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


def _parse_dt(v: str | None) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def observation_to_json(o: Observation) -> dict[str, Any]:
    return {
        "kind": "observation",
        "reporter": o.reporter,
        "partner": o.partner,
        "flow": getattr(o.flow, "value", o.flow),
        "period": str(o.period),
        "value_usd": o.value_usd,
        "source": o.source,
        "commodity": o.commodity,
        "precision_usd": o.precision_usd,
        "source_url": o.source_url,
        "snapshot_sha256": o.snapshot_sha256,
        "published_at": _dt(o.published_at),
        "approximate": bool(o.approximate),
        "yoy_pct": o.yoy_pct,
        "maturity": o.maturity,
        "quote": o.quote,
    }


def observation_from_json(d: dict[str, Any]) -> Observation:
    return Observation(
        reporter=d["reporter"],
        partner=d["partner"],
        flow=Flow(d["flow"]),
        period=Period.parse(d["period"]),
        value_usd=d["value_usd"],
        source=d["source"],
        commodity=d.get("commodity", "TOTAL"),
        precision_usd=d.get("precision_usd", 1),
        source_url=d.get("source_url"),
        snapshot_sha256=d.get("snapshot_sha256"),
        published_at=_parse_dt(d.get("published_at")),
        approximate=bool(d.get("approximate", False)),
        yoy_pct=d.get("yoy_pct"),
        maturity=d.get("maturity"),
        quote=d.get("quote"),
    )


def rank_claim_to_json(c: RankClaim) -> dict[str, Any]:
    return {
        "kind": "rank_claim",
        "reporter": c.reporter,
        "partner": c.partner,
        "flow": getattr(c.flow, "value", c.flow),
        "period": str(c.period),
        "rank": c.rank,
        "source": c.source,
        "source_url": c.source_url,
        "snapshot_sha256": c.snapshot_sha256,
        "published_at": _dt(c.published_at),
        "quote": c.quote,
        "basis": c.basis,
    }


def rank_claim_from_json(d: dict[str, Any]) -> RankClaim:
    return RankClaim(
        reporter=d["reporter"],
        partner=d["partner"],
        flow=Flow(d["flow"]),
        period=Period.parse(d["period"]),
        rank=int(d["rank"]),
        source=d["source"],
        source_url=d.get("source_url"),
        snapshot_sha256=d.get("snapshot_sha256"),
        published_at=_parse_dt(d.get("published_at")),
        quote=d.get("quote"),
        basis=d.get("basis"),
    )


def batch_rows(observations: Sequence[Observation], rank_claims: Sequence[RankClaim] = ()) -> list[dict[str, Any]]:
    return [observation_to_json(o) for o in observations] + [rank_claim_to_json(c) for c in rank_claims]


def rows_to_batch(rows: Sequence[dict[str, Any]]) -> tuple[list[Observation], list[RankClaim]]:
    """The Observations and RankClaims a quarantined batch held, rebuilt from its JSON rows."""
    obs, claims = [], []
    for d in rows:
        if d.get("kind", "observation") == "rank_claim":
            claims.append(rank_claim_from_json(d))
        else:
            obs.append(observation_from_json(d))
    return obs, claims


def batch_sha256(rows: Sequence[dict[str, Any]]) -> str:
    blob = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# --- the table ------------------------------------------------------------------------------------


def _reason(report) -> str:
    failed = getattr(report, "failed", None) or []
    if not failed:
        return "failed validation"
    parts = []
    for f in failed:
        name = getattr(f, "expectation", str(f))
        details = getattr(f, "details", "")
        parts.append(f"{name}: {details}" if details else name)
    return "; ".join(parts)


def quarantine_batch(session: Session, batch, report, run_id: str | None) -> QuarantineRow:
    """Keep ``batch`` (which failed ``report``) out of the store, whole, until someone decides.

    ``batch`` has ``source``, ``key``, ``observations``, ``rank_claims``; ``report`` has
    ``failed`` and, once recorded, ``validation_run_id``. The same rows of the same source
    quarantined before give back that row (whatever its state): nothing is added.
    """
    rows = batch_rows(batch.observations, getattr(batch, "rank_claims", ()) or ())
    sha = batch_sha256(rows)
    existing = session.execute(
        select(QuarantineRow).where(QuarantineRow.source == batch.source, QuarantineRow.batch_sha256 == sha)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    q = QuarantineRow(
        validation_run_id=getattr(report, "validation_run_id", None),
        run_id=run_id,
        source=batch.source,
        batch_key=str(batch.key)[:128],
        batch_sha256=sha,
        created_at=utcnow(),
        state="pending",
        n_rows=len(batch.observations),
        rows=rows,
        reason=_reason(report),
    )
    session.add(q)
    session.flush()
    return q


def list_quarantine(session: Session, state: str | None = None) -> list[QuarantineRow]:
    """Quarantined batches, newest first; ``state`` = pending, accepted or rejected."""
    if state is not None and state not in STATES:
        raise QuarantineError(f"unknown quarantine state {state!r}; use one of {', '.join(STATES)}")
    q = select(QuarantineRow).order_by(QuarantineRow.created_at.desc(), QuarantineRow.id.desc())
    if state is not None:
        q = q.where(QuarantineRow.state == state)
    return list(session.execute(q).scalars())


def get_quarantine(session: Session, qid: int) -> QuarantineRow:
    row = session.get(QuarantineRow, qid)
    if row is None:
        raise QuarantineError(f"no quarantined batch #{qid}")
    return row


def _decide(session: Session, qid: int, state: str, by: str, note: str | None) -> QuarantineRow:
    if not by or not str(by).strip():
        raise QuarantineError("a decision needs the name of whoever makes it")
    row = get_quarantine(session, qid)
    if row.state != "pending":
        when = f" at {row.decided_at:%Y-%m-%d %H:%M} UTC" if row.decided_at else ""
        raise QuarantineError(
            f"quarantined batch #{qid} ({row.batch_key}) is already {row.state}"
            f" by {row.decided_by or 'unknown'}{when}; only a pending batch can be {state}"
        )
    now = utcnow()
    # Conditional update: of two people deciding at once, exactly one wins.
    res = session.execute(
        update(QuarantineRow)
        .where(QuarantineRow.id == qid, QuarantineRow.state == "pending")
        .values(state=state, decided_by=str(by), decided_at=now, decision_note=note)
        .execution_options(synchronize_session=False)
    )
    if rowcount(res) != 1:
        session.refresh(row)
        raise QuarantineError(f"quarantined batch #{qid} was decided meanwhile ({row.state} by {row.decided_by})")
    session.refresh(row)
    return row


def accept(
    session: Session,
    qid: int,
    by: str,
    note: str | None = None,
    store_fn: Callable[..., Any] | None = None,
) -> Accepted:
    """Store quarantined batch ``qid`` after all, recording who accepted it, when and why.

    Runs in the caller's transaction: the batch's figures and the decision commit
    together. ``store_fn(session, observations, rank_claims, run_id=...)`` defaults to
    ``db.store.store_batch``.
    """
    if store_fn is None:
        from db.store import store_batch

        store_fn = store_batch
    row = _decide(session, qid, "accepted", by, note)
    observations, claims = rows_to_batch(row.rows)
    stored = store_fn(session, observations, claims, run_id=f"quarantine#{qid}")
    return Accepted(row, stored)


def reject(session: Session, qid: int, by: str, note: str | None = None) -> QuarantineRow:
    """Keep quarantined batch ``qid`` out of the store for good (recorded who, when, why)."""
    return _decide(session, qid, "rejected", by, note)


DECISIONS = ("accept", "reject")


def decide(session: Session, qid: int, decision: str, by: str, note: str | None) -> QuarantineRow:
    """The one way a quarantined batch is decided, from the command line or a review flow run.

    ``decision`` is ``accept`` (store the batch as validated, with who/when/why) or
    ``reject`` (keep it out for good). Runs in the caller's transaction; raises
    ``QuarantineError`` if the batch is unknown or no longer pending (decided elsewhere).
    """
    if decision == "accept":
        return accept(session, qid, by, note).row
    if decision == "reject":
        return reject(session, qid, by, note)
    raise QuarantineError(f"unknown decision {decision!r}; use one of {', '.join(DECISIONS)}")
