"""The ``runs`` table: a run that died without closing is marked interrupted by a later run."""

from __future__ import annotations

from datetime import timedelta

from db.models import RunRow
from flows import pipeline as p
from tradewatch.model import utcnow


def test_a_run_left_running_is_marked_interrupted_by_the_next(db, settings):
    now = utcnow()
    with db.transaction() as s:
        s.add(
            RunRow(
                id="killed-yesterday", flow="nightly", started_at=now - timedelta(hours=30), status="running", params={}
            )
        )
        s.add(
            RunRow(id="still-going", flow="backfill", started_at=now - timedelta(hours=1), status="running", params={})
        )
        s.add(RunRow(id="old-and-fine", flow="nightly", started_at=now - timedelta(days=3), status="ok", params={}))
    run = p.open_run(settings, "nightly", {"sources": []}, db=db)
    try:
        with db.transaction() as s:
            status = {r.id: r.status for r in s.query(RunRow)}
    finally:
        run.close()
    assert status == {
        "killed-yesterday": "interrupted",  # older than stale_run_hours (12)
        "still-going": "running",  # may be a long backfill on another worker
        "old-and-fine": "ok",
        run.run_id: "running",
    }
