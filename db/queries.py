"""Reads the alert rules and the command line share: rankings, series, alerts, source health.

Figures are read from the *current* rows only. A flow a source does not store
directly is derived from the ones it does: total = export + import and
balance = export - import. A period a source does not store directly (a year, a
year to date) is the sum of its months, and only when the source has every one
of those months; a partner absent from a month it otherwise covers had no
recorded trade that month and counts as 0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import AlertRow, DeliveryRow, ObservationRow, SourceRunRow
from tradewatch.model import CountryRegistry, Flow, Period, PeriodKind, countries

DERIVED_FLOWS = ("total", "balance")
FAILING = ("failed", "empty")

__all__ = [
    "Figure",
    "SourceHealth",
    "alerts_with_deliveries",
    "figure",
    "figures",
    "months_available",
    "ranking",
    "ranking_source",
    "series",
    "source_health",
]


@dataclass(frozen=True)
class Figure:
    """A value with where it came from; a derived value carries its least mature part."""

    value_usd: int
    source: str
    maturity: str | None = None
    source_url: str | None = None
    snapshot_sha256: str | None = None
    months: int = 1  # months summed (1 for a figure stored as such)


_MATURITY = ("preliminary", "provisional", "final")


def _least_mature(ms: Iterable[str | None]) -> str | None:
    known = [m for m in ms if m in _MATURITY]
    return min(known, key=_MATURITY.index) if known else None


def _flow(flow: Flow | str) -> str:
    return flow.value if isinstance(flow, Flow) else str(flow)


def _period(period: Period | str) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


# --- loading ------------------------------------------------------------------------------

_Row = tuple[int, str | None, str | None, str | None]  # value, maturity, url, sha


def _load(
    session: Session,
    reporter: str,
    source: str,
    periods: list[str],
    commodity: str,
    partner: str | None = None,
) -> dict[str, dict[str, dict[str, _Row]]]:
    """period → partner → flow → (value, maturity, url, sha), for the current rows."""
    out: dict[str, dict[str, dict[str, _Row]]] = defaultdict(lambda: defaultdict(dict))
    if not periods:
        return out
    q = select(
        ObservationRow.period,
        ObservationRow.partner,
        ObservationRow.flow,
        ObservationRow.value_usd,
        ObservationRow.maturity,
        ObservationRow.source_url,
        ObservationRow.snapshot_sha256,
    ).where(
        ObservationRow.is_current.is_(True),
        ObservationRow.reporter == reporter,
        ObservationRow.source == source,
        ObservationRow.commodity == commodity,
        ObservationRow.period.in_(periods),
    )
    if partner is not None:
        q = q.where(ObservationRow.partner == partner)
    for r in session.execute(q):
        out[r.period][r.partner][r.flow] = (int(r.value_usd), r.maturity, r.source_url, r.snapshot_sha256)
    return out


def _derive(stored: dict[str, _Row], flow: str, published: set[str]) -> _Row | None:
    """One flow for one partner and period: stored, or derived from export and import.

    ``published`` are the flows the source reports for this period at all: a
    partner missing one of them had none of that flow (0), not an unknown value.
    """
    if flow in stored:
        return stored[flow]
    if flow not in DERIVED_FLOWS:
        return None
    exp, imp = stored.get("export"), stored.get("import")
    if exp is None and imp is None:
        return None
    if exp is None and "export" not in published:
        return None
    if imp is None and "import" not in published:
        return None
    e = exp[0] if exp else 0
    i = imp[0] if imp else 0
    value = e + i if flow == "total" else e - i
    parts = [p for p in (exp, imp) if p]
    ref = parts[0]
    return (value, _least_mature(p[1] for p in parts) if len(parts) == 2 else ref[1], ref[2], ref[3])


def _period_figures(by_partner: dict[str, dict[str, _Row]], flow: str, source: str) -> dict[str, Figure]:
    published = {f for flows in by_partner.values() for f in flows}
    out: dict[str, Figure] = {}
    for partner, stored in by_partner.items():
        row = _derive(stored, flow, published)
        if row is not None:
            out[partner] = Figure(row[0], source, row[1], row[2], row[3])
    return out


def months_available(session: Session, reporter: str, source: str, year: int, commodity: str = "TOTAL") -> list[int]:
    """Months of ``year`` for which ``source`` has any current figure for ``reporter``."""
    rows = session.execute(
        select(ObservationRow.period)
        .distinct()
        .where(
            ObservationRow.is_current.is_(True),
            ObservationRow.reporter == reporter,
            ObservationRow.source == source,
            ObservationRow.commodity == commodity,
            ObservationRow.period_kind == PeriodKind.MONTH.value,
            ObservationRow.period_start >= datetime(year, 1, 1).date(),
            ObservationRow.period_end <= datetime(year, 12, 31).date(),
        )
    )
    return sorted(int(r.period[5:7]) for r in rows)


def figures(
    session: Session,
    reporter: str,
    flow: Flow | str,
    period: Period | str,
    source: str,
    commodity: str = "TOTAL",
    partner: str | None = None,
    *,
    cache: dict | None = None,
) -> dict[str, Figure]:
    """Every partner's figure for one period from one source (stored, or summed from months).

    A year or month range the source does not store is summed from its months
    only when the source has all of them; otherwise the result is empty.
    ``cache`` (any dict, kept by the caller) saves re-reading the same rows for
    another flow of the same period.
    """
    p, f = _period(period), _flow(flow)

    def load(periods: list[str]):
        if cache is None:
            return _load(session, reporter, source, periods, commodity, partner)
        k = (reporter, source, tuple(periods), commodity, partner)
        if k not in cache:
            cache[k] = _load(session, reporter, source, periods, commodity, partner)
        return cache[k]

    stored = load([str(p)]).get(str(p))
    if stored:
        got = _period_figures(stored, f, source)
        if got:
            return got
    if p.kind not in (PeriodKind.YEAR, PeriodKind.MONTHS):
        return {}
    months = [str(m) for m in p.month_list()]
    # Completeness is judged on the whole source, not on the one partner asked for.
    have = (
        set(months_available(session, reporter, source, p.start.year, commodity))
        if p.start.year == p.end.year
        else None
    )
    if have is not None and any(int(m[5:7]) not in have for m in months):
        return {}
    data = load(months)
    if have is None and any(m not in data for m in months):
        return {}
    sums: dict[str, list[Figure]] = defaultdict(list)
    for m in months:
        for partner_code, fig in _period_figures(data.get(m, {}), f, source).items():
            sums[partner_code].append(fig)
    out = {}
    for partner_code, figs in sums.items():
        last = figs[-1]
        out[partner_code] = Figure(
            sum(x.value_usd for x in figs),
            source,
            _least_mature(x.maturity for x in figs),
            last.source_url,
            last.snapshot_sha256,
            months=len(months),
        )
    return out


def figure(
    session: Session,
    reporter: str,
    partner: str,
    flow: Flow | str,
    period: Period | str,
    source: str,
    commodity: str = "TOTAL",
) -> Figure | None:
    """One series value (stored, derived or summed), or None."""
    return figures(session, reporter, flow, period, source, commodity, partner=partner).get(partner)


def ranking_source(
    session: Session, reporter: str, period: Period | str, commodity: str = "TOTAL"
) -> tuple[str | None, int]:
    """The source with the most partners for ``reporter`` in ``period`` (or its months), and that count."""
    p = _period(period)
    periods = [str(p)]
    if p.kind in (PeriodKind.YEAR, PeriodKind.MONTHS):
        periods += [str(m) for m in p.month_list()]
    rows = session.execute(
        select(ObservationRow.source, func.count(func.distinct(ObservationRow.partner)))
        .where(
            ObservationRow.is_current.is_(True),
            ObservationRow.reporter == reporter,
            ObservationRow.commodity == commodity,
            ObservationRow.period.in_(periods),
        )
        .group_by(ObservationRow.source)
    ).all()
    if not rows:
        return None, 0
    source, n = sorted(rows, key=lambda r: (-r[1], r[0]))[0]
    return source, int(n)


def ranking(
    session: Session,
    reporter: str,
    flow: Flow | str,
    period: Period | str,
    source: str | None = None,
    commodity: str = "TOTAL",
    *,
    registry: CountryRegistry | None = None,
) -> list[tuple[int, str, int]]:
    """``[(rank, partner, value_usd), ...]`` for one reporter, flow and period.

    Built from the all-partner figures of one source (the one with most partners
    when ``source`` is None). Aggregates (world, ASEAN, EU...) never rank; ties
    share a rank (1, 2, 2, 4).
    """
    from tradewatch.model import rank_partners

    if source is None:
        source, _ = ranking_source(session, reporter, period, commodity)
        if source is None:
            return []
    figs = figures(session, reporter, flow, period, source, commodity)
    return rank_partners({p: f.value_usd for p, f in figs.items()}, registry=registry or countries())


def series(
    session: Session,
    reporter: str,
    partner: str,
    flow: Flow | str,
    period_kind: str = "month",
    commodity: str = "TOTAL",
    source: str | None = None,
) -> list[tuple[Period, Figure]]:
    """One series from one source, oldest first: months, or years (stored or complete sums).

    With ``source`` None, the source with the most periods of this series is used,
    so a series never mixes sources (which would show moves that are only
    differences between sources).
    """
    f = _flow(flow)
    flows = [f] if f not in DERIVED_FLOWS else [f, "export", "import"]
    kinds = [PeriodKind.MONTH.value] if period_kind == "month" else [PeriodKind.MONTH.value, PeriodKind.YEAR.value]
    if source is None:
        rows = session.execute(
            select(ObservationRow.source, func.count(func.distinct(ObservationRow.period)))
            .where(
                ObservationRow.is_current.is_(True),
                ObservationRow.reporter == reporter,
                ObservationRow.partner == partner,
                ObservationRow.commodity == commodity,
                ObservationRow.flow.in_(flows),
                ObservationRow.period_kind.in_(kinds),
            )
            .group_by(ObservationRow.source)
        ).all()
        if not rows:
            return []
        source = sorted(rows, key=lambda r: (-r[1], r[0]))[0][0]
    q = select(
        ObservationRow.period,
        ObservationRow.period_kind,
        ObservationRow.flow,
        ObservationRow.value_usd,
        ObservationRow.maturity,
        ObservationRow.source_url,
        ObservationRow.snapshot_sha256,
    ).where(
        ObservationRow.is_current.is_(True),
        ObservationRow.reporter == reporter,
        ObservationRow.partner == partner,
        ObservationRow.commodity == commodity,
        ObservationRow.source == source,
        ObservationRow.flow.in_(flows),
        ObservationRow.period_kind.in_(kinds),
    )
    by_period: dict[str, dict[str, _Row]] = defaultdict(dict)
    for r in session.execute(q):
        by_period[r.period][r.flow] = (int(r.value_usd), r.maturity, r.source_url, r.snapshot_sha256)
    months: dict[Period, Figure] = {}
    years: dict[Period, Figure] = {}
    for ps, stored in by_period.items():
        row = _derive(stored, f, set())  # one partner: both flows needed to derive
        if row is None:
            continue
        p = Period.parse(ps)
        (months if p.kind is PeriodKind.MONTH else years)[p] = Figure(row[0], source, row[1], row[2], row[3])
    if period_kind == "month":
        return sorted(months.items())
    # Years: stored ones, else the sum of 12 stored months.
    by_year: dict[int, list[tuple[Period, Figure]]] = defaultdict(list)
    for p, fig in sorted(months.items()):
        by_year[p.start.year].append((p, fig))
    for y, items in by_year.items():
        yp = Period.year(y)
        if yp not in years and len(items) == 12:
            figs = [fig for _, fig in items]
            years[yp] = Figure(
                sum(x.value_usd for x in figs),
                source,
                _least_mature(x.maturity for x in figs),
                figs[-1].source_url,
                figs[-1].snapshot_sha256,
                months=12,
            )
    return sorted(years.items())


# --- the outbox, read back --------------------------------------------------------------------


def alerts_with_deliveries(session: Session, limit: int = 50, *, rule: str | None = None) -> list[dict[str, Any]]:
    """Newest alerts first, each with its deliveries: what ``tradewatch alerts`` prints.

    ``deliveries`` maps channel → state; ``delivery_details`` adds attempts, last
    error, next attempt and sent time per channel.
    """
    q = select(AlertRow).order_by(AlertRow.created_at.desc(), AlertRow.id.desc()).limit(limit)
    if rule:
        q = q.where(AlertRow.rule == rule)
    alerts = list(session.execute(q).scalars())
    if not alerts:
        return []
    deliveries: dict[int, list[DeliveryRow]] = defaultdict(list)
    for d in session.execute(
        select(DeliveryRow).where(DeliveryRow.alert_id.in_([a.id for a in alerts])).order_by(DeliveryRow.channel)
    ).scalars():
        deliveries[d.alert_id].append(d)

    def iso(v: datetime | None) -> str | None:
        return v.isoformat() if v else None

    out = []
    for a in alerts:
        ds = deliveries.get(a.id, [])
        out.append(
            {
                "id": a.id,
                "created_at": iso(a.created_at),
                "rule": a.rule,
                "severity": a.severity,
                "reporter": a.reporter,
                "partner": a.partner,
                "flow": a.flow,
                "period": a.period,
                "maturity": a.maturity,
                "title": a.title,
                "message": a.message,
                "dedup_key": a.dedup_key,
                "source": a.source,
                "source_url": a.source_url,
                "snapshot_sha256": a.snapshot_sha256,
                "run_id": a.run_id,
                "suppressed": a.suppressed,
                "figures": (a.payload or {}).get("figures", {}),
                "previous": (a.payload or {}).get("previous", {}),
                "deliveries": {d.channel: d.state for d in ds},
                "delivery_details": [
                    {
                        "channel": d.channel,
                        "state": d.state,
                        "attempts": d.attempts,
                        "last_error": d.last_error,
                        "next_attempt_at": iso(d.next_attempt_at),
                        "sent_at": iso(d.sent_at),
                    }
                    for d in ds
                ],
            }
        )
    return out


# --- source health ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceHealth:
    """A source's recent record: the current run of failures and what came before it."""

    source: str
    runs: int  # runs looked at
    last_status: str | None
    consecutive_failures: int  # failed or empty, newest first, until a success
    streak_started_run_id: str | None
    streak_started_at: datetime | None
    last_success_at: datetime | None
    recovered_after: int  # when the newest run succeeded: the length of the failing streak it ended
    recovered_streak_run_id: str | None
    last_errors: list[Any]


