"""The reads the report and ``tradewatch status`` need: plain dicts and lists, no charts.

Every series keeps its reporter and its source: Korea's exports to Vietnam (KOR
statistics, FOB) and Vietnam's imports from Korea (VNM statistics, CIF) are two
series and are never summed or merged. When one reporter is covered by several
sources, a chart or a ranking uses one of them for the whole span (the source
with the most figures), so that a line never jumps from one statistic to another.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    AlertRow,
    DeliveryRow,
    ObservationRow,
    QuarantineRow,
    RunRow,
    SnapshotRow,
    SourceRunRow,
)
from tradewatch.model import TOTAL, Period, countries, rank_partners

# When two sources cover the same reporter with as many figures, the earlier wins.
SOURCE_PREFERENCE = ("kcs", "vn_customs", "motie", "kita", "comtrade", "releases")
FLOWS = ("export", "import", "balance", "total")
SUCCESS = ("ok", "empty")
PENDING_DELIVERY = ("pending", "sending")

_SECRET_PARAM = re.compile(r"(key|token|secret|password|passwd|cookie|sig)", re.I)


def _pref(source: str) -> int:
    return SOURCE_PREFERENCE.index(source) if source in SOURCE_PREFERENCE else len(SOURCE_PREFERENCE)


def pick_source(counts: dict[str, int]) -> str | None:
    """The source with the most figures; ties go to ``SOURCE_PREFERENCE`` order, then name."""
    if not counts:
        return None
    return min(counts, key=lambda s: (-counts[s], _pref(s), s))


def country_name(alpha3: str) -> str:
    reg = countries()
    return reg.get(alpha3).name if alpha3 in reg else alpha3


def safe_url(url: str | None, secrets: Iterable[str] = ()) -> str | None:
    """A source URL fit to print: key-like query parameters and known secrets removed."""
    if not url:
        return None
    for s in secrets:
        if s:
            url = url.replace(s, "REDACTED")
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    query = [
        (k, "REDACTED" if _SECRET_PARAM.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
    ]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="REDACTED"), ""))


def _iso(dt: datetime | date | None) -> str | None:
    return dt.isoformat() if dt is not None else None


# --- bilateral series ------------------------------------------------------------------------


@dataclass
class Series:
    """One reporter's figures for one partner, from one source, one period kind."""

    reporter: str
    partner: str
    source: str
    kind: str  # "month" | "year"
    periods: list[str] = field(default_factory=list)  # sorted
    values: dict[str, dict[str, int]] = field(default_factory=dict)  # period -> flow -> USD

    @property
    def label(self) -> str:
        kind = "monthly" if self.kind == "month" else "annual"
        return f"{self.reporter}-reported ({self.source}, {kind})"

    def flow(self, name: str) -> list[int | None]:
        out: list[int | None] = []
        for p in self.periods:
            v = self.values[p]
            if name in v:
                out.append(v[name])
            elif name == "total" and "export" in v and "import" in v:
                out.append(v["export"] + v["import"])
            elif name == "balance" and "export" in v and "import" in v:
                out.append(v["export"] - v["import"])
            else:
                out.append(None)
        return out

    def latest(self) -> tuple[str, dict[str, int | None]] | None:
        if not self.periods:
            return None
        p = self.periods[-1]
        return p, {f: self.flow(f)[-1] for f in FLOWS}

    def by_year(self, name: str) -> dict[int, tuple[int, int]]:
        """Year -> (sum of the flow, months covered); a year figure covers 12 months."""
        out: dict[int, list[int]] = {}
        for p, v in zip(self.periods, self.flow(name), strict=True):
            if v is None:
                continue
            acc = out.setdefault(int(p[:4]), [0, 0])
            acc[0] += v
            acc[1] += 12 if self.kind == "year" else 1
        return {y: (v, min(n, 12)) for y, (v, n) in sorted(out.items())}

    def annual(self, name: str) -> dict[int, int]:
        """Complete calendar years only (12 months summed, or the year figure)."""
        return {y: v for y, (v, n) in self.by_year(name).items() if n == 12}


