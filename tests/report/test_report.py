"""The HTML report: sections, inline charts, no external loads, the sample banner, the PNGs."""

from __future__ import annotations

import re
import struct

import pytest

from report import build_report, collect_report, render_chart_png
from report.data import safe_url, target_progress
from tests.fixtures.env import isolate_settings
from tests.report.conftest import MONTHS, SECRET_KEY, kcs_values

SECTIONS = ("bilateral", "ranking", "target", "alerts", "provenance")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def section(html: str, sid: str) -> str:
    m = re.search(rf'<section id="{sid}">(.*?)</section>', html, re.S)
    assert m, f"no section {sid}"
    return m.group(1)


def figures(html: str) -> dict[str, str]:
    """Chart id -> the <figure> element's HTML."""
    return dict(re.findall(r'<figure class="chart[^"]*" id="chart-([^"]+)">(.*?)</figure>', html, re.S))


@pytest.fixture(scope="module")
def report(report_db, tmp_path_factory):
    """One report from the fixture database, shared by the tests that only read it."""

    from tradewatch.config import load_settings

    tmp = tmp_path_factory.mktemp("out")
    with pytest.MonkeyPatch.context() as mp:
        isolate_settings(mp, tmp)
        settings = load_settings(data_dir=tmp / "data")
    path = build_report(report_db, settings, tmp / "kor-vnm.html")
    return path, path.read_text(encoding="utf-8")


def test_report_has_every_section_and_an_inline_chart_for_each(report):
    path, html = report
    assert path.name == "kor-vnm.html" and path.is_file()
    for sid in SECTIONS:
        section(html, sid)
    charts = figures(html)
    assert set(charts) == {
        "trade_kor_vnm_kcs_month",
        "trade_vnm_kor_comtrade_year",
        "mirror_kor_vnm",
        "ranking_kor",
        "ranking_vnm",
        "target",
    }
    for cid, fig in charts.items():
        assert fig.count("data:image/png;base64,") == 1, cid
    # each chart is where it belongs
    assert "chart-trade_kor_vnm_kcs_month" in section(html, "bilateral")
    assert "chart-trade_vnm_kor_comtrade_year" in section(html, "bilateral")
    assert "chart-ranking_kor" in section(html, "ranking") and "chart-ranking_vnm" in section(html, "ranking")
    assert "chart-target" in section(html, "target")
    assert "Nothing is stored yet" not in html


def test_report_loads_nothing_from_outside(report):
    _, html = report
    assert not re.search(r"<script\b", html, re.I)
    assert not re.search(r"<link\b", html, re.I)
    assert not re.search(r"""\bsrc\s*=\s*(?!["']?data:image/png;base64,)""", html, re.I), "a src= that is not inline"
    assert not re.search(r"url\(\s*['\"]?https?:", html, re.I)
    assert "@import" not in html
    outside = re.sub(r'<section id="provenance">.*?</section>', "", html, flags=re.S)
    assert "http://" not in outside and "https://" not in outside
    # the provenance links are links (<a href>), to the sources' hosts
    hrefs = re.findall(r'<a href="(https?://[^"]+)"', section(html, "provenance"))
    assert {re.match(r"https?://([^/]+)", h).group(1) for h in hrefs} == {"apis.data.go.kr", "comtradeapi.un.org"}


def test_bilateral_series_stay_per_reporter_and_source(report):
    _, html = report
    bil = section(html, "bilateral")
    assert "KOR–VNM: as Korea reports it" in bil and "VNM–KOR: as Vietnam reports it" in bil
    # KOR's 2024 total is the sum of its own 12 kcs months, nothing of VNM's figures in it
    kor_2024 = sum(sum(kcs_values("VNM", i, m)) for i, m in enumerate(MONTHS) if m.startswith("2024"))
    tables = re.findall(r'<table class="annual">(.*?)</table>', bil, re.S)
    assert len(tables) == 2
    row_2024 = re.search(r"<tr><td>2024</td>(.*?)</tr>", tables[0], re.S).group(1)
    assert f"{kor_2024 / 1e9:,.2f}" in row_2024
    vnm_2024 = re.search(r"<tr><td>2024</td>(.*?)</tr>", tables[1], re.S).group(1)
    assert ">25.60<" in vnm_2024 and ">55.90<" in vnm_2024 and ">-30.30<" in vnm_2024


def test_bump_chart_ranks_the_top_ten_without_aggregates(report_db, settings):
    ctx = collect_report(report_db, settings)
    kor = next(r for r in ctx["rankings"] if r["hist"].reporter == "KOR")
    hist = kor["hist"]
    assert hist.kind == "month" and hist.source == "kcs"
    assert len(hist.periods) == 24 and hist.periods[-1] == "2025-08" and hist.periods[0] == "2023-09"
    top = hist.top(10)
    assert {"VNM", "JPN", "CHN", "USA"} <= set(top)
    assert "WLD" not in top and all(p != "WLD" for per in hist.periods for _, p, _ in hist.ranks[per])
    assert (hist.rank_of("VNM", "2025-08"), hist.rank_of("JPN", "2025-08")) == (3, 4)
    assert (hist.rank_of("VNM", "2025-07"), hist.rank_of("JPN", "2025-07")) == (4, 3)
    vnm = next(r for r in ctx["rankings"] if r["hist"].reporter == "VNM")
    assert vnm["hist"].kind == "year" and vnm["hist"].periods == ["2022", "2023", "2024"]
    assert vnm["hist"].rank_of("KOR", "2024") == 3


