"""deploy/: prefect.yaml deploys on a real Prefect server and a process worker runs it; compose.yaml agrees.

The compose file cannot be started here (no container engine), so what can be checked
without one is checked: the image pins, the pool name, that every ``TRADEWATCH_*``
variable it sets is a real setting, and that what the Dockerfile copies exists.
"""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from tests.fixtures.prefect_server import BIN, call, deployment_id, prefect_server, run_and_wait

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _prefect_yaml() -> dict:
    return yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_prefect_yaml_names_real_flows_on_one_pool():
    import prefect
    from prefect.flows import load_flow_from_entrypoint

    doc = _prefect_yaml()
    assert doc["prefect-version"] == prefect.__version__, "prefect.yaml must name the pinned Prefect"
    deployments = {d["name"]: d for d in doc["deployments"]}
    assert set(deployments) == {
        "nightly",
        "backfill",
        "reprocess",
        "review-quarantine",
        "release-poll",
        "dead-mans-switch",
    }
    assert {d["work_pool"]["name"] for d in deployments.values()} == {"tradewatch"}
    for name, d in deployments.items():
        flow = load_flow_from_entrypoint(d["entrypoint"])
        assert flow.name == name, f"{d['entrypoint']} is the flow {flow.name!r}, not {name!r}"
    (schedule,) = deployments["nightly"]["schedules"]
    assert schedule["timezone"] == "Asia/Seoul" and schedule["active"] is True
    assert len(schedule["cron"].split()) == 5
    assert "schedules" not in deployments["backfill"] and "schedules" not in deployments["reprocess"]


def test_compose_worker_matches_prefect_yaml_and_the_settings():
    import prefect

    from tradewatch.config import Settings

    compose = _compose()["services"]
    assert compose["prefect-server"]["image"] == f"prefecthq/prefect:{prefect.__version__}-python3.11"
    assert compose["prefect-server"]["environment"]["PREFECT_API_DATABASE_CONNECTION_URL"].startswith(
        "postgresql+asyncpg://prefect:"
    )
    worker = compose["worker"]
    command = shlex.split(worker["command"])[-1]
    pools = set(re.findall(r"work-pool create (\S+)", command)) | set(re.findall(r"--pool (\S+)", command))
    assert pools == {"tradewatch"}
    assert "--prefect-file deploy/prefect.yaml" in command

    env_names = {f"TRADEWATCH_{name.upper()}" for name in Settings.model_fields}
    set_here = {k for k in worker["environment"] if k.startswith("TRADEWATCH_")}
    assert set_here and set_here <= env_names, f"not settings: {sorted(set_here - env_names)}"
    # secrets come from the environment of whoever starts compose, never written in the file
    for key in ("TRADEWATCH_KCS_SERVICE_KEY", "TRADEWATCH_SLACK_WEBHOOK_URL", "TRADEWATCH_SMTP_URL"):
        assert worker["environment"][key].startswith("${"), key
    assert worker["environment"]["TRADEWATCH_DATABASE_URL"].startswith("postgresql+psycopg://tradewatch:")

    for line in (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("COPY "):
            for src in line.split()[1:-1]:
                assert (ROOT / src).exists(), f"the Dockerfile copies {src}, which is not in the repository"


@pytest.mark.slow
@pytest.mark.prefect
def test_prefect_deploy_then_a_process_worker_runs_the_backfill(tmp_path):
    """What deploy/README.md tells a team to do, on a real server, with a real worker."""
    from db import Database
    from db.models import ObservationRow
    from tests.fixtures.kcs_server import serve_archive
    from tradewatch.samples import SAMPLE_ARCHIVE

    with serve_archive(SAMPLE_ARCHIVE) as kcs_url, prefect_server(tmp_path) as stack:
        prefect = str(BIN / "prefect")
        for argv in (
            [prefect, "work-pool", "create", "tradewatch", "--type", "process"],
            [prefect, "--no-prompt", "deploy", "--all", "--prefect-file", "deploy/prefect.yaml"],
        ):
            done = subprocess.run(argv, env=stack.env, cwd=ROOT, capture_output=True, text=True, timeout=120)
            assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

        api = stack.api
        nightly = call("GET", f"{api}/deployments/{deployment_id(api, 'nightly', 'nightly')}").raise_for_status().json()
        assert nightly["work_pool_name"] == "tradewatch"
        (sched,) = nightly["schedules"]
        assert (sched["schedule"]["cron"], sched["schedule"]["timezone"], sched["active"]) == (
            "30 6 * * *",
            "Asia/Seoul",
            True,
        )
        backfill_id = deployment_id(api, "backfill", "backfill")
        schema = call("GET", f"{api}/deployments/{backfill_id}").raise_for_status().json()["parameter_openapi_schema"]
        assert {"start", "end", "sources", "send_alerts", "refetch"} <= set(schema["properties"])

        data = tmp_path / "data"
        worker_env = dict(
            stack.env,
            TRADEWATCH_DATA_DIR=str(data),
            TRADEWATCH_KCS_BASE_URL=kcs_url,
            TRADEWATCH_COMTRADE_BASE_URL=kcs_url,
            TRADEWATCH_SOURCES="kcs",
            TRADEWATCH_CONFIG=str(tmp_path / "none.toml"),
        )
        worker = stack.start(
            "worker", [prefect, "worker", "start", "--pool", "tradewatch"], env=worker_env, cwd=tmp_path
        )
        fr = run_and_wait(
            api, backfill_id, {"start": "2026-01", "end": "2026-09", "sources": ["kcs"]}, [worker], timeout=300
        )
        assert fr["state"]["type"] == "COMPLETED", stack.log("worker")
        assert fr["name"].startswith("backfill kcs 2026-01..2026-09: "), fr["name"]  # renamed after what it did

    db = Database(f"sqlite:///{data / 'tradewatch.db'}")
    with db.session() as s:
        months = s.execute(
            select(func.count(func.distinct(ObservationRow.period))).where(
                ObservationRow.source == "kcs", ObservationRow.period_kind == "month"
            )
        ).scalar()
        vn = s.execute(
            select(func.count())
            .select_from(ObservationRow)
            .where(
                ObservationRow.partner == "VNM",
                ObservationRow.flow == "balance",
                ObservationRow.period_kind == "month",
                ObservationRow.commodity == "TOTAL",
            )
        ).scalar()
    db.dispose()
    assert months == 9 and vn == 9  # 2026-01..2026-09, every month stored by the worker's run
