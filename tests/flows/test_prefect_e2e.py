"""End to end on a real Prefect server: serve the deployments, start runs through the API as the UI does.

Starts `prefect server start` on 127.0.0.1 (free port, its own PREFECT_HOME, SQLite),
`tradewatch serve` against it, and the KCS fixture server with the bundled sample
archive. Every process is stopped at the end, also when the test fails.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.fixtures.prefect_server import BIN, RETRYABLE, call, deployment_id, prefect_server, run_and_wait, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.prefect]


@pytest.fixture
def prefect_stack(tmp_path):
    from tests.fixtures.kcs_server import serve_archive
    from tradewatch.samples import SAMPLE_ARCHIVE

    with serve_archive(SAMPLE_ARCHIVE) as kcs_url, prefect_server(tmp_path) as stack:
        # stack.env carries the suite's TRADEWATCH_TODAY (the sample archive's second night),
        # whatever the machine's clock says: the nightly then asks for the months the archive holds.
        tw_env = dict(
            stack.env,
            TRADEWATCH_DATA_DIR=str(tmp_path / "data"),
            TRADEWATCH_KCS_BASE_URL=kcs_url,
            TRADEWATCH_COMTRADE_BASE_URL=kcs_url,
            TRADEWATCH_SOURCES="kcs",
            TRADEWATCH_CONFIG=str(tmp_path / "none.toml"),
        )
        stack.start("serve", [str(BIN / "tradewatch"), "serve"], env=tw_env, cwd=tmp_path)
        yield {"api": stack.api, "data": tmp_path / "data", "logs": stack.logs, "procs": stack.procs}


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
    bad = call(
        "POST",
        f"{api}/deployments/{dep}/create_flow_run",
        json={"parameters": {"start": "2019-13", "end": "2019-12", "sources": ["kcs"]}},
    )
    assert 400 <= bad.status_code < 500 and bad.status_code not in RETRYABLE, (
        f"an invalid month must be refused when the run is created, got {bad.status_code}: {bad.text}"
    )

    fr = run_and_wait(api, dep, {"start": "2019-01", "end": "2026-09", "sources": ["kcs"]}, procs)
    assert fr["state"]["type"] == "COMPLETED", (prefect_stack["logs"] / "serve.log").read_text()[-3000:]
    assert fr["name"].startswith("backfill kcs 2019-01..2026-09: "), fr["name"]  # renamed after what it did

    from db import Database
    from db.models import AlertRow, ObservationRow

    db = Database(f"sqlite:///{prefect_stack['data'] / 'tradewatch.db'}")
    with db.session() as s:
        n = s.execute(select(func.count()).select_from(ObservationRow).where(ObservationRow.source == "kcs")).scalar()
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
    assert n > 80_000 and vn == 93  # 2019-01..2026-09: 93 months of Korea's balance with Vietnam

    arts = (
        call("POST", f"{api}/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [fr["id"]]}}})
        .raise_for_status()
        .json()
    )
    kinds = {a["key"]: a["type"] for a in arts}
    assert kinds.get("backfill-summary") == "markdown" and kinds.get("ranking-kor") == "table"
    summary = next(a for a in arts if a["key"] == "backfill-summary")["data"]
    assert "new figures" in summary

    fr2 = run_and_wait(api, nightly_dep, {}, procs)
    assert fr2["state"]["type"] == "COMPLETED", (prefect_stack["logs"] / "serve.log").read_text()[-3000:]
    with db.session() as s:
        oct_ = s.execute(
            select(func.count()).select_from(ObservationRow).where(ObservationRow.period == "2026-10")
        ).scalar()
        alerts = s.execute(select(AlertRow.rule)).scalars().all()
    assert oct_ > 0  # the new month arrived through the nightly
    assert any(r.startswith("ranking") for r in alerts)
    db.dispose()
