"""Checks as data: each is one Great Expectations expectation, named for a person.

A ``Check`` names the GX expectation class and its arguments; values that change
from run to run (today's last publishable day, the configured tolerance, the
country list) are GX suite parameters (``{"$PARAMETER": name}``), so every suite
is built once per process and stays declarative. Everything computed from the
database (bands, stored values) arrives as columns of the batch's frame.

The groups shared by every kind of batch live here: schema, identities, values,
baseline, revisions. ``kcs_month``, ``structured``, ``releases`` and
``crosssource`` add their own and assemble the suite of their kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KEY_COLUMNS = ("reporter", "partner", "flow", "period", "commodity", "source")
BASE_COLUMNS = (*KEY_COLUMNS, "period_kind", "value_usd", "precision_usd", "period_end")
FLOWS = ("export", "import", "balance", "total")
PERIOD_REGEX = r"^(?:\d{4}|\d{4}-\d{2}|\d{4}-\d{2}\.\.\d{4}-\d{2}|\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2})$"
COMMODITY_REGEX = r"^(?:TOTAL|\d{2,10})$"


def P(name: str) -> dict[str, str]:
    """A GX suite parameter, filled in at run time."""
    return {"$PARAMETER": name}


@dataclass(frozen=True)
class Check:
    name: str  # "baseline: yoy log change within band"
    gx_type: str  # "ExpectColumnValuesToBeBetween"
    kwargs: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    show: tuple[str, ...] = ()  # extra columns shown in the sample of failing rows

    @property
    def column(self) -> str | None:
        kw = self.kwargs
        if "column" in kw:
            return kw["column"]
        if "column_A" in kw:
            return f"{kw['column_A']}, {kw['column_B']}"
        if "column_list" in kw:
            return ", ".join(kw["column_list"])
        return None


def schema_checks() -> list[Check]:
    out = [
        Check(
            "schema: the batch has every column",
            "ExpectTableColumnsToMatchSet",
            {"column_set": list(BASE_COLUMNS), "exact_match": False},
        ),
    ]
    out += [
        # one check over a computed count instead of seven: each GX expectation costs ~10 ms
        Check(
            "schema: no key column and no value is null",
            "ExpectColumnValuesToBeBetween",
            {"column": "null_keys", "max_value": 0},
        ),
        Check(
            "schema: reporter is a configured reporter or a known alpha-3 code",
            "ExpectColumnValuesToBeInSet",
            {"column": "reporter", "value_set": P("reporters")},
        ),
        Check(
            "schema: partner is a known alpha-3 code",
            "ExpectColumnValuesToBeInSet",
            {"column": "partner", "value_set": P("partners")},
        ),
        Check(
            "schema: flow is export, import, balance or total",
            "ExpectColumnValuesToBeInSet",
            {"column": "flow", "value_set": list(FLOWS)},
        ),
        Check(
            "schema: period is in a canonical form",
            "ExpectColumnValuesToMatchRegex",
            {"column": "period", "regex": PERIOD_REGEX},
        ),
        Check(
            "schema: commodity is TOTAL or an HS code",
            "ExpectColumnValuesToMatchRegex",
            {"column": "commodity", "regex": COMMODITY_REGEX},
        ),
        Check(
            "schema: value_usd is an integer number of dollars",
            "ExpectColumnValuesToBeInTypeList",
            {"column": "value_usd", "type_list": ["int64", "int32", "Int64"]},
        ),
        Check(
            "schema: precision_usd is at least 1",
            "ExpectColumnValuesToBeBetween",
            {"column": "precision_usd", "min_value": 1},
        ),
        Check(
            "schema: one row per series key within the batch",
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": list(KEY_COLUMNS)},
        ),
    ]
    return out


def exact_identity_checks() -> list[Check]:
    """Exact API figures: the identities hold to the dollar."""
    return [
        Check(
            "identities: balance = export − import",
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "value_usd", "column_B": "balance_expected", "ignore_row_if": "either_value_is_missing"},
            show=("export_usd", "import_usd"),
        ),
        Check(
            "identities: total = export + import",
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "value_usd", "column_B": "total_expected", "ignore_row_if": "either_value_is_missing"},
            show=("export_usd", "import_usd"),
        ),
    ]


def rounded_identity_checks() -> list[Check]:
    """Published (rounded) figures: the identities hold within the sum of the roundings."""
    return [
        Check(
            "identities: balance = export − import within the published rounding",
            "ExpectColumnValuesToBeBetween",
            {"column": "balance_gap_roundings", "min_value": -1, "max_value": 1},
            show=("balance_expected", "export_usd", "import_usd", "identity_tol_usd"),
        ),
        Check(
            "identities: total = export + import within the published rounding",
            "ExpectColumnValuesToBeBetween",
            {"column": "total_gap_roundings", "min_value": -1, "max_value": 1},
            show=("total_expected", "export_usd", "import_usd", "identity_tol_usd"),
        ),
    ]


def value_checks() -> list[Check]:
    return [
        Check(
            "values: export, import and total are not negative",
            "ExpectColumnValuesToBeBetween",
            {"column": "nonneg_value", "min_value": 0},
        ),
        Check(
            "values: no period in the future",
            "ExpectColumnValuesToBeBetween",
            {"column": "period_end", "max_value": P("last_publishable_day")},
        ),
    ]


def baseline_checks() -> list[Check]:
    return [
        Check(
            "baseline: yoy log change within band",
            "ExpectColumnValuesToBeBetween",
            {"column": "baseline_z", "min_value": -1, "max_value": 1},
            show=("year_earlier_usd", "yoy_log", "band_lo", "band_hi", "band_history"),
        ),
    ]


def revision_checks() -> list[Check]:
    return [
        Check(
            "revisions: change of a stored value within tolerance",
            "ExpectColumnValuesToBeBetween",
            {"column": "revision_pct", "max_value": P("revision_tolerance_pct")},
            show=("stored_usd",),
        ),
    ]


def common_checks(*, exact: bool, baseline: bool = True) -> list[Check]:
    return [
        *schema_checks(),
        *(exact_identity_checks() if exact else rounded_identity_checks()),
        *value_checks(),
        *(baseline_checks() if baseline else []),
        *revision_checks(),
    ]
