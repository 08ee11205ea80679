"""Secrets: a Slack webhook URL, an SMTP password and a KCS service key, configured with
distinctive values, appear in no log line, exception, alert, artifact, archived snapshot
metadata, file of the data directory or database row — after a demo-like replay run, a
failing run (gateway errors, 500s, a Slack webhook answering 500, a refused SMTP login)
and a run in a subprocess against the test servers."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.env import clean_env, isolate_settings
from tests.fixtures.fault_server import Fault, fault_server
from tests.fixtures.receivers import HttpReceiver, SmtpReceiver
from tests.reliability.conftest import dump_all_tables, make_settings, nightly
from tradewatch import samples

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

WEBHOOK_TOKEN = "tw-webhook-secret-5c1f9e"
SMTP_PASSWORD = "tw-smtp-pass-8d2b7a"
KCS_KEY = "tw-kcs-key-3e9f6c1d"
SECRETS = (WEBHOOK_TOKEN, SMTP_PASSWORD, KCS_KEY)


def _leaks(text: str) -> list[str]:
    return [s for s in SECRETS if s in text]


def test_no_secret_appears_anywhere(baseline_template, tmp_path, monkeypatch, caplog):
    from db import Database
    from flows import pipeline as p
    from flows.artifacts import summary_markdown

    isolate_settings(monkeypatch, tmp_path)
    caplog.set_level(logging.DEBUG)
    data = tmp_path / "data"
    shutil.copytree(baseline_template, data)
    scanned: dict[str, int] = {}
    texts: list[tuple[str, str]] = []

    def scan(kind: str, text: str) -> None:
        scanned[kind] = scanned.get(kind, 0) + 1
        texts.append((kind, text))

    with (
        fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2, service_key=KCS_KEY) as srv,
        HttpReceiver() as slack,
        SmtpReceiver(credentials=("alerts", SMTP_PASSWORD)) as smtp,
    ):
        webhook = slack.url(f"/services/T0TW/B0TW/{WEBHOOK_TOKEN}")
        good = dict(
            slack_webhook_url=webhook,
            smtp_url=smtp.url(user="alerts", password=SMTP_PASSWORD),
            email_from="tw@example.test",
            email_to=["desk@example.test"],
            kcs_service_key=KCS_KEY,
        )
        settings = make_settings(data, srv.url, **good)

        # 1. demo-like: night 2 replayed from the sample archive, alerts delivered
        replay_settings = make_settings(data, None, **good)  # the official URLs: the archive's request keys
        run = p.open_run(
            replay_settings,
            "nightly",
            {"replay": "sample"},
            replay=samples.SAMPLE_ARCHIVE,
            as_of=samples.NIGHT2,
            today=samples.NIGHT2.date(),
        )
        p.run_windows(run, p.plan(run, ["kcs"]))
        p.close_sources(run)
        p.deliver(run)
        replayed = p.finish_run(run)
        assert replayed.alerts and len(slack.requests) == len(replayed.alerts) and smtp.mails

        # 2. the live night, with the key the server requires: fetched and stored
        live = nightly(settings)
        assert live.to_dict()["sources"]["kcs"]["errors"] == []
        assert any(f"serviceKey={KCS_KEY}" in q for q in srv.seen_queries)  # the key did go over the wire

        # 3. failing: gateway errors and 500s, a webhook answering 500, a refused SMTP login
        srv.plan(
            Fault("gateway", path="nationtrade"),
            Fault("gateway_quota", path="Newtrade"),
            Fault("http500", path="nitemtrade"),
        )
        slack.answer(500, 500, 500)
        bad = make_settings(
            data,
            srv.url,
            **{
                **good,
                "smtp_url": smtp.url(user="alerts", password=SMTP_PASSWORD + "-wrong"),
                "kcs_service_key": KCS_KEY,
            },
        )
        failing = []
        for _ in range(3):  # three failed nights: a health alert, which fails to go out
            failing.append(nightly(bad, today=samples.NIGHT2.date()))
        assert failing[-1].to_dict()["sources"]["kcs"]["status"] == "failed"
        srv.clear()
        p_fail = nightly(bad)  # delivers (and fails to deliver) what the failing nights raised
        assert any(
            "SMTP" in e or "smtp" in e or "auth" in e.lower() for e in p_fail.to_dict()["deliveries"].get("errors", [])
        )

        # 4. a run in a subprocess: everything it prints, at DEBUG
        env = clean_env()
        env.update(
            TRADEWATCH_CONFIG=str(tmp_path / "absent.toml"),
            TRADEWATCH_SLACK_WEBHOOK_URL=webhook,
            TRADEWATCH_SMTP_URL=smtp.url(user="alerts", password=SMTP_PASSWORD),
            TRADEWATCH_EMAIL_TO="desk@example.test",
            TRADEWATCH_EMAIL_FROM="tw@example.test",
            TRADEWATCH_KCS_SERVICE_KEY=KCS_KEY,
            PYTHONPATH=str(ROOT),
            GX_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
        )
        srv.plan(Fault("http503", attempts=(1,)), Fault("gateway", path="Newtrade"))
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.reliability.night_runner",
                "--data-dir",
                str(data),
                "--kcs-url",
                srv.url,
                "--log-level",
                "DEBUG",
            ],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert proc.stderr.count("\n") > 5  # it did log
        scan("subprocess output", proc.stdout + proc.stderr)
        for r in slack.requests:
            scan("slack message", r.path.replace(WEBHOOK_TOKEN, "") + r.body.decode("utf-8", "replace"))
        for m in smtp.mails:
            scan("email", m.data.decode("utf-8", "replace"))

    for rec in caplog.records:
        scan("log record", rec.getMessage() + (rec.exc_text or ""))
    for s in [replayed, live, *failing, p_fail]:
        scan("run summary", repr(s.to_dict()))
        scan("artifact", summary_markdown(s))
        for o in s.sources.values():
            for e in o.errors:
                scan("exception text", e)
    for f in (data / "archive" / "requests").glob("*/*/*.json"):
        scan("snapshot metadata", f.read_text(encoding="utf-8"))
    for f in data.rglob("*"):
        if f.is_file() and f.suffix != ".db" and "requests" not in f.parts:
            scan("data file", f.read_bytes().decode("utf-8", "replace"))
    db = Database(settings.database_url)
    try:
        for line in dump_all_tables(db).splitlines():
            scan("database row", line)
    finally:
        db.dispose()

    found = [(kind, _leaks(t), t[:300]) for kind, t in texts if _leaks(t)]
    assert found == [], found[:5]
    assert scanned["database row"] > 50_000 and scanned["log record"] > 20 and scanned["snapshot metadata"] > 40
    print("\nsecrets scan:", sum(scanned.values()), "texts:", dict(sorted(scanned.items())))
