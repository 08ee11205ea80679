"""Windows ingested together (one validation for several windows) end as one window at a time does.

A three-year KCS backfill against the benchmark's KCS stand-in on 127.0.0.1 (no
latency), on SQLite and PostgreSQL, through the pipeline functions: once with every
window parsed, validated together and stored window by window (``ingest_windows``),
once one window at a time (``ingest_window``, the Prefect task's path). One window
holds an implausible figure (Korea's exports to its largest partner ×40, balance kept exact): it
is quarantined alone, its failure named, and the windows after it are stored.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.kcs_server import KcsServer
from db import Database
from db.models import AlertRow, ObservationRow, QuarantineRow, ValidationRunRow
from flows import pipeline as p
from tradewatch.config import load_settings
from tradewatch.model import Flow, Period

START, END = "2010-01", "2012-12"
BAD_WINDOW = "2011-01..2011-12"


@pytest.fixture(scope="module")
def server():
    with KcsServer(latency=0) as srv:
        yield srv


def _spike(batches: list[p.PendingBatch]) -> None:
    """The largest partner's exports in 2011-06 ×40 (balance and total kept consistent with them)."""
    for b in batches:
        if not b.key.endswith(BAD_WINDOW) or b.kind != "all_partners":
            continue
        june = [o for o in b.observations if str(o.period) == "2011-06" and o.partner != "WLD"]
        big = max((o for o in june if o.flow is Flow.EXPORT), key=lambda o: o.value_usd).partner
        cell = {o.flow: o for o in june if o.partner == big}
        exp, imp = cell[Flow.EXPORT].value_usd * 40, cell[Flow.IMPORT].value_usd
        new = {Flow.EXPORT: exp, Flow.BALANCE: exp - imp, Flow.TOTAL: exp + imp}
        b.observations[:] = [
            replace(o, value_usd=new[o.flow])
            if o.partner == big and str(o.period) == "2011-06" and o.flow in new
            else o
            for o in b.observations
        ]
        SPIKED.append(big)


SPIKED: list[str] = []


def _run(db_url: str, base_url: str, tmp_path, *, together: bool, spike: bool):
    settings = load_settings(data_dir=tmp_path, kcs_base_url=base_url, sources=["kcs"], hs_codes=[])
    db = Database(db_url)
    run = p.open_run(settings, "backfill", {}, db=db, send_alerts=False, detect_since=Period.parse("2012-01").start)
    pairs = p.plan(run, ["kcs"], Period.parse(START), Period.parse(END))
    fetched = [(src, w, p.fetch_window(run, src, w)) for src, w in pairs]
    parsed = [p.parse_window(run, src, w, snaps) for src, w, snaps in fetched]
    if spike:
        for _, batches in parsed:
            _spike(batches)
    if together:
        p.ingest_batches(run, [b for _, batches in parsed for b in batches])
    else:
        for _, batches in parsed:
            p.ingest_batches(run, batches, together=False)
    for out, _ in parsed:
        p.record_source(run, out)
    summary = p.finish_run(run)
    with db.session() as s:
        figures = {
            (r.partner, r.flow, r.period, r.commodity): r.value_usd
            for r in s.execute(select(ObservationRow).where(ObservationRow.is_current.is_(True))).scalars()
        }
        quarantined = [q.batch_key for q in s.execute(select(QuarantineRow)).scalars()]
        validations = sorted((v.batch_key, v.success) for v in s.execute(select(ValidationRunRow)).scalars())
        alerts = sorted(a.dedup_key for a in s.execute(select(AlertRow)).scalars())
    db.dispose()
    return summary, figures, quarantined, validations, alerts


@pytest.mark.parametrize("spike", [False, True], ids=["clean", "one-bad-window"])
def test_together_ends_as_one_window_at_a_time(db_url, server, tmp_path, spike):
    one = _run(db_url.replace("tw.db", "one.db"), server.base_url, tmp_path / "one", together=False, spike=spike)
    if db_url.startswith("postgresql"):
        with Database(db_url).engine.begin() as c:  # the same schema again, emptied
            for t in ("deliveries", "alerts", "quarantine", "validation_runs", "source_runs", "observations", "runs"):
                c.exec_driver_sql(f"DELETE FROM {t}")
    both = _run(db_url, server.base_url, tmp_path / "both", together=True, spike=spike)
    s1, figures1, q1, v1, a1 = one
    s2, figures2, q2, v2, a2 = both
    assert figures2 == figures1 and len(figures1) > 20_000
    assert q2 == q1 and v2 == v1 and a2 == a1
    assert s2.to_dict()["sources"]["kcs"]["stored"] == s1.to_dict()["sources"]["kcs"]["stored"]
    if spike:
        assert q2 == [f"kcs {BAD_WINDOW}"]
        big = SPIKED[-1]
        assert (big, "export", "2011-06", "TOTAL") not in figures2  # the bad window stored nothing
        assert (big, "export", "2012-06", "TOTAL") in figures2  # the window after it is stored
        [quarantine] = s2.quarantined
        assert quarantine["batch"] == f"kcs {BAD_WINDOW}"
        assert quarantine["failed"] == ["baseline: yoy log change within band (expect_column_values_to_be_between)"]
        # the Data Docs page of the window names the failing expectation; the summary, the window too
        assert "baseline_z" in Path(quarantine["data_docs"]).read_text(encoding="utf-8")
        with Database(db_url).session() as s:
            [failed] = s.execute(select(ValidationRunRow).where(ValidationRunRow.success.is_(False))).scalars()
            summary_page = Path(failed.report["statistics"]["summary_html"]).read_text(encoding="utf-8")
        assert BAD_WINDOW in summary_page and "baseline: yoy log change within band" in summary_page
    else:
        assert q2 == [] and all(ok for _, ok in v2)
        # fewer validations than batches: the windows were validated together
        joint = [v for v in s2.validations if v["success"]]
        assert len(joint) == len(v2)


def test_windows_are_ingested_in_lots_of_one_joint_validation(db_url, server, tmp_path, monkeypatch):
    """``ingest_windows`` cuts its lots before the window that would take one over ``TOGETHER_ROWS``: four windows
    of ~12k figures under a bound of 25k are two lots of two, each one joint validation; none is left over to be
    validated alone (a lot cut after the bound was passed left its last window alone)."""
    monkeypatch.setattr(p, "TOGETHER_ROWS", 25_000)
    settings = load_settings(data_dir=tmp_path, kcs_base_url=server.base_url, sources=["kcs"], hs_codes=[])
    db = Database(db_url)
    run = p.open_run(settings, "backfill", {}, db=db, send_alerts=False, detect_since=Period.parse("2012-01").start)
    pairs = p.plan(run, ["kcs"], Period.parse("2009-01"), Period.parse(END))
    items = [(src, w, p.fetch_window(run, src, w)) for src, w in pairs]
    assert len(items) == 4
    for out in p.ingest_windows(run, items):
        p.record_source(run, out)
    p.finish_run(run)
    with db.session() as s:
        reports = [v.report for v in s.execute(select(ValidationRunRow)).scalars()]
    db.dispose()
    assert len(reports) == 4 and all(r["success"] for r in reports)
    joint = [r["statistics"]["validated_together"] for r in reports]
    assert [j["batches"] for j in joint] == [2, 2, 2, 2]
    assert all(j["rows"] < 25_000 for j in joint)
