"""Faults on a night: each one has a fixed outcome, and no night loses or corrupts a stored figure.

Baseline: the sample's night 1 stored. Night under test: the sample's night 2 fetched over
HTTP from the fault server with a fault plan. Outcomes:

* a transient fault (on the first two attempts of every request) is retried, and the
  night ends exactly as a clean night does;
* a persistent fault is a named error in the run summary (``summary.sources['kcs'].errors``)
  and in the source-health record (``source_runs``), and stores nothing;
* an implausible (10×) figure quarantines its batch;
* always: every stored row is still there, unchanged, and every current figure is either
  the baseline's or the clean night's.
"""

from __future__ import annotations

import pytest

from tests.fixtures.fault_server import Fault, fault_server
from tests.reliability.conftest import (
    NIGHT_WINDOW,
    canonical_dump,
    check_night,
    current_figures,
    make_settings,
    nightly,
)
from tradewatch import samples

pytestmark = pytest.mark.slow

KCS_REQUESTS = 8  # nationtrade + nitemtrade × 6 watched partners + Newtrade


def _source_run(db, run_id):
    from sqlalchemy import select

    from db.models import SourceRunRow

    with db.session() as s:
        return s.execute(
            select(SourceRunRow).where(SourceRunRow.run_id == run_id, SourceRunRow.source == "kcs")
        ).scalar_one()


def _night(baseline_dir, *faults, sources=("kcs",), **overrides):
    from db import Database

    sleeps: list[float] = []
    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2, *faults) as srv:
        settings = make_settings(baseline_dir, srv.url, sources=list(sources), **overrides)
        summary = nightly(settings, send_alerts=False, sleeps=sleeps)
        injected = list(srv.injected)
    return summary, Database(settings.database_url), injected, sleeps


def _assert_nothing_lost_or_wrong(db, baseline_figures, clean_night):
    base, before_rows = baseline_figures
    check = check_night(before_rows, db, base, clean_night["figures"])
    assert check.lost == [], f"{len(check.lost)} stored rows lost or altered, e.g. {check.lost[:3]}"
    assert check.wrong == [], f"{len(check.wrong)} wrong figures stored, e.g. {check.wrong[:3]}"
    return check


# --- transient: retried, then the night is exactly the clean night -----------------------------------

TRANSIENT = ["http500", "http502", "http503", "http429", "reset", "timeout"]


@pytest.mark.parametrize("kind", TRANSIENT)
def test_transient_fault_is_retried_and_the_night_ends_as_a_clean_one(
    kind, baseline_dir, baseline_figures, clean_night
):
    extra = {"backoff_max": 30.0} if kind == "http429" else {}
    summary, db, injected, sleeps = _night(
        baseline_dir, Fault(kind, attempts=(1, 2), retry_after="7", delay=0.8), **extra
    )
    try:
        kcs = summary.to_dict()["sources"]["kcs"]
        assert kcs["errors"] == [] and kcs["status"] == "ok", kcs
        assert len(injected) == 2 * KCS_REQUESTS and {k for *_, k in injected} == {kind}
        assert summary.fetch_stats["retries"] == 2 * KCS_REQUESTS
        assert summary.fetch_stats["requests"] == 3 * KCS_REQUESTS
        if kind == "http429":  # Retry-After is what the fetcher waited, not its own back-off
            assert sleeps == [7.0] * (2 * KCS_REQUESTS)
        dump = canonical_dump(db)
        assert dump["observations"] == clean_night["dump"]["observations"]
        assert dump["alerts"] == clean_night["dump"]["alerts"]
        assert _source_run(db, summary.run_id).status == "ok"
        _assert_nothing_lost_or_wrong(db, baseline_figures, clean_night)
    finally:
        db.dispose()


# --- persistent: a named error, a source-health record, nothing stored ----------------------------------

# kind -> (text the error must name, status of the source-health record)
PERSISTENT = {
    "http500": ("HTTP 500 after 3 attempts", "failed"),
    "http502": ("HTTP 502 after 3 attempts", "failed"),
    "http503": ("HTTP 503 after 3 attempts", "failed"),
    "http429": ("rate limited (HTTP 429) after 3 attempts", "failed"),
    "reset": ("connection failed", "failed"),
    "timeout": ("timed out", "failed"),
    "truncated": ("truncated", "failed"),
    "euckr": ("not valid in the document's declared encoding", "failed"),
    "renamed": ("lacks expected fields", "failed"),
    "missing_field": ("balPayments", "failed"),
    "gateway": ("30", "failed"),
    "gateway_quota": ("quota", "failed"),
    "result99": ("1년이내", "failed"),
    "html200": ("HTML page", "failed"),
}


@pytest.mark.parametrize("kind", sorted(PERSISTENT))
def test_persistent_fault_is_a_named_source_error_and_stores_nothing(kind, baseline_dir, baseline_figures, clean_night):
    named, status = PERSISTENT[kind]
    summary, db, injected, _ = _night(baseline_dir, Fault(kind, delay=0.8))
    try:
        kcs = summary.to_dict()["sources"]["kcs"]
        assert len(kcs["errors"]) == KCS_REQUESTS, kcs
        assert all(named in e for e in kcs["errors"]), kcs["errors"]
        assert all("kcs" in e and "127.0.0.1" in e for e in kcs["errors"])  # names the source and the request
        assert kcs["stored"] == kcs["revised"] == 0 and summary.status == "degraded"
        row = _source_run(db, summary.run_id)
        assert row.status == status == kcs["status"]
        assert row.errors == kcs["errors"]
        assert injected and all(k == kind for *_, k in injected)
        base, _ = baseline_figures
        assert current_figures(db) == base  # not one figure changed
        _assert_nothing_lost_or_wrong(db, baseline_figures, clean_night)
    finally:
        db.dispose()


