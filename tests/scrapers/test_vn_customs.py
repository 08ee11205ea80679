"""Vietnam customs (scrapers.vn_customs): the publication catalogue and the by-partner tables, from bytes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

import scrapers.vn_customs as vn_customs
from scrapers import get_source
from tests.fixtures.scripted import scripted_server
from tests.scrapers.conftest import DATA
from tests.scrapers.synthetic_files import make_pdf, make_xlsx
from tradewatch.config import load_settings
from tradewatch.errors import LayoutChanged
from tradewatch.model import Flow, Period


def test_vn_catalogue(data_bytes):
    items = vn_customs.parse_catalogue(data_bytes("vn_customs_catalogue_synthetic.json"))
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
    data = make_xlsx(
        [
            ["Đơn vị tính: USD"],
            ["STT", "Tên nước", "Trị giá xuất khẩu tháng 10 (USD)", "Trị giá xuất khẩu lũy kế 10 tháng (USD)"],
            [1, "Hàn Quốc", "2.345.678.901", 21_234_567_890],
            [2, "Nhật Bản", 2_100_000_000, "20.123.456.789"],
        ]
    )
    obs = vn_customs.parse_partner_table(
        data, Period.month(2025, 10), "https://files.customs.gov.vn/x/2025-t10-5x(vn).xlsx"
    )
    got = {(o.partner, str(o.period)): o.value_usd for o in obs}
    assert got == {
        ("KOR", "2025-10"): 2_345_678_901,
        ("KOR", "2025-01..2025-10"): 21_234_567_890,
        ("JPN", "2025-10"): 2_100_000_000,
        ("JPN", "2025-01..2025-10"): 20_123_456_789,
    }
    assert all(o.flow is Flow.EXPORT and o.precision_usd == 1 and o.maturity == "final" for o in obs)


def test_vn_partner_table_unknown_headers_name_them():
    data = make_xlsx([["STT", "Tên nước", "Giá trị gia tăng (USD)"], [1, "Hàn Quốc", 5]])
    with pytest.raises(LayoutChanged) as e:
        vn_customs.parse_partner_table(data, Period.month(2025, 10), "https://files.customs.gov.vn/x.xlsx")
    assert "Giá trị gia tăng (USD)" in str(e.value)


# --- through the fetch layer: catalogue → the by-partner table → figures ---------------------------
def test_vn_customs_catalogue_to_partner_table(fetcher):
    table = make_xlsx(
        [
            ["Đơn vị tính: USD"],
            ["STT", "Tên nước", "Trị giá xuất khẩu tháng 10 (USD)", "Trị giá nhập khẩu tháng 10 (USD)"],
            [1, "Hàn Quốc", "2.345.678.901", "5.432.109.876"],
            [2, "Trung Quốc", "6.000.000.000", "13.000.000.000"],
            [3, "Hoa Kỳ", "12.100.000.000", "1.300.000.000"],
        ]
    )
    with scripted_server() as srv:
        catalogue = {
            "data": [
                {
                    "tieuDe": "Trị giá xuất khẩu, nhập khẩu hàng hóa theo nước/vùng lãnh thổ tháng 10/2025 (sơ bộ)",
                    "fileSoBo": f"{srv.url}/CustomsCMS/TONG_CUC/2025/11/10/2025-t10-5x(vn-sb).xlsx",
                    "fileChinhThuc": "",
                    "fileDieuChinh": None,
                    "ngaySoBo": "10/11/2025",
                    "ngayChinhThuc": "",
                },
                {
                    "tieuDe": "Xuất khẩu hàng hóa theo mặt hàng chủ yếu tháng 10/2025",
                    "fileSoBo": f"{srv.url}/CustomsCMS/TONG_CUC/2025/11/10/2025-t10-2x(vn-sb).pdf",
                    "fileChinhThuc": "",
                    "fileDieuChinh": None,
                    "ngaySoBo": "10/11/2025",
                    "ngayChinhThuc": "",
                },
            ]
        }
        srv.on(
            "/bridge",
            {
                "body": json.dumps(catalogue, ensure_ascii=False).encode(),
                "headers": {"Content-Type": "application/json"},
            },
        )
        srv.on(
            "/CustomsCMS/TONG_CUC/2025/11/10/2025-t10-5x(vn-sb).xlsx",
            {
                "body": table,
                "headers": {"Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
            },
        )
        src = get_source("vn_customs", load_settings(vn_customs_base_url=srv.url))
        snaps = src.collect(fetcher, Period.months("2025-01", "2025-12"))
        assert [s.label for s in snaps] == ["table 2025-10"]  # only the by-partner table, not the commodity one
        obs = src.parse(snaps[0]).observations
        kor = {o.flow: o.value_usd for o in obs if o.partner == "KOR"}
        assert kor[Flow.EXPORT] == 2_345_678_901 and kor[Flow.IMPORT] == 5_432_109_876
        assert {o.reporter for o in obs} == {"VNM"} and {o.source for o in obs} == {"vn_customs"}
        assert all(str(o.period) == "2025-10" for o in obs)


# --- the real by-country bulletin (5x, English, preliminary, June 2026) -----------------------------
BULLETIN = "vn_customs_2026-t6-5x_ta-sb.pdf"
BULLETIN_URL = "https://files.customs.gov.vn/CustomsCMS/TONG_CUC/2026/7/9/2026-t6-5x(ta-sb).pdf"


def expected_country_rows() -> list[dict]:
    import csv

    text = (DATA / "vn_customs_2026-t6-5x_ta-sb.country_rows.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@pytest.fixture(scope="module")
def bulletin():
    return vn_customs.read_bulletin((DATA / BULLETIN).read_bytes(), BULLETIN_URL)


def test_bulletin_every_country_row_exact(bulletin):
    expected = expected_country_rows()
    assert len(expected) == 85
    got = [(r.name, r.partner, r.month_value, r.ytd_value, r.page) for r in bulletin.country_rows()]
    assert got == [(e["name"], e["partner"], int(e["month_usd"]), int(e["ytd_usd"]), int(e["page"])) for e in expected]
    assert (bulletin.flow, str(bulletin.period), bulletin.language, bulletin.maturity) == (
        Flow.EXPORT,
        "2026-06",
        "en",
        "preliminary",
    )
    obs = vn_customs.bulletin_observations(bulletin, BULLETIN_URL)
    assert len(obs) == 170  # each country: the month and the year to date
    kor = {str(o.period): o.value_usd for o in obs if o.partner == "KOR"}
    assert kor == {"2026-06": 2_686_575_961, "2026-01..2026-06": 15_862_169_347}
    assert all(o.reporter == "VNM" and o.flow is Flow.EXPORT and o.commodity == "TOTAL" for o in obs)
    assert all(o.precision_usd == 1 and o.maturity == "preliminary" and o.source_url == BULLETIN_URL for o in obs)


def test_bulletin_commodity_rows_and_blocks_across_page_breaks(bulletin):
    germany = next(r for r in bulletin.country_rows() if r.partner == "DEU")
    items = [r for r in bulletin.rows if r.kind == "commodity" and r.country == "Germany"]
    assert germany.page == 12 and {r.page for r in items} == {12, 13}  # the block runs onto page 13
    assert abs(sum(r.month_value or 0 for r in items) - germany.month_value) <= len(items)
    # a commodity row: unit, volumes and values in their own columns, an empty cell left empty
    coffee = next(r for r in bulletin.rows if r.country == "Egypt" and r.name == "Coffee")
    assert (coffee.unit, coffee.month_volume, coffee.month_value, coffee.ytd_volume, coffee.ytd_value) == (
        "Ton",
        1235,
        4_530_587,
        12326,
        48_869_753,
    )
    rubber = next(r for r in bulletin.rows if r.country == "Armenia" and r.name == "Rubber products")
    assert (rubber.month_value, rubber.ytd_value) == (None, 196_405)  # no sale this month: the cell is empty
    wrapped = next(r for r in bulletin.rows if r.country == "Armenia" and r.name.startswith("Computers"))
    assert wrapped.name == "Computers, electrical products, spare-parts and components thereof"
    # rows whose name the PDF does not render are skipped with a reason, never guessed
    assert len(bulletin.skipped) == 52
    assert "Argentina" in bulletin.skipped[0] and "no readable name" in bulletin.skipped[0]


def test_bulletin_json_lines_are_extract_figures(bulletin):
    lines = vn_customs.bulletin_json_lines(bulletin)
    figures = [x for x in lines if x["kind"] == "figure"]
    assert len(figures) == 170
    assert {
        "kind": "figure",
        "reporter": "VNM",
        "partner": "KOR",
        "flow": "export",
        "period": "2026-06",
        "commodity": "TOTAL",
        "value_usd": 2_686_575_961,
        "maturity": "preliminary",
        "quote": "Korea (Republic) 2,686,575,961",
        "page": 14,
    } in figures
    commodities = [x for x in lines if x["kind"] == "commodity"]
    assert commodities and all(x["commodity"] is None and x["commodity_name"] for x in commodities)


@pytest.mark.parametrize(
    "name, what",
    [
        ("2026-t5-5x(ta-sb).pdf", "the header says 2026-06, the file name 2026-05"),
        ("2026-t6-5n(ta-sb).pdf", "the header says exports, the file name imports"),
        ("2026-t6-5x(vn-sb).pdf", "the header is in en"),
    ],
)
def test_bulletin_header_checked_against_the_file_name(name, what):
    with pytest.raises(LayoutChanged) as e:
        vn_customs.read_bulletin((DATA / BULLETIN).read_bytes(), name)
    assert what in str(e.value)


def test_bulletin_through_the_source_parse(make_snap):
    snap = make_snap((DATA / BULLETIN).read_bytes(), source="vn_customs", url=BULLETIN_URL, params={})
    snap = replace(snap, label="table 2026-06")
    src = get_source("vn_customs", load_settings())
    result = src.parse(snap)
    assert len(result.observations) == 170 and {o.source for o in result.observations} == {"vn_customs"}
    assert all(o.snapshot_sha256 == snap.sha256 for o in result.observations)
    assert result.notes[0] == "vn_customs: 85 country rows read"
    with pytest.raises(LayoutChanged) as e:  # the catalogue's month must be the bulletin's
        src.parse(replace(snap, label="table 2026-05"))
    assert "catalogue says 2026-05" in str(e.value)


# --- bulletins built to imitate the real one (synthetic: the Vietnamese edition, bad input) ---------
# Positions in points from the real English bulletin: country rows at x 45, commodity rows at 49,
# units at 279, numbers right-aligned on 358 / 431 / 488 / 564.
def make_bulletin_pdf(
    rows, *, title="STATISTICS OF EXPORTS BY COUNTRY/TERRITORY-MAIN EXPORTS", month="June, 2026", header=None, vn=False
):
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    if header is None:
        header = (
            [
                (330, 166, "Tháng báo cáo"),
                (471, 166, "Lũy kế từ đầu năm"),
                (77, 176, "Nước/vùng lãnh thổ-Mặt hàng"),
                (277, 177, "ĐVT"),
                (317, 193, "Lượng"),
                (369, 193, "Trị giá"),
                (402, 193, "(USD)"),
                (445, 193, "Lượng"),
                (500, 193, "Trị giá"),
                (533, 193, "(USD)"),
            ]
            if vn
            else [
                (330, 166, "Reporting month"),
                (471, 166, "Year to date"),
                (77, 176, "Country/Territory-Main exports"),
                (277, 177, "Units"),
                (317, 193, "Volume"),
                (369, 193, "Value"),
                (398, 193, "(USD)"),
                (445, 193, "Volume"),
                (500, 193, "Value"),
                (529, 193, "(USD)"),
            ]
        )
    items = [(64, 105, title, "left"), (274, 123, month, "left")] + [(x, y, t, "left") for x, y, t in header]
    y = 220
    for row in rows:
        name, unit, *cells = row
        items.append((45 if unit is None else 49, y, name, "left"))
        if unit:
            items.append((279, y, unit, "left"))
        edges = (431, 564) if unit is None else (358, 430, 488, 563)
        for edge, cell in zip(edges, cells, strict=False):
            if cell:
                items.append((edge, y, cell, "right"))
        y += 16
    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(595 / 72, 841 / 72))
        for x, top, text, ha in items:
            fig.text(x / 595, 1 - (top + 8) / 841, text, family="DejaVu Sans", fontsize=8, ha=ha)
        buf = io.BytesIO()
        fig.savefig(buf, format="pdf")
        plt.close(fig)
    return buf.getvalue()


def test_synthetic_vietnamese_edition_reads_dotted_numbers():
    data = make_bulletin_pdf(
        [
            ("Hàn Quốc", None, "2.686.575.961", "15.862.169.347"),
            ("Hàng thủy sản", "USD", "", "1.000.000.000", "", "5.000.000.000"),
            ("Cà phê", "Tấn", "1.235,5", "1.686.575.961", "", "10.862.169.347"),
            ("Nhật Bản", None, "", "14.777.301.927"),
        ],
        title="THỐNG KÊ XUẤT KHẨU THEO NƯỚC/VÙNG LÃNH THỔ - MẶT HÀNG CHỦ YẾU",
        month="Tháng 6 năm 2026",
        vn=True,
    )
    b = vn_customs.read_bulletin(data, "2026-t6-5x(vn-sb).pdf")
    assert b.language == "vi" and b.flow is Flow.EXPORT and str(b.period) == "2026-06"
    got = [(r.partner, r.month_value, r.ytd_value) for r in b.country_rows()]
    assert got == [("KOR", 2_686_575_961, 15_862_169_347), ("JPN", None, 14_777_301_927)]
    coffee = b.rows[2]
    assert (coffee.name, coffee.unit, coffee.month_volume) == ("Cà phê", "Tấn", 1235.5)


def test_synthetic_bulletin_with_an_unknown_country_names_it_and_its_figures():
    data = make_bulletin_pdf(
        [("Korea (Republic)", None, "2,686,575,961", "15,862,169,347"), ("Atlantis", None, "1,234", "5,678")]
    )
    with pytest.raises(vn_customs.UnknownCountries) as e:
        vn_customs.read_bulletin(data, "2026-t6-5x(ta-sb).pdf")
    assert isinstance(e.value, LayoutChanged)
    assert e.value.rows == [("Atlantis", 1234, 5678)] and "'Atlantis' month 1234 year-to-date 5678" in str(e.value)


def test_synthetic_bulletin_without_the_year_to_date_column_is_a_layout_change():
    header = [
        (330, 166, "Reporting month"),
        (77, 176, "Country/Territory-Main exports"),
        (277, 177, "Units"),
        (317, 193, "Volume"),
        (369, 193, "Value"),
        (398, 193, "(USD)"),
    ]
    data = make_bulletin_pdf([("Korea (Republic)", None, "2,686,575,961")], header=header)
    with pytest.raises(LayoutChanged) as e:
        vn_customs.read_bulletin(data, "2026-t6-5x(ta-sb).pdf")
    assert "columns are not the bulletin's" in str(e.value) and "Reporting month" in str(e.value)


def test_synthetic_bulletin_whose_rows_do_not_add_up_is_refused():
    data = make_bulletin_pdf(
        [
            ("Korea (Republic)", None, "2,686,575,961", "15,862,169,347"),
            ("Coffee", "Ton", "", "2,000,000,000", "", "15,862,169,347"),
            ("Other products", "USD", "", "586,575,961", "", ""),  # 100,000,000 short of the country row
        ]
    )
    with pytest.raises(LayoutChanged) as e:
        vn_customs.read_bulletin(data, "2026-t6-5x(ta-sb).pdf")
    assert "add up to 2,586,575,961 USD" in str(e.value)


def test_pdf_without_text_layer_is_a_layout_change():
    from tests.scrapers.synthetic_files import make_blank_pdf

    with pytest.raises(LayoutChanged) as e:
        vn_customs.read_bulletin(make_blank_pdf(), "2026-t6-5x(ta-sb).pdf")
    assert "no text layer" in str(e.value)


# --- the nightly run stores the real bulletin through the source, against a fixture server ---------
def test_nightly_stores_the_real_bulletin_from_a_fixture_server(settings, db):
    from sqlalchemy import select

    from db.models import ObservationRow
    from flows import pipeline as p

    pdf = (DATA / BULLETIN).read_bytes()
    with scripted_server() as srv:
        path = "/CustomsCMS/TONG_CUC/2026/7/9/2026-t6-5x(ta-sb).pdf"
        item = {
            "tieuDe": "Xuất khẩu hàng hóa theo nước/vùng lãnh thổ - mặt hàng chủ yếu tháng 6/2026 (sơ bộ)",
            "fileSoBo": srv.url + path,
            "fileChinhThuc": "",
            "fileDieuChinh": None,
            "ngaySoBo": "09/07/2026",
            "ngayChinhThuc": "",
        }
        # the Vietnamese edition of the same table is listed too: one of the two is fetched
        other = {**item, "fileSoBo": srv.url + path.replace("(ta-sb)", "(vn-sb)")}
        catalogue = {"data": [item, other]}
        srv.on(
            "/bridge",
            {
                "body": json.dumps(catalogue, ensure_ascii=False).encode(),
                "headers": {"Content-Type": "application/json"},
            },
        )
        srv.on(path, {"body": pdf, "headers": {"Content-Type": "application/pdf"}})
        s = settings.model_copy(update={"vn_customs_base_url": srv.url})
        run = p.open_run(s, "nightly", {"sources": ["vn_customs"]}, db=db, today=date(2026, 7, 15))
        try:
            p.run_windows(run, p.plan(run, ["vn_customs"]))
            p.close_sources(run)
            summary = p.finish_run(run)
        finally:
            run.close()
    out = summary.outcome("vn_customs")
    assert out.errors == [] and summary.new_figures == 170, (out.errors, summary.to_dict())
    assert srv.hits(path.replace("(ta-sb)", "(vn-sb)")) == 0
    with db.session() as sess:
        rows = (
            sess.execute(
                select(ObservationRow).where(ObservationRow.source == "vn_customs", ObservationRow.partner == "KOR")
            )
            .scalars()
            .all()
        )
    got = {(r.reporter, r.flow, r.period, r.value_usd) for r in rows}
    assert got == {
        ("VNM", "export", "2026-06", 2_686_575_961),
        ("VNM", "export", "2026-01..2026-06", 15_862_169_347),
    }


def test_extract_json_prints_the_bulletins_figures(tmp_path):
    from typer.testing import CliRunner

    from tradewatch.cli import app

    target = tmp_path / "2026-t6-5x(ta-sb).pdf"  # the name a download keeps
    target.write_bytes((DATA / BULLETIN).read_bytes())
    result = CliRunner().invoke(app, ["extract", str(target), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.output.splitlines()]
    figures = {(x["partner"], x["period"]): x["value_usd"] for x in lines if x["kind"] == "figure"}
    assert len(figures) == 170
    assert figures[("KOR", "2026-06")] == 2_686_575_961 and figures[("KOR", "2026-01..2026-06")] == 15_862_169_347
    for e in expected_country_rows():
        assert figures[(e["partner"], "2026-06")] == int(e["month_usd"])
        assert figures[(e["partner"], "2026-01..2026-06")] == int(e["ytd_usd"])
    assert all(x["reporter"] == "VNM" and x["flow"] == "export" for x in lines)


def test_synthetic_imports_bulletin_and_an_older_upper_case_file_name():
    data = make_bulletin_pdf(
        [("Korea (Republic)", None, "5,123,456,789", "30,987,654,321")],
        title="STATISTICS OF IMPORT BY COUNTRY/TERRITORY-MAIN IMPORTS",
        month="December, 2023",
    )
    b = vn_customs.read_bulletin(
        data, "https://files.customs.gov.vn/CustomsCMS/TONG_CUC/2024/1/9/2023-T12-5N(TA-SB).pdf"
    )
    assert (b.flow, str(b.period), b.maturity) == (Flow.IMPORT, "2023-12", "preliminary")
    obs = vn_customs.bulletin_observations(b, None)
    assert {(o.flow, str(o.period), o.value_usd) for o in obs} == {
        (Flow.IMPORT, "2023-12", 5_123_456_789),
        (Flow.IMPORT, "2023-01..2023-12", 30_987_654_321),
    }
    assert str(vn_customs.period_of("2023-T12-5N(VN-SB).pdf")) == "2023-12"
    with pytest.raises(LayoutChanged) as e:  # a half-month file is not a month's figures
        vn_customs.read_bulletin(data, "2023-T12K1-5N(TA-SB).pdf")
    assert "half-month" in str(e.value)
