"""The report's charts, as PNG bytes (matplotlib, Agg, no pyplot state).

Every chart is 1200×600 px (12×6 in at 100 dpi), so the same bytes go inline in the
HTML report, into ``<report>_charts/`` and into an alert email. matplotlib is
imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from report.data import RankingHistory, Series

WIDTH_IN, HEIGHT_IN, DPI = 12, 6, 100
BN = 1e9

EXPORT_COLOR = "#1f5fa8"
IMPORT_COLOR = "#d9822b"
POS_COLOR = "#3a9a5b"
NEG_COLOR = "#c0392b"
# watched partners keep one colour in every chart
PARTNER_COLORS = {
    "VNM": "#d62728",
    "CHN": "#1f77b4",
    "USA": "#2ca02c",
    "JPN": "#9467bd",
    "HKG": "#ff7f0e",
    "TWN": "#17becf",
    "KOR": "#8c564b",
}
OTHER_COLORS = [
    "#7f7f7f",
    "#bcbd22",
    "#e377c2",
    "#6b6ecf",
    "#aec7e8",
    "#98df8a",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
    "#9edae5",
    "#ffbb78",
    "#393b79",
    "#637939",
    "#843c39",
]


def _figure():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    fig.set_facecolor("white")
    return fig


def _png(fig, sample: bool) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if sample:
        fig.text(
            0.5,
            0.5,
            "SAMPLE DATA",
            fontsize=72,
            color="#c0392b",
            alpha=0.12,
            rotation=18,
            ha="center",
            va="center",
            zorder=100,
            fontweight="bold",
        )
        fig.text(
            0.995, 0.005, "SAMPLE DATA — not official figures", fontsize=9, color="#c0392b", ha="right", va="bottom"
        )
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _ticks(ax, labels: list[str], max_ticks: int = 14) -> None:
    step = max(1, math.ceil(len(labels) / max_ticks))
    idx = list(range(0, len(labels), step))
    if labels and idx[-1] != len(labels) - 1 and len(labels) - 1 - idx[-1] >= max(2, step / 2):
        idx.append(len(labels) - 1)
    ax.set_xticks(idx)
    ax.set_xticklabels(
        [labels[i] for i in idx],
        rotation=45 if len(labels[0]) > 4 else 0,
        ha="right" if len(labels[0]) > 4 else "center",
    )


def _bn(v: int | None) -> float:
    return float("nan") if v is None else v / BN


def empty_chart(message: str, *, sample: bool = False) -> bytes:
    fig = _figure()
    fig.text(0.5, 0.5, message, ha="center", va="center", fontsize=20, color="#555555")
    return _png(fig, sample)


def bilateral_chart(
    series: Series, *, title: str | None = None, last: int | None = None, sample: bool = False
) -> bytes:
    """Exports and imports (lines) and the balance (bars) of one reporter's series."""
    periods = series.periods[-last:] if last else series.periods
    if not periods:
        return empty_chart(f"No {series.reporter}–{series.partner} figures stored yet", sample=sample)
    n0 = len(series.periods) - len(periods)
    exp = [_bn(v) for v in series.flow("export")[n0:]]
    imp = [_bn(v) for v in series.flow("import")[n0:]]
    bal = [_bn(v) for v in series.flow("balance")[n0:]]
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    x = list(range(len(periods)))
    ax.bar(
        x,
        bal,
        color=[POS_COLOR if (b == b and b >= 0) else NEG_COLOR for b in bal],
        alpha=0.55,
        width=0.8,
        label="balance (exports − imports)",
    )
    marker = "o" if series.kind == "year" or len(periods) <= 24 else None
    ax.plot(x, exp, color=EXPORT_COLOR, lw=2.2, marker=marker, label=f"exports to {series.partner}")
    ax.plot(x, imp, color=IMPORT_COLOR, lw=2.2, marker=marker, label=f"imports from {series.partner}")
    ax.axhline(0, color="#333333", lw=0.8)
    _ticks(ax, periods)
    ax.set_ylabel("USD bn")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(title or f"{series.reporter}–{series.partner} trade, {series.label}", fontsize=14, loc="left")
    ax.legend(loc="upper left", frameon=False, ncol=3)
    fig.tight_layout()
    return _png(fig, sample)


def mirror_chart(pairs: list[tuple[str, Series, str, Series, str]], *, sample: bool = False) -> bytes:
    """The same goods flow as both reporters record it, by complete calendar year.

    ``pairs``: ``(title, series_a, flow_a, series_b, flow_b)`` per panel, e.g. Korea's
    exports to Vietnam (KOR statistics) beside Vietnam's imports from Korea (VNM statistics).
    Each bar is one reporter's figure; nothing is summed across reporters.
    """
    fig = _figure()
    colours: dict[str, str] = {}  # one colour per reporter in every panel
    for _, sa, _, sb, _ in pairs:
        for ser in (sa, sb):
            colours.setdefault(ser.reporter, (EXPORT_COLOR, IMPORT_COLOR, "#555555")[min(len(colours), 2)])
    for i, (title, sa, fa, sb, fb) in enumerate(pairs, start=1):
        ax = fig.add_subplot(1, len(pairs), i)
        a, b = sa.annual(fa), sb.annual(fb)
        years = sorted(set(a) | set(b))
        x = list(range(len(years)))
        w = 0.38
        ax.bar(
            [v - w / 2 for v in x],
            [_bn(a.get(y)) for y in years],
            width=w,
            color=colours[sa.reporter],
            label=f"{sa.reporter} {fa}s ({sa.source})",
        )
        ax.bar(
            [v + w / 2 for v in x],
            [_bn(b.get(y)) for y in years],
            width=w,
            color=colours[sb.reporter],
            label=f"{sb.reporter} {fb}s ({sb.source})",
        )
        ax.set_xticks(x)
        ax.set_xticklabels([str(y) for y in years])
        ax.set_ylabel("USD bn")
        ax.grid(axis="y", alpha=0.3)
        ax.set_title(title, fontsize=12, loc="left")
        ax.legend(loc="upper left", frameon=False, fontsize=9)
    fig.tight_layout()
    return _png(fig, sample)