def pair_series(s: Session, reporter: str, partner: str, commodity: str = TOTAL) -> list[Series]:
    """Every (source, period kind) series the store holds for one pair: months and years only."""
    rows = s.execute(
        select(
            ObservationRow.source,
            ObservationRow.period_kind,
            ObservationRow.period,
            ObservationRow.period_start,
            ObservationRow.flow,
            ObservationRow.value_usd,
        ).where(
            ObservationRow.is_current.is_(True),
            ObservationRow.reporter == reporter,
            ObservationRow.partner == partner,
            ObservationRow.commodity == commodity,
            ObservationRow.period_kind.in_(("month", "year")),
            ObservationRow.flow.in_(FLOWS),
        )
    ).all()
    by: dict[tuple[str, str], Series] = {}
    starts: dict[tuple[str, str], dict[str, date]] = defaultdict(dict)
    for src, kind, period, start, flw, value in rows:
        ser = by.setdefault((src, kind), Series(reporter, partner, src, kind))
        ser.values.setdefault(period, {})[flw] = int(value)
        starts[(src, kind)][period] = start
    for key, ser in by.items():
        ser.periods = sorted(ser.values, key=lambda p: starts[key][p])
    return sorted(by.values(), key=lambda x: (x.kind != "month", _pref(x.source), x.source))


def main_series(series: list[Series], kind: str | None = None) -> Series | None:
    """The series a headline figure comes from: monthly first, then the source with most periods."""
    cands = [x for x in series if kind is None or x.kind == kind]
    if not cands:
        return None
    return min(cands, key=lambda x: (x.kind != "month", -len(x.periods), _pref(x.source), x.source))


# --- rankings ----------------------------------------------------------------------------------


@dataclass
class RankingHistory:
    reporter: str
    source: str | None
    kind: str | None  # "month" | "year"
    flow: str
    periods: list[str] = field(default_factory=list)
    ranks: dict[str, list[tuple[int, str, int]]] = field(default_factory=dict)  # period -> ranking

    def top(self, n: int) -> list[str]:
        """Partners in the top ``n`` in any period, best latest rank first."""
        seen: dict[str, tuple[int, int]] = {}
        for i, p in enumerate(reversed(self.periods)):
            for r, partner, _ in self.ranks[p]:
                if r <= n and partner not in seen:
                    seen[partner] = (i, r)
        return sorted(seen, key=lambda k: seen[k])

    def rank_of(self, partner: str, period: str) -> int | None:
        for r, p, _ in self.ranks.get(period, []):
            if p == partner:
                return r
        return None

    @property
    def latest(self) -> str | None:
        return self.periods[-1] if self.periods else None


