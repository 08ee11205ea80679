"""Corroborations: release figures that agreed with the official figure of the same key.

A release figure (a ministry's "exports to Vietnam reached $4.85 bn") whose key an
official structured source has stored (KCS, Vietnam customs) is compared with it
(``expectations.crosssource.find_references``). When it agrees, the official figure stays
the figure of record and the release is kept here — which release said it, where, in
which words — instead of as a second series in ``observations``: it creates no revision
and raises no alert of its own. The same release figure recorded again is one row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from db.models import CorroborationRow, QuarantineRow
from tradewatch.model import Observation, utcnow

HELD_BACK_PREFIX = "held back: "  # the batch key of a release figure quarantined for disagreeing


def _figure(o: Observation) -> tuple[str, str, str, str, str, str, int]:
    return (o.reporter, o.partner, o.flow.value, str(o.period), o.commodity, o.source, int(o.value_usd))


def recorded(session: Session, observations: Iterable[Observation]) -> set[tuple]:
    """The figures (``_figure`` tuples) among ``observations`` whose corroboration is already recorded."""
    wanted = {_figure(o) for o in observations}
    if not wanted:
        return set()
    cols = (
        CorroborationRow.reporter,
        CorroborationRow.partner,
        CorroborationRow.flow,
        CorroborationRow.period,
        CorroborationRow.commodity,
        CorroborationRow.source,
        CorroborationRow.value_usd,
    )
    got: set[tuple] = set()
    items = sorted(wanted)
    for i in range(0, len(items), 200):
        rows = session.execute(select(*cols).where(tuple_(*cols).in_(items[i : i + 200]))).all()
        got.update(tuple(r) for r in rows)
    return got & wanted


def is_recorded(done: set[tuple], o: Observation) -> bool:
    return _figure(o) in done


def record(session: Session, items: Sequence[tuple[Observation, Any]], run_id: str | None) -> int:
    """Record each (release figure, its ``Reference``) not recorded yet; returns how many were new."""
    done = recorded(session, [o for o, _ in items])
    n = 0
    for o, ref in items:
        f = _figure(o)
        if f in done:
            continue
        done.add(f)
        session.add(
            CorroborationRow(
                reporter=o.reporter,
                partner=o.partner,
                flow=o.flow.value,
                period=str(o.period),
                commodity=o.commodity,
                reference_source=ref.source,
                reference_value_usd=int(ref.value_usd),
                reference_basis=ref.basis,
                source=o.source,
                value_usd=int(o.value_usd),
                precision_usd=int(o.precision_usd or 1),
                approximate=bool(o.approximate),
                difference_usd=int(ref.difference_usd),
                tolerance_usd=math.ceil(ref.tolerance_usd),
                source_url=o.source_url,
                snapshot_sha256=o.snapshot_sha256,
                published_at=o.published_at,
                quote=o.quote,
                run_id=run_id,
                created_at=utcnow(),
            )
        )
        n += 1
    session.flush()
    return n


def counts(session: Session) -> dict[str, int]:
    """Release figures corroborated (recorded here) and held back (quarantined for disagreeing), by state."""
    out = {"corroborated": int(session.execute(select(func.count()).select_from(CorroborationRow)).scalar() or 0)}
    rows = session.execute(
        select(QuarantineRow.state, func.count())
        .where(QuarantineRow.batch_key.like(HELD_BACK_PREFIX + "%"))
        .group_by(QuarantineRow.state)
    ).all()
    by_state = {state: int(n) for state, n in rows}
    out["held_back"] = sum(by_state.values())
    out["held_back_pending"] = by_state.get("pending", 0)
    return out
