"""Templates and channel settings: Slack escaping, SMTP URLs, no secret in a repr or an error."""

from __future__ import annotations

import pytest

from alerts.channels import DeliveryError, EmailSender, SlackSender, parse_smtp_url
from alerts.model import Alert, fmt_usd
from alerts.render import mrkdwn_escape, render_slack, slack_link
from tradewatch.errors import ConfigError


def test_mrkdwn_escaping_neutralises_control_sequences():
    assert (
        mrkdwn_escape("a & b <!channel> <@U123|bob> <https://evil|x>")
        == "a &amp; b &lt;!channel&gt; &lt;@U123|bob&gt; &lt;https://evil|x&gt;"
    )
    assert mrkdwn_escape("ping @here and @channel") == "ping @\u200bhere and @\u200bchannel"
    assert slack_link("javascript:alert(1)") == "javascript:alert(1)"
    assert slack_link("https://a.example/x?a=1&b=<2>|3", "src") == "<https://a.example/x?a=1&amp;b=%3C2%3E%7C3|src>"


def test_slack_payload_is_valid_block_kit_with_fallback(registry):
    a = Alert(
        rule="r",
        severity="info",
        title='He said "hi" \\ <b>',
        message="line one\nline two",
        dedup_key="r:1",
        figures={"VNM": {"rank": 3, "value_usd": 10}},
        previous={"VNM": {"rank": 4, "value_usd": 9}},
        period="2026-10",
    )
    p = render_slack(a, registry)
    assert p["text"] == "line one\nline two"
    assert p["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": 'He said "hi" \\ &lt;b&gt;', "emoji": False},
    }
    assert p["blocks"][2]["fields"][0]["text"] == "*Vietnam*\n#3, $10 (was #4, $9)"


@pytest.mark.parametrize(
    "url,host,port,ssl,starttls,user",
    [
        ("smtp://user:pa%40ss@mail.example:587?starttls=true", "mail.example", 587, False, True, "user"),
        ("smtp://mail.example:587", "mail.example", 587, False, True, None),
        ("smtps://user:pw@mail.example", "mail.example", 465, True, False, "user"),
        ("smtp://127.0.0.1:2525", "127.0.0.1", 2525, False, False, None),
        ("smtp://u:p@127.0.0.1:2525", "127.0.0.1", 2525, False, False, "u"),
    ],
)
def test_smtp_urls(url, host, port, ssl, starttls, user):
    c = parse_smtp_url(url)
    assert (c.host, c.port, c.ssl, c.starttls, c.username) == (host, port, ssl, starttls, user)
    assert "pw" not in repr(c) and "pa@ss" not in repr(c) and "pa%40ss" not in repr(c)


def test_smtp_url_refuses_a_password_in_clear_to_a_remote_host():
    with pytest.raises(ConfigError) as e:
        parse_smtp_url("smtp://user:topsecret@mail.example:25")
    assert "topsecret" not in str(e.value) and "smtp://mail.example:25" in str(e.value)
    with pytest.raises(ConfigError) as e:
        parse_smtp_url("http://user:topsecret@mail.example")
    assert "topsecret" not in str(e.value)


def test_unreachable_webhook_error_names_the_host_only():
    from tests.fixtures.receivers import free_port

    s = SlackSender(f"http://127.0.0.1:{free_port()}/services/T1/B2/secretpath", timeout=2, connect_timeout=2)
    with pytest.raises(DeliveryError) as e:
        s.post({"text": "x"})
    assert "secretpath" not in str(e.value) and "127.0.0.1" in str(e.value) and not e.value.permanent
    assert "secretpath" not in repr(s)
    em = EmailSender("smtp://u:hunter22@127.0.0.1:1", "a@b.test", ["c@d.test"])
    assert "hunter22" not in repr(em)


def test_money():
    assert [fmt_usd(v) for v in (6_510_000_000, -300_000_000, 85_400_000, 12_345, None)] == [
        "$6.51 bn",
        "-$300 m",
        "$85.4 m",
        "$12,345",
        "n/a",
    ]