def bump_chart(
    hist: RankingHistory, *, top_n: int = 10, highlight: tuple[str, ...] = (), sample: bool = False
) -> bytes:
    """Partner ranks over time (1 at the top); a partner outside the top ``top_n`` leaves a gap."""
    if not hist.periods:
        return empty_chart(f"No partner figures stored for {hist.reporter} yet", sample=sample)
    partners = hist.top(top_n)
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    x = list(range(len(hist.periods)))
    others = iter(OTHER_COLORS * 3)
    for p in partners:
        ys = []
        for per in hist.periods:
            r = hist.rank_of(p, per)
            ys.append(r if r is not None and r <= top_n else float("nan"))
        watched = p in highlight
        color = PARTNER_COLORS.get(p) if watched else None
        color = color or next(others)
        ax.plot(
            x,
            ys,
            color=color,
            lw=3.2 if watched else 1.6,
            marker="o",
            ms=6 if watched else 4,
            alpha=1.0 if watched else 0.75,
            zorder=3 if watched else 2,
        )
        # label at the last and the first point the partner is in the top
        pts = [(i, y) for i, y in enumerate(ys) if y == y]
        if pts:
            li, ly = pts[-1]
            ax.annotate(
                p,
                (li, ly),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=10,
                color=color,
                fontweight="bold" if watched else "normal",
            )
            fi, fy = pts[0]
            if fi != li or len(pts) == 1:
                ax.annotate(
                    p,
                    (fi, fy),
                    xytext=(-6, 0),
                    textcoords="offset points",
                    va="center",
                    ha="right",
                    fontsize=9,
                    color=color,
                    fontweight="bold" if watched else "normal",
                )
    ax.set_ylim(top_n + 0.6, 0.4)
    ax.set_yticks(range(1, top_n + 1))
    ax.set_yticklabels([f"#{r}" for r in range(1, top_n + 1)])
    pad = max(0.5, 0.06 * len(x))  # room for the partner labels at both ends
    ax.set_xlim(-pad, len(x) - 1 + pad)
    _ticks(ax, hist.periods, max_ticks=12)
    ax.grid(axis="y", alpha=0.2)
    kind = "monthly" if hist.kind == "month" else "annual"
    ax.set_title(
        f"{hist.reporter}'s top {top_n} trade partners by {hist.flow} trade, {kind} ({hist.source})",
        fontsize=14,
        loc="left",
    )
    fig.tight_layout()
    return _png(fig, sample)


def target_chart(progress: dict[str, Any], *, sample: bool = False) -> bytes:
    """Annual totals, this year so far, its annualised pace, and the path to the target."""
    fig = _figure()
    ax = fig.add_subplot(1, 1, 1)
    year, target_year = progress["year"], progress["target_year"]
    history = progress["history"]
    first = min([*history, year])
    years = list(range(first, max(target_year, year) + 1))
    ax.bar(
        list(history),
        [_bn(v) for v in history.values()],
        color=EXPORT_COLOR,
        width=0.6,
        label=f"total trade, complete years ({progress['reporter']} statistics, {progress['source']})",
    )
    partial = progress["months"] < 12
    ax.bar(
        [year],
        [_bn(progress["ytd_usd"])],
        color=EXPORT_COLOR,
        alpha=0.45 if partial else 1.0,
        width=0.6,
        hatch="//" if partial else None,
        label=f"{year} so far ({progress['months']} months)" if partial else f"{year}",
    )
    if partial and progress.get("pace_usd"):
        ax.scatter(
            [year],
            [_bn(progress["pace_usd"])],
            marker="D",
            color="#333333",
            zorder=4,
            s=50,
            label=f"{year} at this pace (×12/{progress['months']})",
        )
    if progress.get("path"):
        py = sorted(progress["path"])
        ax.plot(
            py,
            [_bn(progress["path"][y]) for y in py],
            color=NEG_COLOR,
            lw=2,
            ls="--",
            label=f"path to the target ({progress['cagr_pct']:.1f} % a year)",
        )
    ax.scatter(
        [target_year],
        [_bn(progress["target_usd"])],
        marker="*",
        s=260,
        color=NEG_COLOR,
        zorder=5,
        label=f"target: USD {progress['target_usd'] / BN:,.0f} bn by {target_year}",
    )
    ax.set_xticks(years)
    ax.set_xticklabels([str(y) for y in years], rotation=0)
    ax.set_ylabel("USD bn")
    ax.set_ylim(
        0, max(_bn(progress["target_usd"]), *(_bn(v) for v in history.values()), _bn(progress["ytd_usd"])) * 1.12
    )
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(
        f"{progress['reporter']}–{progress['partner']} total trade toward USD {progress['target_usd'] / BN:,.0f} bn by {target_year}",
        fontsize=14,
        loc="left",
    )
    ax.legend(loc="upper left", frameon=False, fontsize=10)
    fig.tight_layout()
    return _png(fig, sample)
