"""health_alerts over source_runs, the way the run calls it: after its own row is written."""

from __future__ import annotations

from datetime import timedelta

from alerts import health_alerts
from db.models import SourceRunRow
from db.outbox import write_alerts
from tests.alerts.conftest import T0


def test_threshold_reminder_and_reset(alert_db, make_settings):
    st = make_settings(source_failure_threshold=3, source_failure_remind_every=2)
    sent = []
    for i, status in enumerate(["failed"] * 6 + ["ok", "failed"]):
        with alert_db.transaction() as s:
            s.add(
                SourceRunRow(
                    run_id=f"run-{i}",
                    source="kcs",
                    started_at=T0 + timedelta(days=i),
                    status=status,
                    errors=[{"message": "gateway error 22 LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"}]
                    if status != "ok"
                    else [],
                )
            )
            s.flush()
            rows = write_alerts(s, health_alerts(s, st, "kcs", status), ["slack"], f"run-{i}")
            sent.append([r.dedup_key for r in rows])
    assert sent == [
        [],
        [],
        ["health.failing:kcs:run-0:3"],
        [],
        ["health.failing:kcs:run-0:5"],
        [],
        ["health.recovered:kcs:run-0"],
        [],
    ]


def test_silence_reads_the_newest_stored_period_and_is_said_once(alert_db, make_settings):
    from datetime import date

    from alerts import silence_alerts
    from db.store import store_batch
    from scrapers import get_source
    from tests.alerts.conftest import SEPTEMBER, month_batch

    st = make_settings(source_silence_grace_days=5)
    kcs, comtrade = get_source("kcs", st), get_source("comtrade", st)
    with alert_db.transaction() as s:
        store_batch(s, month_batch("2026-08", SEPTEMBER), now=T0)
    keys = []
    for today in (date(2026, 10, 19), date(2026, 10, 20), date(2026, 10, 21)):
        with alert_db.transaction() as s:
            alerts = silence_alerts(s, st, kcs, today, "empty") + silence_alerts(s, st, comtrade, today, "ok")
            keys.append([r.dedup_key for r in write_alerts(s, alerts, ["slack"], f"run-{today}")])
    # Not due on the 19th; said on the 20th; the 21st finds the same missing month, which the outbox already holds.
    assert keys == [[], ["health.silent:kcs:2026-09"], []]
    with alert_db.transaction() as s:
        store_batch(s, month_batch("2026-09", SEPTEMBER), now=T0 + timedelta(days=40))
        assert silence_alerts(s, st, kcs, date(2026, 10, 22)) == []
