"""Vietnam customs' headline table (scrapers.vn_customs_headline): Vietnam's world figures."""

from __future__ import annotations

import unicodedata

import pytest

import scrapers.vn_customs_headline as headline
from scrapers import get_source
from tests.fixtures.scripted import scripted_server
from tests.scrapers.conftest import data
from tradewatch.config import load_settings
from tradewatch.errors import LayoutChanged
from tradewatch.model import Flow, Period

SCRAPE = "vn_customs_pageId444_summary_table_scrape.json"  # real values, a browser scrape of the table


@pytest.fixture(scope="module")
def figures():
    obs, notes = headline.parse_headline(headline.headline_rows_from_scrape(data(SCRAPE)), None)
    return {(o.flow, str(o.period)): o for o in obs}, notes


def test_months_and_their_year_to_date_decimal_point(figures):
    got, _ = figures
    nov = got[(Flow.EXPORT, "2025-11")]
    assert (nov.reporter, nov.partner, nov.value_usd, nov.precision_usd) == ("VNM", "WLD", 39_110_000_000, 10_000_000)
    assert got[(Flow.EXPORT, "2025-01..2025-11")].value_usd == 430_170_000_000
    assert got[(Flow.IMPORT, "2025-11")].value_usd == 37_980_000_000
    assert nov.maturity == "preliminary" and nov.quote == "Xuất khẩu T11-2025: 39.11"


def test_half_months_are_day_ranges(figures):
    got, _ = figures
    assert got[(Flow.EXPORT, "2025-12-01..2025-12-15")].value_usd == 20_200_000_000
    assert got[(Flow.EXPORT, "2025-01-01..2025-12-15")].value_usd == 451_180_000_000  # its year to date
    assert got[(Flow.BALANCE, "2025-12-01..2025-12-15")].value_usd == -1_960_000_000
    assert got[(Flow.TOTAL, "2025-12-01..2025-12-15")].value_usd == 42_360_000_000
    # the second half runs to the month's end
    assert Period.parse("2025-11-16..2025-11-30") == headline.headline_period("K2-T11-2025")[0]
    assert str(headline.headline_period("K2-T02-2024")[0]) == "2024-02-16..2024-02-29"


def test_quarters_and_the_decimal_comma_before_2021(figures):
    got, _ = figures
    q3 = got[(Flow.EXPORT, "2017-07..2017-09")]
    assert q3.value_usd == 56_780_000_000 and q3.precision_usd == 10_000_000
    assert got[(Flow.EXPORT, "2017-01..2017-09")].value_usd == 154_320_000_000
    assert str(headline.headline_period("QUÝ I - 2020")[0]) == "2020-01..2020-03"
    assert str(headline.headline_period("Quý II/2021")[0]) == "2021-04..2021-06"
    assert headline._ty_usd("44,638") == (44_638_000_000, 1_000_000)  # three decimals: USD 1 m
    assert headline._ty_usd("-0,35") == (-350_000_000, 10_000_000) and headline._ty_usd("-") is None


def test_decomposed_unicode_rows_are_read(figures):
    # the scrape holds a few rows whose indicator is NFD-decomposed ("Nhập khẩu" in K2-T01-2017)
    raw = [r for r in headline.headline_rows_from_scrape(data(SCRAPE)) if r.label == "K2-T01-2017"]
    assert any(unicodedata.normalize("NFC", r.indicator) != r.indicator for r in raw)
    got, _ = figures
    assert got[(Flow.IMPORT, "2017-01-16..2017-01-31")].value_usd == 5_820_000_000


def test_a_row_with_its_period_cells_swapped_is_still_dated(figures):
    got, _ = figures  # 'Diễn giải' "K1-T5", 'Kỳ' "K1-T5-2021"
    assert got[(Flow.BALANCE, "2021-05-01..2021-05-15")].value_usd == -1_930_000_000


def test_conflicting_repeats_are_left_out_with_a_note(figures):
    got, notes = figures
    # the page's paging repeated "K2-T12-2022" exports with two different values: neither is emitted
    assert (Flow.EXPORT, "2022-12-16..2022-12-31") not in got
    assert any("K2-T12-2022: 13.44" in n and "K2-T12-2022: 15.31" in n and "left out" in n for n in notes)
    # a repeat with the same value written to fewer decimals ("27,2" and "27,20") is one figure
    assert got[(Flow.EXPORT, "2021-06")].value_usd == 27_200_000_000
    assert len(got) == 3252


def test_unknown_indicator_is_a_layout_change():
    row = headline.HeadlineRow("Tạm nhập tái xuất", "T11-2025", "T11", "1.00", "2.00")
    with pytest.raises(LayoutChanged) as e:
        headline.parse_headline([row], None)
    assert "Tạm nhập tái xuất" in str(e.value)


# A page built to imitate the table (synthetic: the page's HTML was not recorded; values from the scrape).
PAGE_SYNTHETIC = """<html><body><table class="list">
<tr><th>STT</th><th>Chỉ tiêu</th><th>Diễn giải</th><th>Kỳ</th><th>Trị giá (tỷ USD)</th>
<th>Tăng/giảm so kỳ trước (%)</th><th>Lũy kế (tỷ USD)</th><th>Tăng/giảm cùng kỳ (%)</th></tr>
<tr><td>1</td><td>Xuất khẩu</td><td>K1-T12-2025</td><td>K1-T12</td><td>20.20</td><td>1.9</td><td>451.18</td><td>16.9</td></tr>
<tr><td>2</td><td>Nhập khẩu</td><td>K1-T12-2025</td><td>K1-T12</td><td>22.16</td><td>18.1</td><td>432.54</td><td>19.4</td></tr>
<tr><td>3</td><td>Xuất nhập khẩu</td><td>K1-T12-2025</td><td>K1-T12</td><td>42.36</td><td>9.8</td><td>883.72</td><td>18.1</td></tr>
<tr><td>4</td><td>Cán cân thương mại</td><td>K1-T12-2025</td><td>K1-T12</td><td>-1.96</td><td>-</td><td>18.64</td><td>-</td></tr>
</table></body></html>""".encode()


def test_the_source_reads_the_page_from_a_server(fetcher):
    with scripted_server() as srv:
        srv.on("/index.jsp", {"body": PAGE_SYNTHETIC, "headers": {"Content-Type": "text/html; charset=utf-8"}})
        src = get_source("vn_customs_headline", load_settings(vn_customs_base_url=srv.url))
        (window,) = src.windows(Period.parse("2025-11"), Period.parse("2025-12"))
        (snap,) = src.collect(fetcher, window)
        assert "pageId=444" in srv.requests[0]["query"]
        result = src.parse(snap)
    got = {(o.flow, str(o.period)): o.value_usd for o in result.observations}
    assert len(got) == 8 and got[(Flow.IMPORT, "2025-01-01..2025-12-15")] == 432_540_000_000
    assert {o.source for o in result.observations} == {"vn_customs_headline"}


def test_a_page_without_the_table_names_the_headers_it_found():
    page = b"<html><table><tr><th>STT</th><th>Ti\xc3\xaau \xc4\x91\xe1\xbb\x81</th></tr><tr><td>1</td><td>x</td></tr></table></html>"
    with pytest.raises(LayoutChanged) as e:
        headline.headline_rows_from_html(page, "http://127.0.0.1/index.jsp?pageId=444")
    assert "no headline table" in str(e.value) and "Tiêu đề" in str(e.value)