def source_health(session: Session, source: str, *, window: int = 400) -> SourceHealth:
    """Consecutive failures (status failed or empty) of ``source`` from ``source_runs``."""
    rows = session.execute(
        select(SourceRunRow.run_id, SourceRunRow.status, SourceRunRow.started_at, SourceRunRow.errors)
        .where(SourceRunRow.source == source)
        .order_by(SourceRunRow.started_at.desc(), SourceRunRow.id.desc())
        .limit(window)
    ).all()
    streak = 0
    for r in rows:
        if r.status not in FAILING:
            break
        streak += 1
    start = rows[streak - 1] if streak else None
    last_ok = next((r.started_at for r in rows if r.status not in FAILING), None)
    recovered, rec_run = 0, None
    if rows and rows[0].status not in FAILING:
        for r in rows[1:]:
            if r.status not in FAILING:
                break
            recovered += 1
            rec_run = r.run_id
    return SourceHealth(
        source=source,
        runs=len(rows),
        last_status=rows[0].status if rows else None,
        consecutive_failures=streak,
        streak_started_run_id=start.run_id if start else None,
        streak_started_at=start.started_at if start else None,
        last_success_at=last_ok,
        recovered_after=recovered,
        recovered_streak_run_id=rec_run,
        last_errors=list(rows[0].errors or [])[:5] if rows and rows[0].status in FAILING else [],
    )


def latest_stored(session: Session, source: str) -> tuple[date | None, str | None]:
    """The last day covered by any current figure of ``source``, and the period it belongs to."""
    row = session.execute(
        select(ObservationRow.period_end, ObservationRow.period)
        .where(ObservationRow.source == source, ObservationRow.is_current.is_(True))
        .order_by(ObservationRow.period_end.desc(), ObservationRow.period_start.desc())
        .limit(1)
    ).first()
    return (row.period_end, row.period) if row else (None, None)


def latest_period(
    session: Session, reporter: str, flow: str = "total", period_kind: str = "month", commodity: str = "TOTAL"
) -> str | None:
    """The newest period with a current figure for ``reporter`` and ``flow`` (``None`` if nothing is stored)."""
    start = session.execute(
        select(func.max(ObservationRow.period_start)).where(
            ObservationRow.reporter == reporter,
            ObservationRow.flow == flow,
            ObservationRow.period_kind == period_kind,
            ObservationRow.commodity == commodity,
            ObservationRow.is_current.is_(True),
        )
    ).scalar()
    if start is None:
        return None
    return str(
        Period.parse(f"{start.year:04d}-{start.month:02d}") if period_kind == "month" else Period.year(start.year)
    )
