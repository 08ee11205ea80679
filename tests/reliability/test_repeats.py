"""Repeats and concurrency: no figure stored twice, no alert sent twice.

* ten nightly runs in a row (some meeting transient faults) send each alert once;
* two nightly runs started at the same moment, in two processes, on SQLite and on
  PostgreSQL, store each figure once and send each alert once, to a real Slack
  receiver and a real SMTP server. The database enforces it (a unique index on the
  current figure of a series, a unique dedup key per alert, a conditional claim per
  delivery); nothing here depends on timing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.env import clean_env, isolate_settings
from tests.fixtures.fault_server import Fault, fault_server
from tests.fixtures.receivers import HttpReceiver, SmtpReceiver
from tests.reliability.conftest import (
    canonical_dump,
    copy_database,
    count,
    current_figures,
    make_settings,
    nightly,
    sqlite_url,
)
from tradewatch import samples

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
REPEATS = 10


def _bodies(slack: HttpReceiver) -> list[str]:
    return [json.dumps(r.json(), sort_keys=True) for r in slack.requests]


def test_ten_nightly_runs_in_a_row_send_each_alert_once(baseline_dir, clean_night):
    from db import Database

    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2) as srv, HttpReceiver() as slack, SmtpReceiver() as smtp:
        settings = make_settings(
            baseline_dir,
            srv.url,
            slack_webhook_url=slack.url("/hook"),
            smtp_url=smtp.url(),
            email_from="tw@example.test",
            email_to=["desk@example.test"],
        )
        sent_after = []
        for i in range(REPEATS):
            # every third night the source stumbles first (retried): still nothing twice
            srv.plan(*([Fault("http503", attempts=(1,))] if i % 3 == 1 else []))
            summary = nightly(settings)
            assert summary.to_dict()["sources"]["kcs"]["errors"] == []
            sent_after.append((len(slack.requests), len(smtp.mails)))
        db = Database(settings.database_url)
        try:
            n_alerts = count(db, "SELECT count(*) FROM alerts")
            dump = canonical_dump(db)
            assert dump["observations"] == clean_night["dump"]["observations"]
        finally:
            db.dispose()
    assert n_alerts >= 2
    assert sent_after == [(n_alerts, n_alerts)] * REPEATS, sent_after
    bodies = _bodies(slack)
    assert len(set(bodies)) == len(bodies) == n_alerts
    subjects = [m.message["Subject"] for m in smtp.mails]
    assert len(set(subjects)) == len(subjects) == n_alerts


def _runner(
    data_dir: Path, kcs_url: str, db_url: str, barrier: Path, slack_url: str, smtp_url: str
) -> subprocess.Popen:
    env = clean_env()
    env.update(
        TRADEWATCH_CONFIG=str(data_dir / "absent.toml"),
        TRADEWATCH_SLACK_WEBHOOK_URL=slack_url,
        TRADEWATCH_SMTP_URL=smtp_url,
        TRADEWATCH_EMAIL_FROM="tw@example.test",
        TRADEWATCH_EMAIL_TO="desk@example.test",
        PYTHONPATH=str(ROOT),
        GX_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.reliability.night_runner",
            "--data-dir",
            str(data_dir),
            "--kcs-url",
            kcs_url,
            "--database-url",
            db_url,
            "--barrier",
            str(barrier),
            "--log-level",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_nightly_runs_at_the_same_moment_store_and_send_once(
    backend, baseline_template, tmp_path, monkeypatch, clean_night, request
):
    from db import Database

    isolate_settings(monkeypatch, tmp_path)
    data = tmp_path / "data"
    shutil.copytree(baseline_template, data)
    if backend == "sqlite":
        db_url = sqlite_url(data)
    else:
        db_url = request.getfixturevalue("pg_url")
        pg = Database(db_url)
        copy_database(sqlite_url(baseline_template), pg)
        pg.dispose()
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2) as srv, HttpReceiver() as slack, SmtpReceiver() as smtp:
        procs = [_runner(data, srv.url, db_url, barrier, slack.url("/hook"), smtp.url()) for _ in range(2)]
        deadline = time.monotonic() + 120
        while len(list(barrier.glob("ready-*"))) < 2:
            assert time.monotonic() < deadline and all(p.poll() is None for p in procs), [
                p.communicate()[1][-2000:] for p in procs if p.poll() is not None
            ]
            time.sleep(0.02)
        (barrier / "go").touch()
        results = []
        for p in procs:
            out, err = p.communicate(timeout=180)
            assert p.returncode == 0, err[-3000:]
            results.append(json.loads(out.strip().splitlines()[-1]))
        assert srv.hits() == 16  # both runs really fetched the night

    db = Database(db_url)
    try:
        figures = current_figures(db)  # raises if a series has two current figures
        dump = canonical_dump(db)
        n_alerts = count(db, "SELECT count(*) FROM alerts")
        states = count(db, "SELECT count(*) FROM deliveries WHERE state <> 'sent'")
    finally:
        db.dispose()
    assert figures == clean_night["figures"]
    assert dump["observations"] == clean_night["dump"]["observations"]  # no figure or revision stored twice
    assert [a[0] for a in dump["alerts"]] == [a[0] for a in clean_night["dump"]["alerts"]]
    stored = sum(r["new_figures"] + r["revisions"] for r in results)
    clean = clean_night["summary"]
    assert stored == clean["new_figures"] + clean["revisions"], [(r["new_figures"], r["revisions"]) for r in results]
    assert states == 0
    bodies = _bodies(slack)
    assert len(bodies) == len(set(bodies)) == n_alerts >= 2
    subjects = [m.message["Subject"] for m in smtp.mails]
    assert len(smtp.mails) == len(set(subjects)) == n_alerts
