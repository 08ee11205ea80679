"""The dead man's switch on a real Prefect server: a nightly that never completes raises one alert.

(The same server also shows an unanswered quarantine review timing out: the batch stays quarantined.)

`tradewatch serve` ensures the automations; the nightly deployment is paused (no run
comes at all: the case no run-time health rule can see); the "no nightly" automation's
window is shortened to 15 seconds (``TRADEWATCH_DEADMAN_SILENCE_HOURS``). Prefect fires
it once per window and runs the ``dead-mans-switch`` deployment each time; the alert
goes out through the Slack channel once (its dedup key names the night).
"""

from __future__ import annotations

import subprocess
import time

import pytest

from tests.fixtures.prefect_server import BIN, call, deployment_id, prefect_server, wait_for
from tests.fixtures.receivers import HttpReceiver

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

WINDOW_SECONDS = 15


def _deadman_messages(slack) -> list:
    return [r for r in slack.requests if b"No completed nightly run" in r.body]


def test_a_missed_nightly_raises_one_dead_man_alert(tmp_path):
    with HttpReceiver() as slack, prefect_server(tmp_path) as ps:
        api = ps.api
        env = dict(
            ps.env,
            TRADEWATCH_DATA_DIR=str(tmp_path / "data"),
            TRADEWATCH_SOURCES="kcs",
            TRADEWATCH_CONFIG=str(tmp_path / "none.toml"),
            TRADEWATCH_SLACK_WEBHOOK_URL=slack.url("/services/T0/B0/deadman"),
            TRADEWATCH_DEADMAN_SILENCE_HOURS=str(WINDOW_SECONDS / 3600),
        )
        ps.start("serve", [str(BIN / "tradewatch"), "serve"], env=env, cwd=tmp_path)
        nightly = wait_for(lambda: deployment_id(api, "nightly", "nightly"), 90, "deployments served", ps.procs)
        wait_for(lambda: "automation ensured" in ps.log("serve"), 60, "automations ensured", ps.procs)
        # the worker is "paused": the nightly deployment is paused, no run will come
        call("POST", f"{api}/deployments/{nightly}/pause_deployment").raise_for_status()

        autos = call("POST", f"{api}/automations/filter", json={}).raise_for_status().json()
        names = sorted(a["name"] for a in autos)
        assert names == [
            "tradewatch dead man's switch: nightly crashed",
            "tradewatch dead man's switch: nightly late",
            "tradewatch dead man's switch: no nightly",
        ]
        late = next(a for a in autos if a["name"].endswith("nightly late"))
        # 06:30 → 09:00 KST
        assert late["trigger"]["posture"] == "Proactive" and late["trigger"]["within"] == 2.5 * 3600

        wait_for(lambda: _deadman_messages(slack), 120, "the dead-man alert at the Slack receiver", ps.procs)
        # the automation keeps firing every window; the night is alerted once
        deadman = deployment_id(api, "dead-mans-switch", "dead-mans-switch")

        def runs_done():
            r = call(
                "POST",
                f"{api}/flow_runs/filter",
                json={"flow_runs": {"deployment_id": {"any_": [deadman]}, "state": {"type": {"any_": ["COMPLETED"]}}}},
            ).raise_for_status()
            return len(r.json()) >= 2 and r.json()

        runs = wait_for(runs_done, 120, "a second dead-man's-switch run", ps.procs)
        time.sleep(2)
        assert len(_deadman_messages(slack)) == 1, [r.body[:200] for r in slack.requests]
        assert all(r["name"] == "dead man's switch: nightly silent" for r in runs)
        text = _deadman_messages(slack)[0].json()
        assert "deployment paused" in str(text)

        # a team server: the same automations from the command line, idempotent (unchanged ones are kept as they are)
        ids = sorted(a["id"] for a in autos)
        out = subprocess.run(
            [str(BIN / "tradewatch"), "automations", "install"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.count("automation ensured") == 3
        after = call("POST", f"{api}/automations/filter", json={}).raise_for_status().json()
        assert sorted(a["id"] for a in after) == ids

        # an unanswered review times out: the run fails ("paused and never resumed"), the batch stays quarantined
        from db import Database
        from db.quarantine import get_quarantine, quarantine_batch
        from tests.flows.test_review import _Batch, _Failure, _obs, _Report

        db = Database(f"sqlite:///{tmp_path / 'data' / 'tradewatch.db'}")
        with db.transaction() as s:
            qid = quarantine_batch(
                s, _Batch("kcs", "kcs 2026-10", [_obs("VNM", 1)]), _Report([_Failure("range")]), "r"
            ).id
        review = deployment_id(api, "review-quarantine", "review-quarantine")
        r = call(
            "POST",
            f"{api}/deployments/{review}/create_flow_run",
            json={"parameters": {"quarantine_id": qid, "timeout_hours": 10 / 3600}},
        )
        rid = r.raise_for_status().json()["id"]

        def state():
            return call("GET", f"{api}/flow_runs/{rid}", timeout=5).raise_for_status().json()["state"]

        wait_for(lambda: state()["type"] == "PAUSED", 120, "the review run suspended", ps.procs)
        st = wait_for(lambda: (st := state())["type"] == "FAILED" and st, 120, "the review to time out", ps.procs)
        assert "never resumed" in st["message"]
        with db.session() as s:
            assert get_quarantine(s, qid).state == "pending"
        db.dispose()