def ranking_history(
    s: Session, reporter: str, *, flow: str = "total", months: int = 24, years: int = 10
) -> RankingHistory:
    """Partner rankings of one reporter over time: monthly for the last ``months`` months
    where monthly all-partner figures exist, otherwise yearly (the last ``years`` years).

    One source for the whole history; aggregates (world, regions) never rank. A total
    not stored is exports + imports of the same source and period.
    """
    base = (
        ObservationRow.is_current.is_(True),
        ObservationRow.reporter == reporter,
        ObservationRow.commodity == TOTAL,
        ObservationRow.partner != reporter,
    )
    flows = (flow,) if flow not in ("total", "balance") else (flow, "export", "import")
    for kind in ("month", "year"):
        counts: dict[str, int] = dict(
            s.execute(  # type: ignore[arg-type]  # rows of (source, count)
                select(ObservationRow.source, func.count(func.distinct(ObservationRow.partner)))
                .where(*base, ObservationRow.period_kind == kind, ObservationRow.flow.in_(flows))
                .group_by(ObservationRow.source)
            ).all()
        )
        # A source that names only one or two partners gives no ranking.
        counts = {k: v for k, v in counts.items() if v >= 3}
        src = pick_source(counts)
        if src is None:
            continue
        last = s.execute(
            select(func.max(ObservationRow.period_start)).where(
                *base, ObservationRow.period_kind == kind, ObservationRow.source == src, ObservationRow.flow.in_(flows)
            )
        ).scalar()
        if last is None:
            continue
        span = months if kind == "month" else years
        first = (
            Period.month(last.year, last.month).shift(months=-(span - 1))
            if kind == "month"
            else Period.year(last.year - span + 1)
        )
        rows = s.execute(
            select(
                ObservationRow.period,
                ObservationRow.period_start,
                ObservationRow.partner,
                ObservationRow.flow,
                ObservationRow.value_usd,
            ).where(
                *base,
                ObservationRow.period_kind == kind,
                ObservationRow.source == src,
                ObservationRow.flow.in_(flows),
                ObservationRow.period_start >= first.start,
            )
        ).all()
        vals: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        starts: dict[str, date] = {}
        for period, start, partner, flw, value in rows:
            vals[period][partner][flw] = int(value)
            starts[period] = start
        hist = RankingHistory(reporter, src, kind, flow)
        for period in sorted(vals, key=starts.__getitem__):
            per_partner: dict[str, int] = {}
            for partner, fv in vals[period].items():
                if flow in fv:
                    per_partner[partner] = fv[flow]
                elif flow == "total" and "export" in fv and "import" in fv:
                    per_partner[partner] = fv["export"] + fv["import"]
                elif flow == "balance" and "export" in fv and "import" in fv:
                    per_partner[partner] = fv["export"] - fv["import"]
            ranked = rank_partners(per_partner)
            if ranked:
                hist.periods.append(period)
                hist.ranks[period] = ranked
        if hist.periods:
            return hist
    return RankingHistory(reporter, None, None, flow)


# --- alerts, provenance, runs -------------------------------------------------------------------


def latest_alerts(s: Session, limit: int = 20) -> list[dict[str, Any]]:
    alerts = (
        s.execute(select(AlertRow).order_by(AlertRow.created_at.desc(), AlertRow.id.desc()).limit(limit))
        .scalars()
        .all()
    )
    deliveries: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    if alerts:
        for d in s.execute(select(DeliveryRow).where(DeliveryRow.alert_id.in_([a.id for a in alerts]))).scalars():
            deliveries[d.alert_id][d.channel] = {"state": d.state, "attempts": d.attempts, "last_error": d.last_error}
    return [
        {
            "id": a.id,
            "rule": a.rule,
            "severity": a.severity,
            "reporter": a.reporter,
            "partner": a.partner,
            "flow": a.flow,
            "period": a.period,
            "title": a.title,
            "message": a.message,
            "source": a.source,
            "created_at": _iso(a.created_at),
            "suppressed": bool(a.suppressed),
            "deliveries": dict(sorted(deliveries[a.id].items())),
        }
        for a in alerts
    ]


