"""The batch as one DataFrame (one row per Observation) and the columns every suite reads.

Columns are computed with whole-array operations: a 70k-row batch takes a few tens
of milliseconds here. pandas and numpy are imported by the caller's first use.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date

from tradewatch.model import Flow, Observation, Period

# a flow's value by the member's id (members are singletons; ``.value`` on an enum is a slow descriptor)
_FLOW_VALUES = {id(f): f.value for f in Flow}

MATERIAL_USD = 10_000_000  # below this in both values, a series is too small to judge by its changes


def _period_info(p, cache: dict) -> tuple[str, str, int, int]:
    info = cache.get(p)
    if info is None:
        if not isinstance(p, Period):
            try:
                pp = Period.parse(p)
            except Exception:
                info = (str(p), "invalid", 0, 0)
                cache[p] = info
                return info
        else:
            pp = p
        s, e = pp.start, pp.end
        info = (str(pp), pp.kind.value, s.year * 10000 + s.month * 100 + s.day, e.year * 10000 + e.month * 100 + e.day)
        cache[p] = info
    return info


def build_frame(observations: Sequence[Observation]):
    """One row per observation: the key, the value, its rounding and its period as integers."""
    import numpy as np
    import pandas as pd

    cache: dict = {}
    infos = [_period_info(o.period, cache) for o in observations]
    values = [o.value_usd for o in observations]
    if all(type(x) is int for x in values):
        value_col = np.fromiter(values, dtype=np.int64, count=len(values))
    else:  # a None, a float, a string: kept as they are, so the schema check names them
        value_col = pd.Series(values, dtype=object).infer_objects()
    df = pd.DataFrame(
        {
            "reporter": [o.reporter for o in observations],
            "partner": [o.partner for o in observations],
            "flow": [_FLOW_VALUES.get(id(f)) or getattr(f, "value", f) for f in (o.flow for o in observations)],
            "period": [i[0] for i in infos],
            "commodity": [o.commodity for o in observations],
            "source": [o.source for o in observations],
            "period_kind": [i[1] for i in infos],
            "value_usd": value_col,
            "precision_usd": np.fromiter(
                (1 if o.precision_usd is None else o.precision_usd for o in observations),
                dtype=np.int64,
                count=len(observations),
            ),
            "period_start": np.fromiter((i[2] for i in infos), dtype=np.int64, count=len(infos)),
            "period_end": np.fromiter((i[3] for i in infos), dtype=np.int64, count=len(infos)),
            "approximate": np.fromiter(
                (bool(o.approximate) for o in observations), dtype=bool, count=len(observations)
            ),
        }
    )
    return df


def numeric_values(df):
    """``value_usd`` as float64 (NaN where it is missing or not a number)."""
    import numpy as np
    import pandas as pd

    col = df["value_usd"]
    if col.dtype.kind in "iuf":
        return col.to_numpy(dtype=np.float64)
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)


def group_codes(df, columns: Sequence[str]):
    """An integer per distinct combination of ``columns`` (fast: factorize each, then combine)."""
    import numpy as np
    import pandas as pd

    code = np.zeros(len(df), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(df[c], use_na_sentinel=False)
        code = code * (len(uniques) + 1) + codes
    codes, uniques = pd.factorize(code)
    return codes, len(uniques)


def add_identity_columns(df) -> None:
    """``balance_expected`` on balance rows, ``total_expected`` on total rows, and the gaps in roundings."""
    import numpy as np

    grp, n = group_codes(df, ("reporter", "partner", "period", "commodity", "source"))
    v = numeric_values(df)
    prec = df["precision_usd"].to_numpy(dtype=np.float64)
    flow = df["flow"].to_numpy()
    vals, precs = {}, {}
    for f in ("export", "import", "balance", "total"):
        m = flow == f
        a = np.full(n, np.nan)
        a[grp[m]] = v[m]
        p = np.full(n, np.nan)
        p[grp[m]] = prec[m]
        vals[f], precs[f] = a[grp], p[grp]
    is_bal, is_tot = flow == "balance", flow == "total"
    bal_exp = np.where(is_bal, vals["export"] - vals["import"], np.nan)
    tot_exp = np.where(is_tot, vals["export"] + vals["import"], np.nan)
    tol = (prec + precs["export"] + precs["import"]) / 2.0
    df["export_usd"] = vals["export"]
    df["import_usd"] = vals["import"]
    df["balance_expected"] = bal_exp
    df["total_expected"] = tot_exp
    df["identity_tol_usd"] = np.where(is_bal | is_tot, tol, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        df["balance_gap_roundings"] = (v - bal_exp) / tol
        df["total_gap_roundings"] = (v - tot_exp) / tol


def last_publishable_day(today: date) -> int:
    """The last day a stored period may end on: the end of today's month, as YYYYMMDD.

    A period ending on or after the first day of next month covers days that have not
    happened yet; its figures cannot have been published.
    """
    last = calendar.monthrange(today.year, today.month)[1]
    return today.year * 10000 + today.month * 100 + last


def add_value_columns(df) -> None:
    import numpy as np

    from expectations.checks import KEY_COLUMNS

    df["null_keys"] = df[[*KEY_COLUMNS, "value_usd"]].isna().sum(axis=1).astype(np.int64)
    v = numeric_values(df)
    df["nonneg_value"] = np.where(df["flow"].to_numpy() != "balance", v, np.nan)
