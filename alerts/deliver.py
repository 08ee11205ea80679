"""Send what the outbox holds: claim, send with retries and back-off, record; exactly once.

One call per run (after the run's alerts are committed). Each pending delivery
of a configured channel is claimed atomically, sent (retried inside the run up
to ``delivery_attempts`` times with exponential back-off, honouring a Slack
``Retry-After``), and recorded at once, in its own transaction: ``sent``, or back
to ``pending`` with its error and next attempt time for the next run (``failed``
only when the channel refused the message itself). Alerts below a channel's
minimum severity are recorded ``suppressed`` for that channel. With
``settings.digest`` each channel gets one message per run with every alert.

A channel that cannot be built (a malformed webhook URL, an unreadable Prefect Secret
block) does not stop the run: it becomes an ``UnavailableSender`` whose deliveries fail
with the reason and stay in the outbox, and a ``health.channel`` alert goes out on the
channels that work (once a day per broken channel). ``tradewatch status`` shows it.
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
from db.models import AlertRow, DeliveryRow
from tradewatch.config import CHANNEL_SECRETS
from tradewatch.errors import TradewatchError
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


class UnavailableSender:
    """A configured channel that cannot send (misconfigured, or its Secret block unreadable).

    Every delivery fails with ``reason`` (not permanent: it stays pending and goes out
    once the setting is mended), so nothing is lost and the run goes on.
    """

    max_batch = 1

    def __init__(self, channel: str, reason: str):
        self.channel = channel
        self.reason = reason

    def __repr__(self) -> str:
        return f"UnavailableSender({self.channel!r})"

    def deliver(self, alerts: Sequence[Alert]) -> None:
        raise DeliveryError(self.channel, f"not usable: {self.reason}")


def configured_channels(settings: Any) -> list[str]:
    """The channels the settings name (whether or not they work): their deliveries are queued."""
    out = []
    if settings.slack_webhook_url is not None and settings.slack_webhook_url.get_secret_value():
        out.append("slack")
    if settings.smtp_url is not None and settings.smtp_url.get_secret_value() and settings.email_to:
        out.append("email")
    return out


def build_senders(
    settings: Any, *, chart: Callable[[Alert], bytes | None] | None = None, registry: CountryRegistry | None = None
) -> dict[str, Sender]:
    """The channels the settings configure: Slack with a webhook URL; email with an SMTP URL and recipients.

    A channel whose settings are wrong, or whose Secret block could not be read, is an
    ``UnavailableSender`` naming why: its deliveries fail and wait, the others go out.
    """
    out: dict[str, Sender] = {}
    errors: dict[str, str] = dict(getattr(settings, "secret_errors", {}) or {})

    def build(channel: str, make: Callable[[], Sender]) -> None:
        why = errors.get(CHANNEL_SECRETS[channel])
        if why is None:
            try:
                out[channel] = make()
                return
            except TradewatchError as exc:  # ConfigError: a malformed URL, no recipients...
                why = redact(str(exc), settings.secrets() if hasattr(settings, "secrets") else [])
        log.warning("channel %s is not usable: %s", channel, why)
        out[channel] = UnavailableSender(channel, why)

    if settings.slack_webhook_url is not None and settings.slack_webhook_url.get_secret_value():
        build(
            "slack",
            lambda: SlackSender(
                settings.slack_webhook_url,
                timeout=settings.read_timeout if settings.read_timeout < 30 else 15.0,
                connect_timeout=min(settings.connect_timeout, 10.0),
                registry=registry,
            ),
        )
    if settings.smtp_url is not None and settings.smtp_url.get_secret_value() and settings.email_to:
        build(
            "email",
            lambda: EmailSender(
                settings.smtp_url, settings.email_from, settings.email_to, chart=chart, registry=registry
            ),
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
    _report_broken_channels(db, settings, senders, report, worker_id, now=now, sleep=sleep)
    return report


def _report_broken_channels(
    db, settings, senders: Mapping[str, Sender], report: DeliveryReport, worker_id: str, *, now, sleep
) -> None:
    """A channel that cannot work (misconfigured, Secret block unreadable) is said on the others, once a day.

    A channel that is merely down (a 500, a refused connection) is retried by the next
    run and shows in ``tradewatch status``; it raises no alert of its own.
    """
    broken = {ch for ch, sender in senders.items() if isinstance(sender, UnavailableSender)}
    working = {ch: s for ch, s in senders.items() if ch not in broken}
    if not broken or not working:
        return
    from alerts.health import channel_alert

    today = (now or utcnow()).date()
    with db.transaction() as s:
        alerts_ = []
        for ch in sorted(broken):
            waiting = s.execute(
                select(DeliveryRow.created_at)
                .where(DeliveryRow.channel == ch, DeliveryRow.state.in_((outbox.PENDING, outbox.SENDING)))
                .order_by(DeliveryRow.created_at)
            ).all()
            error = senders[ch].reason  # type: ignore[attr-defined]
            alerts_.append(
                channel_alert(
                    ch,
                    redact(error, settings.secrets() if hasattr(settings, "secrets") else []),
                    pending=len(waiting),
                    day=today,
                    since=waiting[0][0] if waiting else None,
                )
            )
        new = outbox.write_alerts(s, alerts_, sorted(working), report.worker_id)
    if not new:
        return
    more = deliver_pending(db, settings, working, worker_id, now=now, sleep=sleep)
    for ch, counts in more.by_channel.items():
        for what, n in counts.items():
            report.count(ch, what, n)
    report.messages += more.messages
    report.attempts += more.attempts
    report.errors.extend(more.errors)


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
    if isinstance(sender, UnavailableSender):
        attempts = 1  # it cannot work before its settings are mended: no retries within the run
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
