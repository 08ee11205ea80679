"""health_alerts over source_runs, the way the run calls it: after its own row is written."""

from __future__ import annotations

from datetime import timedelta

from tests.alerts.conftest import T0
from tradewatch.alerts import health_alerts
from tradewatch.db.models import SourceRunRow
from tradewatch.db.outbox import write_alerts


def test_threshold_reminder_and_reset(alert_db, make_settings):
    st = make_settings(source_failure_threshold=3, source_failure_remind_every=2)
    sent = []
    for i, status in enumerate(["failed"] * 6 + ["ok", "failed"]):
        with alert_db.transaction() as s:
            s.add(SourceRunRow(run_id=f"run-{i}", source="kcs", started_at=T0 + timedelta(days=i), status=status,
                               errors=[{"message": "gateway error 22 LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"}] if status != "ok" else []))
            s.flush()
            rows = write_alerts(s, health_alerts(s, st, "kcs", status), ["slack"], f"run-{i}")
            sent.append([r.dedup_key for r in rows])
    assert sent == [
        [], [], ["health.failing:kcs:run-0:3"], [], ["health.failing:kcs:run-0:5"], [],
        ["health.recovered:kcs:run-0"], [],
    ]