def test_ranking_table_beside_the_bump_chart(report):
    _, html = report
    rk = section(html, "ranking")
    kor_table = re.search(r'<table class="ranking">(.*?)</table>', rk, re.S).group(1)
    rows = re.findall(r'<td class="num">#(\d+)</td><td>([A-Z]{3})</td>', kor_table)
    assert rows[:4] == [("1", "CHN"), ("2", "USA"), ("3", "VNM"), ("4", "JPN")]
    assert len(rows) == 10
    vnm_row = re.search(r"<td>VNM</td>.*?</tr>", kor_table, re.S).group(0)
    assert "#4" in vnm_row and "▲1" in vnm_row
    jpn_row = re.search(r"<td>JPN</td>.*?</tr>", kor_table, re.S).group(0)
    assert "#3" in jpn_row and "▼1" in jpn_row


def test_target_progress(report, report_db, settings):
    _, html = report
    ctx = collect_report(report_db, settings)
    t = ctx["target"]
    ytd = sum(sum(kcs_values("VNM", i, m)) for i, m in enumerate(MONTHS) if m.startswith("2025"))
    base = sum(sum(kcs_values("VNM", i, m)) for i, m in enumerate(MONTHS) if m.startswith("2024"))
    assert (t["year"], t["months"], t["ytd_usd"], t["base_year"], t["base_usd"]) == (2025, 8, ytd, 2024, base)
    g = (150e9 / base) ** (1 / 6) - 1
    assert t["cagr_pct"] == pytest.approx(g * 100)
    assert t["path_usd"] == pytest.approx(base * (1 + g), rel=1e-9)
    assert t["expected_ytd_usd"] == pytest.approx(base * (1 + g) * 8 / 12, rel=1e-9)
    assert t["on_track"] is (ytd >= t["expected_ytd_usd"])
    assert t["pace_usd"] == int(ytd * 12 / 8)
    tg = section(html, "target")
    assert "Progress toward USD 150 bn by 2030" in html
    assert f"{ytd / 1e9:,.1f}" in tg and "2025-01..2025-08" in tg


def test_target_path_without_history_and_with_a_complete_year():
    from report.data import Series

    s = Series(
        "KOR", "VNM", "kcs", "month", ["2026-01", "2026-02"], {"2026-01": {"total": 10}, "2026-02": {"total": 20}}
    )
    t = target_progress(s, 150_000_000_000, 2030)
    assert (
        t["ytd_usd"] == 30 and t["months"] == 2 and t["base_year"] is None and t["path"] == {} and t["on_track"] is None
    )
    y = Series(
        "VNM",
        "KOR",
        "comtrade",
        "year",
        ["2023", "2024"],
        {"2023": {"export": 20, "import": 60}, "2024": {"export": 25, "import": 75}},
    )
    t = target_progress(y, 150, 2030)
    assert (t["year"], t["months"], t["ytd_usd"], t["base_year"], t["base_usd"], t["period"]) == (
        2024,
        12,
        100,
        2023,
        80,
        "2024",
    )
    assert target_progress(None, 150, 2030) is None


def test_alerts_section_shows_rule_severity_message_and_delivery(report):
    _, html = report
    al = section(html, "alerts")
    assert "rank_change" in al and "balance_move" in al and "warning" in al
    assert "Vietnam overtook Japan as Korea&#39;s #3 trade partner" in al  # autoescaped
    assert "slack: sent" in al and "email: pending" in al and "slack: failed (3 attempts)" in al
    # newest first
    assert al.index("balance_move") < al.index("rank_change")


def test_provenance_per_source_with_secrets_removed(report):
    _, html = report
    pv = section(html, "provenance")
    rows = re.findall(r"<tr><td>(kcs|comtrade)</td>(.*?)</tr>", pv, re.S)
    assert [r[0] for r in rows] == ["kcs", "comtrade"]
    kcs, comtrade = rows[0][1], rows[1][1]
    assert "2025-08" in kcs and "2025-09-15" in kcs and "2025-09-19" in kcs  # period, published, fetched
    assert "2024" in comtrade and "2025-06-30" in comtrade and "2025-08-11" in comtrade
    assert re.search(r"<code[^>]*>[0-9a-f]{12}</code>", kcs)
    assert SECRET_KEY not in html and "serviceKey=REDACTED" in kcs
    assert "SAMPLE DATA" not in html and 'id="sample-banner"' not in html


