"""Crash consistency: a nightly run SIGKILLed at several points, then run again, ends with the
same observations, alerts and deliveries as a run never interrupted, every alert delivered
to a real Slack receiver exactly once.

The kill comes from the test hook ``TRADEWATCH_TEST_CRASH_AT`` (``flows.pipeline.
_crash_point``): the run sends SIGKILL to itself at that point, so nothing gets to clean up.
The killed runs are subprocesses (``tests/reliability/night_runner.py``), started together;
the runs that follow them are in this process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fixtures.env import clean_env, isolate_settings
from tests.fixtures.fault_server import fault_server
from tests.fixtures.receivers import HttpReceiver
from tests.reliability.conftest import canonical_dump, make_settings, nightly
from tradewatch import samples

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

# point -> where the run is when it dies
CRASH_POINTS = {
    "fetched:3": "mid-fetch: three of the eight responses archived and recorded",
    "stored": "mid-store: the all-partner batch written, its transaction not committed",
    "committed": "the first batch and its alerts committed, the second batch not stored",
    "deliver": "everything stored, alerts in the outbox, nothing delivered",
    "finish": "source health written, alerts delivered, the run record not written",
}


def _env(webhook: str, crash_at: str | None) -> dict[str, str]:
    env = clean_env()
    env.update(
        TRADEWATCH_CONFIG=os.devnull + ".absent.toml",
        TRADEWATCH_SLACK_WEBHOOK_URL=webhook,
        PYTHONPATH=str(ROOT),
        GX_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
    )
    if crash_at:
        env["TRADEWATCH_TEST_CRASH_AT"] = crash_at
    return env


def _alert_texts(receiver: HttpReceiver, path: str) -> list[str]:
    return [json.dumps(r.json(), sort_keys=True) for r in receiver.requests if r.path == path]


def test_killed_runs_converge_to_the_uninterrupted_run(baseline_template, tmp_path, monkeypatch):
    from db import Database

    isolate_settings(monkeypatch, tmp_path)

    with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2) as srv, HttpReceiver() as slack:
        # the reference: a run never interrupted
        ref_dir = tmp_path / "reference"
        shutil.copytree(baseline_template, ref_dir)
        ref_settings = make_settings(ref_dir, srv.url, slack_webhook_url=slack.url("/hook/reference"))
        ref_summary = nightly(ref_settings)
        ref_db = Database(ref_settings.database_url)
        reference = canonical_dump(ref_db)
        ref_db.dispose()
        ref_msgs = _alert_texts(slack, "/hook/reference")
        assert len(ref_summary.alerts) >= 2 and len(ref_msgs) == len(ref_summary.alerts)
        assert {d[2] for d in reference["deliveries"]} == {"sent"}

        # every crash point at once, each in its own data directory
        procs = {}
        for i, point in enumerate(CRASH_POINTS):
            d = tmp_path / f"crash{i}"
            shutil.copytree(baseline_template, d)
            procs[point] = (
                d,
                f"/hook/{i}",
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "tests.reliability.night_runner",
                        "--data-dir",
                        str(d),
                        "--kcs-url",
                        srv.url,
                        "--log-level",
                        "WARNING",
                    ],
                    env=_env(slack.url(f"/hook/{i}"), point),
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        for point, (_data, _path, proc) in procs.items():
            out, err = proc.communicate(timeout=180)
            assert proc.returncode == -signal.SIGKILL, f"{point}: exit {proc.returncode}\n{err[-3000:]}"
            assert out.strip() == "", f"{point}: the run finished instead of dying"

        # then each runs again, to completion
        for point, (d, path, _) in procs.items():
            settings = make_settings(d, srv.url, slack_webhook_url=slack.url(path))
            summary = nightly(settings)
            assert summary.to_dict()["sources"]["kcs"]["errors"] == [], point
            db = Database(settings.database_url)
            try:
                dump = canonical_dump(db)
            finally:
                db.dispose()
            assert dump["observations"] == reference["observations"], point
            assert dump["alerts"] == reference["alerts"], point
            assert dump["deliveries"] == reference["deliveries"], point
            msgs = _alert_texts(slack, path)
            assert len(msgs) == len(set(msgs)) == len(ref_msgs), (
                f"{point}: {len(msgs)} Slack messages for {len(ref_msgs)} alerts"
            )
            assert sorted(msgs) == sorted(ref_msgs), point
