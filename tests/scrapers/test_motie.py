"""MOTIE's board and articles (scrapers.motie), parsed from bytes in the board's format."""

from __future__ import annotations

import re
from datetime import date

import pytest

import scrapers.motie as motie
from scrapers import get_source
from scrapers.prose import extract
from tests.fixtures.scripted import scripted_server
from tradewatch.config import load_settings
from tradewatch.errors import LayoutChanged
from tradewatch.model import Period

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


# --- through the fetch layer: board → new articles (each once) → figures ------------------------
HTML = {"Content-Type": "text/html; charset=euc-kr"}


def test_motie_board_to_figures_and_each_release_fetched_once(fetcher, data_bytes):
    board = data_bytes("motie_board_synthetic.html")
    article = data_bytes("motie_article_euckr_synthetic.html")
    with scripted_server() as srv:
        srv.on("/kor/article/ATCL3f49a5a8c", {"body": board, "headers": {"Content-Type": "text/html; charset=utf-8"}})
        for seq in set(re.findall(rb"/kor/article/ATCL3f49a5a8c/(\d+)/view", board)):
            srv.on(f"/kor/article/ATCL3f49a5a8c/{seq.decode()}/view", {"body": article, "headers": HTML})
        src = get_source("motie", load_settings(motie_base_url=srv.url))
        f = fetcher
        window = Period.months("2024-01", "2026-12")
        snaps = src.collect(f, window)
        articles = [s for s in snaps if not isinstance(s, Exception)]
        assert articles and all(s.label == "article" for s in articles)
        results = [src.parse(s) for s in articles]
        figures = [o for r in results for o in r.observations]
        assert figures and {o.source for o in figures} == {"releases:motie"}
        assert all(o.reporter == "KOR" and o.snapshot_sha256 and o.quote for o in figures)
        first_hits = len(srv.requests)
        # the next run reads the board again but fetches no release twice
        again = src.collect(f, window)
        assert again == [] and len(srv.requests) == first_hits + 1


def test_motie_board_without_release_links_is_an_empty_result(fetcher):
    with scripted_server() as srv:
        srv.on(
            "/kor/article/ATCL3f49a5a8c",
            {
                "body": "<html><body><p>점검 중</p></body></html>".encode(),
                "headers": {"Content-Type": "text/html; charset=utf-8"},
            },
        )
        src = get_source("motie", load_settings(motie_base_url=srv.url))
        out = src.collect(fetcher, Period.months("2024-01", "2026-12"))
        assert len(out) == 1 and isinstance(out[0], Exception)
        assert "motie" in str(out[0])
