"""validate_batch against a stored baseline: a good batch passes, each bad batch is named.

The batches are KCS-like (205 partners a month incl. Vietnam; export, import and
balance), validated against three years of stored history, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from batchgen import TODAY, months, replace_value, set_export, value_of
from sqlalchemy import func, select

from db.models import ObservationRow, ValidationRunRow
from expectations import Batch, record_validation, validate_batch
from tradewatch.model import Flow, Observation, Period

NEW = ("2026-08", "2026-10")  # three months not stored yet; their year-earlier months are


def kcs_batch(obs, key="kcs nationtrade 2026-08..2026-10", today=TODAY, kind="all_partners", source="kcs"):
    return Batch(source=source, key=key, kind=kind, observations=obs, today=today)


def run(db, batch, settings, **kw):
    with db.session() as s:
        return validate_batch(s, batch, settings, data_docs=kw.pop("data_docs", False), **kw)


def names(report) -> list[str]:
    return [f.expectation for f in report.failed]


def failed_named(report, text: str):
    hits = [f for f in report.failed if text in f.expectation]
    assert hits, f"expected a failure named {text!r}, got {names(report)}"
    return hits[0]


@pytest.fixture
def new_obs(economy):
    return economy.observations(months(*NEW))


def test_a_good_batch_passes_and_writes_its_pages(history_db, economy, new_obs, settings):
    report = run(history_db, kcs_batch(new_obs), settings, data_docs=True)
    assert report.success, report.reason()
    assert report.failed == []
    assert report.n_rows == len(new_obs) == 205 * 3 * 3
    assert report.statistics["baseline"]["rows_checked"] > 300
    assert report.statistics["baseline"]["rows_full_history"] > 300
    # every check ran and is listed, named
    listed = {c["name"] for c in report.checks}
    assert "baseline: yoy log change within band" in listed
    assert "completeness: every watched partner present each month" in listed
    assert all(c["success"] for c in report.checks)
    # Data Docs: GX's page and our self-contained summary
    page = Path(report.data_docs_path)
    assert page.is_file() and page.suffix == ".html"
    assert Path(settings.data_docs_dir) in page.parents
    summary = Path(report.statistics["summary_html"])
    text = summary.read_text(encoding="utf-8")
    assert "PASSED" in text and "baseline: yoy log change within band" in text
    assert "<link" not in text and "<script" not in text  # no CDN: readable offline
    assert (Path(settings.data_docs_dir) / "index.html").is_file()
    assert report.result["success"] is True


def test_a_tenfold_spike_fails_the_baseline(history_db, new_obs, settings):
    old = value_of(new_obs, "VNM", "export", "2026-10")
    report = run(history_db, kcs_batch(set_export(new_obs, "VNM", "2026-10", old * 10)), settings, data_docs=True)
    assert not report.success
    f = failed_named(report, "baseline: yoy log change within band")
    assert "expect_column_values_to_be_between" in f.expectation
    assert f.column == "baseline_z"
    assert [(r["partner"], r["flow"], r["period"]) for r in f.sample_rows] == [("VNM", "export", "2026-10")]
    assert f.sample_rows[0]["yoy_log"] > f.sample_rows[0]["band_hi"]
    assert "VNM" in f.details and "outside the band" in f.details
    # the only failure: identities still hold, values are positive
    assert len(report.failed) == 1
    text = Path(report.statistics["summary_html"]).read_text(encoding="utf-8")
    assert "FAILED" in text and "baseline: yoy log change within band" in text and "VNM" in text


def test_a_negative_export_fails(history_db, new_obs, settings):
    report = run(history_db, kcs_batch(set_export(new_obs, "USA", "2026-09", -5)), settings)
    assert not report.success
    f = failed_named(report, "values: export, import and total are not negative")
    assert f.sample_rows[0]["partner"] == "USA" and f.sample_rows[0]["value_usd"] == -5


def test_a_balance_that_is_not_exports_minus_imports_fails(history_db, new_obs, settings):
    bal = value_of(new_obs, "CHN", "balance", "2026-08")
    report = run(history_db, kcs_batch(replace_value(new_obs, "CHN", "balance", "2026-08", bal + 1)), settings)
    assert not report.success
    f = failed_named(report, "identities: balance = export − import")
    assert "expect_column_pair_values_to_be_equal" in f.expectation
    assert f.sample_rows[0]["partner"] == "CHN" and f.sample_rows[0]["period"] == "2026-08"
    assert names(report) == [f.expectation]  # exact: one dollar is enough, and nothing else fails


def test_a_month_missing_vietnam_fails(history_db, new_obs, settings):
    obs = [o for o in new_obs if not (o.partner == "VNM" and str(o.period) == "2026-09")]
    report = run(history_db, kcs_batch(obs), settings)
    assert not report.success
    f = failed_named(report, "completeness: every watched partner present each month")
    assert "VNM" in f.details and "2026-09" in f.details
    assert report.statistics["completeness"]["months_missing_watched"] == {"KOR/2026-09/TOTAL/kcs": ["VNM"]}


def test_a_month_with_too_few_partners_fails(history_db, economy, settings):
    obs = [o for o in economy.observations(months("2026-10", "2026-10")) if o.partner in economy.partners[:150]]
    report = run(history_db, kcs_batch(obs, key="kcs 2026-10 partial"), settings)
    f = failed_named(report, "completeness: enough partners each month")
    assert "150 partners" in f.details


def test_a_stored_complete_month_must_not_lose_partners(history_db, economy, settings):
    obs = [o for o in economy.observations(months("2025-10", "2025-10")) if o.partner != "AUS"]
    report = run(history_db, kcs_batch(obs, key="kcs 2025-10 again"), settings)
    assert not report.success
    f = failed_named(report, "completeness: no partner lost from a stored complete month")
    assert "AUS" in f.details


def test_a_duplicated_key_fails(history_db, new_obs, settings):
    dup = next(o for o in new_obs if o.partner == "JPN" and o.flow is Flow.IMPORT)
    report = run(history_db, kcs_batch([*new_obs, dup]), settings)
    assert not report.success
    f = failed_named(report, "schema: one row per series key within the batch")
    assert "expect_compound_columns_to_be_unique" in f.expectation
    assert {r["partner"] for r in f.sample_rows} == {"JPN"}


def test_a_revision_of_40_percent_fails_and_of_3_percent_passes(history_db, economy, settings):
    stored_month = economy.observations(months("2025-10", "2025-10"))
    old = value_of(stored_month, "VNM", "export", "2025-10")
    report = run(
        history_db,
        kcs_batch(set_export(stored_month, "VNM", "2025-10", int(old * 1.4)), key="kcs 2025-10 revised"),
        settings,
    )
    assert not report.success
    f = failed_named(report, "revisions: change of a stored value within tolerance")
    row = f.sample_rows[0]
    assert (row["partner"], row["flow"]) == ("VNM", "export")
    assert row["stored_usd"] == old and row["revision_pct"] == pytest.approx(40, abs=0.01)

    small = run(
        history_db,
        kcs_batch(set_export(stored_month, "VNM", "2025-10", int(old * 1.03)), key="kcs 2025-10 small"),
        settings,
    )
    assert small.success, small.reason()
    assert small.statistics["baseline"]["rows_revised"] >= 1


def test_a_period_in_the_future_fails(history_db, new_obs, settings):
    from datetime import date

    report = run(history_db, kcs_batch(new_obs, today=date(2026, 9, 14)), settings)
    assert not report.success
    f = failed_named(report, "values: no period in the future")
    assert {r["period"] for r in f.sample_rows} == {"2026-10"}
    assert "2026-09" not in {r["period"] for r in f.sample_rows}  # September has begun: not in the future


def test_unknown_codes_fail_the_schema(history_db, new_obs, settings):
    bad = [replace(o, partner="XXQ") if o.partner == "TWN" else o for o in new_obs]
    report = run(history_db, kcs_batch(bad), settings)
    f = failed_named(report, "schema: partner is a known alpha-3 code")
    assert "XXQ" in f.details


def test_tiny_partners_may_jump_but_a_big_series_without_history_may_not(db, settings):
    """No stored history but a year-earlier value in the batch: the wide default band applies."""

    def obs(partner, period, v):
        return Observation("KOR", partner, Flow.EXPORT, Period.parse(period), v, "kcs_item", commodity="8542")

    batch = [
        obs("LAO", "2025-03", 200_000),
        obs("LAO", "2026-03", 2_000_000),  # tiny: ×10 ignored
        obs("VNM", "2025-03", 1_000_000_000),
        obs("VNM", "2026-03", 3_000_000_000),
    ]  # ×3: within ×6
    report = run(db, Batch("kcs_item", "kcs 8542", "structured", batch, today=TODAY), settings)
    assert report.success, report.reason()
    # only VNM 2026-03 is judged: LAO is too small, and the 2025 rows have no year-earlier value
    assert report.statistics["baseline"]["rows_checked"] == report.statistics["baseline"]["rows_no_history"] == 1
    spike = [*batch[:3], obs("VNM", "2026-03", 10000000000)]
    report = run(db, Batch("kcs_item", "kcs 8542", "structured", spike, today=TODAY), settings)
    f = failed_named(report, "baseline: yoy log change within band")
    assert f.sample_rows[0]["partner"] == "VNM"


def test_mirror_differences_are_reported_not_failed(db, settings):
    def obs(rep, par, flow, v):
        return Observation(rep, par, flow, Period.parse("2024"), v, "comtrade")

    batch = [
        obs("KOR", "VNM", Flow.EXPORT, 56_000_000_000),
        obs("KOR", "VNM", Flow.IMPORT, 25_000_000_000),
        obs("VNM", "KOR", Flow.IMPORT, 55_900_000_000),
        obs("VNM", "KOR", Flow.EXPORT, 25_100_000_000),
    ]
    report = run(db, Batch("comtrade", "comtrade 2024", "mirror", batch, today=TODAY), settings)
    assert report.success, report.reason()
    mirror = [n for n in report.notes if n.startswith("mirror 2024")]
    assert len(mirror) == 4
    assert any(
        "KOR export to VNM $56.00 bn" in n and "VNM import from KOR $55.90 bn" in n and "+0.2 %" in n for n in mirror
    )
    rows = report.statistics["mirror"]
    assert {(r["reporter"], r["flow"], r["difference_usd"]) for r in rows} >= {("KOR", "export", 100_000_000)}


def _release(period, flow, value, precision=10_000_000):
    return Observation("KOR", "VNM", flow, Period.parse(period), value, "motie", precision_usd=precision)


def test_a_release_agreeing_with_kcs_within_rounding_passes_and_one_beyond_fails(history_db, economy, settings):
    ytd = months("2025-01", "2025-08")
    exp = sum(economy.value("VNM", "export", m) for m in ytd)
    imp = sum(economy.value("VNM", "import", m) for m in ytd)

    def r10(v: float) -> int:
        return int(round(v / 1e7)) * 10_000_000  # "$34.25 billion"

    good = [
        _release("2025-01..2025-08", Flow.EXPORT, r10(exp)),
        _release("2025-01..2025-08", Flow.IMPORT, r10(imp)),
        _release("2025-01..2025-08", Flow.BALANCE, r10(exp - imp)),
    ]
    report = run(history_db, Batch("releases:motie", "motie 2025-09-01", "release", good, today=TODAY), settings)
    assert report.success, report.reason()
    assert report.statistics["cross_source"]["compared"] == 3

    bad = [good[0], good[1], _release("2025-01..2025-08", Flow.BALANCE, r10(exp - imp))]
    bad[0] = _release("2025-01..2025-08", Flow.EXPORT, r10(exp) + 300_000_000)
    report = run(history_db, Batch("releases:motie", "motie 2025-09-01 wrong", "release", bad, today=TODAY), settings)
    assert not report.success
    f = failed_named(
        report, "cross-source: agrees with the stored official figure (KCS, Vietnam customs) within the roundings"
    )
    assert f.sample_rows[0]["flow"] == "export"
    # the release's own identity now breaks too, beyond the three roundings
    failed_named(report, "identities: balance = export − import within the published rounding")


def test_a_release_without_a_kcs_figure_is_noted_not_failed(db, settings):
    report = run(
        db,
        Batch(
            "releases:motie",
            "motie",
            "release",
            [_release("2025-01..2025-08", Flow.EXPORT, 34_250_000_000)],
            today=TODAY,
        ),
        settings,
    )
    assert report.success
    assert any("no stored kcs figure" in n for n in report.notes)


def test_record_validation_keeps_the_report(db, settings, economy):
    obs = economy.observations(months("2026-10", "2026-10"))
    obs = [o for o in obs if o.partner != "VNM"]
    batch = kcs_batch(obs, key="kcs 2026-10")
    report = run(db, batch, settings)
    assert not report.success
    with db.transaction() as s:
        row = record_validation(s, batch, report, "run-1")
        rid = row.id
    assert report.validation_run_id == rid
    with db.session() as s:
        row = s.get(ValidationRunRow, rid)
        assert (row.run_id, row.source, row.batch_key, row.success, row.n_rows) == (
            "run-1",
            "kcs",
            "kcs 2026-10",
            False,
            len(obs),
        )
        assert any("every watched partner present" in f["expectation"] for f in row.failed)
        assert row.report["result"]["success"] is False
        assert row.report["statistics"]["timings"]["total"] > 0
        assert s.execute(select(func.count()).select_from(ObservationRow)).scalar() == 0  # validation stores nothing


def test_importing_the_package_does_not_import_pandas_or_gx():
    code = (
        "import sys, expectations, db.quarantine;"
        "print(sorted(m for m in ('pandas', 'numpy', 'great_expectations') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
