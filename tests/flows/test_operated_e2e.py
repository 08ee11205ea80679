"""Operated from Prefect, end to end on a real Prefect server on 127.0.0.1.

One stack: `prefect server start`, `tradewatch serve` against it, the KCS fixture server
answering from the sample archive (first as of night 1: the month due, 2026-10, not out;
then as of night 2: published), and a Slack receiver whose webhook URL lives only in a
Prefect Secret block (``TRADEWATCH_SLACK_WEBHOOK_URL=block:slack-webhook``). Runs are
started through the API, as the UI does. The suite's today (2026-11-16) is inside KCS's
release window (14th–16th), so the release-day poll is due.

1. Release-day polls: before publication a poll finds nothing and raises nothing; the
   first poll after it stores 2026-10 and delivers its alerts (through the webhook read
   from the block); the next poll stops without a request.
2. Quarantine review: a nightly whose 2026-10 figure for Vietnam comes back ×10 is
   quarantined; that run starts a ``review-quarantine`` run, which suspends with the
   batch as a markdown artifact; resuming it with the typed input (as the UI's form
   does) accepts and stores the batch. A second quarantined batch decided from the
   command line closes its review run.
3. No secret in the logs, the artifacts or the run names.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from sqlalchemy import select

from tests.fixtures.env import isolate_settings
from tests.fixtures.fault_server import Fault, fault_server
from tests.fixtures.prefect_server import BIN, call, deployment_id, prefect_server, run_and_wait, wait_for
from tests.fixtures.receivers import HttpReceiver
from tradewatch import samples

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

TOKEN = "tw-block-webhook-7a41c2"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    from prefect.blocks.system import Secret
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from tests.reliability.conftest import backfill_replay, make_settings

    root = tmp_path_factory.mktemp("operated")
    mp = pytest.MonkeyPatch()
    isolate_settings(mp, root)
    try:
        backfill_replay(make_settings(root / "data"))  # night 1 stored: the baseline
        with (
            fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT1, on_miss="empty") as srv,
            HttpReceiver() as slack,
            prefect_server(root) as ps,
        ):
            # what deploy/README.md tells an operator to do: the webhook URL in a Secret block
            with temporary_settings({PREFECT_API_URL: ps.api}):
                Secret(value=slack.url(f"/services/T0TW/B0TW/{TOKEN}")).save("slack-webhook", overwrite=True)
            env = dict(
                ps.env,
                TRADEWATCH_DATA_DIR=str(root / "data"),
                TRADEWATCH_KCS_BASE_URL=srv.url,
                TRADEWATCH_COMTRADE_BASE_URL=srv.url,
                TRADEWATCH_SOURCES="kcs",
                TRADEWATCH_CONFIG=str(root / "none.toml"),
                TRADEWATCH_SLACK_WEBHOOK_URL="block:slack-webhook",
                TRADEWATCH_READ_TIMEOUT="10",
                TRADEWATCH_MAX_RETRIES="1",
                TRADEWATCH_BACKOFF_BASE="0",
                TRADEWATCH_DELIVERY_ATTEMPTS="1",
            )
            ps.start("serve", [str(BIN / "tradewatch"), "serve", "--no-automations"], env=env, cwd=root)
            yield {"api": ps.api, "srv": srv, "slack": slack, "root": root, "env": env, "ps": ps}
    finally:
        mp.undo()


def _db(stack):
    from db import Database

    return Database(f"sqlite:///{stack['root'] / 'data' / 'tradewatch.db'}")


def _flow_run(api, rid):
    return call("GET", f"{api}/flow_runs/{rid}", timeout=5).raise_for_status().json()


def _review_run(api, qid, procs):
    def find():
        r = call(
            "POST",
            f"{api}/flow_runs/filter",
            json={"flow_runs": {"tags": {"all_": [f"quarantine-{qid}"]}}, "limit": 5},
        ).raise_for_status()
        runs = r.json()
        return runs[0] if len(runs) == 1 else None

    return wait_for(find, 60, f"the review run of batch #{qid}", procs)


def _wait_state(api, rid, types, procs, timeout=120):
    return wait_for(lambda: (fr := _flow_run(api, rid))["state"]["type"] in types and fr, timeout, f"run {rid}", procs)


def test_polls_review_and_secret_block_on_a_real_prefect_server(stack):
    api, srv, slack, ps = stack["api"], stack["srv"], stack["slack"], stack["ps"]
    procs = ps.procs
    poll = wait_for(lambda: deployment_id(api, "release-poll", "release-poll"), 90, "deployments served", procs)
    nightly = deployment_id(api, "nightly", "nightly")
    deployment_id(api, "review-quarantine", "review-quarantine")

    # the release-day schedules are generated from the calendars, in each source's time zone
    dep = call("GET", f"{api}/deployments/{poll}", timeout=5).raise_for_status().json()
    crons = {(s["schedule"]["cron"], s["schedule"]["timezone"], s["parameters"]["source"]) for s in dep["schedules"]}
    assert ("*/15 9-11 1 * *", "Asia/Seoul", "motie") in crons
    assert ("*/30 9-17 14-16 * *", "Asia/Seoul", "kcs") in crons
    assert ("*/30 8-17 4-12 * *", "Asia/Ho_Chi_Minh", "vn_customs") in crons

    # 1. before publication: nothing new, nothing raised
    fr = run_and_wait(api, poll, {"source": "kcs"}, procs)
    assert fr["state"]["type"] == "COMPLETED", ps.log("serve")
    assert fr["name"] == "poll kcs: 2026-10 not out yet"
    assert slack.requests == []

    srv.as_of = samples.NIGHT2  # KCS publishes 2026-10 in the middle of the window
    fr = run_and_wait(api, poll, {"source": "kcs"}, procs)
    assert fr["state"]["type"] == "COMPLETED", ps.log("serve")
    assert fr["name"].startswith("poll kcs 2026-10: ") and " 0 alerts" not in fr["name"], fr["name"]
    assert slack.requests, "the first poll after publication delivers its alerts"
    assert all(r.path == f"/services/T0TW/B0TW/{TOKEN}" for r in slack.requests)  # the URL from the block
    sent = len(slack.requests)

    n = len(srv.requests)
    fr = run_and_wait(api, poll, {"source": "kcs"}, procs)
    assert fr["name"] == "poll kcs: 2026-10 stored, polls stopped for the month"
    assert len(srv.requests) == n and len(slack.requests) == sent

    # 2. a nightly whose 2026-10 Vietnam figures come back ×10: quarantined, reviewed in the UI
    srv.plan(Fault("implausible", path="nationtrade", partner="VN", month="2026.10"))
    fr = run_and_wait(api, nightly, {}, procs)
    assert fr["state"]["type"] == "COMPLETED", ps.log("serve")
    assert fr["name"].startswith("nightly kcs: 0 new, 1 quarantined, "), fr["name"]

    from db.models import ObservationRow, QuarantineRow

    db = _db(stack)
    with db.session() as s:
        q = s.execute(select(QuarantineRow)).scalar_one()
        qid, spiked = (
            q.id,
            next(r for r in q.rows if r["partner"] == "VNM" and r["flow"] == "export" and r["period"] == "2026-10"),
        )
        assert q.state == "pending"
    review = _wait_state(api, _review_run(api, qid, procs)["id"], {"PAUSED"}, procs)
    assert review["state"]["name"] == "Suspended" and review["name"] == f"review quarantine #{qid}"

    arts = (
        call("POST", f"{api}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [review["id"]]}}})
        .raise_for_status()
        .json()
    )
    md = next(a["data"] for a in arts if a["type"] == "markdown")
    assert f"# Quarantined batch #{qid}" in md and "## Failed expectations" in md
    assert "would replace a stored value" in md and "| KOR | VNM | export | 2026-10 |" in md
    # the nightly's summary links to the review run
    arts = (
        call("POST", f"{api}/artifacts/filter", json={"artifacts": {"key": {"any_": ["nightly-summary"]}}})
        .raise_for_status()
        .json()
    )
    assert any(review["id"] in a["data"] for a in arts)

    # the form the UI shows: the RunInput's schema, saved by the suspended run
    r = call("POST", f"{api}/flow_runs/{review['id']}/resume", json={"run_input": {"decision": "maybe"}})
    assert r.json()["status"] == "REJECT", r.text  # not a valid decision: the run stays suspended
    r = call(
        "POST",
        f"{api}/flow_runs/{review['id']}/resume",
        json={"run_input": {"decision": "accept", "reason": "confirmed with KCS by phone", "reviewer": "analyst"}},
    )
    assert r.json()["status"] == "ACCEPT", r.text
    done = _wait_state(api, review["id"], {"COMPLETED", "FAILED", "CRASHED"}, procs)
    assert done["state"]["type"] == "COMPLETED", ps.log("serve")
    with db.session() as s:
        q = s.get(QuarantineRow, qid)
        assert (q.state, q.decided_by, q.decision_note) == ("accepted", "analyst", "confirmed with KCS by phone")
        stored = s.execute(
            select(ObservationRow.value_usd).where(
                ObservationRow.reporter == "KOR",
                ObservationRow.partner == "VNM",
                ObservationRow.flow == "export",
                ObservationRow.period == "2026-10",
                ObservationRow.commodity == "TOTAL",
                ObservationRow.is_current.is_(True),
            )
        ).scalar_one()
        assert stored == spiked["value_usd"]

    # decided from the command line: the review run is closed in Prefect too
    srv.plan(Fault("implausible", path="nationtrade", partner="CN", month="2026.10"))
    fr = run_and_wait(api, nightly, {}, procs)
    assert "1 quarantined" in fr["name"], fr["name"]
    with db.session() as s:
        qid2 = s.execute(select(QuarantineRow.id).where(QuarantineRow.state == "pending")).scalar_one()
    review2 = _wait_state(api, _review_run(api, qid2, procs)["id"], {"PAUSED"}, procs)
    cli = subprocess.run(
        [str(BIN / "tradewatch"), "quarantine", "reject", str(qid2), "-m", "a keying error at the source"],
        env=stack["env"],
        cwd=stack["root"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert "closed 1 review run(s) in Prefect" in cli.stdout
    closed = _flow_run(api, review2["id"])
    assert closed["state"]["type"] == "CANCELLED" and "rejected" in closed["state"]["message"]

    # 3. the webhook's secret path appears nowhere: logs, artifacts, run names, tradewatch's database and files
    from tests.reliability.conftest import dump_all_tables

    arts = call("POST", f"{api}/artifacts/filter", json={}).raise_for_status().json()
    runs = call("POST", f"{api}/flow_runs/filter", json={}).raise_for_status().json()
    files = [p.read_bytes().decode("utf-8", "replace") for p in (stack["root"] / "data").rglob("*") if p.is_file()]
    texts = [ps.log("serve", tail=10**7), json.dumps(arts), json.dumps(runs), cli.stdout + cli.stderr]
    for text in [*texts, dump_all_tables(db), *files]:
        assert TOKEN not in text
    db.dispose()
