from __future__ import annotations

from datetime import date

import pytest

from tradewatch.errors import InvalidPeriod
from tradewatch.model import Flow, Observation, Period, PeriodKind, month_windows, rank_partners

FORMS = ["2024-10", "2023", "2025-01..2025-08", "2025-10-01..2025-10-10", "2024-11..2025-02", "2024-02-01..2024-02-29"]


@pytest.mark.parametrize("text", FORMS)
def test_period_round_trip(text):
    p = Period.parse(text)
    assert str(p) == text and Period.parse(str(p)) == p


@pytest.mark.parametrize(
    "bad",
    [
        "2024-13",
        "2024-1",
        "24-10",
        "2024/10",
        "2025-08..2025-01",
        "2025-10-10..2025-10-01",
        "",
        "2024-02-30..2024-03-01",
        "Q3 2024",
    ],
)
def test_malformed_period_raises(bad):
    with pytest.raises(InvalidPeriod):
        Period.parse(bad)


def test_kinds_and_normalisation():
    assert Period.parse("2024-10").kind is PeriodKind.MONTH
    assert Period.parse("2023").kind is PeriodKind.YEAR
    assert Period.parse("2025-01..2025-08").kind is PeriodKind.MONTHS
    assert Period.parse("2025-10-01..2025-10-10").kind is PeriodKind.DAYS
    assert Period.months("2025-03", "2025-03") == Period.parse("2025-03")  # a one-month range is that month


@pytest.mark.parametrize(
    "text,previous,year_earlier",
    [
        ("2024-01", "2023-12", "2023-01"),
        ("2023", "2022", "2022"),
        ("2025-01..2025-08", "2025-01..2025-07", "2024-01..2024-08"),
        ("2025-03..2025-05", "2024-12..2025-02", "2024-03..2024-05"),
        ("2025-10-01..2025-10-10", "2025-09-01..2025-09-10", "2024-10-01..2024-10-10"),
        ("2024-03-01..2024-03-31", "2024-02-01..2024-02-29", "2023-03-01..2023-03-31"),
        ("2024-02-29..2024-02-29", "2024-02-28..2024-02-28", "2023-02-28..2023-02-28"),
    ],
)
def test_previous_and_year_earlier(text, previous, year_earlier):
    p = Period.parse(text)
    assert str(p.previous()) == previous
    assert str(p.year_earlier()) == year_earlier
    assert p.previous().kind is p.kind


def test_order_and_containment():
    ps = [Period.parse(s) for s in ["2024-02", "2023", "2024-01", "2024-01..2024-03"]]
    assert [str(p) for p in sorted(ps)] == ["2023", "2024-01", "2024-01..2024-03", "2024-02"]
    assert Period.parse("2024-02") in Period.parse("2024")
    assert Period.parse("2024-01..2024-03").contains(Period.parse("2024-03"))
    assert not Period.parse("2024-01..2024-03").contains(Period.parse("2024-04"))
    assert Period.parse("2025-10-01..2025-10-10") in Period.parse("2025-10")
    assert Period.parse("2025-10") not in Period.parse("2025-10-01..2025-10-10")


def test_month_list_and_windows():
    assert [str(m) for m in Period.parse("2024").month_list()][:2] == ["2024-01", "2024-02"]
    w = month_windows(Period.parse("2019-01"), Period.parse("2026-09"))
    assert [str(x) for x in w[:2]] == ["2019-01..2019-12", "2020-01..2020-12"]
    assert str(w[-1]) == "2026-01..2026-09" and all(x.n_months() <= 12 for x in w)
    assert sum(x.n_months() for x in w) == 7 * 12 + 9
    assert str(month_windows(Period.parse("2000-01"), Period.parse("2025-12"))[-1]) == "2025-01..2025-12"


def test_is_complete():
    assert Period.parse("2026-10").is_complete(date(2026, 11, 1))
    assert not Period.parse("2026-10").is_complete(date(2026, 10, 31))


def test_same_figure_respects_published_rounding():
    o = Observation(
        "VNM", "KOR", Flow.BALANCE, Period.parse("2022"), -34_250_000_000, "releases", precision_usd=10_000_000
    )
    assert o.same_figure(-34_254_000_000, 10_000_000)
    assert not o.same_figure(-34_260_000_000, 1)
    exact = Observation("KOR", "VNM", Flow.EXPORT, Period.parse("2024-01"), 5, "kcs")
    assert exact.same_figure(5) and not exact.same_figure(6)


def test_rank_partners_excludes_aggregates_and_handles_ties():
    ranks = rank_partners({"CHN": 10, "WLD": 100, "USA": 8, "JPN": 8, "VNM": 7, "XXX": 50})
    assert ranks == [(1, "CHN", 10), (2, "JPN", 8), (2, "USA", 8), (4, "VNM", 7)]
