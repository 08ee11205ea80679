"""Send what the outbox holds: claim, send with retries and back-off, record; exactly once.

One call per run (after the run's alerts are committed). Each pending delivery
of a configured channel is claimed atomically, sent (retried inside the run up
to ``delivery_attempts`` times with exponential back-off, honouring a Slack
``Retry-After``), and recorded at once, in its own transaction: ``sent``, or back
to ``pending`` with its error and next attempt time for the next run (``failed``
only when the channel refused the message itself). Alerts below a channel's
minimum severity are recorded ``suppressed`` for that channel. With
``settings.digest`` each channel gets one message per run with every alert.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from alerts.channels import DeliveryError, EmailSender, Sender, SlackSender, redact
from alerts.model import Alert, severity_at_least
from db import outbox
from db.models import AlertRow
from tradewatch.model import CountryRegistry, utcnow

log = logging.getLogger(__name__)

RETRY_AFTER_MAX = 30.0


@dataclass
class DeliveryReport:
    worker_id: str
    channels: list[str] = field(default_factory=list)
    claimed: int = 0
    sent: int = 0
    retry_later: int = 0  # still pending, for the next run
    failed: int = 0  # refused for good (state failed)
    suppressed: int = 0  # below the channel's minimum severity
    messages: int = 0  # messages that went out (a digest is one)
    attempts: int = 0
    errors: list[str] = field(default_factory=list)
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, channel: str, what: str, n: int = 1) -> None:
        d = self.by_channel.setdefault(channel, {"sent": 0, "retry_later": 0, "failed": 0, "suppressed": 0})
        d[what] = d.get(what, 0) + n
        setattr(self, what, getattr(self, what) + n)


def default_worker_id() -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def build_senders(
    settings: Any, *, chart: Callable[[Alert], bytes | None] | None = None, registry: CountryRegistry | None = None
) -> dict[str, Sender]:
    """The channels the settings configure: Slack with a webhook URL; email with an SMTP URL and recipients."""
    out: dict[str, Sender] = {}
    if settings.slack_webhook_url is not None and settings.slack_webhook_url.get_secret_value():
        out["slack"] = SlackSender(
            settings.slack_webhook_url,
            timeout=settings.read_timeout if settings.read_timeout < 30 else 15.0,
            connect_timeout=min(settings.connect_timeout, 10.0),
            registry=registry,
        )
    if settings.smtp_url is not None and settings.smtp_url.get_secret_value() and settings.email_to:
        out["email"] = EmailSender(
            settings.smtp_url, settings.email_from, settings.email_to, chart=chart, registry=registry
        )
    return out


def deliver_pending(
    db: Any,
    settings: Any,
    senders: Mapping[str, Sender] | None = None,
    worker_id: str | None = None,
    *,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    limit: int = 500,
    chart: Callable[[Alert], bytes | None] | None = None,
    registry: CountryRegistry | None = None,
) -> DeliveryReport:
    """Deliver every due pending delivery of the configured channels; return what happened.

    ``senders`` (channel → sender) default to the channels ``settings`` configure;
    ``chart`` is an optional hook giving a PNG for an alert (inlined in emails).
    """
    senders = dict(senders) if senders is not None else build_senders(settings, chart=chart, registry=registry)
    worker_id = (worker_id or default_worker_id())[:64]
    report = DeliveryReport(worker_id=worker_id, channels=sorted(senders))
    if not senders:
        return report
    secrets = list(settings.secrets()) if hasattr(settings, "secrets") else []
    claim_time = now or utcnow()
    with db.transaction() as s:
        claimed = outbox.claim_pending(s, worker_id, claim_time, limit, channels=list(senders))
        ids = sorted({c.alert_id for c in claimed})
        alerts = (
            {r.id: Alert.from_row(r) for r in s.execute(select(AlertRow).where(AlertRow.id.in_(ids))).scalars()}
            if ids
            else {}
        )
    report.claimed = len(claimed)

    by_channel: dict[str, list[outbox.Claimed]] = defaultdict(list)
    for c in claimed:
        by_channel[c.channel].append(c)

    for channel, items in by_channel.items():
        sender = senders[channel]
        minimum = getattr(settings, f"{channel}_min_severity", "info") or "info"
        due = []
        for c in items:
            if severity_at_least(alerts[c.alert_id].severity, minimum):
                due.append(c)
            else:
                with db.transaction() as s:
                    outbox.mark_suppressed(
                        s,
                        c.delivery_id,
                        worker_id,
                        f"severity {alerts[c.alert_id].severity} below {channel}_min_severity={minimum}",
                    )
                report.count(channel, "suppressed")
        if getattr(settings, "digest", False):
            size = max(1, getattr(sender, "max_batch", 1))
            batches = [due[i : i + size] for i in range(0, len(due), size)]
        else:
            batches = [[c] for c in due]
        for batch in batches:
            _send_batch(
                db,
                settings,
                sender,
                channel,
                batch,
                [alerts[c.alert_id] for c in batch],
                worker_id,
                report,
                secrets,
                now,
                sleep,
            )
    return report


def _send_batch(
    db,
    settings,
    sender: Sender,
    channel: str,
    batch: Sequence[outbox.Claimed],
    alerts: list[Alert],
    worker_id: str,
    report: DeliveryReport,
    secrets: list[str],
    now: datetime | None,
    sleep,
) -> None:
    attempts = max(1, int(getattr(settings, "delivery_attempts", 3)))
    base = float(getattr(settings, "backoff_base", 1.0))
    cap = float(getattr(settings, "backoff_max", 60.0))
    error: DeliveryError | None = None
    tried = 0
    label = alerts[0].dedup_key if len(alerts) == 1 else f"digest of {len(alerts)} alerts"
    for i in range(attempts):
        tried += 1
        try:
            sender.deliver(alerts)
            error = None
            break
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a rendering or programming error: record it, keep the alert
            error = DeliveryError(channel, f"{type(exc).__name__}: {exc}")
        msg = redact(str(error), secrets)
        log.warning("delivery of %s via %s failed (attempt %d/%d): %s", label, channel, i + 1, attempts, msg)
        if error.permanent or i == attempts - 1:
            break
        delay = min(base * (2**i), cap)
        if error.retry_after is not None:
            delay = min(max(delay, error.retry_after), RETRY_AFTER_MAX)
        sleep(delay)
    report.attempts += tried
    with db.transaction() as s:
        if error is None:
            report.messages += 1
            for c in batch:
                if outbox.mark_sent(s, c.delivery_id, worker_id, now or utcnow(), attempts=tried):
                    report.count(channel, "sent")
            log.info("sent %s via %s", label, channel)
            return
        text = redact(str(error), secrets)
        report.errors.append(text)
        for c in batch:
            outbox.mark_failed(
                s, c.delivery_id, worker_id, text, now or utcnow(), attempts=tried, permanent=error.permanent
            )
            report.count(channel, "failed" if error.permanent else "retry_later")
