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
from tradewatch.errors import DisallowedHost, LayoutChanged
from tradewatch.model import Period

BOARD = "https://www.motie.go.kr/kor/article/ATCL3f49a5a8c"
BOARD_PATH = "/kor/article/ATCL3f49a5a8c"


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


# --- MOTIR: the board and articles per the recorded markup; the old host's 301 -------------------------
MOTIR = "https://www.motir.go.kr"
UTF8 = {"Content-Type": "text/html; charset=UTF-8"}


def test_motir_board_rows_per_the_recorded_markup(data_bytes):
    items = motie.parse_listing(data_bytes("motir_board_synthetic.html"), MOTIR)
    assert [(i.url, i.title, i.published) for i in items] == [
        (f"{MOTIR}/kor/article/ATCL3f49a5a8c/71320/view", "2026년 6월 및 상반기 수출입 동향", date(2026, 7, 1)),
        (
            f"{MOTIR}/kor/article/ATCL3f49a5a8c/71311/view?pageIndex=1&searchCondition=1",
            "산업통상부 장관, 베트남 산업무역부 장관과 회담",
            date(2026, 6, 25),
        ),
        (f"{MOTIR}/kor/article/ATCL3f49a5a8c/71301/view", "2026년 5월 수출입동향", date(2026, 6, 1)),
    ]
    assert [motie.is_trade_release(i.title) for i in items] == [True, False, True]


def test_motir_board_whose_rows_lost_their_links_is_a_layout_change():
    html = (
        '<div class="board-tbl board-list"><table><tbody><tr><td>1</td><td><i>제목</i></td></tr></tbody></table></div>'
    )
    with pytest.raises(LayoutChanged) as e:
        motie.parse_listing(html.encode(), MOTIR)
    assert "1 board rows" in str(e.value) and "article.view" in str(e.value)


def test_motir_article_body_attachments_and_ministry_name(data_bytes):
    html = data_bytes("motir_article_synthetic.html")
    text, published = motie.parse_article(html, MOTIR + "/kor/article/ATCL3f49a5a8c/71301/view")
    assert published == date(2026, 6, 1)
    assert "595억 달러" in text and "999억" not in text and "메뉴" not in text
    assert motie.parse_attachments(html, MOTIR + "/kor/article/ATCL3f49a5a8c/71301/view") == [
        ("2026년 5월 수출입동향_3보.pdf", f"{MOTIR}/attach/down/dd44/ee55"),
        ("2026년 5월 수출입동향_3보.hwpx", f"{MOTIR}/attach/down/dd44/ff66"),
    ]
    assert motie.ministry_named(text) == "산업통상부"
    assert motie.ministry_named("산업통상자원부는 2025년 10월 수출입 동향을 발표했다") == "산업통상자원부"


def _pdf(lines):
    from tests.scrapers.synthetic_files import make_pdf

    return make_pdf(lines)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")
def test_old_host_301_is_followed_to_the_ministry_and_recorded(fetcher, data_bytes):
    # the old host and the new one are two servers on 127.0.0.1 under the ministry's two names
    board = data_bytes("motir_board_synthetic.html")
    article = data_bytes("motir_article_synthetic.html")
    attachment = _pdf(["2026년 5월 수출입동향", "5월 수출은 595억 달러를 기록했다."])  # synthetic, not official
    with scripted_server() as new, scripted_server() as old:
        new_base = new.url.replace("127.0.0.1", "localhost")
        old.on(BOARD_PATH, {"status": 301, "headers": {"Location": new_base + BOARD_PATH}, "body": b""})
        new.on(BOARD_PATH, {"body": board, "headers": UTF8})
        for seq in ("71320", "71301"):
            new.on(f"{BOARD_PATH}/{seq}/view", {"body": article, "headers": UTF8})
        new.on("/attach/down/dd44/ee55", {"body": attachment, "headers": {"Content-Type": "application/pdf"}})
        src = get_source("motie", load_settings(motie_base_url=old.url))
        src_hosts = ("127.0.0.1", "localhost")
        src.allowed_hosts = lambda: src_hosts  # the ministry's two hosts, here
        out = src.collect(fetcher, Period.months("2026-01", "2026-12"))
        errors = [o for o in out if isinstance(o, Exception)]
        snaps = [o for o in out if not isinstance(o, Exception)]
        assert errors == []
        moved = fetcher.archive.latest(src.listing_requests()[0].key)  # the 301 is recorded in the archive
        assert moved.status == 301 and moved.headers["location"] == new_base + BOARD_PATH
        assert src.parse(moved).observations == [] and "HTTP 301" in src.parse(moved).notes[0]
        assert [s.label for s in snaps] == ["article", "attachment", "article", "attachment"]
        assert old.hits(BOARD_PATH) == 1 and new.hits("/attach/down/dd44/ff66") == 0  # the HWPX is not fetched
        results = [src.parse(s) for s in snaps]
    assert any("attachments recorded, not read: 2026년 5월 수출입동향_3보.hwpx" in n for n in results[0].notes)
    figures = [o for r in results for o in r.observations]
    assert figures and {o.source for o in figures} == {"releases:motie"} and {o.reporter for o in figures} == {"KOR"}
    assert any(o.value_usd == 59_500_000_000 for o in results[1].observations)  # read from the PDF attachment


def test_a_redirect_off_the_ministry_hosts_is_not_followed(fetcher):
    with scripted_server() as old, scripted_server() as elsewhere:
        off = elsewhere.url.replace("127.0.0.1", "localhost") + BOARD_PATH
        old.on(BOARD_PATH, {"status": 301, "headers": {"Location": off}, "body": b""})
        src = get_source("motie", load_settings(motie_base_url=old.url))
        src.allowed_hosts = lambda: ("127.0.0.1",)
        out = src.collect(fetcher, Period.months("2026-01", "2026-12"))
        assert fetcher.archive.latest(src.listing_requests()[0].key).status == 301  # recorded
        assert len(out) == 1 and isinstance(out[0], DisallowedHost) and "not followed" in str(out[0])
        assert elsewhere.hits(BOARD_PATH) == 0


def test_motir_is_the_default_host():
    assert load_settings().motie_base_url == "https://www.motir.go.kr"
    assert "www.motie.go.kr" in motie.MINISTRY_HOSTS and "www.motir.go.kr" in motie.MINISTRY_HOSTS
