"""Vietnam customs (scrapers.vn_customs): the publication catalogue and the by-partner tables, from bytes."""

from __future__ import annotations

import json
from datetime import date

import pytest

import scrapers.vn_customs as vn_customs
from scrapers import get_source
from tests.fixtures.scripted import scripted_server
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
