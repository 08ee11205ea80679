"""``tradewatch status``: latest figures, ranks, last run, source health, pending work."""

from __future__ import annotations

import json

from rich.console import Console

from report.status import collect_status, print_status


def test_latest_figures_per_watched_pair(report_db, settings):
    st = collect_status(report_db, settings)
    kor, vnm = st["latest_figures"]
    assert kor == {
        "pair": "KOR-VNM",
        "reporter": "KOR",
        "partner": "VNM",
        "period": "2025-08",
        "period_kind": "month",
        "source": "kcs",
        "export": 4_700_000_000,
        "import": 2_500_000_000,
        "balance": 2_200_000_000,
        "total": 7_200_000_000,
    }
    # Vietnam's own statistics: annual, exports and imports stored; balance and total follow from them
    assert (vnm["pair"], vnm["period"], vnm["period_kind"], vnm["source"]) == ("VNM-KOR", "2024", "year", "comtrade")
    assert (vnm["export"], vnm["import"], vnm["balance"], vnm["total"]) == (
        25_600_000_000,
        55_900_000_000,
        -30_300_000_000,
        81_500_000_000,
    )
    assert st["figures_stored"] == 44 * 16 * 4 + 6 * 3 * 2
    assert st["sample"] is False


def test_latest_ranks_of_the_watched_partners(report_db, settings):
    st = collect_status(report_db, settings)
    kor = next(r for r in st["ranks"] if r["reporter"] == "KOR")
    assert (kor["period"], kor["previous_period"], kor["period_kind"], kor["source"]) == (
        "2025-08",
        "2025-07",
        "month",
        "kcs",
    )
    ranks = {p["partner"]: (p["rank"], p["previous_rank"]) for p in kor["partners"]}
    assert ranks["CHN"] == (1, 1) and ranks["USA"] == (2, 2)
    assert ranks["VNM"] == (3, 4) and ranks["JPN"] == (4, 3)
    assert "KOR" not in ranks and "WLD" not in ranks
    assert [p["partner"] for p in kor["partners"]][:4] == ["CHN", "USA", "VNM", "JPN"]
    vnm = next(r for r in st["ranks"] if r["reporter"] == "VNM")
    assert (vnm["period"], vnm["period_kind"], vnm["source"]) == ("2024", "year", "comtrade")
    vranks = {p["partner"]: p for p in vnm["partners"]}
    assert vranks["KOR"]["rank"] == 3 and vranks["KOR"]["value_usd"] == 81_500_000_000
    assert vranks["TWN"]["rank"] is None  # watched, but not in Vietnam's stored figures


def test_last_run_source_health_and_pending_work(report_db, settings):
    st = collect_status(report_db, settings)
    run = st["last_run"]
    assert (run["id"], run["flow"], run["status"]) == ("run-nightly", "nightly", "degraded")
    assert run["started_at"].startswith("2025-09-20T03:00") and run["finished_at"].startswith("2025-09-20T03:02")
    assert run["counts"] == {"fetched": 12, "parsed": 768, "stored": 64, "revised": 3, "quarantined": 0, "alerts": 2}
    health = {h["source"]: h for h in st["sources"]}
    assert health["kcs"]["last_status"] == "ok" and health["kcs"]["consecutive_failures"] == 0
    assert health["kcs"]["last_success_at"].startswith("2025-09-20")
    c = health["comtrade"]
    assert (c["last_status"], c["consecutive_failures"]) == ("failed", 2)
    assert c["last_success_at"].startswith("2025-09-17")  # the run before the two failures
    assert "503" in c["last_error"]
    assert st["pending_deliveries"] == {"email": 2, "slack": 0}
    assert st["failed_deliveries"] == {"email": 0, "slack": 1}
    assert [q["batch_key"] for q in st["quarantine_pending"]] == ["kcs 2025-07..2025-08"]


def test_status_is_json_as_it_is(report_db, settings):
    st = collect_status(report_db, settings)
    assert json.loads(json.dumps(st)) == st  # no default=str needed


def test_a_source_configured_but_never_run_is_listed(report_db, settings):
    st = collect_status(report_db, settings.model_copy(update={"sources": ["kcs", "comtrade", "motie"]}))
    motie = next(h for h in st["sources"] if h["source"] == "motie")
    assert motie["last_status"] is None and motie["consecutive_failures"] == 0 and motie["last_success_at"] is None


def test_print_status_renders_tables(report_db, settings):
    con = Console(record=True, width=160, color_system=None)
    print_status(collect_status(report_db, settings), con)
    out = con.export_text()
    for text in (
        "KOR-VNM",
        "2025-08",
        "4.70",
        "+2.20",
        "VNM-KOR",
        "-30.30",
        "#3 (▲1)",
        "#4 (▼1)",
        "nightly",
        "degraded",
        "comtrade",
        "HTTP 503",
        "email: 2 pending",
        "slack: 0 pending, 1 failed",
        "kcs 2025-07..2025-08",
    ):
        assert text in out, text
    assert "SAMPLE DATA" not in out


def test_status_of_sample_data_says_so(sample_db, settings):
    st = collect_status(sample_db, settings)
    assert st["sample"] is True and st["last_run"]["sample"] is True
    con = Console(record=True, width=160, color_system=None)
    print_status(st, con)
    assert "SAMPLE DATA" in con.export_text()


def test_status_of_an_empty_database(empty_db, settings):
    st = collect_status(empty_db, settings)
    assert st["figures_stored"] == 0 and st["last_run"] is None and st["quarantine_pending"] == []
    assert all(f["period"] is None and f["total"] is None for f in st["latest_figures"])
    assert all(r["period"] is None and r["partners"] == [] for r in st["ranks"])
    assert {h["source"] for h in st["sources"]} == set(settings.sources)
    assert st["pending_deliveries"] == {}
    con = Console(record=True, width=160, color_system=None)
    print_status(st, con)
    out = con.export_text()
    assert "no data" in out and "none yet" in out
