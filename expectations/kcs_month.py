"""KCS nationtrade batches (kind ``all_partners``): every partner, month by month.

Besides the common checks (exact identities), a month must be complete: at least
``min_partners`` partners, every watched partner present (the reporter itself
excepted), and no partner that a stored complete month has disappears.
"""

from __future__ import annotations

from expectations.checks import Check, P, common_checks
from expectations.frame import group_codes

KIND = "all_partners"
_MONTH_KEY = ("reporter", "period", "commodity", "source")


def checks() -> list[Check]:
    return [
        *common_checks(exact=True),
        Check(
            "completeness: enough partners each month",
            "ExpectColumnValuesToBeBetween",
            {"column": "month_partners", "min_value": P("min_partners")},
        ),
        Check(
            "completeness: every watched partner present each month",
            "ExpectColumnValuesToBeInSet",
            {"column": "missing_watched", "value_set": [""]},
        ),
        Check(
            "completeness: no partner lost from a stored complete month",
            "ExpectColumnValuesToBeInSet",
            {"column": "lost_partners", "value_set": [""]},
        ),
    ]


def add_completeness_columns(df, stored: dict[str, list], *, watched: list[str], min_partners: int) -> dict:
    """Per month (reporter, period, commodity, source), on the month's first row only.

    ``month_partners``: distinct partners; ``missing_watched``: watched partners absent
    (comma-separated, "" if none); ``lost_partners``: partners stored for that month
    (when the stored month had at least ``min_partners``) that the batch lacks.
    """
    import numpy as np
    import pandas as pd

    n = len(df)
    grp, n_groups = group_codes(df, _MONTH_KEY)
    _, first = np.unique(grp, return_index=True)  # the first row of each month (codes are 0..n_groups-1)
    pcode, puniq = pd.factorize(df["partner"])
    n_p = len(puniq) + 1
    pairs = np.unique(grp.astype(np.int64) * n_p + pcode)  # distinct (month, partner)
    pair_grp, pair_p = pairs // n_p, pairs % n_p
    batch_partners: list[set] = [set() for _ in range(n_groups)]
    names = np.asarray(puniq, dtype=object)
    for g, p in zip(pair_grp.tolist(), pair_p.tolist(), strict=True):
        if p < len(names):
            batch_partners[g].add(names[p])
    keys = list(df.loc[first, list(_MONTH_KEY)].itertuples(index=False, name=None)) if n_groups else []
    wanted_periods = {k[1] for k in keys}
    stored_partners: dict[tuple, set] = {}
    if stored and stored.get("partner"):
        for r, per, c, s, p in zip(
            stored["reporter"], stored["period"], stored["commodity"], stored["source"], stored["partner"], strict=True
        ):
            if per in wanted_periods:
                stored_partners.setdefault((r, per, c, s), set()).add(p)

    count = np.full(n, np.nan)
    missing = np.full(n, None, dtype=object)
    lost = np.full(n, None, dtype=object)
    months_missing, months_losing = {}, {}
    for g, key in enumerate(keys):
        row = first[g]
        have = batch_partners[g]
        count[row] = len(have)
        want = [w for w in watched if w != key[0]]
        miss = sorted(w for w in want if w not in have)
        missing[row] = ",".join(miss)
        before = stored_partners.get(key, set())
        gone = sorted(before - have) if len(before) >= min_partners else []
        lost[row] = ",".join(gone)
        if miss:
            months_missing["/".join(map(str, key))] = miss
        if gone:
            months_losing["/".join(map(str, key))] = gone
    df["month_partners"] = count
    df["missing_watched"] = missing
    df["lost_partners"] = lost
    return {"months": int(n_groups), "months_missing_watched": months_missing, "months_losing_partners": months_losing}
