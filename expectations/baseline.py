"""Bands from a series' own stored history, and the stored value a new one would revise.

Every figure sits on a lattice: a series (reporter, partner, flow, commodity,
source, and the *shape* of its period) and a position. Months are one lattice
(position = month number, a year earlier = 12 positions back); a year, a
year-to-date range or a range of days is compared with the same range a year
earlier (position = year, a year earlier = 1 back).

For each new value ``v`` with a year-earlier value ``y`` (the batch's own if it
holds it, else the stored one), the change is ``yoy = log((v + c) / (y + c))``;
``c`` = USD 5 m damps the swings of small series and keeps zeros finite.

The band is ``median ± max(k · 1.4826 · MAD, floor)`` of the series' own
year-on-year changes over the ``baseline_months`` months before (``baseline_months
// 12`` years for yearly shapes): stored values, and where none is stored the
batch's own, so that a backfill is judged against itself. ``floor`` is ±log 1.5 for
a series of USD 1 bn or more and grows by 0.7 per factor of ten below that (small
series move more). A short history (fewer than 24 changes) says little: its median
is shrunk towards "no change", its band widened by √(24 / n) and to at least
±log 6; with no change at all the band is 0 ± log 6 (or the floor, if wider), so a
tenfold jump of a large series fails even without history. No year-earlier value:
no check. Values below USD 10 m on both sides, and
balances (which cross zero), are not checked.

All of this is whole-array numpy: no Python loop per row.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

from expectations.frame import MATERIAL_USD, group_codes, numeric_values
from tradewatch.model import Period, PeriodKind

SMOOTH_USD = 5_000_000.0  # added to both values: damps the swings of small series, keeps zeros finite
FLOOR = math.log(1.5)  # the narrowest band: ×1.5 or ÷1.5 around the median change
ALWAYS_PLAUSIBLE = math.log(2.5)  # a change within ×/÷ 2.5 year on year never fails by itself
CAP = math.log(6.0)  # a short history's band is at least ×6 / ÷6 wide
FULL_HISTORY = 24  # stored changes needed before a band is not widened (two years)
SIZE_FLOOR_PER_DECADE = 0.7  # smaller series move more: the floor grows by 0.7 per factor 10 below USD 1 bn
BANDED_FLOWS = ("export", "import", "total")
_KIND_CODE = {PeriodKind.YEAR: 1, PeriodKind.MONTHS: 2, PeriodKind.DAYS: 3}


@dataclass
class BaselineStats:
    rows_checked: int = 0
    rows_full_history: int = 0
    rows_short_history: int = 0
    rows_no_history: int = 0
    rows_stored: int = 0
    rows_revised: int = 0


def _lattice_of(text: str) -> tuple[int, int]:
    """(shape, position) of a canonical period string; shape 0 is the month lattice, -1 invalid."""
    try:
        p = Period.parse(text)
    except Exception:
        return -1, 0
    s, e = p.start, p.end
    if p.kind is PeriodKind.MONTH:
        return 0, s.year * 12 + s.month - 1
    md_s, md_e = s.month * 100 + s.day, e.month * 100 + e.day
    shape = ((_KIND_CODE[p.kind] * 10000 + md_s) * 10000 + md_e) * 10 + min(e.year - s.year, 9)
    return shape, s.year


def lattice(periods):
    """Vectorised ``_lattice_of`` over an array of period strings (parses each distinct one once)."""
    import numpy as np
    import pandas as pd

    codes, uniques = pd.factorize(np.asarray(periods, dtype=object))
    table = np.array([_lattice_of(str(u)) for u in uniques], dtype=np.int64).reshape(-1, 2)
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return table[codes, 0], table[codes, 1]


def add_history_columns(df, stored: dict[str, list], *, baseline_months: int, k: float) -> BaselineStats:
    """Add ``stored_usd``, ``revision_pct``, ``year_earlier_usd``, ``yoy_log``, ``band_*`` and ``baseline_z``."""
    import numpy as np
    import pandas as pd

    n_b = len(df)
    stats = BaselineStats()
    sdf = pd.DataFrame(stored) if stored and len(stored.get("value_usd", ())) else None
    cols = ["reporter", "partner", "flow", "commodity", "source", "period"]
    if sdf is not None:
        comb = pd.concat([df[cols], sdf[cols]], ignore_index=True)
        s_val = pd.to_numeric(sdf["value_usd"], errors="coerce").to_numpy(dtype=np.float64)
        s_prec = pd.to_numeric(sdf["precision_usd"], errors="coerce").fillna(1).to_numpy(dtype=np.float64)
    else:
        comb = df[cols]
        s_val = s_prec = np.zeros(0)
    shape, pos = lattice(comb["period"].to_numpy())
    comb = comb.assign(shape=shape)
    sid_all, _ = group_codes(comb, ("reporter", "partner", "flow", "commodity", "source", "shape"))

    v = numeric_values(df)
    flow = df["flow"].to_numpy()
    prec = df["precision_usd"].to_numpy(dtype=np.float64)
    out = {
        name: np.full(n_b, np.nan)
        for name in (
            "stored_usd",
            "stored_precision",
            "year_earlier_usd",
            "yoy_log",
            "band_lo",
            "band_hi",
            "band_history",
            "baseline_z",
        )
    }

    for month_lattice in (True, False):
        lag = 12 if month_lattice else 1
        window = baseline_months if month_lattice else max(1, baseline_months // 12)
        in_b = (shape[:n_b] == 0) if month_lattice else (shape[:n_b] > 0)
        if not in_b.any():
            continue
        b_idx = np.nonzero(in_b)[0]
        b_sid, b_pos = sid_all[b_idx], pos[b_idx]
        pmin = int(b_pos.min()) - window - lag
        pmax = int(b_pos.max())
        T = pmax - pmin + 1
        # series of this lattice touched by the batch, numbered 0..S-1
        sids, b_row = np.unique(b_sid, return_inverse=True)
        S = len(sids)
        b_col = b_pos - pmin
        Bm = np.full((S, T), np.nan)
        Bm[b_row, b_col] = v[b_idx]
        Hm = np.full((S, T), np.nan)
        Hp = np.full((S, T), np.nan)
        if len(s_val):
            s_sid, s_pos, s_shape = sid_all[n_b:], pos[n_b:], shape[n_b:]
            ok = ((s_shape == 0) if month_lattice else (s_shape > 0)) & (s_pos >= pmin) & (s_pos <= pmax)
            ok &= np.isin(s_sid, sids)
            if ok.any():
                h_row = np.searchsorted(sids, s_sid[ok])
                h_col = s_pos[ok] - pmin
                Hm[h_row, h_col] = s_val[ok]
                Hp[h_row, h_col] = s_prec[ok]
        # what the batch would revise
        out["stored_usd"][b_idx] = Hm[b_row, b_col]
        out["stored_precision"][b_idx] = Hp[b_row, b_col]
        # the year-earlier value: the batch's own if it holds it, else the stored one
        ye_col = b_col - lag
        ye = Bm[b_row, ye_col]
        ye = np.where(np.isnan(ye), Hm[b_row, ye_col], ye)
        out["year_earlier_usd"][b_idx] = ye
        vb = v[b_idx]
        eligible = (
            np.isin(flow[b_idx], BANDED_FLOWS)
            & ~np.isnan(vb)
            & ~np.isnan(ye)
            & (vb >= 0)
            & (ye >= 0)
            & (np.maximum(vb, ye) >= MATERIAL_USD)
        )
        if not eligible.any():
            continue
        e_idx = b_idx[eligible]
        yoy = np.log((vb[eligible] + SMOOTH_USD) / (ye[eligible] + SMOOTH_USD))
        # the series' own year-on-year changes before each position: stored values, and
        # where none is stored the batch's own (a backfill is judged against itself)
        C = np.where(np.isnan(Hm), Bm, Hm)
        Y = np.full((S, T), np.nan)
        cur, prev = C[:, lag:], C[:, :-lag]
        with np.errstate(invalid="ignore", divide="ignore"):
            Y[:, lag:] = np.where((cur >= 0) & (prev >= 0), np.log((cur + SMOOTH_USD) / (prev + SMOOTH_USD)), np.nan)
        win = np.lib.stride_tricks.sliding_window_view(Y, window, axis=1)  # (S, T-window+1, window)
        w = win[b_row[eligible], b_col[eligible] - window]  # changes at positions p-window .. p-1
        n = np.sum(~np.isnan(w), axis=1)
        med = np.zeros(len(w))
        mad = np.zeros(len(w))
        full = n == window
        part = (n > 0) & ~full
        if full.any():  # no gaps: the plain (faster) median
            wf = w[full]
            m = np.median(wf, axis=1)
            med[full], mad[full] = m, np.median(np.abs(wf - m[:, None]), axis=1)
        if part.any():
            wp = w[part]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                m = np.nanmedian(wp, axis=1)
                med[part], mad[part] = m, np.nanmedian(np.abs(wp - m[:, None]), axis=1)
        has = n > 0
        target = min(window, FULL_HISTORY)
        short = n < target
        # a short history says little: its median is shrunk towards "no change" and its
        # band widened (by √(target / n), and to at least ±CAP)
        med = np.where(has, med, 0.0) * np.where(short, n / target, 1.0)
        size = np.maximum(np.fmax(vb[eligible], ye[eligible]), 1.0)
        floor = FLOOR + SIZE_FLOOR_PER_DECADE * np.clip(np.log10(1e9 / size), 0.0, None)
        base = np.maximum(k * 1.4826 * np.where(has, mad, 0.0), floor)
        widen = np.sqrt(target / np.maximum(n, 1))
        half = np.where(short, np.maximum(base * widen, CAP), base)
        half = np.where(has, half, np.maximum(floor, CAP))  # nothing to go by: 0 ± log 6
        out["yoy_log"][e_idx] = yoy
        # whatever the history, a year-on-year change within ×/÷ 2.5 is never implausible on
        # its own: a boom (2021–22) makes a tight band around a high median, and the fall
        # that follows is real. A tenfold jump (log 10 = 2.3) still fails.
        out["band_lo"][e_idx] = np.minimum(med - half, -ALWAYS_PLAUSIBLE)
        out["band_hi"][e_idx] = np.maximum(med + half, ALWAYS_PLAUSIBLE)
        out["band_history"][e_idx] = n
        out["baseline_z"][e_idx] = np.where(
            yoy >= med, (yoy - med) / (out["band_hi"][e_idx] - med), (yoy - med) / (med - out["band_lo"][e_idx])
        )
        stats.rows_checked += len(e_idx)
        stats.rows_full_history += int(np.sum(~short))
        stats.rows_short_history += int(np.sum(short & has))
        stats.rows_no_history += int(np.sum(~has))

    # revisions: how far a new value moves a stored one, in % of the stored value (or of
    # USD 10 m for small series; a balance is measured against its trade, since it crosses zero)
    stored_v = out["stored_usd"]
    tol = np.fmax(np.fmax(prec, out["stored_precision"]), 1.0) / 2.0
    diff = np.abs(v - stored_v)
    denom = np.fmax(np.abs(stored_v), MATERIAL_USD)
    if "export_usd" in df:
        trade = np.nan_to_num(df["export_usd"].to_numpy(dtype=np.float64)) + np.nan_to_num(
            df["import_usd"].to_numpy(dtype=np.float64)
        )
        denom = np.where(flow == "balance", np.fmax(denom, trade), denom)
    with np.errstate(invalid="ignore", divide="ignore"):
        pct = np.where(diff <= tol, 0.0, diff / denom * 100.0)
    pct = np.where(np.isnan(stored_v), np.nan, pct)
    out["revision_pct"] = pct
    stats.rows_stored = int(np.sum(~np.isnan(stored_v)))
    stats.rows_revised = int(np.sum(pct > 0))
    del out["stored_precision"]
    for name, arr in out.items():
        df[name] = arr
    return stats
