"""Comparisons with other sources: a release against the official tables (checked), mirror data (reported).

* A release figure (kind ``release``) is compared with the figure an official structured
  source has stored for the same key (reporter, partner, flow, period, commodity):
  KCS for Korea, Vietnam customs (the by-country bulletin, then the headline table) for
  Vietnam (``REFERENCE_SOURCES``). The reference is a stored figure of the same span (a
  month, a year-to-date range, a quarter, a year and its Jan–Dec range alike), else the
  sum of its stored months when every month is there. They agree within the roundings
  of both (half of each, and half the release's again for "about"). ``find_references``
  is the one lookup: the pipeline's corroboration step (``flows.corroborate``) and the
  release suite's check (``add_reference_columns``) both read it. No stored reference:
  not compared, and a note says the figure is uncorroborated.
* Mirror data (kind ``mirror``, UN Comtrade): Korea's exports to Vietnam (FOB, Korean
  origin rules) and Vietnam's imports from Korea (CIF) are different measures of the
  same trade. Their differences are computed and reported in the notes, never failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tradewatch.model import Period, PeriodKind

# The official structured sources a release figure is checked against, per reporter, in order.
REFERENCE_SOURCES: dict[str, tuple[str, ...]] = {"KOR": ("kcs",), "VNM": ("vn_customs", "vn_customs_headline")}
OFFICIAL_SOURCES = frozenset(s for ss in REFERENCE_SOURCES.values() for s in ss)
REFERENCE_SOURCE = "kcs"  # Korea's (kept for callers that name one)
_MIRROR_FLOW = {"export": "import", "import": "export", "total": "total"}


def _usd(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"${v / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"${v / 1e6:,.1f} m"
    return f"${v:,.0f}"


@dataclass(frozen=True)
class Reference:
    """The official figure a release figure is compared with."""

    source: str
    value_usd: int
    precision_usd: int  # the reference's own rounding (summed over the months it adds up)
    basis: str  # "the stored 2026-06 figure", "the sum of 12 stored months 2025-01..2025-12"
    tolerance_usd: float  # how far the release figure may be from it and still agree
    difference_usd: int  # release − reference

    @property
    def agrees(self) -> bool:
        return abs(self.difference_usd) <= self.tolerance_usd


# (reporter, partner, flow, period, commodity, source, value_usd, precision_usd, approximate)
FigureRow = tuple[str, str, str, str, str, str, int, int, bool]


def figure_row(o: Any) -> FigureRow:
    """An Observation as the tuple ``find_references`` reads."""
    return (
        o.reporter,
        o.partner,
        getattr(o.flow, "value", o.flow),
        str(o.period),
        o.commodity,
        o.source,
        int(o.value_usd),
        int(o.precision_usd or 1),
        bool(o.approximate),
    )


def find_references(session, rows: Sequence[FigureRow]) -> tuple[list[Reference | None], list[str]]:
    """Each row's official reference figure (None: not a release figure of a covered reporter, or none stored).

    Returns (references, notes); a note names each release figure that found no stored
    reference ("uncorroborated"). One query per reference source.
    """
    from db.baseline_queries import stored_series

    out: list[Reference | None] = [None] * len(rows)
    notes: list[str] = []
    wanted: list[tuple[int, Period]] = []
    for i, (rep, _par, _flo, per, _com, src, _v, _p, _a) in enumerate(rows):
        if src in OFFICIAL_SOURCES or rep not in REFERENCE_SOURCES:
            continue
        try:
            wanted.append((i, Period.parse(per)))
        except Exception:
            continue
    if not wanted:
        return out, notes
    since = min(p.start for _, p in wanted)
    until = max(p.end for _, p in wanted)
    parsed: dict[str, Period | None] = {}

    def period_of(s: str) -> Period | None:
        if s not in parsed:
            try:
                parsed[s] = Period.parse(s)
            except Exception:
                parsed[s] = None
        return parsed[s]

    # per reference source: (rep, par, flow, com, start, end) -> (value, precision, period)
    spans: dict[str, dict[tuple, tuple[int, int, str]]] = {}
    for src in sorted({s for i, _ in wanted for s in REFERENCE_SOURCES[rows[i][0]]}):
        idx = [i for i, _ in wanted if src in REFERENCE_SOURCES[rows[i][0]]]
        st = stored_series(
            session,
            source=src,
            reporters={rows[i][0] for i in idx},
            partners={rows[i][1] for i in idx},
            flows={rows[i][2] for i in idx},
            commodities={rows[i][4] for i in idx},
            since=since,
            until=until,
        )
        table: dict[tuple, tuple[int, int, str]] = {}
        for r, pa, fl, pe, co, v, pr in zip(
            st["reporter"],
            st["partner"],
            st["flow"],
            st["period"],
            st["commodity"],
            st["value_usd"],
            st["precision_usd"],
            strict=True,
        ):
            p = period_of(pe)
            if p is not None:
                table[(r, pa, fl, co, p.start, p.end)] = (int(v), int(pr or 1), pe)
        spans[src] = table
    for i, period in wanted:
        rep, par, flo, per, com, _src, value, precision, approximate = rows[i]
        found: tuple[str, int, int, str] | None = None
        for src in REFERENCE_SOURCES[rep]:  # a stored figure of the same span first
            hit = spans[src].get((rep, par, flo, com, period.start, period.end))
            if hit is not None:
                found = (src, hit[0], hit[1], f"the stored {hit[2]} figure")
                break
        if found is None and period.kind is not PeriodKind.DAYS and period.kind is not PeriodKind.MONTH:
            months = period.month_list()
            for src in REFERENCE_SOURCES[rep]:  # else the sum of its months, all of them stored
                got = [spans[src].get((rep, par, flo, com, m.start, m.end)) for m in months]
                if all(g is not None for g in got):
                    have = [g for g in got if g is not None]
                    found = (
                        src,
                        sum(g[0] for g in have),
                        sum(g[1] for g in have),
                        f"the sum of {len(have)} stored months {months[0]}..{months[-1]}",
                    )
                    break
        if found is None:
            srcs = "/".join(REFERENCE_SOURCES[rep])
            notes.append(
                f"cross-source: no stored {srcs} figure for {rep} {flo} {par} {per}"
                f"{'' if com == 'TOTAL' else ' HS ' + com}; not compared (uncorroborated)"
            )
            continue
        src, ref_value, ref_precision, basis = found
        tol = (precision + ref_precision) / 2.0
        if approximate:  # "about $25.6 bn": half a rounding step more
            tol += precision / 2.0
        out[i] = Reference(src, ref_value, ref_precision, basis, tol, value - ref_value)
    return out, notes


def add_reference_columns(df, session) -> dict[str, Any]:
    """``reference_usd``, ``reference_tol_usd``, ``reference_gap_roundings`` for each release row."""
    import numpy as np

    n = len(df)
    ref = np.full(n, np.nan)
    tol = np.full(n, np.nan)
    cols = ["reporter", "partner", "flow", "period", "commodity", "source", "value_usd", "precision_usd", "approximate"]
    rows: list[FigureRow] = []
    for rep, par, flo, per, com, src, v, p, a in df[cols].itertuples(index=False, name=None):
        ok = all(isinstance(x, str) for x in (rep, par, flo, per, com, src))
        try:
            value, precision = int(v), int(p or 1)
        except (TypeError, ValueError):
            ok = False
        # a row the schema checks will fail is not looked up
        rows.append(
            (rep, par, flo, per, com, src, value, precision, bool(a)) if ok else ("", "", "", "", "", "", 0, 1, False)
        )
    refs, notes = find_references(session, rows)
    used: set[str] = set()
    for i, r in enumerate(refs):
        if r is not None:
            ref[i] = float(r.value_usd)
            tol[i] = r.tolerance_usd
            used.add(r.source)
    v = df["value_usd"].to_numpy(dtype=np.float64) if df["value_usd"].dtype.kind in "iuf" else np.full(n, np.nan)
    df["reference_usd"] = ref
    df["reference_tol_usd"] = tol
    with np.errstate(invalid="ignore", divide="ignore"):
        df["reference_gap_roundings"] = (v - ref) / tol
    return {
        "reference_sources": sorted(used),
        "compared": sum(r is not None for r in refs),
        "not_compared": len(notes),
        "notes": notes[:50],
    }


def mirror_differences(df, session, *, reporters: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Each figure between two watched reporters against its mirror (the partner's report).

    The mirror is looked up in the batch first, then among stored figures (same
    source first, then ``kcs``, then any). Returns (notes, rows).
    """
    from db.baseline_queries import stored_for_periods

    rset = set(reporters)
    sel = df[df["reporter"].isin(rset) & df["partner"].isin(rset) & df["flow"].isin(list(_MIRROR_FLOW))]
    if sel.empty:
        return [], []
    inbatch: dict[tuple, list[tuple[str, float]]] = {}
    for r, p, f, per, c, s, v in df[
        ["reporter", "partner", "flow", "period", "commodity", "source", "value_usd"]
    ].itertuples(index=False, name=None):
        inbatch.setdefault((r, p, f, per, c), []).append((s, v))
    st = stored_for_periods(
        session,
        reporters=rset,
        partners=rset,
        periods=set(sel["period"]),
        commodities=set(sel["commodity"]),
    )
    stored: dict[tuple, list[tuple[str, float]]] = {}
    for r, p, f, per, c, s, v in zip(
        st["reporter"],
        st["partner"],
        st["flow"],
        st["period"],
        st["commodity"],
        st["source"],
        st["value_usd"],
        strict=True,
    ):
        stored.setdefault((r, p, f, per, c), []).append((s, v))

    def pick(cands: list[tuple[str, float]], own: str) -> tuple[str, float] | None:
        if not cands:
            return None
        for pref in (own, REFERENCE_SOURCE):
            for s, v in cands:
                if s == pref:
                    return s, v
        return sorted(cands)[0]

    notes, out = [], []
    for r, p, f, per, c, s, v in sel[
        ["reporter", "partner", "flow", "period", "commodity", "source", "value_usd"]
    ].itertuples(index=False, name=None):
        mkey = (p, r, _MIRROR_FLOW[f], per, c)
        m = pick(inbatch.get(mkey, []), s) or pick(stored.get(mkey, []), s)
        if m is None:
            continue
        msrc, mv = m
        diff = float(v) - float(mv)
        pct = diff / abs(float(mv)) * 100.0 if mv else None
        item = {
            "reporter": r,
            "partner": p,
            "flow": f,
            "period": per,
            "commodity": c,
            "source": s,
            "value_usd": int(v),
            "mirror_reporter": p,
            "mirror_flow": _MIRROR_FLOW[f],
            "mirror_source": msrc,
            "mirror_value_usd": int(mv),
            "difference_usd": int(diff),
            "difference_pct": None if pct is None else round(pct, 2),
        }
        out.append(item)
        pct_s = "n/a" if pct is None else f"{pct:+.1f} %"
        notes.append(
            f"mirror {per}{'' if c == 'TOTAL' else ' HS ' + c}: {r} {f} {'to' if f == 'export' else 'from' if f == 'import' else 'with'} {p} "
            f"{_usd(float(v))} ({s}) vs {p} {_MIRROR_FLOW[f]} {'from' if f == 'export' else 'to' if f == 'import' else 'with'} {r} "
            f"{_usd(float(mv))} ({msrc}): difference {_usd(diff)} ({pct_s}); reported, not failed (FOB/CIF, origin rules)"
        )
    return notes, out
