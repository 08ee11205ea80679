"""End to end through real receivers: detection → outbox → Slack (HTTP on 127.0.0.1) and email (aiosmtpd)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from alerts import detect_after_store, quality_alert
from alerts.deliver import build_senders, deliver_pending
from db.models import DeliveryRow
from db.outbox import write_alerts
from db.queries import alerts_with_deliveries
from db.store import store_batch
from tests.alerts.conftest import BN, OCTOBER, SEPTEMBER, T0, TODAY, month_batch, pair_batch

WEBHOOK_PATH = "/services/T0TRADE/B0WATCH/xoxSECRETwebhookPath42"
SMTP_PASSWORD = "s3cr3t-Pa55word!"


@pytest.fixture
def channels(make_settings, http_receiver, smtp_receiver):
    st = make_settings(
        slack_webhook_url=http_receiver.url(WEBHOOK_PATH),
        smtp_url=smtp_receiver.url(user="alerts", password=SMTP_PASSWORD),
        email_from="tradewatch@example.test",
        email_to="analyst@example.test,desk@example.test",
        delivery_attempts=3,
    )
    return st


def nightly(db, settings, batch, registry, *, suppressed=False, run_id="run-1"):
    """What a run does inside one transaction: store, detect, write to the outbox."""
    with db.transaction() as s:
        result = store_batch(s, batch, run_id=run_id, now=T0)
        alerts = detect_after_store(s, settings, result, today=TODAY, registry=registry)
        rows = write_alerts(s, alerts, ["slack", "email"], run_id, suppressed=suppressed)
        return result, alerts, [r.dedup_key for r in rows]


def deliver(db, settings, registry, delays=None, **kw):
    senders = build_senders(settings, registry=registry)
    return deliver_pending(
        db, settings, senders, "worker-a", sleep=(delays.append if delays is not None else (lambda s: None)), **kw
    )


def states(db):
    with db.session() as s:
        return sorted((d.channel, d.state) for d in s.execute(select(DeliveryRow)).scalars())


def test_overtake_month_sends_one_ranking_alert_to_each_channel(
    alert_db, channels, registry, http_receiver, smtp_receiver
):
    nightly(alert_db, channels, month_batch("2026-09", SEPTEMBER), registry)
    _, _alerts, new = nightly(alert_db, channels, month_batch("2026-10", OCTOBER), registry, run_id="run-2")
    assert new == ["ranking.overtake:KOR:total:month:2026-10:JPN>VNM"]

    report = deliver(alert_db, channels, registry)
    assert (report.sent, report.messages, report.retry_later) == (2, 2, 0)
    assert len(http_receiver.requests) == 1 and len(smtp_receiver.mails) == 1

    req = http_receiver.requests[0]
    assert req.path == WEBHOOK_PATH and req.headers["Content-Type"] == "application/json"
    slack = req.json()
    section = slack["blocks"][1]["text"]["text"]
    assert "Japan overtook Vietnam as Korea's #3 trade partner in 2026-10 (monthly, provisional)" in section
    assert (
        "Japan $6.51 bn, Vietnam $6.42 bn" in section
        and "2026-09: Vietnam #3 ($6.88 bn), Japan #4 ($6.10 bn)" in section
    )
    assert slack["text"].startswith("Japan overtook Vietnam")  # the plain-text fallback
    fields = [f["text"] for f in slack["blocks"][2]["fields"]]
    assert fields == ["*Japan*\n#3, $6.51 bn (was #4, $6.10 bn)", "*Vietnam*\n#4, $6.42 bn (was #3, $6.88 bn)"]

    mail = smtp_receiver.mails[0]
    assert mail.login == "alerts" and sorted(mail.rcpt_tos) == ["analyst@example.test", "desk@example.test"]
    msg = mail.message
    assert (
        msg["Subject"] == "[tradewatch warning] Japan overtook Vietnam as Korea's #3 trade partner (2026-10, monthly)"
    )
    assert msg["X-Tradewatch-Alert"] == "ranking.overtake:KOR:total:month:2026-10:JPN>VNM"
    text, html = mail.part("text/plain"), mail.part("text/html")
    assert "Japan: #3, $6.51 bn  (was #4, $6.10 bn in 2026-09)" in text and "sha256 " + "ab" * 32 in text
    assert '<td style="text-align: right; padding: 2px 12px;">#3, $6.51 bn</td>' in html
    assert states(alert_db) == [("email", "sent"), ("slack", "sent")]


def test_running_the_same_night_again_sends_nothing(alert_db, channels, registry, http_receiver, smtp_receiver):
    nightly(alert_db, channels, month_batch("2026-09", SEPTEMBER), registry)
    result, alerts, _ = nightly(alert_db, channels, month_batch("2026-10", OCTOBER), registry, run_id="run-2")
    deliver(alert_db, channels, registry)
    # the same batch again: nothing stored, nothing detected
    r2, alerts2, new2 = nightly(alert_db, channels, month_batch("2026-10", OCTOBER), registry, run_id="run-3")
    assert (r2.inserted, r2.revised, alerts2, new2) == (0, 0, [], [])
    # a duplicate run that detected the same findings (e.g. a second Prefect run at the same moment)
    with alert_db.transaction() as s:
        again = detect_after_store(s, channels, result, today=TODAY, registry=registry)
        assert [a.dedup_key for a in again] == [a.dedup_key for a in alerts]
        assert write_alerts(s, again, ["slack", "email"], "run-4") == []
    report = deliver(alert_db, channels, registry)
    assert report.claimed == 0
    assert len(http_receiver.requests) == 1 and len(smtp_receiver.mails) == 1


def test_sign_flip_and_threshold_move_send_balance_alerts(alert_db, channels, registry, http_receiver, smtp_receiver):
    # Korea–Vietnam: a surplus of $2.0 bn a year earlier, $0.5 bn in September, a deficit in October.
    nightly(alert_db, channels, pair_batch({"2025-10": (5.0, 3.0), "2026-09": (4.0, 3.5)}), registry)
    _, alerts, new = nightly(alert_db, channels, pair_batch({"2026-10": (3.9, 4.2)}), registry, run_id="run-2")
    assert sorted(new) == ["balance.sign:KOR-VNM:month:2026-10:deficit", "balance.yoy:KOR-VNM:month:2026-10:down"]
    by_rule = {a.rule: a for a in alerts}
    assert by_rule["balance.sign"].message.startswith(
        "Korea's trade with Vietnam swung from a surplus to a deficit in 2026-10 (monthly, final): balance -$300 m "
        "(exports $3.90 bn, imports $4.20 bn); 2026-09: $500 m."
    )
    assert (
        by_rule["balance.yoy"].figures["balance"] == -300_000_000
        and by_rule["balance.yoy"].previous["balance"] == 2 * BN
    )
    assert "115.0 % year on year" in by_rule["balance.yoy"].message

    deliver(alert_db, channels, registry)
    texts = [p["text"] for p in http_receiver.payloads()]
    assert len(texts) == 2 and len(smtp_receiver.mails) == 2
    assert any("swung from a surplus to a deficit" in t for t in texts)
    assert any("year on year" in m.message["Subject"] for m in smtp_receiver.mails)


def test_slack_500_then_200_delivers_once(alert_db, channels, registry, http_receiver, smtp_receiver):
    http_receiver.answer(500, 200)
    with alert_db.transaction() as s:
        write_alerts(
            s,
            [quality_alert("kcs", "kcs 2026-10", ["values_in_range"], "data_docs/x.html", "run-1")],
            ["slack"],
            "run-1",
        )
    delays: list[float] = []
    report = deliver(alert_db, channels, registry, delays)
    assert len(http_receiver.requests) == 2  # the failed attempt and the one that went through
    assert http_receiver.requests[0].body == http_receiver.requests[1].body
    assert (report.sent, report.attempts, report.messages) == (1, 2, 1) and delays == [1.0]
    with alert_db.session() as s:
        d = s.execute(select(DeliveryRow)).scalar_one()
        assert (d.state, d.attempts, d.last_error) == ("sent", 2, None)
    assert deliver(alert_db, channels, registry).claimed == 0
    assert len(http_receiver.requests) == 2


def test_smtp_down_stays_pending_then_is_delivered_on_the_next_call(alert_db, channels, registry, smtp_receiver):
    with alert_db.transaction() as s:
        write_alerts(s, [quality_alert("kcs", "kcs 2026-10", ["values_in_range"], None)], ["email"], "run-1")
    smtp_receiver.stop()
    delays: list[float] = []
    report = deliver(alert_db, channels, registry, delays, now=T0)
    assert (report.sent, report.retry_later, report.attempts) == (0, 1, 3) and delays == [1.0, 2.0]
    with alert_db.session() as s:
        view = alerts_with_deliveries(s, 10)[0]
    detail = view["delivery_details"][0]
    assert view["deliveries"] == {"email": "pending"} and detail["attempts"] == 3
    assert "unreachable" in detail["last_error"] and detail["next_attempt_at"] is not None
    # not due yet: a call right away leaves it alone
    assert deliver(alert_db, channels, registry, now=T0 + timedelta(seconds=5)).claimed == 0

    smtp_receiver.start()
    report = deliver(alert_db, channels, registry, now=T0 + timedelta(hours=1))
    assert report.sent == 1 and len(smtp_receiver.mails) == 1
    assert states(alert_db) == [("email", "sent")]


def test_backfill_alerts_are_recorded_suppressed_and_sent_nowhere(
    alert_db, channels, registry, http_receiver, smtp_receiver
):
    nightly(alert_db, channels, month_batch("2026-09", SEPTEMBER), registry, suppressed=True)
    _, _, new = nightly(alert_db, channels, month_batch("2026-10", OCTOBER), registry, suppressed=True)
    assert new == ["ranking.overtake:KOR:total:month:2026-10:JPN>VNM"]
    assert deliver(alert_db, channels, registry).claimed == 0
    assert http_receiver.requests == [] and smtp_receiver.mails == []
    assert states(alert_db) == [("email", "suppressed"), ("slack", "suppressed")]
    with alert_db.session() as s:
        view = alerts_with_deliveries(s, 10)[0]
    assert view["suppressed"] is True and view["deliveries"] == {"email": "suppressed", "slack": "suppressed"}


HOSTILE = "<script>alert('x')</script> <!channel> <!here|here> <@U024BE7LH> @everyone & co"


def test_scraped_text_arrives_escaped(alert_db, channels, registry, http_receiver, smtp_receiver):
    a = quality_alert("releases", f"release {HOSTILE}", [HOSTILE, "ok_check"], "https://docs.example/<script>?a=1&b=2")
    with alert_db.transaction() as s:
        write_alerts(s, [a], ["slack", "email"], "run-1")
    deliver(alert_db, channels, registry)
    body = http_receiver.requests[0].body.decode()
    payload = http_receiver.requests[0].json()
    everything = repr(payload)
    for raw in ("<script>", "<!channel>", "<!here", "<@U024BE7LH>"):
        assert raw not in body and raw not in everything
    assert (
        "&lt;script&gt;" in payload["text"]
        and "&lt;!channel&gt;" in payload["text"]
        and "&lt;@U024BE7LH&gt;" in payload["text"]
    )
    assert "@\u200beveryone" in payload["text"] and "&amp; co" in payload["text"]
    # the link in the context block keeps its shape: <url|label>, with the URL's own < > encoded
    ctx = payload["blocks"][-1]["elements"][0]["text"]
    assert "<https://docs.example/%3Cscript%3E?a=1&amp;b=2|link>" in ctx

    html = smtp_receiver.mails[0].part("text/html")
    assert "<script>" not in html and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert 'href="https://docs.example/%3Cscript%3E?a=1&amp;b=2"' in html
    text = smtp_receiver.mails[0].part("text/plain")
    assert "<script>alert('x')</script>" in text  # plain text is shown as it is: nothing renders it


def test_no_secret_in_messages_errors_or_logs(alert_db, make_settings, registry, http_receiver, smtp_receiver, caplog):
    caplog.set_level(logging.DEBUG)
    wrong = make_settings(
        slack_webhook_url=http_receiver.url(WEBHOOK_PATH),
        smtp_url=smtp_receiver.url(user="alerts", password="wr0ng-" + SMTP_PASSWORD),
        email_to="analyst@example.test",
        delivery_attempts=2,
    )
    http_receiver.answer((500, f"upstream broke while posting to {WEBHOOK_PATH}"), (500, "still broken"))
    with alert_db.transaction() as s:
        write_alerts(s, [quality_alert("kcs", "kcs 2026-10", ["values_in_range"], None)], ["slack", "email"], "run-1")
    report = deliver(alert_db, wrong, registry, now=T0)
    assert report.retry_later == 2 and len(report.errors) == 2
    assert any(pw == "wr0ng-" + SMTP_PASSWORD for _, pw in smtp_receiver.auth_attempts)  # the login really happened

    # then the right settings: everything goes through
    right = make_settings(
        slack_webhook_url=http_receiver.url(WEBHOOK_PATH),
        smtp_url=smtp_receiver.url(user="alerts", password=SMTP_PASSWORD),
        email_to="analyst@example.test",
    )
    assert deliver(alert_db, right, registry, now=T0 + timedelta(hours=1)).sent == 2

    secrets = [WEBHOOK_PATH, "xoxSECRETwebhookPath42", SMTP_PASSWORD, "wr0ng-" + SMTP_PASSWORD]
    with alert_db.session() as s:
        stored = [str(d.last_error) for d in s.execute(select(DeliveryRow)).scalars()]
        views = repr(alerts_with_deliveries(s, 10))
    haystacks = {
        "log": caplog.text,
        "report": repr(report),
        "db": repr(stored) + views,
        "slack": repr([r.body for r in http_receiver.requests]),
        "mail": repr([m.data for m in smtp_receiver.mails]),
        "senders": repr(build_senders(right)) + repr(right.describe()),
    }
    assert "HTTP 500" in caplog.text and "refused the login" in caplog.text  # the errors were logged, redacted
    for where, text in haystacks.items():
        for secret in secrets:
            assert secret not in text, f"{secret!r} leaked into {where}"
