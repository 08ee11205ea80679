"""The release sources end to end through the fetch layer: listing → new articles (once) → figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scrapers import get_source
from scrapers.archive import Archive
from scrapers.http import Fetcher
from tests.fixtures.scripted import scripted_server
from tests.scrapers.synthetic_files import make_xlsx
from tradewatch.config import load_settings
from tradewatch.errors import DisallowedHost
from tradewatch.model import Flow, Period

DATA = Path(__file__).parent / "data"
HTML = {"Content-Type": "text/html; charset=euc-kr"}


def fetcher(tmp_path) -> Fetcher:
    return Fetcher(Archive(tmp_path / "archive"), sleep=lambda s: None, max_retries=0)


def test_motie_board_to_figures_and_each_release_fetched_once(tmp_path):
    board = (DATA / "motie_board_synthetic.html").read_bytes()
    article = (DATA / "motie_article_euckr_synthetic.html").read_bytes()
    with scripted_server() as srv:
        srv.on("/kor/article/ATCL3f49a5a8c", {"body": board, "headers": {"Content-Type": "text/html; charset=utf-8"}})
        import re

        for seq in set(re.findall(rb"/kor/article/ATCL3f49a5a8c/(\d+)/view", board)):
            srv.on(f"/kor/article/ATCL3f49a5a8c/{seq.decode()}/view", {"body": article, "headers": HTML})
        src = get_source("motie", load_settings(motie_base_url=srv.url))
        f = fetcher(tmp_path)
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


def test_motie_board_without_release_links_is_an_empty_result(tmp_path):
    with scripted_server() as srv:
        srv.on(
            "/kor/article/ATCL3f49a5a8c",
            {
                "body": "<html><body><p>점검 중</p></body></html>".encode(),
                "headers": {"Content-Type": "text/html; charset=utf-8"},
            },
        )
        src = get_source("motie", load_settings(motie_base_url=srv.url))
        out = src.collect(fetcher(tmp_path), Period.months("2024-01", "2026-12"))
        assert len(out) == 1 and isinstance(out[0], Exception)
        assert "motie" in str(out[0])


def test_vn_customs_catalogue_to_partner_table(tmp_path):
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
        snaps = src.collect(fetcher(tmp_path), Period.months("2025-01", "2025-12"))
        assert [s.label for s in snaps] == ["table 2025-10"]  # only the by-partner table, not the commodity one
        obs = src.parse(snaps[0]).observations
        kor = {o.flow: o.value_usd for o in obs if o.partner == "KOR"}
        assert kor[Flow.EXPORT] == 2_345_678_901 and kor[Flow.IMPORT] == 5_432_109_876
        assert {o.reporter for o in obs} == {"VNM"} and {o.source for o in obs} == {"vn_customs"}
        assert all(str(o.period) == "2025-10" for o in obs)


def test_release_feed_links_off_the_configured_host_are_not_followed(tmp_path):
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
        snaps = src.collect(fetcher(tmp_path), Period.months("2025-01", "2025-12"))
        assert [s.url for s in snaps if not isinstance(s, Exception)] == [f"{srv.url}/news/1"]
        assert all("evil.example" not in r["path"] for r in srv.requests)
        figs = src.parse(snaps[0]).observations
        assert any(
            o.reporter == "VNM" and o.partner == "KOR" and o.flow is Flow.EXPORT and o.value_usd == 21_300_000_000
            for o in figs
        )
        # and the fetcher itself refuses an off-host URL outright
        with pytest.raises(DisallowedHost):
            fetcher(tmp_path).fetch(src.article_request("http://evil.example/steal"))
