"""Amounts, percentages, periods, language, sentences: the extractor's building blocks."""

from __future__ import annotations

from datetime import date

import pytest

from scrapers.prose import extract
from scrapers.prose.numbers import find_amounts, find_percents
from scrapers.prose.periods import find_periods
from scrapers.prose.text import detect_language, sentences


@pytest.mark.parametrize(
    "text,lang,value,precision",
    [
        ("US$25.6 billion", "en", 25_600_000_000, 100_000_000),
        ("25.6 billion USD", "en", 25_600_000_000, 100_000_000),
        ("USD 81.5 billion", "en", 81_500_000_000, 100_000_000),
        ("$53.5bn", "en", 53_500_000_000, 100_000_000),
        ("53.49 billion USD", "en", 53_490_000_000, 10_000_000),
        ("500 million USD", "en", 500_000_000, 100_000_000),
        ("US$200-million", "en", 200_000_000, 100_000_000),
        ("25,6 tỷ USD", "vi", 25_600_000_000, 100_000_000),
        ("500 triệu USD", "vi", 500_000_000, 100_000_000),
        ("2.345 triệu USD", "vi", 2_345_000_000, 1_000_000),
        ("342억5000만 달러", "ko", 34_250_000_000, 10_000_000),
        ("271억 600만달러", "ko", 27_106_000_000, 1_000_000),
        ("8억3300만달러", "ko", 833_000_000, 1_000_000),
        ("3천억 달러", "ko", 300_000_000_000, 100_000_000_000),
    ],
)
def test_amounts_and_their_precision(text, lang, value, precision):
    (a,) = find_amounts(text, lang)
    assert (a.value_usd, a.precision_usd) == (value, precision)


def test_korean_negative_and_approximate_amounts():
    neg, approx = find_amounts("무역수지 △5억 달러, 수출 342억여 달러", "ko")
    assert neg.negative and neg.value_usd == 500_000_000
    assert approx.approximate and approx.value_usd == 34_200_000_000


def test_unreadable_number_is_flagged_not_guessed():
    (a,) = find_amounts("đạt 25,,6 tỷ USD", "vi")
    assert a.value_usd is None
    r = extract("Xuất khẩu của Việt Nam sang Hàn Quốc đạt 25,,6 tỷ USD trong năm 2024.", "vi", date(2025, 1, 20))
    assert r.figures == [] and any("unreadable" in s.reason and "25,,6" in s.reason for s in r.skipped)


def test_not_usd_is_not_an_amount():
    assert find_amounts("70조 원", "ko") == []
    assert find_amounts("500 tỷ đồng", "vi") == []
    assert find_amounts("S$25 billion", "en") == []


def test_percent_signs():
    p1, p2, p3 = find_percents("(△12.9%) giảm 12,3% +5.1%", "vi")
    assert (p1.value, p1.sign) == (12.9, -1)
    assert (p2.value, p2.sign) == (12.3, 0)
    assert (p3.value, p3.sign) == (5.1, 1)
    assert find_percents("1.5%p 상승", "ko") == []


@pytest.mark.parametrize(
    "text,lang,published,period",
    [
        ("in the first eight months of this year", "en", date(2025, 11, 15), "2025-01..2025-08"),
        ("in January–July", "en", date(2025, 8, 10), "2025-01..2025-07"),
        ("H1 2024", "en", date(2025, 1, 1), "2024-01..2024-06"),
        ("in October", "en", date(2025, 11, 1), "2025-10"),
        ("in October", "en", date(2025, 3, 1), "2024-10"),
        ("1–20 August", "en", date(2025, 8, 21), "2025-08-01..2025-08-20"),
        ("last year", "en", date(2024, 2, 5), "2023"),
        ("10 ngày đầu tháng 10", "vi", date(2025, 10, 12), "2025-10-01..2025-10-10"),
        ("8 tháng năm 2025", "vi", date(2025, 9, 6), "2025-01..2025-08"),
        ("quý III/2025", "vi", date(2025, 10, 6), "2025-07..2025-09"),
        ("10월 1~10일", "ko", date(2025, 10, 11), "2025-10-01..2025-10-10"),
        ("이달 1~20일", "ko", date(2025, 9, 21), "2025-09-01..2025-09-20"),
        ("1~8월 누계", "ko", date(2025, 9, 15), "2025-01..2025-08"),
        ("지난해", "ko", date(2024, 2, 5), "2023"),
    ],
)
def test_periods_resolve_against_publication(text, lang, published, period):
    (p,) = [m for m in find_periods(text, lang, published) if m.period is not None]
    assert str(p.period) == period


