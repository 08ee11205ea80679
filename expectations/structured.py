"""Exact API batches other than KCS nationtrade (kind ``structured``): KCS by item, IMF, KITA tables.

The common checks with exact identities; nothing about completeness, since such a
batch holds the series that were asked for, not every partner.
"""

from __future__ import annotations

from expectations.checks import Check, common_checks

KIND = "structured"


def checks() -> list[Check]:
    return common_checks(exact=True)


def mirror_checks() -> list[Check]:
    """Mirror data (UN Comtrade, annual): schema, identities, values and revisions.

    No history band: a handful of annual points makes none, and mirror figures are
    compared with the partner's report and reported, never failed on their level.
    """
    return common_checks(exact=True, baseline=False)