def provenance(s: Session, secrets: Iterable[str] = ()) -> list[dict[str, Any]]:
    """Per source: its newest figure's period, published and fetched dates, URL, snapshot, sample flag."""
    secrets = list(secrets)
    stats = s.execute(
        select(ObservationRow.source, func.count(), func.max(ObservationRow.fetched_at))
        .where(ObservationRow.is_current.is_(True))
        .group_by(ObservationRow.source)
    ).all()
    sample_sources = set(s.execute(select(SnapshotRow.source).where(SnapshotRow.sample.is_(True)).distinct()).scalars())
    out = []
    for source, n, last_fetch in sorted(stats, key=lambda r: (_pref(r[0]), r[0])):
        row = s.execute(
            select(ObservationRow)
            .where(ObservationRow.is_current.is_(True), ObservationRow.source == source)
            .order_by(
                ObservationRow.period_end.desc(),
                ObservationRow.period_start.desc(),
                ObservationRow.valid_from.desc(),
                ObservationRow.id.desc(),
            )
            .limit(1)
        ).scalar_one()
        sample = source in sample_sources
        if row.snapshot_sha256:
            snap_sample = s.execute(
                select(SnapshotRow.sample).where(SnapshotRow.sha256 == row.snapshot_sha256).limit(1)
            ).scalar()
            sample = sample or bool(snap_sample)
        out.append(
            {
                "source": source,
                "figures": int(n),
                "period": row.period,
                "period_kind": row.period_kind,
                "maturity": row.maturity,
                "published_at": _iso(row.published_at),
                "fetched_at": _iso(row.fetched_at or last_fetch),
                "source_url": safe_url(row.source_url, secrets),
                "snapshot_sha256": row.snapshot_sha256,
                "snapshot_short": (row.snapshot_sha256 or "")[:12] or None,
                "sample": sample,
            }
        )
    return out


def any_sample(s: Session) -> bool:
    """True if any stored snapshot is sample data, or the last run replayed the sample archive."""
    if s.execute(select(SnapshotRow.id).where(SnapshotRow.sample.is_(True)).limit(1)).first() is not None:
        return True
    summary = s.execute(select(RunRow.summary).order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(1)).scalar()
    return bool(isinstance(summary, dict) and summary.get("sample"))


def observation_count(s: Session) -> int:
    return int(
        s.execute(select(func.count()).select_from(ObservationRow).where(ObservationRow.is_current.is_(True))).scalar()
        or 0
    )


def last_run(s: Session) -> dict[str, Any] | None:
    run = s.execute(select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(1)).scalar()
    if run is None:
        return None
    counts = s.execute(
        select(
            func.coalesce(func.sum(SourceRunRow.fetched), 0),
            func.coalesce(func.sum(SourceRunRow.parsed), 0),
            func.coalesce(func.sum(SourceRunRow.stored), 0),
            func.coalesce(func.sum(SourceRunRow.revised), 0),
            func.coalesce(func.sum(SourceRunRow.quarantined), 0),
        ).where(SourceRunRow.run_id == run.id)
    ).one()
    n_alerts = s.execute(select(func.count()).select_from(AlertRow).where(AlertRow.run_id == run.id)).scalar()
    summary = run.summary or {}
    return {
        "id": run.id,
        "flow": run.flow,
        "status": run.status,
        "sample": bool(summary.get("sample", False)),
        "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at),
        "counts": {
            "fetched": int(counts[0]),
            "parsed": int(counts[1]),
            "stored": int(counts[2]),
            "revised": int(counts[3]),
            "quarantined": int(counts[4]),
            "alerts": int(n_alerts or 0),
        },
    }


def source_health(s: Session, sources: Iterable[str], history: int = 60) -> list[dict[str, Any]]:
    """Per source: its last run, consecutive failures (newest first), last success."""
    names = list(dict.fromkeys([*sources, *s.execute(select(SourceRunRow.source).distinct()).scalars()]))
    out = []
    for name in names:
        rows = (
            s.execute(
                select(SourceRunRow)
                .where(SourceRunRow.source == name)
                .order_by(SourceRunRow.started_at.desc(), SourceRunRow.id.desc())
                .limit(history)
            )
            .scalars()
            .all()
        )
        if not rows:
            out.append(
                {
                    "source": name,
                    "last_status": None,
                    "last_run_at": None,
                    "last_run_id": None,
                    "consecutive_failures": 0,
                    "last_success_at": None,
                    "last_error": None,
                }
            )
            continue
        failures = 0
        for r in rows:
            if r.status != "failed":
                break
            failures += 1
        last_ok = next((r for r in rows if r.status in SUCCESS), None)
        if last_ok is None:
            last_ok = s.execute(
                select(SourceRunRow)
                .where(SourceRunRow.source == name, SourceRunRow.status.in_(SUCCESS))
                .order_by(SourceRunRow.started_at.desc())
                .limit(1)
            ).scalar()
        errs = rows[0].errors or []
        last_error = None
        if errs:
            e = errs[-1]
            last_error = e.get("message") or e.get("error") or str(e) if isinstance(e, dict) else str(e)
        out.append(
            {
                "source": name,
                "last_status": rows[0].status,
                "last_run_at": _iso(rows[0].started_at),
                "last_run_id": rows[0].run_id,
                "consecutive_failures": failures,
                "last_success_at": _iso(last_ok.started_at) if last_ok else None,
                "last_error": last_error,
            }
        )
    return out


