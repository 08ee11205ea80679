"""End to end on a real Prefect server: serve the deployments, start runs through the API as the UI does.

Starts `prefect server start` on 127.0.0.1 (free port, its own PREFECT_HOME, SQLite),
`tradewatch serve` against it, and the KCS fixture server with the bundled sample
archive. Every process is stopped at the end, also when the test fails.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

pytestmark = [pytest.mark.slow, pytest.mark.prefect]

BIN = Path(sys.executable).parent


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def stop(proc: subprocess.Popen, sig=signal.SIGINT, timeout=15) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout=timeout)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def wait_for(predicate, timeout: float, what: str, procs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{what}: a process exited early with {p.returncode}")
        try:
            value = predicate()
            if value:
                return value
        except (httpx.HTTPError, OSError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def prefect_stack(tmp_path):
    from tests.fixtures.kcs_server import serve_archive
    from tradewatch.samples import SAMPLE_ARCHIVE

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRADEWATCH_", "PREFECT_"))}
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_LOGGING_LEVEL="WARNING",
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{tmp_path / 'prefect' / 'prefect.db'}",
    )
    procs: list[subprocess.Popen] = []
    logs = tmp_path / "logs"
    logs.mkdir()
    with serve_archive(SAMPLE_ARCHIVE) as kcs_url:
        try:
            server = subprocess.Popen(
                [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=open(logs / "server.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True,
            )
            procs.append(server)
            wait_for(lambda: httpx.get(f"{api}/health", timeout=2).status_code == 200, 90, "prefect server", [server])
            tw_env = dict(env, PREFECT_API_URL=api, TRADEWATCH_DATA_DIR=str(tmp_path / "data"),
                          TRADEWATCH_KCS_BASE_URL=kcs_url, TRADEWATCH_COMTRADE_BASE_URL=kcs_url,
                          TRADEWATCH_SOURCES="kcs", TRADEWATCH_CONFIG=str(tmp_path / "none.toml"))
            serve = subprocess.Popen(
                [str(BIN / "tradewatch"), "serve"], env=tw_env, cwd=tmp_path,
                stdout=open(logs / "serve.log", "wb"), stderr=subprocess.STDOUT, start_new_session=True,
            )
            procs.append(serve)
            yield {"api": api, "data": tmp_path / "data", "logs": logs, "procs": procs}
        finally:
            for p in reversed(procs):  # serve first, then the server
                stop(p, signal.SIGKILL if p is not procs[0] else signal.SIGINT)


RETRYABLE = {429, 502, 503}


def call(method: str, url: str, *, json=None, timeout: float = 10, attempts: int = 8) -> httpx.Response:
    """One API request, retried on 429/502/503 as Prefect's own client and UI do.

    A Prefect server on SQLite answers 503 when its database is busy (another writer
    holds the lock); that is a "try again", not a refusal.
    """
    for attempt in range(attempts):
        r = httpx.request(method, url, json=json, timeout=timeout)
        if r.status_code not in RETRYABLE or attempt == attempts - 1:
            return r
        time.sleep(min(0.5 * 2**attempt, 8))
    return r


def deployment_id(api: str, flow: str, name: str) -> str:
    r = call("GET", f"{api}/deployments/name/{flow}/{name}", timeout=5)
    r.raise_for_status()
    return r.json()["id"]


def run_and_wait(api: str, dep: str, parameters: dict, procs, timeout=240) -> dict:
    r = call("POST", f"{api}/deployments/{dep}/create_flow_run", json={"parameters": parameters})
    assert r.status_code in (200, 201), r.text
    run_id = r.json()["id"]

    def done():
        r = call("GET", f"{api}/flow_runs/{run_id}", timeout=5)
        r.raise_for_status()
        fr = r.json()
        return fr if fr["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

    return wait_for(done, timeout, f"flow run {run_id}", procs)


def test_backfill_form_then_nightly_on_a_real_prefect_server(prefect_stack):
    api, procs = prefect_stack["api"], prefect_stack["procs"]
    dep = wait_for(lambda: deployment_id(api, "backfill", "backfill"), 90, "deployments served", procs)
    nightly_dep = deployment_id(api, "nightly", "nightly")

    # the schema the UI renders: typed, described, the month pattern enforced at creation
    schema = call("GET", f"{api}/deployments/{dep}", timeout=5).raise_for_status().json()["parameter_openapi_schema"]
    props = schema["properties"]
    assert props["start"]["pattern"] and props["start"]["description"]
    assert props["send_alerts"]["type"] == "boolean" and props["refetch"]["type"] == "boolean"
    assert "kcs" in schema["definitions"]["SourceId"]["enum"]
    bad = call("POST", f"{api}/deployments/{dep}/create_flow_run",
               json={"parameters": {"start": "2019-13", "end": "2019-12", "sources": ["kcs"]}})
    assert 400 <= bad.status_code < 500 and bad.status_code not in RETRYABLE, (
        f"an invalid month must be refused when the run is created, got {bad.status_code}: {bad.text}")

    fr = run_and_wait(api, dep, {"start": "2019-01", "end": "2026-09", "sources": ["kcs"]}, procs)
    assert fr["state"]["type"] == "COMPLETED", (prefect_stack["logs"] / "serve.log").read_text()[-3000:]
    assert fr["name"] == "backfill kcs 2019-01..2026-09"

    from tradewatch.db import Database
    from tradewatch.db.models import AlertRow, ObservationRow

    db = Database(f"sqlite:///{prefect_stack['data'] / 'tradewatch.db'}")
    with db.session() as s:
        n = s.execute(select(func.count()).select_from(ObservationRow).where(ObservationRow.source == "kcs")).scalar()
        vn = s.execute(select(func.count()).select_from(ObservationRow).where(
            ObservationRow.partner == "VNM", ObservationRow.flow == "balance", ObservationRow.period_kind == "month",
                ObservationRow.commodity == "TOTAL")).scalar()
    assert n > 80_000 and vn == 93  # 2019-01..2026-09: 93 months of Korea's balance with Vietnam

    arts = call("POST", f"{api}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [fr["id"]]}}}).raise_for_status().json()
    kinds = {a["key"]: a["type"] for a in arts}
    assert kinds.get("backfill-summary") == "markdown" and kinds.get("ranking-kor") == "table"
    summary = next(a for a in arts if a["key"] == "backfill-summary")["data"]
    assert "new figures" in summary

    fr2 = run_and_wait(api, nightly_dep, {}, procs)
    assert fr2["state"]["type"] == "COMPLETED", (prefect_stack["logs"] / "serve.log").read_text()[-3000:]
    with db.session() as s:
        oct_ = s.execute(select(func.count()).select_from(ObservationRow).where(ObservationRow.period == "2026-10")).scalar()
        alerts = s.execute(select(AlertRow.rule)).scalars().all()
    assert oct_ > 0  # the new month arrived through the nightly
    assert any(r.startswith("ranking") for r in alerts)
    db.dispose()
