"""Comparisons with other sources: a release against KCS (checked), mirror data (reported).

* A release figure (kind ``release``) must agree with the stored KCS figure for the
  same series within the roundings of both: a month is compared with the KCS month, a
  year or a year-to-date range with the sum of its KCS months (when every month is
  stored). No stored KCS figure: no check, and a note says so.
* Mirror data (kind ``mirror``, UN Comtrade): Korea's exports to Vietnam (FOB, Korean
  origin rules) and Vietnam's imports from Korea (CIF) are different measures of the
  same trade. Their differences are computed and reported in the notes, never failed.
"""

from __future__ import annotations

from typing import Any

from tradewatch.model import Period, PeriodKind

REFERENCE_SOURCE = "kcs"
_MIRROR_FLOW = {"export": "import", "import": "export", "total": "total"}


def _usd(v: float) -> str:
    a = abs(v)
    if a >= 1e9:
        return f"${v / 1e9:,.2f} bn"
    if a >= 1e6:
        return f"${v / 1e6:,.1f} m"
    return f"${v:,.0f}"


def add_reference_columns(df, session, *, reference_source: str = REFERENCE_SOURCE) -> dict[str, Any]:
    """``reference_usd``, ``reference_tol_usd``, ``reference_gap_roundings`` for each release row."""
    import numpy as np

    from db.baseline_queries import stored_series

    n = len(df)
    ref = np.full(n, np.nan)
    tol = np.full(n, np.nan)
    notes: list[str] = []
    rows = df[
        ["reporter", "partner", "flow", "period", "commodity", "source", "value_usd", "precision_usd", "approximate"]
    ]
    wanted: list[tuple[int, tuple, list[str]]] = []
    starts, ends = [], []
    for i, (rep, par, flo, per, com, src, _v, _p, _a) in enumerate(rows.itertuples(index=False, name=None)):
        if src == reference_source:
            continue
        try:
            p = Period.parse(per)
        except Exception:
            continue
        if p.kind is PeriodKind.DAYS:
            continue
        months = [str(m) for m in p.month_list()]
        wanted.append((i, (rep, par, flo, com), months))
        starts.append(p.start)
        ends.append(p.end)
    compared = missing = 0
    if wanted:
        st = stored_series(
            session,
            source=reference_source,
            reporters={w[1][0] for w in wanted},
            partners={w[1][1] for w in wanted},
            flows={w[1][2] for w in wanted},
            commodities={w[1][3] for w in wanted},
            since=min(starts),
            until=max(ends),
            period_kinds=["month"],
        )
        found: dict[tuple, tuple[int, int]] = {}
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
            found[(r, pa, fl, co, pe)] = (v, pr or 1)
        for i, key, months in wanted:
            got = [found.get((*key, m)) for m in months]
            if any(g is None for g in got):
                missing += 1
                rep, par, flo, com = key
                notes.append(
                    f"cross-source: no stored {reference_source} figure for {rep} {flo} {par} {df['period'].iat[i]}"
                    f"{'' if com == 'TOTAL' else ' HS ' + com} ({sum(g is None for g in got)} of {len(months)} months missing); not compared"
                )
                continue
            compared += 1
            have = [g for g in got if g is not None]
            ref[i] = float(sum(g[0] for g in have))
            t = (float(df["precision_usd"].iat[i]) + sum(float(g[1]) for g in have)) / 2.0
            if bool(df["approximate"].iat[i]):  # "about $25.6 bn": half a rounding step more
                t += float(df["precision_usd"].iat[i]) / 2.0
            tol[i] = t
    v = df["value_usd"].to_numpy(dtype=np.float64) if df["value_usd"].dtype.kind in "iuf" else np.full(n, np.nan)
    df["reference_usd"] = ref
    df["reference_tol_usd"] = tol
    with np.errstate(invalid="ignore", divide="ignore"):
        df["reference_gap_roundings"] = (v - ref) / tol
    return {"reference_source": reference_source, "compared": compared, "not_compared": missing, "notes": notes[:50]}


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
