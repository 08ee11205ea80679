"""The two channels: a Slack incoming webhook (httpx) and email over SMTP (smtplib).

Why not Prefect's notification blocks or apprise: apprise refuses a plain
``http://127.0.0.1`` webhook (so it cannot be tested against a local receiver),
its ``notify()`` swallows failures (so an outbox could not know a message was
lost), and both would bypass our dedup. A webhook is one JSON POST; httpx does it
with explicit timeouts and raises on anything but 2xx. smtplib is the standard
library and handles STARTTLS, SSL and AUTH.

No error raised here contains the webhook URL (its path is the secret) or the
SMTP password: messages are built from the status, the server's reply and the
host only, and passed through ``redact`` with every known secret.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import smtplib
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

import httpx

from alerts.model import Alert
from alerts.render import SLACK_ALERTS_PER_MESSAGE, render_email, render_slack
from tradewatch.errors import ConfigError, TradewatchError
from tradewatch.model import CountryRegistry

log = logging.getLogger(__name__)

ChartHook = Callable[[Alert], "bytes | None"]


class DeliveryError(TradewatchError):
    """A channel did not take the message. ``permanent``: sending the same message again cannot work."""

    def __init__(self, channel: str, message: str, *, permanent: bool = False, retry_after: float | None = None):
        self.channel = channel
        self.permanent = permanent
        self.retry_after = retry_after
        super().__init__(f"{channel}: {message}")


def redact(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every secret (longest first) replaced by ``***``."""
    out = text or ""
    for s in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        out = out.replace(s, "***")
    return out


def _secret(v: Any) -> str:
    if v is None:
        return ""
    return v.get_secret_value() if hasattr(v, "get_secret_value") else str(v)


class _RedactSecrets(logging.Filter):
    """Rewrites records of the HTTP libraries that would print a webhook URL (httpx logs every request's URL)."""

    def __init__(self) -> None:
        super().__init__("tradewatch-redact")
        self.secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            try:
                text = record.getMessage()
            except Exception:  # a malformed record is not ours to fix
                return True
            clean = redact(text, self.secrets)
            if clean != text:
                record.msg, record.args = clean, ()
        return True


_REDACT = _RedactSecrets()
for _name in ("httpx", "httpcore.http11", "httpcore.http2", "httpcore.connection", "httpcore.proxy"):
    _lg = logging.getLogger(_name)
    if not any(isinstance(f, _RedactSecrets) for f in _lg.filters):
        _lg.addFilter(_REDACT)


def register_secret(*values: str) -> None:
    """Keep these values out of the HTTP libraries' log records."""
    _REDACT.secrets.update(v for v in values if v and len(v) >= 4)


class Sender(Protocol):
    channel: str
    max_batch: int

    def deliver(self, alerts: Sequence[Alert]) -> None: ...


# --- Slack ---------------------------------------------------------------------------------------


