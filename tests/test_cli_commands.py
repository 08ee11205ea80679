"""The reading commands and the quarantine decisions, through the CLI (in process, no Prefect)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from db import Database
from db.quarantine import get_quarantine, quarantine_batch
from db.store import store_batch_atomic
from tests.db.test_quarantine import FakeBatch, figures, spike_report
from tradewatch.cli import app
from tradewatch.model import Flow, Observation, Period


@pytest.fixture
def env(settings, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_DATA_DIR", str(settings.data_dir))
    return Database(settings.database_url)


def run(*args):
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return result


def test_quarantine_list_show_accept_reject(env):
    with env.transaction() as s:
        a = quarantine_batch(s, FakeBatch("releases:motie", "motie 2026-11-01", figures()), spike_report(), "run-1").id
        b = quarantine_batch(s, FakeBatch("kcs", "kcs b", figures(period="2026-09")), spike_report(), "run-1").id
    listed = run("quarantine", "list")
    assert f"#{a}" in listed.output and f"#{b}" in listed.output and "pending" in listed.output
    shown = run("quarantine", "show", str(a))
    assert "motie 2026-11-01" in shown.output and "failed:" in shown.output
    assert run("quarantine", "accept", str(a), "-m", "checked against the PDF").exit_code == 0
    assert run("quarantine", "reject", str(b), "-m", "a unit error at the source").exit_code == 0
    again = run("quarantine", "accept", str(a), "-m", "twice")
    assert again.exit_code == 2
    with env.session() as s:
        assert (
            get_quarantine(s, a).state == "accepted" and get_quarantine(s, a).decision_note == "checked against the PDF"
        )
        assert get_quarantine(s, b).state == "rejected"
    out = run("figures", "--source", "motie", "--json").output.strip().splitlines()  # the accepted batch is stored
    assert len(out) == 2 and all(json.loads(line)["source"] == "motie" for line in out)


def test_figures_ranking_and_alerts_forms(env):
    obs = []
    for partner, total in (("CHN", 20), ("USA", 15), ("VNM", 7), ("JPN", 6), ("WLD", 60)):
        for flow, value in (
            (Flow.EXPORT, total * 6),
            (Flow.IMPORT, total * 4),
            (Flow.BALANCE, total * 2),
            (Flow.TOTAL, total * 10),
        ):
            obs.append(Observation("KOR", partner, flow, Period.parse("2026-10"), value * 100_000_000, "kcs"))
    store_batch_atomic(env, obs)
    rows = [json.loads(line) for line in run("ranking", "--json").output.strip().splitlines()]
    assert [(r["rank"], r["partner"]) for r in rows] == [
        (1, "CHN"),
        (2, "USA"),
        (3, "VNM"),
        (4, "JPN"),
    ]  # WLD never ranks
    assert set(rows[0]) == {"reporter", "flow", "period", "rank", "partner", "value_usd"}
    figs = [
        json.loads(line)
        for line in run("figures", "--partner", "VNM", "--flow", "balance", "--json").output.strip().splitlines()
    ]
    assert figs == [
        {
            **figs[0],
            "reporter": "KOR",
            "partner": "VNM",
            "flow": "balance",
            "period": "2026-10",
            "value_usd": 1_400_000_000,
        }
    ]
    assert {"source", "source_url", "published_at", "fetched_at", "commodity"} <= set(figs[0])
    csv_out = run("figures", "--reporter", "KOR", "--csv").output.splitlines()
    assert csv_out[0].startswith("reporter,partner,flow,period") and len(csv_out) == 1 + 20
    assert run("alerts", "--json").output.strip() == ""
    status = json.loads(run("status", "--json").output)
    assert status["figures_stored"] == 20


def test_config_never_prints_secrets(env, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_SLACK_WEBHOOK_URL", "https://hooks.slack.com/services/T/B/SUPERSECRET")
    monkeypatch.setenv("TRADEWATCH_SMTP_URL", "smtp://u:PASSW0RDX@127.0.0.1:25")
    out = run("config").output
    assert "SUPERSECRET" not in out and "PASSW0RDX" not in out and "slack_webhook_url = (set)" in out


def test_bad_month_is_a_clear_error(env):
    r = CliRunner().invoke(app, ["backfill", "--start", "2019-13", "--end", "2019-12"])
    assert r.exit_code == 2 and "invalid month 2019-13" in r.output


def test_config_names_the_secret_block_not_a_value(env, monkeypatch):
    monkeypatch.setenv("TRADEWATCH_SLACK_WEBHOOK_URL", "block:slack-webhook")
    out = run("config").output
    assert "slack_webhook_url = (Prefect Secret block 'slack-webhook')" in out


def test_status_shows_a_channel_that_cannot_deliver(env, settings):
    from alerts import quality_alert
    from alerts.deliver import deliver_pending
    from db.outbox import write_alerts
    from tradewatch.config import load_settings

    with env.transaction() as s:
        write_alerts(s, [quality_alert("kcs", "kcs 2026-10", ["range"], None, "run-1")], ["slack"], "run-1")
    broken = load_settings(data_dir=settings.data_dir, slack_webhook_url="block:slack-webhook").with_secrets(
        lambda name: (_ for _ in ()).throw(LookupError(name))
    )
    deliver_pending(env, broken, sleep=lambda s: None)
    out = " ".join(run("status").output.split())  # as read, whatever the terminal's width
    assert "slack failing" in out and "Prefect Secret block 'slack-webhook'" in out
    st = json.loads(run("status", "--json").output)
    assert st["pending_deliveries"]["slack"] == 1 and "slack-webhook" in st["channel_errors"]["slack"]["error"]
