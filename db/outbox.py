"""The outbox: alerts written with the data that caused them; deliveries claimed, sent, recorded.

* ``write_alerts`` inserts each alert *if absent* on its dedup key with
  ``INSERT … ON CONFLICT DO NOTHING`` (SQLite and PostgreSQL alike), so two runs
  finding the same thing at the same moment record it once, and adds one
  delivery per configured channel (``suppressed`` for a backfill).
* ``claim_pending`` moves deliveries from ``pending`` to ``sending`` one by one
  with a conditional UPDATE and checks the row count: two workers never claim
  the same delivery. A claim left in ``sending`` by a process that died is
  released after ``STALE_CLAIM`` (the one window in which a message can go out
  twice: sent, then the process died before recording it).
* ``mark_sent`` / ``mark_failed`` record the outcome; a failed attempt stays
  ``pending`` with its error, attempt count and next attempt time, so the next
  run retries it and ``tradewatch alerts`` shows why.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db.models import AlertRow, DeliveryRow
from db.session import rowcount
from tradewatch.model import utcnow

STALE_CLAIM = timedelta(minutes=10)
RETRY_BASE = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=6)
ERROR_MAX = 1000

PENDING, SENDING, SENT, FAILED, SUPPRESSED = "pending", "sending", "sent", "failed", "suppressed"

__all__ = [
    "STALE_CLAIM",
    "Claimed",
    "claim_pending",
    "mark_failed",
    "mark_sent",
    "mark_suppressed",
    "release_stale",
    "requeue",
    "retry_delay",
    "write_alerts",
]


def _insert(session: Session) -> Callable[..., Any]:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING."""
    name = session.get_bind().dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert
    if name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert
    raise NotImplementedError(f"the outbox needs INSERT … ON CONFLICT; {name} is not supported")


def write_alerts(
    session: Session,
    alerts: Sequence[Any],
    channels: Iterable[str],
    run_id: str | None,
    suppressed: bool = False,
    *,
    now: datetime | None = None,
) -> list[AlertRow]:
    """Record alerts not seen before (by dedup key) and their deliveries; return the new rows.

    Runs in the caller's transaction. An alert whose dedup key is already in the
    outbox (from any earlier run, sent or suppressed) is skipped: that is what
    makes a re-run, a duplicate run or a re-ingest send nothing new.
    """
    now = now or utcnow()
    channels = list(dict.fromkeys(channels))
    insert = _insert(session)
    new_rows: list[int] = []
    seen: set[str] = set()
    for a in alerts:
        if a.dedup_key in seen:
            continue
        seen.add(a.dedup_key)
        stmt = (
            insert(AlertRow)
            .values(
                dedup_key=a.dedup_key,
                rule=a.rule,
                severity=a.severity,
                reporter=a.reporter,
                partner=a.partner,
                flow=a.flow,
                period=a.period,
                maturity=a.maturity,
                title=a.title,
                message=a.message,
                payload=a.payload(),
                source=a.source,
                source_url=a.source_url,
                snapshot_sha256=a.snapshot_sha256,
                created_at=now,
                run_id=run_id,
                suppressed=bool(suppressed),
            )
            .on_conflict_do_nothing(index_elements=["dedup_key"])
            .returning(AlertRow.id)
        )
        alert_id = session.execute(stmt).scalar()
        if alert_id is None:
            continue  # already recorded
        if channels:
            session.execute(
                insert(DeliveryRow)
                .values(
                    [
                        {
                            "alert_id": alert_id,
                            "channel": ch,
                            "state": SUPPRESSED if suppressed else PENDING,
                            "attempts": 0,
                            "created_at": now,
                        }
                        for ch in channels
                    ]
                )
                .on_conflict_do_nothing(index_elements=["alert_id", "channel"])
            )
        new_rows.append(alert_id)
    session.flush()
    if not new_rows:
        return []
    rows = {r.id: r for r in session.execute(select(AlertRow).where(AlertRow.id.in_(new_rows))).scalars()}
    return [rows[i] for i in new_rows]


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    alert_id: int
    channel: str
    attempts: int