def deliveries_by_channel(s: Session) -> dict[str, dict[str, int]]:
    """Channel -> state -> count."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for channel, state, n in s.execute(
        select(DeliveryRow.channel, DeliveryRow.state, func.count()).group_by(DeliveryRow.channel, DeliveryRow.state)
    ):
        out[channel][state] = int(n)
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def pending_quarantine(s: Session) -> list[dict[str, Any]]:
    rows = s.execute(
        select(QuarantineRow)
        .where(QuarantineRow.state == "pending")
        .order_by(QuarantineRow.created_at, QuarantineRow.id)
    ).scalars()
    return [
        {
            "id": q.id,
            "source": q.source,
            "batch_key": q.batch_key,
            "rows": q.n_rows,
            "reason": q.reason,
            "created_at": _iso(q.created_at),
        }
        for q in rows
    ]


# --- the target -----------------------------------------------------------------------------------


def target_progress(series: Series | None, target_usd: int, target_year: int) -> dict[str, Any] | None:
    """The newest year's total trade so far against the path to ``target_usd`` by ``target_year``.

    The path grows at a constant rate from the last complete year before the current
    one to the target; the year-to-date comparison takes the months covered pro rata
    (seasonality is ignored, and the report says so).
    """
    if series is None:
        return None
    years = series.by_year("total")
    if not years:
        return None
    year = max(years)
    ytd, months = years[year]
    history = {y: v for y, (v, n) in years.items() if n == 12 and y < year}
    base_year = max(history) if history else None
    base = history.get(base_year) if base_year else None
    out: dict[str, Any] = {
        "reporter": series.reporter,
        "partner": series.partner,
        "source": series.source,
        "kind": series.kind,
        "year": year,
        "months": months,
        "ytd_usd": ytd,
        "period": f"{year}-01..{year}-{months:02d}" if series.kind == "month" and months < 12 else str(year),
        "pace_usd": int(ytd * 12 / months) if months else None,
        "target_usd": target_usd,
        "target_year": target_year,
        "history": history,
        "base_year": base_year,
        "base_usd": base,
        "cagr_pct": None,
        "path": {},
        "path_usd": None,
        "expected_ytd_usd": None,
        "gap_usd": None,
        "on_track": None,
        "needed_cagr_pct": None,
        "share_of_target_pct": ytd / target_usd * 100.0 if target_usd else None,
    }
    if base and base > 0 and base_year is not None and target_year > base_year:
        g = (target_usd / base) ** (1.0 / (target_year - base_year)) - 1.0
        out["cagr_pct"] = g * 100.0
        out["path"] = {y: int(base * (1 + g) ** (y - base_year)) for y in range(base_year, target_year + 1)}
        if year in out["path"]:
            out["path_usd"] = out["path"][year]
            out["expected_ytd_usd"] = int(out["path_usd"] * months / 12)
            out["gap_usd"] = ytd - out["expected_ytd_usd"]
            out["on_track"] = ytd >= out["expected_ytd_usd"]
        # the growth still needed from this year's pace to reach the target
        if out["pace_usd"] and target_year > year:
            out["needed_cagr_pct"] = ((target_usd / out["pace_usd"]) ** (1.0 / (target_year - year)) - 1.0) * 100.0
    return out
