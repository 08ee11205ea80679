"""Parsers of the release sources on fixtures in their real formats: MOTIE, Vietnam customs, KITA, feeds."""

from __future__ import annotations

from datetime import date

import pytest
from releases_helpers import make_blank_pdf, make_pdf, make_xlsx

from tradewatch.errors import ExtractionError, LayoutChanged, UnsafeXML
from tradewatch.model import Flow, Period
from scrapers.releases import extract, read_document
from scrapers.releases import generic, kita, motie, vn_customs

BOARD = "https://www.motie.go.kr/kor/article/ATCL3f49a5a8c"


# --- MOTIE ------------------------------------------------------------------------------------
def test_motie_listing(data_bytes):
    items = motie.parse_listing(data_bytes("motie_board.html"), BOARD)
    assert [i.url.split("/")[-2] for i in items] == ["73488", "73470", "73455", "73440"]  # duplicates and nav links dropped
    assert items[0].url.startswith("https://www.motie.go.kr/kor/article/ATCL3f49a5a8c/73488/view")
    assert items[0].published == date(2025, 11, 1) and items[0].title == "2025년 10월 수출입 동향"
    assert [motie.is_trade_release(i.title) for i in items] == [True, True, False, True]


def test_motie_listing_without_articles_is_a_layout_change():
    with pytest.raises(LayoutChanged):
        motie.parse_listing(b"<html><body><p>maintenance</p></body></html>", BOARD)


def test_motie_article_in_euc_kr_extracts(data_bytes):
    text, published = motie.parse_article(data_bytes("motie_article_euckr.html"), BOARD + "/73488/view")
    assert published == date(2025, 11, 1)
    assert "999억" not in text and "메뉴" not in text  # script and nav dropped
    r = extract(text, "ko", published, source="releases:motie")
    got = {(o.partner, o.flow.value, str(o.period), o.value_usd, o.yoy_pct) for o in r.figures}
    assert got == {("WLD", "export", "2025-10", 59_500_000_000, 4.6), ("VNM", "export", "2025-10", 5_350_000_000, 12.9),
                   ("VNM", "import", "2025-10", 2_230_000_000, -3.5)}


def test_motie_article_without_body_is_a_layout_change():
    with pytest.raises(LayoutChanged):
        motie.parse_article(b"<html><body><nav>x</nav></body></html>", BOARD)


# --- read_document -----------------------------------------------------------------------------
def test_read_document_honours_euc_kr(data_bytes):
    text, lang = read_document(data_bytes("motie_article_euckr.html"), "text/html", None)
    assert lang == "ko" and "대베트남 수출은 53억5000만 달러" in text


def test_read_document_header_charset_wins():
    html = "<html><body><p>Xuất khẩu của Việt Nam sang Hàn Quốc đạt 25,6 tỷ USD</p></body></html>".encode("utf-8")
    text, lang = read_document(html, "text/html; charset=utf-8", None)
    assert lang == "vi" and "25,6 tỷ USD" in text


def test_read_document_garbled_html_does_not_crash():
    text, _ = read_document(b"<html><body><p>Korea's exports to Vietnam reached $5", "text/html", None)
    assert "Korea's exports" in text


def test_read_document_pdf_text_layer_and_scan():
    text, lang = read_document(make_pdf(["Korea's exports to Vietnam fell 7.9% to $53.5bn in 2023."]), "application/pdf", None)
    assert "53.5bn" in text and lang == "en"
    with pytest.raises(ExtractionError):
        read_document(make_blank_pdf(), "application/pdf", None)


# --- Vietnam customs ------------------------------------------------------------------------------
def test_vn_catalogue(data_bytes):
    items = vn_customs.parse_catalogue(data_bytes("catalogue.json"))
    assert len(items) == 2  # the internal-IP and CTTDT items are dropped
    first = items[0]
    assert first.preliminary_url.endswith("2025-t10-5x(vn-sb).pdf") and first.official_url is None
    assert first.preliminary_date == date(2025, 11, 10)
    assert items[1].official_date == date(2025, 11, 25)
    assert [vn_customs.is_by_partner(i.title) for i in items] == [True, False]
    assert vn_customs.is_by_partner("Sơ bộ kỳ 1 tháng 10/2025 theo thị trường")


def test_vn_catalogue_changed_shape():
    with pytest.raises(LayoutChanged) as e:
        vn_customs.parse_catalogue(b'{"items": []}')
    assert "items" in str(e.value)


PDF_LINES = [
    "TRỊ GIÁ XUẤT KHẨU, NHẬP KHẨU HÀNG HÓA THEO NƯỚC/VÙNG LÃNH THỔ THÁNG 10/2025",
    "STT Nước/vùng lãnh thổ Xuất khẩu (nghìn USD) Nhập khẩu (nghìn USD)",
    "Tổng 42.150.112 40.012.345",
    "1 Hoa Kỳ 12.345.678 1.234.567",
    "2 Trung Quốc 5.432.109 14.321.098",
    "3 Hàn Quốc 2.345.678 5.678.901",
    "4 Hồng Kông (Trung Quốc) 1.173.727 -",
    "5 ASEAN 3.210.987 4.109.876",
]


