"""After a store: read the state the rules need, run them, return the alerts.

Called inside the transaction that stored the batch, so the alerts it returns are
written to the outbox together with the figures that caused them. Only the
periods the store result touched (new or revised keys) are examined: a quiet
night costs nothing, and the same data examined twice gives the same dedup keys.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from alerts.balance import BalancePoint, balance_alerts
from alerts.model import Alert, least_mature
from alerts.ranking import RankedPeriod, ranking_alerts
from alerts.revisions import RevisionFact, revision_alerts
from alerts.target import target_alert
from db import queries as q
from tradewatch.model import TOTAL, CountryRegistry, Period, PeriodKind, countries

log = logging.getLogger(__name__)

RANK_FLOWS = ("total", "export", "import")
BALANCE_FLOWS = ("export", "import", "balance", "total")
TARGET_PAIR = ("KOR", "VNM")


def _pairs(values: list[str]) -> list[tuple[str, str]]:
    out = []
    for v in values:
        a, sep, b = v.partition("-")
        if sep and a and b:
            out.append((a.strip().upper(), b.strip().upper()))
    return out


class _Reader:
    """Figures by (reporter, flow, period, source, partner), read once per detection."""

    def __init__(self, session: Session):
        self.s = session
        self._figs: dict[tuple, dict[str, q.Figure]] = {}
        self._months: dict[tuple, list[int]] = {}
        self._source: dict[tuple, tuple[str | None, int]] = {}
        self._rows: dict = {}

    def figures(
        self, reporter: str, flow: str, period: Period, source: str, partner: str | None = None
    ) -> dict[str, q.Figure]:
        k = (reporter, flow, str(period), source, partner)
        if k not in self._figs:
            self._figs[k] = q.figures(self.s, reporter, flow, period, source, partner=partner, cache=self._rows)
        return self._figs[k]

    def months(self, reporter: str, source: str, year: int) -> list[int]:
        k = (reporter, source, year)
        if k not in self._months:
            self._months[k] = q.months_available(self.s, reporter, source, year)
        return self._months[k]

    def ranking_source(self, reporter: str, period: Period) -> tuple[str | None, int]:
        k = (reporter, str(period))
        if k not in self._source:
            self._source[k] = q.ranking_source(self.s, reporter, period)
        return self._source[k]


def _derived_periods(
    reader: _Reader, reporter: str, source: str, years: set[int], today: date
) -> list[tuple[str, Period]]:
    """Year to date (Jan..newest month, 2..11 months) and complete years for ``years``."""
    out = []
    for y in sorted(years):
        have = reader.months(reporter, source, y)
        if not have:
            continue
        newest = max(have)
        contiguous = set(range(1, newest + 1)) <= set(have)
        if 2 <= newest <= 11 and contiguous:
            out.append(("ytd", Period.year_to_date(y, newest)))
        if newest == 12 and contiguous and Period.year(y).is_complete(today):
            out.append(("year", Period.year(y)))
    return out


def detect_after_store(
    session: Session,
    settings: Any,
    store_result: Any,
    *,
    today: date,
    registry: CountryRegistry | None = None,
) -> list[Alert]:
    """Every alert the stored batch gives rise to (ranking, balance, revisions, target)."""
    keys = list(getattr(store_result, "new_keys", []) or []) + [
        r.key for r in (getattr(store_result, "revisions", []) or [])
    ]
    if not keys:
        return []
    reg = registry or countries()
    reader = _Reader(session)
    alerts: list[Alert] = []
    alerts += _ranking(reader, settings, keys, today, reg)
    alerts += _balance(reader, settings, keys, today, reg)
    alerts += _target(reader, settings, keys, today, reg)
    alerts += _revisions(session, settings, store_result.revisions, reg)
    seen: set[str] = set()
    out = []
    for a in alerts:
        if a.dedup_key not in seen:
            seen.add(a.dedup_key)
            out.append(a)
    return out


# --- ranking --------------------------------------------------------------------------------------


def _ranked(
    reader: _Reader,
    reporter: str,
    flow: str,
    kind: str,
    period: Period,
    source: str,
    reg: CountryRegistry,
    min_partners: int,
) -> RankedPeriod | None:
    figs = reader.figures(reporter, flow, period, source)
    figs = {p: f for p, f in figs.items() if reg.rankable(p)}
    if len(figs) < min_partners:
        return None
    newest = next(iter(sorted(figs.values(), key=lambda f: -f.value_usd)), None)
    return RankedPeriod(
        period=period,
        kind=kind,
        source=source,
        values={p: f.value_usd for p, f in figs.items()},
        maturity=least_mature(*(f.maturity for f in figs.values())),
        source_url=newest.source_url if newest else None,
        snapshot_sha256=newest.snapshot_sha256 if newest else None,
        urls={p: (f.source_url, f.snapshot_sha256) for p, f in figs.items()},
    )


def _ranking(reader: _Reader, settings, keys: list[tuple], today: date, reg: CountryRegistry) -> list[Alert]:
    touched: dict[str, set[Period]] = defaultdict(set)
    for reporter, _partner, flow, period, commodity, _source in keys:
        if reporter in settings.reporters and commodity == TOTAL and flow in (*RANK_FLOWS, "balance"):
            p = Period.parse(period)
            if p.kind in (PeriodKind.MONTH, PeriodKind.YEAR):
                touched[reporter].add(p)
    # A ranking of a handful of partners (a release naming five countries) is not a ranking.
    min_partners = settings.top_n + 1
    overtakes = _pairs(settings.overtake_pairs)
    out: list[Alert] = []
    for reporter, periods in sorted(touched.items()):
        candidates: list[tuple[str, Period]] = [("month", p) for p in sorted(periods) if p.kind is PeriodKind.MONTH]
        years = {p.start.year for p in periods}
        for y in sorted(years):
            src, _ = reader.ranking_source(reporter, Period.year(y))
            if src:
                for kind, p in _derived_periods(reader, reporter, src, {y}, today):
                    candidates.append((kind, p))
        for p in sorted(p for p in periods if p.kind is PeriodKind.YEAR):
            if p.is_complete(today) and ("year", p) not in candidates:
                candidates.append(("year", p))
        for kind, period in candidates:
            source, _ = reader.ranking_source(reporter, period)
            if source is None:
                continue
            for flow in RANK_FLOWS:
                cur = _ranked(reader, reporter, flow, kind, period, source, reg, min_partners)
                if cur is None:
                    continue
                prev = _ranked(reader, reporter, flow, kind, period.previous(), source, reg, min_partners)
                if prev is None:
                    continue
                out += ranking_alerts(
                    reporter,
                    flow,
                    cur,
                    prev,
                    watched=settings.watched_partners,
                    overtake_pairs=overtakes,
                    top_n=settings.top_n,
                    registry=reg,
                )
    return out


# --- balance ---------------------------------------------------------------------------------------


def _point(reader: _Reader, reporter: str, partner: str, period: Period, source: str) -> BalancePoint | None:
    b = reader.figures(reporter, "balance", period, source, partner).get(partner)
    if b is None:
        return None
    e = reader.figures(reporter, "export", period, source, partner).get(partner)
    i = reader.figures(reporter, "import", period, source, partner).get(partner)
    return BalancePoint(
        period=period,
        value=b.value_usd,
        source=source,
        maturity=b.maturity,
        source_url=b.source_url,
        snapshot_sha256=b.snapshot_sha256,
        exports=e.value_usd if e and i else None,
        imports=i.value_usd if e and i else None,
    )


def _balance(reader: _Reader, settings, keys: list[tuple], today: date, reg: CountryRegistry) -> list[Alert]:
    pairs = set(_pairs(settings.watched_pairs))
    touched: dict[tuple[str, str, str], set[Period]] = defaultdict(set)
    for reporter, partner, flow, period, commodity, source in keys:
        if (reporter, partner) in pairs and commodity == TOTAL and flow in BALANCE_FLOWS:
            p = Period.parse(period)
            if p.kind is not PeriodKind.DAYS:
                touched[(reporter, partner, source)].add(p)
    out: list[Alert] = []
    for (reporter, partner, source), periods in sorted(touched.items()):
        candidates = [(_kind(p), p) for p in sorted(periods)]
        months = {p.start.year for p in periods if p.kind is PeriodKind.MONTH}
        candidates += [c for c in _derived_periods(reader, reporter, source, months, today) if c not in candidates]
        history: list[BalancePoint] | None = None
        for kind, period in candidates:
            cur = _point(reader, reporter, partner, period, source)
            if cur is None:
                continue
            if kind == "month" and history is None:
                history = [
                    BalancePoint(p, f.value_usd, source, f.maturity, f.source_url, f.snapshot_sha256)
                    for p, f in q.series(reader.s, reporter, partner, "balance", "month", source=source)
                ]
            out += balance_alerts(
                reporter,
                partner,
                kind,
                cur,
                _point(reader, reporter, partner, period.previous(), source),
                _point(reader, reporter, partner, period.year_earlier(), source),
                (history or []) if kind == "month" else [],
                move_pct=settings.balance_move_pct,
                move_min_usd=settings.balance_move_min_usd,
                registry=reg,
            )
    return out


def _kind(p: Period) -> str:
    from alerts.model import period_kind_label

    return period_kind_label(p)


# --- target ------------------------------------------------------------------------------------------


def _target(reader: _Reader, settings, keys: list[tuple], today: date, reg: CountryRegistry) -> list[Alert]:
    rep, par = TARGET_PAIR
    years: dict[int, set[str]] = defaultdict(set)
    for reporter, partner, flow, period, commodity, source in keys:
        if (reporter, partner) == TARGET_PAIR and commodity == TOTAL and flow in BALANCE_FLOWS:
            p = Period.parse(period)
            if p.kind in (PeriodKind.MONTH, PeriodKind.YEAR):
                years[p.start.year].add(source)
    out: list[Alert] = []
    for y, sources in sorted(years.items()):
        yp = Period.year(y)
        if not yp.is_complete(today) or y > settings.target_year:
            continue
        for source in sorted(sources):
            fig = reader.figures(rep, "total", yp, source, par).get(par)
            if fig is None:
                continue
            prev = reader.figures(rep, "total", Period.year(y - 1), source, par).get(par)
            a = target_alert(
                rep,
                par,
                y,
                fig.value_usd,
                target_usd=settings.target_usd,
                target_year=settings.target_year,
                previous_total_usd=prev.value_usd if prev else None,
                maturity=fig.maturity,
                source=source,
                source_url=fig.source_url,
                snapshot_sha256=fig.snapshot_sha256,
                registry=reg,
            )
            if a:
                out.append(a)
                break
    return out


# --- revisions ---------------------------------------------------------------------------------------


def _revisions(session: Session, settings, revisions: list, reg: CountryRegistry) -> list[Alert]:
    if not revisions:
        return []
    from db.store import current_rows
    from tradewatch.model import WORLD

    facts = []
    for r in revisions:
        reporter, partner, flow, period, commodity, source = r.key
        if reporter not in settings.reporters or (partner not in settings.watched_partners and partner != WORLD):
            continue
        pct = r.change_pct
        if pct is not None and abs(pct) <= settings.revision_tolerance_pct:
            continue  # within tolerance: no need to read its provenance
        rows = current_rows(
            session, reporter=reporter, partner=partner, flow=flow, commodity=commodity, source=source, period=period
        )
        row = rows[0] if rows else None
        facts.append(
            RevisionFact(
                reporter,
                partner,
                flow,
                period,
                commodity,
                source,
                r.old_value,
                r.new_value,
                maturity=row.maturity if row else None,
                source_url=row.source_url if row else None,
                snapshot_sha256=row.snapshot_sha256 if row else None,
            )
        )
    return revision_alerts(
        facts,
        tolerance_pct=settings.revision_tolerance_pct,
        reporters=settings.reporters,
        watched_partners=settings.watched_partners,
        registry=reg,
    )
