"""MOTIE's board and articles (scrapers.motie), parsed from bytes in the board's format."""

from __future__ import annotations

from datetime import date

import pytest

import scrapers.motie as motie
from scrapers.prose import extract
from tradewatch.errors import LayoutChanged

BOARD = "https://www.motie.go.kr/kor/article/ATCL3f49a5a8c"


def test_motie_listing(data_bytes):
    items = motie.parse_listing(data_bytes("motie_board_synthetic.html"), BOARD)
    assert [i.url.split("/")[-2] for i in items] == [
        "73488",
        "73470",
        "73455",
        "73440",
    ]  # duplicates and nav links dropped
    assert items[0].url.startswith("https://www.motie.go.kr/kor/article/ATCL3f49a5a8c/73488/view")
    assert items[0].published == date(2025, 11, 1) and items[0].title == "2025년 10월 수출입 동향"
    assert [motie.is_trade_release(i.title) for i in items] == [True, True, False, True]


def test_motie_listing_without_articles_is_a_layout_change():
    with pytest.raises(LayoutChanged):
        motie.parse_listing(b"<html><body><p>maintenance</p></body></html>", BOARD)


def test_motie_article_in_euc_kr_extracts(data_bytes):
    text, published = motie.parse_article(data_bytes("motie_article_euckr_synthetic.html"), BOARD + "/73488/view")
    assert published == date(2025, 11, 1)
    assert "999억" not in text and "메뉴" not in text  # script and nav dropped
    r = extract(text, "ko", published, source="releases:motie")
    got = {(o.partner, o.flow.value, str(o.period), o.value_usd, o.yoy_pct) for o in r.figures}
    assert got == {
        ("WLD", "export", "2025-10", 59_500_000_000, 4.6),
        ("VNM", "export", "2025-10", 5_350_000_000, 12.9),
        ("VNM", "import", "2025-10", 2_230_000_000, -3.5),
    }


def test_motie_article_without_body_is_a_layout_change():
    with pytest.raises(LayoutChanged):
        motie.parse_article(b"<html><body><nav>x</nav></body></html>", BOARD)