def test_empty_items_is_published_nothing_not_an_error_and_stores_nothing(baseline_dir, baseline_figures, clean_night):
    summary, db, _injected, _ = _night(baseline_dir, Fault("empty"))
    try:
        kcs = summary.to_dict()["sources"]["kcs"]
        assert kcs["errors"] == [] and kcs["published_nothing"] == KCS_REQUESTS and kcs["status"] == "empty"
        assert _source_run(db, summary.run_id).status == "empty"
        assert current_figures(db) == baseline_figures[0]
        _assert_nothing_lost_or_wrong(db, baseline_figures, clean_night)
    finally:
        db.dispose()


@pytest.mark.parametrize("kind", ["http503", "euckr"])
def test_a_fault_on_one_request_fails_only_its_figures(kind, baseline_dir, baseline_figures, clean_night):
    summary, db, _injected, _ = _night(
        baseline_dir, Fault(kind, path="nitemtrade", params={"cntyCd": "VN"}, window=NIGHT_WINDOW)
    )
    try:
        kcs = summary.to_dict()["sources"]["kcs"]
        assert len(kcs["errors"]) == 1 and "cntyCd=VN" in kcs["errors"][0], kcs
        assert kcs["status"] == "partial" == _source_run(db, summary.run_id).status
        base = baseline_figures[0]
        clean = clean_night["figures"]
        after = current_figures(db)
        vn_chips = {k for k in clean if k[1] == "VNM" and k[4] == "8542"}
        others = set(clean) - vn_chips
        assert vn_chips and all(after.get(k) == base.get(k) for k in vn_chips)  # the failed request stored nothing
        assert {k: after.get(k) for k in others} == {k: clean[k] for k in others}  # the rest is the clean night
        _assert_nothing_lost_or_wrong(db, baseline_figures, clean_night)
    finally:
        db.dispose()


def test_implausible_tenfold_value_quarantines_its_batch(baseline_dir, baseline_figures, clean_night):
    from sqlalchemy import select

    from db.models import AlertRow, QuarantineRow

    summary, db, _injected, _ = _night(
        baseline_dir, Fault("implausible", path="nationtrade", partner="VN", month="2026.10")
    )
    try:
        d = summary.to_dict()
        assert [q["batch"] for q in d["quarantined"]] == [f"kcs {NIGHT_WINDOW}"], d["quarantined"]
        assert d["sources"]["kcs"]["quarantined"] > 0 and d["sources"]["kcs"]["errors"] == []
        with db.session() as s:
            q = s.execute(select(QuarantineRow)).scalars().all()
            rules = [a.rule for a in s.execute(select(AlertRow)).scalars()]
        assert len(q) == 1 and q[0].state == "pending" and q[0].batch_key == f"kcs {NIGHT_WINDOW}"
        assert "quality.quarantine" in rules
        after = current_figures(db)
        base = baseline_figures[0]
        clean = clean_night["figures"]
        totals = {k for k in clean if k[4] == "TOTAL"}
        assert all(after.get(k) == base.get(k) for k in totals)  # nothing of the quarantined batch stored
        assert ("KOR", "VNM", "export", "2026-10", "TOTAL", "kcs") not in after
        chips = {k for k in clean if k[4] == "8542"}
        assert {k: after[k] for k in chips} == {k: clean[k] for k in chips}  # the other batch is stored
        _assert_nothing_lost_or_wrong(db, baseline_figures, clean_night)
    finally:
        db.dispose()


def test_a_failing_source_does_not_stop_another(baseline_dir, baseline_figures, clean_night):
    summary, db, _injected, _ = _night(baseline_dir, Fault("http500", path="/public/"), sources=("kcs", "comtrade"))
    try:
        d = summary.to_dict()["sources"]
        assert d["comtrade"]["status"] == "failed" and all("HTTP 500" in e for e in d["comtrade"]["errors"])
        assert d["kcs"]["status"] == "ok"
        kcs_now = {k: v for k, v in current_figures(db).items() if k[5] == "kcs"}
        assert kcs_now == clean_night["figures"]
        _assert_nothing_lost_or_wrong(db, baseline_figures, clean_night)
    finally:
        db.dispose()


@pytest.mark.parametrize("kind", ["http500", "renamed"])
def test_source_health_alerts_once_after_three_failed_nights(kind, baseline_dir):
    from sqlalchemy import select

    from db import Database
    from db.models import AlertRow

    statuses = []
    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2, Fault(kind)) as srv:
        settings = make_settings(baseline_dir, srv.url, max_retries=0)
        for _ in range(4):
            statuses.append(nightly(settings, send_alerts=False).to_dict()["sources"]["kcs"]["status"])
    db = Database(settings.database_url)
    try:
        with db.session() as s:
            health = [a for a in s.execute(select(AlertRow)).scalars() if a.rule.startswith("health.")]
        assert statuses == ["failed"] * 4
        assert [a.rule for a in health] == ["health.failing"], [(a.rule, a.title) for a in health]
        assert "3 runs in a row" in health[0].title
    finally:
        db.dispose()
