"""Alerts rendered through Jinja2 templates with named fields: text, Slack Block Kit, email.

Two environments: one for plain text and JSON (no HTML escaping; Slack text goes
through the ``mrkdwn`` filter, every JSON value through ``tojson``) and one for
HTML (autoescape on). Text that came from a scraped page (a quote, an error, a
URL) is never trusted: Slack's control characters ``& < >`` are escaped, which
also neutralises ``<!channel>``, ``<!here>`` and ``<@U…>`` mentions, and bare
``@channel``/``@here``/``@everyone`` are broken with a zero-width space.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.model import Alert, fmt_figure, label_for
from tradewatch.model import CountryRegistry

SLACK_BLOCKS_PER_MESSAGE = 50
SLACK_ALERTS_PER_MESSAGE = 12  # 4 blocks an alert + header: well under Slack's 50
SLACK_HEADER_MAX = 150
SLACK_SECTION_MAX = 3000
SUBJECT_MAX = 180

_ZWSP = "\u200b"
_BARE_MENTION = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


def mrkdwn_escape(text: Any) -> str:
    """Slack mrkdwn-safe text: ``& < >`` escaped, bare @channel/@here/@everyone broken."""
    s = "" if text is None else str(text)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BARE_MENTION.sub(lambda m: "@" + _ZWSP + m.group(1), s)


def safe_url(url: Any) -> str | None:
    """An http(s) URL with the characters Slack and HTML treat specially percent-encoded; else None."""
    if not url:
        return None
    s = str(url).strip()
    if urlsplit(s).scheme not in ("http", "https"):
        return None
    return quote(s, safe=":/?#[]@!$&'()*+,;=%~-._")


def slack_link(url: Any, label: str = "link") -> str:
    """``<url|label>`` for an http(s) URL; the escaped text itself for anything else."""
    u = safe_url(url)
    if u is None:
        return mrkdwn_escape(url) if url else ""
    return f"<{u.replace('&', '&amp;')}|{mrkdwn_escape(label).replace('|', '¦')}>"


def one_line(text: Any, limit: int | None = None) -> str:
    s = re.sub(r"[\r\n\t]+", " ", "" if text is None else str(text)).strip()
    if limit and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return s


def _truncate(text: Any, limit: int) -> str:
    s = "" if text is None else str(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


@functools.cache
def _text_env() -> Environment:
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(mrkdwn=mrkdwn_escape, slack_link=slack_link, one_line=one_line, truncate_to=_truncate)
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    return env


@functools.cache
def _html_env() -> Environment:
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(safe_url=safe_url, one_line=one_line)
    return env


def render_message(rule: str, **fields: Any) -> str:
    """The one-sentence message of a rule, from ``templates/messages/<rule>.txt.j2``."""
    text = _text_env().get_template(f"messages/{rule}.txt.j2").render(**fields)
    return re.sub(r"[ \t]*\n[ \t]*", " ", text).strip()


# --- the view every channel template reads ------------------------------------------------------


@dataclass(frozen=True)
class AlertView:
    rule: str
    severity: str
    title: str
    message: str
    period: str | None
    previous_period: str | None
    maturity: str | None
    source: str | None
    source_url: str | None
    snapshot_sha256: str | None
    dedup_key: str
    rows: list[tuple[str, str, str]]

    @classmethod
    def of(cls, a: Alert, registry: CountryRegistry | None = None) -> AlertView:
        return cls(
            rule=a.rule,
            severity=a.severity,
            title=one_line(a.title),
            message=a.message,
            period=a.period,
            previous_period=a.previous_period,
            maturity=a.maturity,
            source=a.source,
            source_url=a.source_url,
            snapshot_sha256=a.snapshot_sha256,
            dedup_key=a.dedup_key,
            rows=a.figure_rows(registry),
        )


def _views(alerts: Sequence[Alert], registry: CountryRegistry | None) -> list[AlertView]:
    return [AlertView.of(a, registry) for a in alerts]


def _heading(alerts: Sequence[Alert]) -> str:
    if len(alerts) == 1:
        return one_line(alerts[0].title)
    worst = max(alerts, key=lambda a: ("info", "warning", "critical").index(a.severity)).severity
    return f"tradewatch: {len(alerts)} alerts ({worst} and below)"


def render_text(alerts: Sequence[Alert] | Alert, registry: CountryRegistry | None = None) -> str:
    """Plain text of one alert or a digest: the console, the email text part, logs."""
    items = [alerts] if isinstance(alerts, Alert) else list(alerts)
    return (
        _text_env().get_template("alert.txt.j2").render(heading=_heading(items), alerts=_views(items, registry)).strip()
        + "\n"
    )


def render_slack(alerts: Sequence[Alert] | Alert, registry: CountryRegistry | None = None) -> dict[str, Any]:
    """A Slack incoming-webhook payload: Block Kit ``blocks`` plus a plain ``text`` fallback."""
    items = [alerts] if isinstance(alerts, Alert) else list(alerts)
    if len(items) > SLACK_ALERTS_PER_MESSAGE:
        raise ValueError(f"at most {SLACK_ALERTS_PER_MESSAGE} alerts fit one Slack message; got {len(items)}")
    out = (
        _text_env()
        .get_template("slack.json.j2")
        .render(
            heading=_truncate(_heading(items), SLACK_HEADER_MAX),
            alerts=_views(items, registry),
            section_max=SLACK_SECTION_MAX,
        )
    )
    payload = json.loads(out)
    if len(payload.get("blocks", [])) > SLACK_BLOCKS_PER_MESSAGE:
        raise ValueError("Slack message has too many blocks")
    return payload


def render_email(
    alerts: Sequence[Alert] | Alert,
    registry: CountryRegistry | None = None,
    *,
    chart_cids: dict[str, str] | None = None,
) -> tuple[str, str, str]:
    """(subject, text, html) for one alert or a digest. ``chart_cids``: dedup_key → Content-ID."""
    items = [alerts] if isinstance(alerts, Alert) else list(alerts)
    views = _views(items, registry)
    if len(items) == 1:
        subject = f"[tradewatch {items[0].severity}] {one_line(items[0].title)}"
    else:
        subject = f"[tradewatch] {len(items)} alerts: " + "; ".join(one_line(a.title) for a in items[:3])
    subject = one_line(subject, SUBJECT_MAX)
    text = _text_env().get_template("email.txt.j2").render(heading=_heading(items), alerts=views)
    html = (
        _html_env().get_template("email.html.j2").render(heading=_heading(items), alerts=views, cids=chart_cids or {})
    )
    return subject, text.strip() + "\n", html


def describe_rows(
    a: Alert, registry: CountryRegistry | None = None
) -> list[tuple[str, str, str]]:  # pragma: no cover - thin alias
    return a.figure_rows(registry)


__all__ = [
    "AlertView",
    "fmt_figure",
    "label_for",
    "mrkdwn_escape",
    "render_email",
    "render_message",
    "render_slack",
    "render_text",
    "safe_url",
    "slack_link",
]