def test_vn_partner_table_pdf():
    url = "https://files.customs.gov.vn/CustomsCMS/TONG_CUC/2025/11/10/2025-t10-5x(vn-sb).pdf"
    obs = vn_customs.parse_partner_table(make_pdf(PDF_LINES), Period.month(2025, 10), url)
    got = {(o.partner, o.flow): o.value_usd for o in obs}
    assert got[("KOR", Flow.EXPORT)] == 2_345_678_000 and got[("KOR", Flow.IMPORT)] == 5_678_901_000
    assert got[("HKG", Flow.EXPORT)] == 1_173_727_000 and ("HKG", Flow.IMPORT) not in got
    assert got[("WLD", Flow.EXPORT)] == 42_150_112_000
    assert not any(p == "ASN" for p, _ in got)  # blocs are not partners
    assert all(o.reporter == "VNM" and o.precision_usd == 1000 and o.maturity == "preliminary" for o in obs)


def test_vn_partner_table_xlsx_usd_and_cumulative():
    data = make_xlsx([
        ["Đơn vị tính: USD"],
        ["STT", "Tên nước", "Trị giá xuất khẩu tháng 10 (USD)", "Trị giá xuất khẩu lũy kế 10 tháng (USD)"],
        [1, "Hàn Quốc", "2.345.678.901", 21_234_567_890],
        [2, "Nhật Bản", 2_100_000_000, "20.123.456.789"],
    ])
    obs = vn_customs.parse_partner_table(data, Period.month(2025, 10), "https://files.customs.gov.vn/x/2025-t10-5x(vn).xlsx")
    got = {(o.partner, str(o.period)): o.value_usd for o in obs}
    assert got == {("KOR", "2025-10"): 2_345_678_901, ("KOR", "2025-01..2025-10"): 21_234_567_890,
                   ("JPN", "2025-10"): 2_100_000_000, ("JPN", "2025-01..2025-10"): 20_123_456_789}
    assert all(o.flow is Flow.EXPORT and o.precision_usd == 1 and o.maturity == "final" for o in obs)


def test_vn_partner_table_unknown_headers_name_them():
    data = make_xlsx([["STT", "Tên nước", "Giá trị gia tăng (USD)"], [1, "Hàn Quốc", 5]])
    with pytest.raises(LayoutChanged) as e:
        vn_customs.parse_partner_table(data, Period.month(2025, 10), "https://files.customs.gov.vn/x.xlsx")
    assert "Giá trị gia tăng (USD)" in str(e.value)


# --- KITA -------------------------------------------------------------------------------------------
def test_kita_rank_table(data_bytes):
    obs, ranks = kita.parse_rank_table(data_bytes("kita_ranks_euckr.html"), Period.year(2023), "https://stat.kita.net/x")
    got = {(o.partner, o.flow): o.value_usd for o in obs}
    assert got[("VNM", Flow.EXPORT)] == 53_490_011_000 and got[("VNM", Flow.TOTAL)] == 79_430_216_000
    assert got[("CHN", Flow.BALANCE)] == -18_039_738_000
    assert all(o.reporter == "KOR" and o.precision_usd == 1000 for o in obs)
    assert not any(p == "ASN" for p, _ in got)
    assert {(r.partner, r.rank, r.flow) for r in ranks} == {("CHN", 1, Flow.TOTAL), ("USA", 2, Flow.TOTAL),
                                                           ("VNM", 3, Flow.TOTAL), ("JPN", 4, Flow.TOTAL)}


def test_kita_unknown_layout_names_headers():
    html = "<table><tr><th>국가명</th><th>수출금액</th><th>환율</th></tr><tr><td>베트남</td><td>1</td><td>2</td></tr></table>".encode()
    with pytest.raises(LayoutChanged) as e:
        kita.parse_rank_table(html, Period.year(2023))
    assert "환율" in str(e.value)


def test_kita_unsorted_table_makes_no_rank_claims():
    html = ("<table><tr><th>순위</th><th>국가명</th><th>수출금액</th></tr>"
            "<tr><td>1</td><td>베트남</td><td>10</td></tr><tr><td>2</td><td>일본</td><td>20</td></tr></table>").encode()
    obs, ranks = kita.parse_rank_table(html, Period.year(2023))
    assert len(obs) == 2 and ranks == []


# --- generic releases ----------------------------------------------------------------------------------
def test_rss_feed_and_host_filter(data_bytes):
    items = generic.parse_listing(data_bytes("feed_rss.xml"), "https://moit.gov.vn/rss", None)
    assert [i.published for i in items] == [date(2025, 11, 10), date(2025, 11, 10)]
    kept = generic.same_host_links(items, ["moit.gov.vn"])
    assert [i.url for i in kept] == ["https://moit.gov.vn/tin-tuc/xnk-han-quoc-10-thang.html"]


def test_atom_feed_relative_links(data_bytes):
    (item,) = generic.parse_listing(data_bytes("feed_atom.xml"), "https://www.kita.org/press/", None)
    assert item.url == "https://www.kita.org/press/view/1234" and item.published == date(2024, 2, 5)


def test_feed_with_entities_is_refused(data_bytes):
    with pytest.raises(UnsafeXML):
        generic.parse_listing(data_bytes("feed_xxe.xml"), "https://moit.gov.vn/rss", None)


def test_html_listing_with_selector(data_bytes):
    items = generic.parse_listing(data_bytes("motie_board.html"), BOARD, "td.subject a")
    assert len(items) == 5 and items[1].published == date(2025, 10, 21)
    with pytest.raises(LayoutChanged):
        generic.parse_listing(data_bytes("motie_board.html"), BOARD, "div.news-list a")


def test_article_text_with_body_selector(data_bytes):
    text = generic.article_text(data_bytes("motie_article_euckr.html"), ".view_cont")
    assert text.splitlines()[0].startswith("산업통상자원부는")
    with pytest.raises(LayoutChanged):
        generic.article_text(data_bytes("motie_article_euckr.html"), "#no-such-body")
