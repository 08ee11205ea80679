"""The outbox on SQLite and PostgreSQL: insert-if-absent, atomic claims, retries, routing, digests."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from alerts import Alert, quality_alert
from alerts.deliver import build_senders, deliver_pending
from db import Database
from db.models import AlertRow, DeliveryRow
from db.outbox import claim_pending, mark_failed, mark_sent, requeue, retry_delay, write_alerts
from tests.alerts.conftest import T0


def alert(n: int, severity="warning") -> Alert:
    return Alert(
        rule="test.rule",
        severity=severity,
        title=f"Finding {n}",
        message=f"Something happened ({n}).",
        dedup_key=f"test.rule:KOR:VNM:2026-10:{n}",
        reporter="KOR",
        partner="VNM",
        period="2026-10",
        figures={"VNM": 1_000_000_000 + n},
        previous={"VNM": 900_000_000},
    )


def count(db, model, **where):
    with db.session() as s:
        q = select(func.count()).select_from(model)
        for k, v in where.items():
            q = q.where(getattr(model, k) == v)
        return s.execute(q).scalar()


def test_write_alerts_inserts_once_per_meaning(alert_db):
    with alert_db.transaction() as s:
        rows = write_alerts(s, [alert(1), alert(2), alert(1)], ["slack", "email"], "run-1", now=T0)
        assert [r.dedup_key for r in rows] == [alert(1).dedup_key, alert(2).dedup_key]
        assert rows[0].payload["figures"] == {"VNM": 1_000_000_001} and rows[0].run_id == "run-1"
    with alert_db.transaction() as s:
        assert write_alerts(s, [alert(2), alert(3)], ["slack", "email"], "run-2", now=T0) != []
    assert count(alert_db, AlertRow) == 3
    assert count(alert_db, DeliveryRow) == 6 and count(alert_db, DeliveryRow, state="pending") == 6


def test_alerts_roll_back_with_the_data(alert_db):
    with pytest.raises(RuntimeError), alert_db.transaction() as s:
        write_alerts(s, [alert(1)], ["slack"], "run-1")
        raise RuntimeError("the store failed after detection")
    assert count(alert_db, AlertRow) == 0 and count(alert_db, DeliveryRow) == 0


def test_two_runs_writing_the_same_alert_at_once_record_it_once(alert_db):
    other = Database(alert_db.url)  # a second process's engine
    barrier = threading.Barrier(2)
    results: dict[str, list] = {}

    def run(name, db):
        barrier.wait()
        with db.transaction() as s:
            results[name] = [r.dedup_key for r in write_alerts(s, [alert(1), alert(2)], ["slack"], name)]

    threads = [threading.Thread(target=run, args=(n, d)) for n, d in (("a", alert_db), ("b", other))]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    other.dispose()
    assert sorted(results) == ["a", "b"]
    assert sorted(results["a"] + results["b"]) == sorted([alert(1).dedup_key, alert(2).dedup_key])
    assert count(alert_db, AlertRow) == 2 and count(alert_db, DeliveryRow) == 2


def test_claims_are_exclusive_even_when_concurrent(alert_db):
    with alert_db.transaction() as s:
        write_alerts(s, [alert(i) for i in range(20)], ["slack", "email"], "run-1")
    other = Database(alert_db.url)
    barrier = threading.Barrier(2)
    got: dict[str, list[int]] = {}

    def claim(name, db):
        barrier.wait()
        ids: list[int] = []
        while True:
            with db.transaction() as s:
                batch = [c.delivery_id for c in claim_pending(s, name, T0, limit=3)]
            if not batch:
                break
            ids += batch
        got[name] = ids

    threads = [threading.Thread(target=claim, args=(n, d)) for n, d in (("w1", alert_db), ("w2", other))]
    [t.start() for t in threads]
    [t.join(60) for t in threads]
    other.dispose()
    assert not set(got["w1"]) & set(got["w2"])
    assert len(got["w1"]) + len(got["w2"]) == 40
    assert count(alert_db, DeliveryRow, state="sending") == 40


def test_stale_claims_return_to_pending_and_the_old_worker_cannot_record(alert_db):
    with alert_db.transaction() as s:
        write_alerts(s, [alert(1)], ["slack"], "run-1")
    with alert_db.transaction() as s:
        (c,) = claim_pending(s, "dead-worker", T0)
    with alert_db.transaction() as s:
        assert claim_pending(s, "w2", T0 + timedelta(minutes=5)) == []  # still held
    with alert_db.transaction() as s:
        (c2,) = claim_pending(s, "w2", T0 + timedelta(minutes=11))
        assert c2.delivery_id == c.delivery_id
    with alert_db.transaction() as s:
        assert mark_sent(s, c.delivery_id, "dead-worker", T0) is False
        assert mark_sent(s, c.delivery_id, "w2", T0) is True
    assert count(alert_db, DeliveryRow, state="sent") == 1


def test_failures_back_off_and_stay_visible(alert_db):
    with alert_db.transaction() as s:
        write_alerts(s, [alert(1)], ["email"], "run-1")
    now = T0
    for expected in (30, 60, 120):
        with alert_db.transaction() as s:
            (c,) = claim_pending(s, "w", now)
            assert mark_failed(s, c.delivery_id, "w", "smtp://mail:587 unreachable", now)
        with alert_db.session() as s:
            d = s.execute(select(DeliveryRow)).scalar_one()
            assert d.state == "pending" and d.last_error == "smtp://mail:587 unreachable"
            assert d.next_attempt_at - now == timedelta(seconds=expected)
        with alert_db.transaction() as s:
            assert claim_pending(s, "w", now + timedelta(seconds=expected - 1)) == []
        now = now + timedelta(seconds=expected)
    assert retry_delay(40) == timedelta(hours=6)


def test_permanent_refusal_is_failed_and_can_be_requeued(alert_db, make_settings, http_receiver, registry):
    st = make_settings(slack_webhook_url=http_receiver.url("/hook/abc"), delivery_attempts=3)
    http_receiver.answer((400, "invalid_blocks"))
    with alert_db.transaction() as s:
        write_alerts(s, [alert(1)], ["slack"], "run-1")
    report = deliver_pending(alert_db, st, build_senders(st, registry=registry), "w", sleep=lambda s: None)
    assert (report.failed, report.attempts) == (1, 1)  # no retry of bytes the channel refused
    with alert_db.session() as s:
        d = s.execute(select(DeliveryRow)).scalar_one()
        assert d.state == "failed" and "HTTP 400: invalid_blocks" in d.last_error
    with alert_db.transaction() as s:
        assert requeue(s) == 1
    assert deliver_pending(alert_db, st, build_senders(st, registry=registry), "w", sleep=lambda s: None).sent == 1


def test_routing_by_severity(alert_db, make_settings, http_receiver, smtp_receiver, registry):
    st = make_settings(
        slack_webhook_url=http_receiver.url("/hook/abc"),
        smtp_url=smtp_receiver.url(),
        email_to="a@example.test",
        email_min_severity="warning",
    )
    with alert_db.transaction() as s:
        write_alerts(s, [alert(1, "info"), alert(2, "critical")], ["slack", "email"], "run-1")
    report = deliver_pending(alert_db, st, build_senders(st, registry=registry), "w")
    assert (report.sent, report.suppressed) == (3, 1)
    assert len(http_receiver.requests) == 2 and len(smtp_receiver.mails) == 1
    assert "Finding 2" in smtp_receiver.mails[0].message["Subject"]
    with alert_db.session() as s:
        d = s.execute(select(DeliveryRow).where(DeliveryRow.state == "suppressed")).scalar_one()
        assert d.channel == "email" and d.last_error == "severity info below email_min_severity=warning"


def test_digest_sends_one_message_per_channel(alert_db, make_settings, http_receiver, smtp_receiver, registry):
    st = make_settings(
        slack_webhook_url=http_receiver.url("/hook/abc"),
        smtp_url=smtp_receiver.url(),
        email_to="a@example.test",
        digest=True,
    )
    with alert_db.transaction() as s:
        write_alerts(
            s,
            [alert(i) for i in range(3)] + [quality_alert("kcs", "kcs 2026-10", ["x"], None)],
            ["slack", "email"],
            "run-1",
        )
    report = deliver_pending(alert_db, st, build_senders(st, registry=registry), "w")
    assert (report.sent, report.messages) == (8, 2)
    payload = http_receiver.requests[0].json()
    assert payload["blocks"][0]["text"]["text"] == "tradewatch: 4 alerts (warning and below)"
    assert all(f"Finding {i}" in str(payload) for i in range(3))
    mail = smtp_receiver.mails[0]
    assert mail.message["Subject"].startswith("[tradewatch] 4 alerts: Finding 0; Finding 1; Finding 2")
    assert "4. [warning] kcs: batch kcs 2026-10 quarantined" in mail.part("text/plain")


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000")


def test_email_inlines_a_chart_from_the_hook(alert_db, make_settings, smtp_receiver, registry):
    st = make_settings(smtp_url=smtp_receiver.url(), email_to="a@example.test")
    with alert_db.transaction() as s:
        write_alerts(s, [alert(1), alert(2)], ["email"], "run-1")

    def chart(a):
        if a.dedup_key.endswith(":2"):
            raise ValueError("no series")  # a broken chart never blocks the alert
        return PNG

    report = deliver_pending(alert_db, st, build_senders(st, chart=chart, registry=registry), "w")
    assert report.sent == 2
    with_chart, without = sorted(smtp_receiver.mails, key=lambda m: m.message["Subject"])
    images = [p for p in with_chart.message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0].get_content() == PNG
    cid = images[0]["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in with_chart.part("text/html")
    assert not any(p.get_content_type() == "image/png" for p in without.message.walk())
