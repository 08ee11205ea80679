"""A channel that cannot work (a malformed webhook URL, an unreadable Secret block) fails only its own deliveries.

They stay in the outbox with the reason; a ``health.channel`` alert goes out on the
channel that works (once a day); ``tradewatch status`` shows it; and once the setting
is mended the held alerts go out.
"""

from __future__ import annotations

from sqlalchemy import select

from alerts import quality_alert
from alerts.deliver import UnavailableSender, build_senders, deliver_pending
from db.models import AlertRow, DeliveryRow
from db.outbox import write_alerts
from report.status import collect_status
from tests.alerts.conftest import T0

SMTP_PASSWORD = "s3cr3t-Pa55word!"


def _unreadable(name: str) -> str:
    raise LookupError(f"no Secret block named {name}")


def _queue(db, n=2):
    with db.transaction() as s:
        write_alerts(
            s,
            [quality_alert("kcs", f"kcs 2026-{m:02d}", ["values_in_range"], None, "run-1") for m in range(1, n + 1)],
            ["slack", "email"],
            "run-1",
        )


def _states(db):
    with db.session() as s:
        rows = s.execute(
            select(AlertRow.rule, DeliveryRow.channel, DeliveryRow.state, DeliveryRow.last_error)
            .join(AlertRow, AlertRow.id == DeliveryRow.alert_id)
            .order_by(DeliveryRow.id)
        ).all()
    return [tuple(r) for r in rows]


def test_an_unreadable_block_holds_slack_back_and_email_says_so(alert_db, make_settings, smtp_receiver, http_receiver):
    settings = make_settings(
        slack_webhook_url="block:slack-webhook",
        smtp_url=smtp_receiver.url(user="alerts", password=SMTP_PASSWORD),
        email_from="tradewatch@example.test",
        email_to="desk@example.test",
    ).with_secrets(_unreadable)
    assert "slack-webhook" in settings.secret_errors["slack_webhook_url"]
    senders = build_senders(settings)
    assert isinstance(senders["slack"], UnavailableSender)
    _queue(alert_db)

    report = deliver_pending(alert_db, settings, senders, "w", now=T0, sleep=lambda s: None)
    assert report.by_channel["slack"]["retry_later"] == 2 and report.by_channel["email"]["sent"] == 3
    states = _states(alert_db)
    slack = [s for s in states if s[1] == "slack"]
    assert [s[2] for s in slack] == ["pending", "pending"]  # held, not lost
    assert all("Prefect Secret block 'slack-webhook'" in (s[3] or "") for s in slack)
    # the health alert went by email only: there is no slack delivery of it
    assert [(r, c) for r, c, *_ in states if r == "health.channel"] == [("health.channel", "email")]
    subjects = [m.message["Subject"] for m in smtp_receiver.mails]
    assert any("slack is failing" in s for s in subjects), subjects
    assert http_receiver.requests == []

    # the same day, another run: the slack deliveries fail again, no second health alert
    report = deliver_pending(
        alert_db, settings, build_senders(settings), "w", now=T0.replace(hour=23), sleep=lambda s: None
    )
    assert sum(1 for r, *_ in _states(alert_db) if r == "health.channel") == 1

    st = collect_status(alert_db, settings)
    assert st["pending_deliveries"]["slack"] == 2
    assert "slack-webhook" in st["channel_errors"]["slack"]["error"]

    # mended: the block is readable (here: a URL of the test receiver) and the held alerts go out
    mended = make_settings(
        slack_webhook_url="block:slack-webhook",
        smtp_url=smtp_receiver.url(user="alerts", password=SMTP_PASSWORD),
        email_from="tradewatch@example.test",
        email_to="desk@example.test",
    ).with_secrets(lambda name: http_receiver.url("/hook"))
    assert mended.secret_errors == {}
    report = deliver_pending(alert_db, mended, None, "w", now=T0.replace(day=17), sleep=lambda s: None)
    assert report.by_channel["slack"]["sent"] == 2 and len(http_receiver.requests) == 2


def test_a_malformed_webhook_url_does_not_raise(alert_db, make_settings, smtp_receiver):
    settings = make_settings(
        slack_webhook_url="hooks.slack.com/services/T0/B0/not-a-url",
        smtp_url=smtp_receiver.url(user="alerts", password=SMTP_PASSWORD),
        email_from="tradewatch@example.test",
        email_to="desk@example.test",
    )
    _queue(alert_db, 1)
    report = deliver_pending(alert_db, settings, None, "w", now=T0, sleep=lambda s: None)  # builds the senders itself
    assert report.by_channel["slack"]["retry_later"] == 1 and report.by_channel["email"]["sent"] == 2
    assert "not-a-url" not in " ".join(report.errors)  # the URL (a secret) is not repeated
    assert any("not an http(s) URL" in (s[3] or "") for s in _states(alert_db) if s[1] == "slack")
