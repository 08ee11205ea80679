"""``tradewatch report``: one self-contained HTML file, plus its charts as PNG.

The HTML loads nothing from anywhere: the charts are inline PNG (``data:`` URIs),
the CSS is inline, there is no script. The only URLs in it are the links to the
sources in the provenance table. The same PNGs are written beside the HTML, in
``<stem>_charts/``, for emails.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from report import data as q
from tradewatch.model import utcnow

if TYPE_CHECKING:
    from db import Database
    from tradewatch.config import Settings

__all__ = ["Chart", "build_report", "collect_report", "render_chart_png"]

HIGHLIGHT_DEFAULT = ("VNM", "KOR", "CHN", "USA", "JPN", "HKG", "TWN")


@dataclass
class Chart:
    id: str  # file stem, HTML id
    title: str
    caption: str
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def _chart_id(text: str) -> str:
    """A file stem and HTML id: lower case, ``[a-z0-9_-]`` only (source ids may hold ``:``)."""
    return re.sub(r"[^a-z0-9_-]+", "_", text.lower()).strip("_")


def _pairs(settings: Settings) -> list[tuple[str, str]]:
    return settings.pairs() or [("KOR", "VNM"), ("VNM", "KOR")]


def _highlight(settings: Settings) -> tuple[str, ...]:
    return (
        tuple(dict.fromkeys([*(p for pair in _pairs(settings) for p in pair), *settings.watched_partners]))
        or HIGHLIGHT_DEFAULT
    )


def _annual_table(series: q.Series) -> list[dict[str, Any]]:
    rows = []
    by = {f: series.by_year(f) for f in q.FLOWS}
    for y in sorted(by["total"] or by["export"], reverse=True):
        months = max((by[f].get(y, (0, 0))[1] for f in q.FLOWS), default=0)
        rows.append({"year": y, "months": months, **{f: by[f].get(y, (None, 0))[0] for f in q.FLOWS}})
    return rows


def collect_report(db: Database, settings: Settings, *, now: datetime | None = None) -> dict[str, Any]:
    """Everything the report shows, charts included (as PNG bytes)."""
    from report import charts as ch

    now = now or utcnow()
    pairs = _pairs(settings)
    highlight = _highlight(settings)
    ctx: dict[str, Any] = {
        "generated_at": now,
        "pairs": pairs,
        "charts": [],
        "top_n": settings.top_n,
        "target_usd_bn": settings.target_usd / 1e9,
        "target_year": settings.target_year,
    }
    with db.session() as s:
        sample = q.any_sample(s)
        ctx["sample"] = sample
        ctx["n_figures"] = q.observation_count(s)
        ctx["empty"] = ctx["n_figures"] == 0
        ctx["alerts"] = q.latest_alerts(s, 20)
        ctx["provenance"] = q.provenance(s, settings.secrets())
        series_by_pair = {pair: q.pair_series(s, *pair) for pair in pairs}
        rankings = [q.ranking_history(s, r, flow="total", months=24) for r in settings.reporters]

    charts: list[Chart] = []

    # --- bilateral trade, per reporter and source ---------------------------------------------
    bilateral = []
    for (a, b), series_list in series_by_pair.items():
        for ser in series_list:
            if not ser.periods:
                continue
            kind = "monthly" if ser.kind == "month" else "annual"
            title = f"{a}–{b} trade as {q.country_name(a)} reports it ({ser.source}, {kind})"
            chart = None
            if len(ser.periods) >= 2:  # a single figure is a table row, not a chart
                chart = Chart(
                    _chart_id(f"trade_{a}_{b}_{ser.source}_{ser.kind}"),
                    title,
                    f"{q.country_name(a)}'s exports to and imports from {q.country_name(b)}, and the balance, "
                    f"{ser.periods[0]} to {ser.periods[-1]}, USD bn. Source: {ser.source}.",
                    ch.bilateral_chart(ser, title=title, last=120, sample=sample),
                )
                charts.append(chart)
            latest = ser.latest()
            bilateral.append(
                {
                    "series": ser,
                    "chart": chart,
                    "annual": _annual_table(ser),
                    "latest_period": latest[0] if latest else None,
                    "latest": latest[1] if latest else {},
                }
            )
    ctx["bilateral"] = bilateral

    # --- the same flows from both ends ---------------------------------------------------------
    mirror = None
    if len(pairs) >= 2:
        (a, b) = pairs[0]
        rev = (b, a) if (b, a) in series_by_pair else None
        if rev:

            def best(series_list):
                cands = [x for x in series_list if x.annual("total") or x.annual("export")]
                return max(
                    cands, key=lambda x: (len(x.annual("export")), x.kind == "month", -q._pref(x.source)), default=None
                )

            sa, sb = best(series_by_pair[(a, b)]), best(series_by_pair[rev])
            if sa and sb:
                mirror = Chart(
                    _chart_id(f"mirror_{a}_{b}"),
                    f"{a}–{b} trade from both reporters' statistics (complete years)",
                    f"Left: goods from {q.country_name(a)} to {q.country_name(b)}, as {a} records its exports ({sa.source}) "
                    f"and as {b} records its imports ({sb.source}). Right: the reverse flow. Exports are valued FOB, imports "
                    f"CIF, and the two customs services classify some shipments differently: the gap is the mirror "
                    f"discrepancy, not an error.",
                    ch.mirror_chart(
                        [
                            (f"{a} → {b}", sa, "export", sb, "import"),
                            (f"{b} → {a}", sb, "export", sa, "import"),
                        ],
                        sample=sample,
                    ),
                )
                charts.append(mirror)
    ctx["mirror"] = mirror

    # --- partner rankings -----------------------------------------------------------------------
    ranking_ctx: list[dict[str, Any]] = []
    for hist in rankings:
        if not hist.periods:
            ranking_ctx.append({"hist": hist, "chart": None, "table": [], "previous": None})
            continue
        chart = Chart(
            _chart_id(f"ranking_{hist.reporter}"),
            f"{q.country_name(hist.reporter)}'s top {settings.top_n} trade partners over time",
            f"Rank by total trade (exports + imports), {'monthly' if hist.kind == 'month' else 'yearly'}, "
            f"{hist.periods[0]} to {hist.periods[-1]}, {hist.reporter} statistics ({hist.source}). "
            f"Aggregates (world, regions) are not ranked. A gap: outside the top {settings.top_n} that period.",
            ch.bump_chart(hist, top_n=settings.top_n, highlight=highlight, sample=sample),
        )
        charts.append(chart)
        last_period = hist.periods[-1]
        previous = hist.periods[-2] if len(hist.periods) > 1 else None
        table = []
        for r, p, v in hist.ranks[last_period][: settings.top_n]:
            prev = hist.rank_of(p, previous) if previous else None
            table.append(
                {
                    "rank": r,
                    "partner": p,
                    "name": q.country_name(p),
                    "value_usd": v,
                    "previous_rank": prev,
                    "move": (prev - r) if prev else None,
                    "watched": p in highlight,
                }
            )
        ranking_ctx.append({"hist": hist, "chart": chart, "table": table, "previous": previous})
    ctx["rankings"] = ranking_ctx

    # --- the target ------------------------------------------------------------------------------
    a, b = pairs[0]
    progress = q.target_progress(
        q.main_series(series_by_pair.get((a, b), [])), settings.target_usd, settings.target_year
    )
    ctx["target"] = progress
    ctx["target_chart"] = None
    if progress:
        ctx["target_chart"] = Chart(
            "target",
            f"{a}–{b} total trade toward USD {settings.target_usd / 1e9:,.0f} bn by {settings.target_year}",
            f"Total trade (exports + imports) in {a} statistics ({progress['source']}); the dashed line grows at a constant "
            f"rate from {progress['base_year']} to the target."
            if progress.get("path")
            else f"Total trade (exports + imports) in {a} statistics ({progress['source']}).",
            ch.target_chart(progress, sample=sample),
        )
        charts.append(ctx["target_chart"])
    ctx["charts"] = charts
    return ctx


def _render_html(ctx: dict[str, Any]) -> str:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(
        loader=PackageLoader("report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["bn"] = lambda v, d=2: "–" if v is None else f"{v / 1e9:,.{d}f}"
    env.filters["sbn"] = lambda v, d=2: "–" if v is None else f"{v / 1e9:+,.{d}f}"
    env.filters["pct"] = lambda v, d=1: "–" if v is None else f"{v:,.{d}f} %"
    env.filters["day"] = lambda v: (v or "–")[:10] if isinstance(v, str) or v is None else v.strftime("%Y-%m-%d")
    env.filters["name"] = q.country_name
    return env.get_template("report.html.j2").render(**ctx)


def build_report(db: Database, settings: Settings, out: Path, *, now: datetime | None = None) -> Path:
    """Write the HTML report to ``out`` and its charts to ``<out stem>_charts/*.png``; return ``out``."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    ctx = collect_report(db, settings, now=now)
    chart_dir = out.parent / f"{out.stem}_charts"
    chart_dir.mkdir(parents=True, exist_ok=True)
    for old in chart_dir.glob("*.png"):  # charts of an earlier report that no longer apply
        old.unlink()
    for c in ctx["charts"]:
        (chart_dir / f"{c.id}.png").write_bytes(c.png)
    ctx["chart_dir"] = chart_dir.name
    html = _render_html(ctx)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return out


def render_chart_png(db: Database, settings: Settings, reporter: str = "KOR", partner: str = "VNM") -> bytes:
    """A 1200×600 PNG of one pair's exports, imports and balance (the last 36 months), for an alert email."""
    from report import charts as ch

    with db.session() as s:
        sample = q.any_sample(s)
        ser = q.main_series(q.pair_series(s, reporter, partner))
    if ser is None:
        return ch.empty_chart(f"No {reporter}–{partner} figures stored yet", sample=sample)
    kind = "monthly" if ser.kind == "month" else "annual"
    title = f"{reporter}–{partner} trade balance, {reporter} statistics ({ser.source}, {kind})"
    return ch.bilateral_chart(ser, title=title, last=36, sample=sample)
