"""The stored figures a validation compares a new batch with, as plain columns.

The validator (``expectations``) computes its bands from these lists;
it never writes SQL itself. Each function returns a dict of equal-length lists,
one per column, ready to become a DataFrame without a per-row Python object.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from operator import itemgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import ObservationRow

# Periods come back as their canonical strings only: the validator parses the few
# distinct ones, not a date object per row.
COLUMNS = ("reporter", "partner", "flow", "period", "commodity", "source", "value_usd", "precision_usd")
_COLUMNS = COLUMNS
_CHUNK = 500


def _empty() -> dict[str, list]:
    return {c: [] for c in _COLUMNS}


def _columns(rows) -> dict[str, list]:
    if not rows:
        return _empty()
    return {name: list(map(itemgetter(i), rows)) for i, name in enumerate(_COLUMNS)}


def _fetch(conn, q) -> list:
    """All rows of ``q`` as the driver's tuples: the columns read are strings and integers, which
    SQLAlchemy passes through as they come, so its ``Row`` per row (most of the read's CPU) is skipped."""
    result = conn.execute(q)
    cursor = getattr(result, "cursor", None)
    if (
        cursor is None
        or getattr(result, "_metadata", None) is None
        or any(getattr(result._metadata, "_processors", None) or ())
    ):
        return result.all()
    try:
        return cursor.fetchall()
    finally:
        result.close()


def stored_series(
    session: Session,
    *,
    source: str | None,
    reporters: Iterable[str],
    commodities: Iterable[str],
    since: date,
    until: date,
    partners: Iterable[str] | None = None,
    flows: Iterable[str] | None = None,
    period_kinds: Iterable[str] | None = None,
) -> dict[str, list]:
    """Current stored figures of ``source`` whose period starts in ``since..until``.

    ``source=None`` means every source. Only the columns a validation needs are read,
    as tuples (no ORM objects): the history of a 70k-row batch is ~100k rows.
    """
    cols = [getattr(ObservationRow, c) for c in _COLUMNS]
    q = select(*cols).where(
        ObservationRow.is_current.is_(True),
        ObservationRow.period_start >= since,
        ObservationRow.period_start <= until,
    )
    if source is not None:
        q = q.where(ObservationRow.source == source)
    reporters = sorted(set(reporters))
    commodities = sorted(set(commodities))
    q = q.where(ObservationRow.reporter.in_(reporters), ObservationRow.commodity.in_(commodities))
    if flows is not None:
        q = q.where(ObservationRow.flow.in_(sorted(set(flows))))
    if period_kinds is not None:
        q = q.where(ObservationRow.period_kind.in_(sorted(set(period_kinds))))
    # Core execution on the session's connection: plain rows, about twice as fast as
    # an ORM-enabled select for the ~100k rows of a long batch's history.
    conn = session.connection()
    if partners is None:
        return _columns(_fetch(conn, q))
    plist = sorted(set(partners))
    rows: list = []
    for i in range(0, len(plist), _CHUNK):
        rows.extend(_fetch(conn, q.where(ObservationRow.partner.in_(plist[i : i + _CHUNK]))))
    return _columns(rows)


def stored_for_periods(
    session: Session,
    *,
    reporters: Iterable[str],
    partners: Iterable[str],
    periods: Iterable[str],
    commodities: Iterable[str],
) -> dict[str, list]:
    """Current figures of any source for exactly these periods (mirror comparisons)."""
    cols = [getattr(ObservationRow, c) for c in _COLUMNS]
    plist = sorted(set(periods))
    rows: list = []
    for i in range(0, len(plist), _CHUNK):
        q = select(*cols).where(
            ObservationRow.is_current.is_(True),
            ObservationRow.reporter.in_(sorted(set(reporters))),
            ObservationRow.partner.in_(sorted(set(partners))),
            ObservationRow.commodity.in_(sorted(set(commodities))),
            ObservationRow.period.in_(plist[i : i + _CHUNK]),
        )
        rows.extend(session.connection().execute(q).all())
    return _columns(rows)
