"""Figures read out of ministry and agency releases (kind ``release``).

Release figures are rounded as published ("$25.61 billion" is precise to USD 10 m),
so the identities hold within the sum of the roundings, and each figure must agree
with the stored official figure for the same key (KCS for Korea, Vietnam customs for
Vietnam) within the roundings (``crosssource.add_reference_columns``). In a run, a figure
that disagrees is held back before the batch is validated (``flows.corroborate``), so
this check fails only a batch validated without that step (``validate_batch`` called directly).
"""

from __future__ import annotations

from expectations.checks import Check, common_checks

KIND = "release"


def checks() -> list[Check]:
    return [
        *common_checks(exact=False),
        Check(
            "cross-source: agrees with the stored official figure (KCS, Vietnam customs) within the roundings",
            "ExpectColumnValuesToBeBetween",
            {"column": "reference_gap_roundings", "min_value": -1, "max_value": 1},
            show=("reference_usd", "reference_tol_usd"),
        ),
    ]