def test_sample_banner_when_a_stored_snapshot_is_a_sample(sample_db, tmp_path, settings):
    html = build_report(sample_db, settings, tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="sample-banner"' in html and "SAMPLE DATA — not official figures" in html
    assert html.index('id="sample-banner"') < html.index('<section id="bilateral">')
    pv = section(html, "provenance")
    kcs = re.search(r"<tr><td>kcs</td>(.*?)</tr>", pv, re.S).group(1)
    comtrade = re.search(r"<tr><td>comtrade</td>(.*?)</tr>", pv, re.S).group(1)
    assert "SAMPLE DATA" in kcs and "SAMPLE DATA" not in comtrade


def test_charts_are_also_written_as_png_beside_the_html(report):
    path, html = report
    folder = path.parent / "kor-vnm_charts"
    files = sorted(p.name for p in folder.glob("*.png"))
    assert files == sorted(f"{cid}.png" for cid in figures(html))
    for f in folder.glob("*.png"):
        data = f.read_bytes()
        assert png_size(data) == (1200, 600), f.name
        assert 10_000 < len(data) < 1_000_000, (f.name, len(data))


def test_render_chart_png_for_an_alert_email(report_db, settings):
    data = render_chart_png(report_db, settings, "KOR", "VNM")
    assert png_size(data) == (1200, 600)
    assert 15_000 < len(data) < 600_000
    other = render_chart_png(report_db, settings, "VNM", "KOR")  # annual, other reporter: a different chart
    assert png_size(other) == (1200, 600) and other != data


def test_empty_database_still_gets_a_report(empty_db, tmp_path, settings):
    out = build_report(empty_db, settings, tmp_path / "deep" / "empty.html")
    html = out.read_text(encoding="utf-8")
    assert "Nothing is stored yet" in html
    for sid in SECTIONS:
        section(html, sid)
    assert "data:image/png;base64," not in html and "https://" not in html
    assert list((tmp_path / "deep" / "empty_charts").glob("*.png")) == []
    assert png_size(render_chart_png(empty_db, settings, "KOR", "VNM")) == (1200, 600)


def test_rebuilding_replaces_charts_that_no_longer_apply(report_db, empty_db, tmp_path, settings):
    out = tmp_path / "r.html"
    build_report(report_db, settings, out)
    assert len(list((tmp_path / "r_charts").glob("*.png"))) == 6
    build_report(empty_db, settings, out)
    assert list((tmp_path / "r_charts").glob("*.png")) == []
    assert "Nothing is stored yet" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "https://apis.data.go.kr/x?serviceKey=abc&strtYymm=202401",
            "https://apis.data.go.kr/x?serviceKey=REDACTED&strtYymm=202401",
        ),
        (
            "https://comtradeapi.un.org/data?subscription-key=abc&period=2024",
            "https://comtradeapi.un.org/data?subscription-key=REDACTED&period=2024",
        ),
        ("https://example.org/a?token=t#frag", "https://example.org/a?token=REDACTED"),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        (None, None),
    ],
)
def test_safe_url(url, expected):
    assert safe_url(url) == expected


def test_safe_url_removes_configured_secrets_anywhere():
    assert safe_url("https://h.example/p/SECRETVALUE/q?a=1", ["SECRETVALUE"]) == "https://h.example/p/REDACTED/q?a=1"


def test_release_figures_are_their_own_series(tmp_path, settings):
    """Figures read from a release keep their source: their own table and chart, a safe file name."""
    from db.store import store_batch
    from tests.report.conftest import build_database
    from tradewatch.model import Flow, Observation, Period

    db = build_database(f"sqlite:///{tmp_path / 'tw.db'}")
    try:
        rel = [
            Observation(
                "KOR", "VNM", Flow.EXPORT, Period.year(2023), 53_490_000_000, "releases:motie", precision_usd=10_000_000
            ),
            Observation(
                "KOR", "VNM", Flow.EXPORT, Period.year(2024), 56_300_000_000, "releases:motie", precision_usd=10_000_000
            ),
            Observation(
                "VNM", "KOR", Flow.IMPORT, Period.year(2024), 55_900_000_000, "releases:gso", precision_usd=100_000_000
            ),
        ]
        with db.transaction() as s:
            store_batch(s, rel)
        out = build_report(db, settings, tmp_path / "r.html")
        html = out.read_text(encoding="utf-8")
    finally:
        db.dispose()
    charts = figures(html)
    assert "trade_kor_vnm_releases_motie_year" in charts  # ':' is not in a file name
    assert (tmp_path / "r_charts" / "trade_kor_vnm_releases_motie_year.png").is_file()
    assert not any("gso" in c for c in charts)  # one figure: a table row, no chart
    bil = section(html, "bilateral")
    assert '<span class="tag">releases:motie</span>' in bil and '<span class="tag">releases:gso</span>' in bil
    # the KCS headline series is unchanged by the release figures
    assert "chart-trade_kor_vnm_kcs_month" in bil
