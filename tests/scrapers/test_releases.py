"""The configurable feeds (scrapers.releases): RSS, Atom and listing pages, the host filter, article bodies."""

from __future__ import annotations

from datetime import date

import pytest

import scrapers.releases as releases
from tradewatch.errors import LayoutChanged, UnsafeXML

BOARD = "https://www.motie.go.kr/kor/article/ATCL3f49a5a8c"


def test_rss_feed_and_host_filter(data_bytes):
    items = releases.parse_listing(data_bytes("feed_rss_synthetic.xml"), "https://moit.gov.vn/rss", None)
    assert [i.published for i in items] == [date(2025, 11, 10), date(2025, 11, 10)]
    kept = releases.same_host_links(items, ["moit.gov.vn"])
    assert [i.url for i in kept] == ["https://moit.gov.vn/tin-tuc/xnk-han-quoc-10-thang.html"]


def test_atom_feed_relative_links(data_bytes):
    (item,) = releases.parse_listing(data_bytes("feed_atom_synthetic.xml"), "https://www.kita.org/press/", None)
    assert item.url == "https://www.kita.org/press/view/1234" and item.published == date(2024, 2, 5)


def test_feed_with_entities_is_refused(data_bytes):
    with pytest.raises(UnsafeXML):
        releases.parse_listing(data_bytes("feed_xxe_synthetic.xml"), "https://moit.gov.vn/rss", None)


def test_html_listing_with_selector(data_bytes):
    items = releases.parse_listing(data_bytes("motie_board_synthetic.html"), BOARD, "td.subject a")
    assert len(items) == 5 and items[1].published == date(2025, 10, 21)
    with pytest.raises(LayoutChanged):
        releases.parse_listing(data_bytes("motie_board_synthetic.html"), BOARD, "div.news-list a")


def test_article_text_with_body_selector(data_bytes):
    text = releases.article_text(data_bytes("motie_article_euckr_synthetic.html"), ".view_cont")
    assert text.splitlines()[0].startswith("산업통상자원부는")
    with pytest.raises(LayoutChanged):
        releases.article_text(data_bytes("motie_article_euckr_synthetic.html"), "#no-such-body")
