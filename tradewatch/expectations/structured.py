"""Exact API batches other than KCS nationtrade (kind ``structured``): KCS by item, IMF, KITA tables.

The common checks with exact identities; nothing about completeness, since such a
batch holds the series that were asked for, not every partner.
"""

from __future__ import annotations

from tradewatch.expectations.checks import Check, common_checks

KIND = "structured"


def checks() -> list[Check]:
    return common_checks(exact=True)
