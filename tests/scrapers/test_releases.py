"""The configurable feeds (scrapers.releases): RSS, Atom and listing pages, the host filter, article bodies."""

from __future__ import annotations

from datetime import date

import pytest

import scrapers.releases as releases
from scrapers import get_source
from tests.fixtures.scripted import scripted_server
from tradewatch.config import load_settings
from tradewatch.errors import DisallowedHost, LayoutChanged, UnsafeXML
from tradewatch.model import Flow, Period

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


# --- through the fetch layer: a feed → the articles on its host → figures ------------------------
def test_release_feed_links_off_the_configured_host_are_not_followed(fetcher):
    with scripted_server() as srv:
        rss = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>MOIT</title>
<item><title>Trade with Korea</title><link>{srv.url}/news/1</link><pubDate>Mon, 10 Nov 2025 08:00:00 +0700</pubDate></item>
<item><title>Elsewhere</title><link>http://evil.example/steal</link><pubDate>Mon, 10 Nov 2025 08:00:00 +0700</pubDate></item>
</channel></rss>""".encode()
        srv.on("/feed.xml", {"body": rss, "headers": {"Content-Type": "application/rss+xml"}})
        srv.on(
            "/news/1",
            {
                "body": b"<html><body><article><p>In the first ten months of 2025, Vietnam's exports to the RoK reached US$21.3 billion, up 6.1% year-on-year.</p></article></body></html>",
                "headers": {"Content-Type": "text/html; charset=utf-8"},
            },
        )
        src = get_source("releases", load_settings(releases_feeds=[f"{srv.url}/feed.xml"]))
        snaps = src.collect(fetcher, Period.months("2025-01", "2025-12"))
        assert [s.url for s in snaps if not isinstance(s, Exception)] == [f"{srv.url}/news/1"]
        assert all("evil.example" not in r["path"] for r in srv.requests)
        figs = src.parse(snaps[0]).observations
        assert any(
            o.reporter == "VNM" and o.partner == "KOR" and o.flow is Flow.EXPORT and o.value_usd == 21_300_000_000
            for o in figs
        )
        # and the fetcher itself refuses an off-host URL outright
        with pytest.raises(DisallowedHost):
            fetcher.fetch(src.article_request("http://evil.example/steal"))