class SlackSender:
    """Posts Block Kit messages to one incoming webhook."""

    channel = "slack"
    max_batch = SLACK_ALERTS_PER_MESSAGE

    def __init__(
        self,
        webhook_url: Any,
        *,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        registry: CountryRegistry | None = None,
        transport: httpx.BaseTransport | None = None,
    ):
        url = _secret(webhook_url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError("TRADEWATCH_SLACK_WEBHOOK_URL is not an http(s) URL")
        self._url = url
        self._secrets = [url, parts.path] if len(parts.path) > 1 else [url]
        register_secret(*self._secrets)
        self.host = parts.hostname or "?"
        self.registry = registry
        self._timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self._transport = transport

    def __repr__(self) -> str:
        return f"SlackSender(host={self.host!r})"

    def render(self, alerts: Sequence[Alert]) -> dict[str, Any]:
        return render_slack(list(alerts), self.registry)

    def deliver(self, alerts: Sequence[Alert]) -> None:
        self.post(self.render(alerts))

    def post(self, payload: dict[str, Any]) -> None:
        try:
            with httpx.Client(timeout=self._timeout, transport=self._transport, follow_redirects=False) as c:
                r = c.post(self._url, json=payload, headers={"User-Agent": "tradewatch"})
        except httpx.TimeoutException as exc:
            raise DeliveryError("slack", f"webhook at {self.host} timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:
            detail = redact(str(exc), self._secrets)
            raise DeliveryError(
                "slack", f"webhook at {self.host} unreachable: {type(exc).__name__}: {detail}"
            ) from None
        if 200 <= r.status_code < 300:
            return
        body = redact(r.text[:200].strip(), self._secrets)
        retry_after = None
        if r.status_code == 429:
            try:
                retry_after = float(r.headers.get("Retry-After", ""))
            except ValueError:
                retry_after = None
        # 400 (invalid_payload, invalid_blocks...) and 413: these bytes will never be accepted.
        permanent = r.status_code in (400, 413)
        raise DeliveryError(
            "slack",
            f"webhook at {self.host} answered HTTP {r.status_code}: {body or '(empty body)'}",
            permanent=permanent,
            retry_after=retry_after,
        )


# --- email ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """``smtp://user:pass@host:587?starttls=true`` or ``smtps://user:pass@host:465``, parsed."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ssl: bool = False
    starttls: bool = False
    timeout: float = 30.0

    @property
    def where(self) -> str:
        return f"{'smtps' if self.ssl else 'smtp'}://{self.host}:{self.port}"

    def secrets(self) -> list[str]:
        return [s for s in (self.password,) if s]


def _truthy(v: str) -> bool:
    return v.strip().lower() in ("1", "true", "yes", "on")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_smtp_url(url: Any) -> SmtpConfig:
    raw = _secret(url)
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        raise ConfigError(
            "TRADEWATCH_SMTP_URL is malformed (expected smtp://user:pass@host:port?starttls=true)"
        ) from None
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("TRADEWATCH_SMTP_URL must be smtp://… or smtps://… with a host")
    q = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    use_ssl = scheme == "smtps" or _truthy(q.get("ssl", ""))
    port = port or (465 if use_ssl else 587 if _truthy(q.get("starttls", "")) else 25)
    starttls = _truthy(q["starttls"]) if "starttls" in q else (port == 587 and not use_ssl)
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    cfg = SmtpConfig(
        parts.hostname, port, username, password, use_ssl, starttls and not use_ssl, float(q.get("timeout", 30.0))
    )
    if (
        cfg.username
        and not (cfg.ssl or cfg.starttls)
        and not _is_loopback(cfg.host)
        and not _truthy(q.get("insecure", ""))
    ):
        raise ConfigError(
            f"TRADEWATCH_SMTP_URL ({cfg.where}) would send the password unencrypted: "
            "use smtps://, ?starttls=true, or ?insecure=true if you really mean it"
        )
    return cfg


class EmailSender:
    """Multipart text + HTML mail over SMTP, with an optional inline PNG chart per alert."""

    channel = "email"
    max_batch = 200

    def __init__(
        self,
        smtp_url: Any,
        email_from: str | None,
        email_to: Sequence[str],
        *,
        chart: ChartHook | None = None,
        registry: CountryRegistry | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.config = parse_smtp_url(smtp_url)
        if not email_to:
            raise ConfigError("TRADEWATCH_EMAIL_TO is empty: no one to send alerts to")
        self.email_from = email_from or "tradewatch@localhost"
        self.email_to = list(email_to)
        self.chart = chart
        self.registry = registry
        self._ssl_context = ssl_context
        self._secrets = [*self.config.secrets(), _secret(smtp_url)]

    def __repr__(self) -> str:
        return f"EmailSender({self.config.where}, to={self.email_to!r})"

    def build(self, alerts: Sequence[Alert]) -> EmailMessage:
        alerts = list(alerts)
        images: list[tuple[str, bytes]] = []
        cids: dict[str, str] = {}
        if self.chart is not None:
            for a in alerts:
                try:
                    png = self.chart(a)
                except Exception as exc:  # a chart is a nicety: never lose the alert over it
                    log.warning("chart for %s failed: %s: %s", a.dedup_key, type(exc).__name__, exc)
                    continue
                if png:
                    cid = make_msgid(domain="tradewatch")[1:-1]
                    cids[a.dedup_key] = cid
                    images.append((cid, png))
        subject, text, html = render_email(alerts, self.registry, chart_cids=cids)
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = self.email_from
        msg["To"] = ", ".join(self.email_to)
        msg["Date"] = formatdate(localtime=False, usegmt=True)
        keys = "\n".join(a.dedup_key for a in alerts)
        # The same alert always has the same Message-ID: a mail client shows a (rare) resend once.
        msg["Message-ID"] = f"<{hashlib.sha256(keys.encode()).hexdigest()[:32]}@tradewatch>"
        if len(alerts) == 1:
            msg["X-Tradewatch-Alert"] = alerts[0].dedup_key
        msg.set_content(text)
        msg.add_alternative(html, subtype="html")
        if images:
            html_part = next(p for p in msg.iter_parts() if p.get_content_type() == "text/html")
            for cid, png in images:
                html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>", filename="chart.png")
        return msg

    def deliver(self, alerts: Sequence[Alert]) -> None:
        self.send(self.build(alerts))

    def send(self, msg: EmailMessage) -> None:
        c = self.config
        ctx = self._ssl_context or ssl.create_default_context()
        try:
            if c.ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=ctx)
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
            with smtp:
                smtp.ehlo()
                if c.starttls:
                    smtp.starttls(context=ctx)
                    smtp.ehlo()
                if c.username:
                    smtp.login(c.username, c.password or "")
                refused = smtp.send_message(msg, from_addr=self.email_from, to_addrs=self.email_to)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError("email", f"{c.where} refused every recipient: {self._codes(exc.recipients)}") from None
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(
                "email",
                f"{c.where} refused the login for user {c.username!r}: {exc.smtp_code} {self._text(exc.smtp_error)}",
            ) from None
        except smtplib.SMTPDataError as exc:
            raise DeliveryError(
                "email",
                f"{c.where} refused the message: {exc.smtp_code} {self._text(exc.smtp_error)}",
                permanent=exc.smtp_code >= 500,
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError("email", f"{c.where} answered {exc.smtp_code} {self._text(exc.smtp_error)}") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                "email", f"{c.where} unreachable or failed: {type(exc).__name__}: {redact(str(exc), self._secrets)}"
            ) from None
        if refused:
            log.warning("%s refused some recipients: %s", c.where, self._codes(refused))

    def _text(self, b: Any) -> str:
        s = b.decode("utf-8", "replace") if isinstance(b, bytes) else str(b)
        return redact(s.strip()[:200], self._secrets)

    def _codes(self, d: dict) -> str:
        return "; ".join(f"{k}: {v[0]} {self._text(v[1])}" for k, v in d.items())