def test_comparison_and_deadline_years_are_not_periods():
    ms = find_periods("compared to 2022, up 5% from 2021, by 2030", "en", date(2024, 1, 1))
    assert [m.comparison for m in ms] == [True, True, False] and ms[2].deadline
    (m,) = find_periods("so với cùng kỳ năm trước", "vi", date(2025, 1, 1))
    assert m.comparison
    (m,) = find_periods("2023년 대비", "ko", date(2025, 1, 1))
    assert m.comparison


def test_relative_periods_need_a_publication_date():
    r = extract("Korea's exports to Vietnam were $53.5bn last year.", "en", None)
    assert r.figures == [] and any("period" in s.reason for s in r.skipped)


def test_language_detection():
    assert detect_language("Korea's exports to Vietnam fell in the year.") == "en"
    assert detect_language("Xuất khẩu của Việt Nam sang Hàn Quốc đạt 25,6 tỷ USD") == "vi"
    assert detect_language("대베트남 수출은 53억 달러로 증가했다") == "ko"
    assert detect_language("中国对越南的出口增长") is None


def test_unexpected_language_is_a_logged_skip():
    r = extract("中国对越南的出口增长了百分之五。", None, date(2025, 1, 1))
    assert r.figures == [] and r.ranks == [] and "language" in r.skipped[0].reason


def test_sentences_keep_decimals_abbreviations_and_footnotes_together():
    ss = sentences("The U.S. imported $5.3 billion. Exports rose 7.3%.[24] Vietnam ran a deficit.")
    assert [s.text for s in ss] == [
        "The U.S. imported $5.3 billion.",
        "Exports rose 7.3%.[24]",
        "Vietnam ran a deficit.",
    ]


def test_quote_and_provenance_travel_with_the_figure():
    r = extract(
        "Korea's exports to Vietnam fell 7.9% to $53.5bn in 2023.",
        "en",
        date(2024, 1, 20),
        source="releases:test",
        source_url="https://example.org/a",
    )
    (o,) = r.figures
    assert (
        o.quote.startswith("Korea's exports")
        and o.source == "releases:test"
        and o.source_url == "https://example.org/a"
    )
    assert o.published_at.date() == date(2024, 1, 20)


def test_day_range_figures_are_preliminary_and_never_the_month():
    r = extract("관세청에 따르면 10월 1~10일 대베트남 수출은 17억 달러로 9.6% 증가했다.", "ko", date(2025, 10, 11))
    (o,) = r.figures
    assert str(o.period) == "2025-10-01..2025-10-10" and o.maturity == "preliminary"


def test_approximate_flag():
    (o,) = extract(
        "Vietnam's exports to South Korea reached nearly US$25.6 billion in 2024.", "en", date(2025, 2, 1)
    ).figures
    assert o.approximate
    (o,) = extract(
        "Xuất khẩu của Việt Nam sang Nhật Bản năm 2024 đạt hơn 24,6 tỷ USD.", "vi", date(2025, 1, 20)
    ).figures
    assert o.approximate


def test_reporter_hint_is_only_a_last_resort():
    text = "In 2024, bilateral trade between Vietnam and Korea reached US$81.5 billion."
    assert extract(text, "en", date(2025, 2, 1)).figures == []
    (o,) = extract(text, "en", date(2025, 2, 1), reporter_hint="KOR").figures
    assert (o.reporter, o.partner) == ("KOR", "VNM")
