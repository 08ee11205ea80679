"""The command line runs the Prefect flows: backfill against a KCS fixture server, nightly in replay.

Each CLI call is one process with Prefect's ephemeral API (~10–20 s), so these are marked slow.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.fixtures.env import clean_env

pytestmark = [pytest.mark.slow, pytest.mark.prefect]
BIN = Path(sys.executable).parent


def tw(args, env, cwd):
    proc = subprocess.run(
        [str(BIN / "tradewatch"), *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=300
    )
    return proc


@pytest.fixture
def env(tmp_path):
    # no TRADEWATCH_* setting of the caller's but the suite's "today" (the sample archive's
    # months are in the past whatever the machine's clock says)
    e = clean_env("PREFECT_API_URL")
    e.update(
        TRADEWATCH_DATA_DIR=str(tmp_path / "data"),
        TRADEWATCH_CONFIG=str(tmp_path / "none.toml"),
        PREFECT_HOME=str(tmp_path / "prefect"),
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",
    )
    return e


def _db(tmp_path):
    from db import Database

    return Database(f"sqlite:///{tmp_path / 'data' / 'tradewatch.db'}")


def test_backfill_against_the_fixture_server_then_rerun_stores_nothing(tmp_path, env):
    from db.models import ObservationRow
    from tests.fixtures.kcs_server import serve_archive
    from tradewatch import samples

    with serve_archive(samples.SAMPLE_ARCHIVE, as_of=samples.NIGHT1) as url:
        env["TRADEWATCH_KCS_BASE_URL"] = url
        args = [
            "backfill",
            "--start",
            samples.BASELINE_START,
            "--end",
            samples.BASELINE_END,
            "--source",
            "kcs",
            "--json",
        ]
        first = tw(args, env, tmp_path)
        assert first.returncode == 0, first.stderr[-3000:] + first.stdout[-2000:]
        s1 = json.loads(first.stdout.strip().splitlines()[-1])
        assert s1["status"] == "ok" and s1["new_figures"] > 80_000

        db = _db(tmp_path)
        with db.session() as s:
            rows = s.execute(
                select(ObservationRow.period, ObservationRow.flow, func.count())
                .where(
                    ObservationRow.source == "kcs", ObservationRow.commodity == "TOTAL", ObservationRow.partner != "WLD"
                )
                .group_by(ObservationRow.period, ObservationRow.flow)
            ).all()
        per_month: dict[str, dict[str, int]] = {}
        for period, flow, n in rows:
            per_month.setdefault(period, {})[flow] = n
        assert len(per_month) == 93  # 2019-01..2026-09
        for period, flows in per_month.items():
            # every partner of the month has its exports, imports and balance (and the derived total)
            assert flows["export"] == flows["import"] == flows["balance"] == flows["total"] >= 200, (period, flows)

        again = tw(args, env, tmp_path)
        assert again.returncode == 0, again.stderr[-3000:]
        s2 = json.loads(again.stdout.strip().splitlines()[-1])
        assert s2["new_figures"] == 0 and s2["revisions"] == 0
        with db.session() as s:
            assert s.execute(select(func.count()).select_from(ObservationRow)).scalar() == s1["new_figures"]
        db.dispose()


def test_nightly_replay_runs_offline(tmp_path, env):
    from db.models import ObservationRow
    from tradewatch import samples

    env["HTTPS_PROXY"] = env["HTTP_PROXY"] = "http://127.0.0.1:9"  # any network use beyond loopback would fail
    env["NO_PROXY"] = "127.0.0.1,localhost"
    r = tw(
        [
            "nightly",
            "--replay",
            str(samples.SAMPLE_ARCHIVE),
            "--as-of",
            samples.NIGHT2.isoformat(),
            "--no-alerts",
            "--json",
        ],
        env,
        tmp_path,
    )
    assert r.returncode == 0, r.stderr[-3000:] + r.stdout[-2000:]
    summary = json.loads(r.stdout.strip().splitlines()[-1])
    assert summary["sample"] is True and summary["sources"]["kcs"]["fetched"] > 0
    db = _db(tmp_path)
    with db.session() as s:
        assert (
            s.execute(
                select(func.count()).select_from(ObservationRow).where(ObservationRow.period == samples.LATEST_MONTH)
            ).scalar()
            > 800
        )
    db.dispose()
