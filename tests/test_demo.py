"""`tradewatch demo` end to end in a temporary directory: offline, SQLite, sample archive."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.fixtures.env import clean_env

pytestmark = [pytest.mark.slow, pytest.mark.prefect]
BIN = Path(sys.executable).parent


def run_demo(tmp_path, data_dir):
    env = clean_env("PREFECT_API_URL")
    # secrets configured in the environment must not reach the demo (it is offline and sends nothing)
    env.update(
        PREFECT_HOME=str(tmp_path / "prefect"),
        COLUMNS="200",
        HTTPS_PROXY="http://127.0.0.1:9",
        HTTP_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
        TRADEWATCH_SLACK_WEBHOOK_URL="https://hooks.slack.com/services/T0/B0/DEMOSECRET",
    )
    return subprocess.run(
        [str(BIN / "tradewatch"), "demo", "--data-dir", str(data_dir)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_demo_shows_the_ranking_and_balance_alerts_and_is_idempotent(tmp_path):
    from db import Database
    from db.models import AlertRow, DeliveryRow, ObservationRow, QuarantineRow

    data = tmp_path / "demo"
    first = run_demo(tmp_path, data)
    assert first.returncode == 0, first.stderr[-3000:] + first.stdout[-3000:]
    out = first.stdout
    assert out.count("SAMPLE DATA") >= 3
    assert "Japan overtook Vietnam as Korea's #3 trade partner in 2026-10" in out
    assert "Korea's trade surplus with Vietnam fell" in out and "year on year in 2026-10" in out
    assert "DEMOSECRET" not in out + first.stderr
    assert (data / "report.html").is_file() and (data / "tradewatch.db").is_file()

    db = Database(f"sqlite:///{data / 'tradewatch.db'}")
    with db.session() as s:
        n_obs = s.execute(select(func.count()).select_from(ObservationRow)).scalar()
        alerts = s.execute(select(AlertRow)).scalars().all()
        deliveries = s.execute(select(func.count()).select_from(DeliveryRow)).scalar()
        quarantined = s.execute(select(func.count()).select_from(QuarantineRow)).scalar()
    assert n_obs > 80_000 and quarantined == 0
    rules = {a.rule for a in alerts if not a.suppressed}
    assert "ranking.overtake" in rules and any(r.startswith("balance") for r in rules)
    assert deliveries == 0  # no channel configured in the demo: nothing was sent anywhere
    db.dispose()

    again = run_demo(tmp_path, data)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "alerts raised by this nightly run:" in again.stdout and "none" in again.stdout
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(AlertRow)).scalar() == len(alerts)
        assert s.execute(select(func.count()).select_from(ObservationRow)).scalar() == n_obs
    db.dispose()