def release_stale(session: Session, now: datetime, stale_after: timedelta = STALE_CLAIM) -> int:
    """Claims older than ``stale_after`` (a worker that died mid-send) go back to pending."""
    res = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.state == SENDING, DeliveryRow.claimed_at < now - stale_after)
        .values(
            state=PENDING, claimed_by=None, claimed_at=None, last_error="claim expired (the sending process stopped)"
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(res)


def claim_pending(
    session: Session,
    worker_id: str,
    now: datetime,
    limit: int = 100,
    *,
    channels: Iterable[str] | None = None,
) -> list[Claimed]:
    """Claim up to ``limit`` due deliveries for ``worker_id`` (oldest first).

    Each claim is ``UPDATE … SET state='sending' WHERE id=? AND state='pending'``
    and counts only if it changed exactly one row, so a delivery claimed by a
    concurrent worker in between is skipped, never sent twice. Commit the
    session right after, before sending.
    """
    release_stale(session, now)
    q = (
        select(DeliveryRow.id, DeliveryRow.alert_id, DeliveryRow.channel, DeliveryRow.attempts)
        .where(
            DeliveryRow.state == PENDING,
            (DeliveryRow.next_attempt_at.is_(None)) | (DeliveryRow.next_attempt_at <= now),
        )
        .order_by(DeliveryRow.id)
        .limit(limit)
    )
    if channels is not None:
        q = q.where(DeliveryRow.channel.in_(list(channels)))
    out: list[Claimed] = []
    for r in session.execute(q).all():
        res = session.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == r.id, DeliveryRow.state == PENDING)
            .values(state=SENDING, claimed_by=worker_id, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(res) == 1:
            out.append(Claimed(r.id, r.alert_id, r.channel, r.attempts))
    return out


def mark_sent(
    session: Session, delivery_id: int, worker_id: str, now: datetime | None = None, *, attempts: int = 1
) -> bool:
    """Record a delivery as sent (only if this worker still holds the claim)."""
    now = now or utcnow()
    res = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.state == SENDING, DeliveryRow.claimed_by == worker_id)
        .values(
            state=SENT,
            sent_at=now,
            attempts=DeliveryRow.attempts + attempts,
            last_error=None,
            next_attempt_at=None,
            claimed_by=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(res) == 1


def retry_delay(total_attempts: int) -> timedelta:
    """Back-off between runs: 30 s, 1 min, 2 min… doubling, at most 6 h."""
    return min(RETRY_BASE * (2 ** max(0, total_attempts - 1)), RETRY_MAX)


def mark_failed(
    session: Session,
    delivery_id: int,
    worker_id: str,
    error: str,
    now: datetime | None = None,
    *,
    attempts: int = 1,
    permanent: bool = False,
) -> bool:
    """Record failed attempts: back to ``pending`` with the error and the next attempt time.

    ``permanent`` (the channel refused this message as malformed: retrying the
    same bytes cannot work) sets ``failed``; ``requeue`` puts it back.
    """
    now = now or utcnow()
    d = session.execute(
        select(DeliveryRow.attempts).where(DeliveryRow.id == delivery_id, DeliveryRow.claimed_by == worker_id)
    ).first()
    if d is None:
        return False
    total = (d.attempts or 0) + attempts
    res = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.state == SENDING, DeliveryRow.claimed_by == worker_id)
        .values(
            state=FAILED if permanent else PENDING,
            attempts=total,
            last_error=(error or "")[:ERROR_MAX],
            next_attempt_at=None if permanent else now + retry_delay(total),
            claimed_by=None,
            claimed_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return rowcount(res) == 1


def mark_suppressed(session: Session, delivery_id: int, worker_id: str, reason: str) -> bool:
    """A claimed delivery the routing rules do not send (severity below the channel's minimum)."""
    res = session.execute(
        update(DeliveryRow)
        .where(DeliveryRow.id == delivery_id, DeliveryRow.state == SENDING, DeliveryRow.claimed_by == worker_id)
        .values(state=SUPPRESSED, last_error=reason[:ERROR_MAX], claimed_by=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return rowcount(res) == 1


def requeue(session: Session, *, alert_ids: Iterable[int] | None = None, states: Sequence[str] = (FAILED,)) -> int:
    """Put failed (or, explicitly, suppressed) deliveries back to pending: ``--send-alerts`` after a backfill."""
    q = update(DeliveryRow).where(DeliveryRow.state.in_(list(states)))
    if alert_ids is not None:
        q = q.where(DeliveryRow.alert_id.in_(list(alert_ids)))
    res = session.execute(
        q.values(state=PENDING, next_attempt_at=None, claimed_by=None, claimed_at=None).execution_options(
            synchronize_session=False
        )
    )
    return rowcount(res)
