"""Shared pieces of the reliability suite: a stored baseline, settings for a fault server,
a nightly run through the plain pipeline functions, and canonical database dumps.

The baseline is the bundled sample archive's night 1 (the backfill, from 2022-01 to 2026-09),
stored once per test session into a SQLite template that each test copies. The
"night" under test is the sample's night 2 (today = 2026-11-16: window
2025-11..2026-10, a new month, revisions, two alerts), fetched over HTTP from
``tests/fixtures/fault_server.py`` so that faults can be injected.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Integer, MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from tests.fixtures.env import isolate_settings
from tradewatch import samples

TODAY = samples.NIGHT2.astimezone(samples.KST).date()  # 2026-11-16
NIGHT_WINDOW = "2025-11..2026-10"


def make_settings(data_dir: Path, server_url: str | None = None, **overrides: Any):
    """Settings for a run against the fault server: fast timeouts, no back-off, kcs only."""
    from tradewatch.config import load_settings

    kw: dict[str, Any] = dict(
        data_dir=data_dir,
        sources=["kcs"],
        read_timeout=0.3,
        connect_timeout=2.0,
        max_retries=2,
        backoff_base=0.0,
        backoff_max=0.0,
        delivery_attempts=1,
    )
    if server_url:
        kw.update(kcs_base_url=server_url, comtrade_base_url=server_url)
    kw.update(overrides)
    return load_settings(**kw)


def nightly(settings, *, today: date = TODAY, send_alerts: bool = True, sleeps: list | None = None, db=None):
    """One nightly run through the plain pipeline functions (what the Prefect flow does)."""
    from flows import pipeline as p

    run = p.open_run(
        settings, "nightly", {"sources": list(settings.sources)}, today=today, send_alerts=send_alerts, db=db
    )
    if sleeps is not None:
        run.fetcher.sleep = sleeps.append  # record the waits instead of sleeping
    stats = run.fetcher.stats
    p.run_windows(run, p.plan(run, list(settings.sources)), refetch=True)
    p.close_sources(run)  # as the flows do: health alerts are delivered by the run that raised them
    if send_alerts:
        p.deliver(run)
    summary = p.finish_run(run)
    summary.fetch_stats = dict(stats)  # type: ignore[attr-defined]
    return summary


BASELINE_START = "2022-01"  # night 1 holds 2019-01..2026-09; 57 months are history enough for validation


def backfill_replay(settings, *, validate: bool = False, detect: bool = False, db=None, start: str = BASELINE_START):
    """Store the sample's night 1 (``start``..2026-09) by replay: the baseline.

    Without ``detect`` the backfill's alert detection (recorded as suppressed, never
    sent) is skipped: it is most of a backfill's time and none of what is tested here.
    """
    from flows import pipeline as p
    from tradewatch.model import Period

    mp = pytest.MonkeyPatch()
    if not detect:
        mp.setattr(p, "_detect", lambda *a, **k: None)
    try:
        run = p.open_run(
            settings,
            "backfill",
            {"baseline": True},
            replay=samples.SAMPLE_ARCHIVE,
            as_of=samples.NIGHT1,
            send_alerts=False,
            validate=validate,
            db=db,
        )
        p.run_windows(run, p.plan(run, list(settings.sources), Period.parse(start), Period.parse(samples.BASELINE_END)))
        return p.finish_run(run)
    finally:
        mp.undo()


# --- canonical dumps --------------------------------------------------------------------------


def _netloc_free(url: str | None) -> str | None:
    if not url:
        return url
    from urllib.parse import urlsplit

    u = urlsplit(url)
    return u.path + ("?" + u.query if u.query else "")


def _rows(db, sql: str) -> list[tuple]:
    with db.engine.connect() as c:
        return [tuple(r) for r in c.exec_driver_sql(sql).fetchall()]


def current_figures(db) -> dict[tuple, int]:
    """{(reporter, partner, flow, period, commodity, source): value} of the current rows."""
    out: dict[tuple, int] = {}
    for r in _rows(
        db, "SELECT reporter, partner, flow, period, commodity, source, value_usd FROM observations WHERE is_current"
    ):
        k = r[:6]
        assert k not in out, f"two current rows for {k}"
        out[k] = r[6]
    return out


def observation_rows(db) -> dict[int, tuple]:
    """Every stored observation row (history included) by id, as stored."""
    rows = _rows(
        db,
        "SELECT id, reporter, partner, flow, period, commodity, source, value_usd, precision_usd, maturity, "
        "snapshot_sha256, valid_from, valid_to, is_current FROM observations",
    )
    return {r[0]: r[1:] for r in rows}


def _portless(text: str | None) -> str:
    """Alert texts name the source URL; the test servers' ports differ from run to run."""
    return re.sub(r"http://127\.0\.0\.1:\d+", "http://SOURCE", text or "")


def canonical_dump(db) -> dict[str, list[tuple]]:
    """Observations, alerts and deliveries without ids, run ids, server ports or timestamps."""
    obs = sorted(
        (*r[:9], _netloc_free(r[9]) or "", r[10] or "", bool(r[11]), r[12] is None)
        for r in _rows(
            db,
            "SELECT reporter, partner, flow, period, commodity, source, value_usd, precision_usd, "
            "COALESCE(maturity, ''), source_url, snapshot_sha256, is_current, valid_to FROM observations",
        )
    )
    alerts = sorted(
        (r[0], r[1], r[2], _portless(r[3]), _portless(r[4]), bool(r[5]))
        for r in _rows(db, "SELECT dedup_key, rule, severity, title, message, suppressed FROM alerts")
    )
    deliveries = sorted(
        _rows(db, "SELECT a.dedup_key, d.channel, d.state FROM deliveries d JOIN alerts a ON a.id = d.alert_id")
    )
    return {"observations": obs, "alerts": alerts, "deliveries": deliveries}


def dump_all_tables(db) -> str:
    """Every row of every table, as text (for secret scans)."""
    md = MetaData()
    md.reflect(bind=db.engine)
    lines = []
    with db.engine.connect() as c:
        for name, table in sorted(md.tables.items()):
            for row in c.execute(select(table)):
                lines.append(f"{name}: {tuple(row)!r}")
    return "\n".join(lines)


@dataclass
class NightCheck:
    """What a faulty night did to the stored figures, against the baseline and a clean night."""

    lost: list  # baseline rows gone or altered (other than being superseded)
    wrong: list  # current figures that are neither the baseline's nor the clean night's
    new_keys: int
    changed_from_baseline: int


def check_night(
    before_rows: dict[int, tuple], after_db, baseline: dict[tuple, int], clean: dict[tuple, int]
) -> NightCheck:
    """Nothing lost: every stored row is still there with the same figure (it may only have been
    superseded by a later row). Nothing wrong: every current figure is the baseline's or the clean night's."""
    after_rows = observation_rows(after_db)
    lost = []
    for rid, row in before_rows.items():
        now = after_rows.get(rid)
        if now is None:
            lost.append(("deleted", rid, row))
        elif now[:11] != row[:11]:  # identity, value, precision, maturity, snapshot, valid_from
            lost.append(("altered", rid, row, now))
        elif row[12] and not now[12] and now[11] is None:
            lost.append(("un-current without valid_to", rid, now))
    after: dict[tuple, int] = {}
    for row in after_rows.values():
        if row[12]:
            assert row[:6] not in after, f"two current rows for {row[:6]}"
            after[row[:6]] = row[6]
    wrong = [(k, v) for k, v in after.items() if v != baseline.get(k) and v != clean.get(k)]
    lost += [("no longer current", k) for k in baseline if k not in after]
    return NightCheck(
        lost=lost,
        wrong=wrong,
        new_keys=len(set(after) - set(baseline)),
        changed_from_baseline=sum(1 for k, v in after.items() if k in baseline and v != baseline[k]),
    )


# --- the baseline ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def baseline_template(tmp_path_factory):
    """A data directory holding the stored night-1 baseline (SQLite), built once per session."""
    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("baseline")
    isolate_settings(mp, root)
    try:
        from db import Database

        settings = make_settings(root / "data")
        summary = backfill_replay(settings)
        assert summary.new_figures > 50_000, summary.to_dict()["sources"]
        Database(settings.database_url).dispose()
    finally:
        mp.undo()
    return root / "data"


@pytest.fixture
def baseline_dir(baseline_template, tmp_path, monkeypatch):
    """A private copy of the baseline data directory (database + archive)."""
    isolate_settings(monkeypatch, tmp_path)
    dst = tmp_path / "data"
    shutil.copytree(baseline_template, dst, ignore=shutil.ignore_patterns("data_docs"))
    return dst


@pytest.fixture(scope="session")
def clean_night(baseline_template, tmp_path_factory):
    """The outcome of a clean night-2 run over HTTP: current figures, canonical dump, summary."""
    from db import Database
    from tests.fixtures.fault_server import fault_server

    mp = pytest.MonkeyPatch()
    root = tmp_path_factory.mktemp("clean-night")
    isolate_settings(mp, root)
    try:
        shutil.copytree(baseline_template, root / "data")
        with fault_server(samples.SAMPLE_ARCHIVE, samples.NIGHT2) as srv:
            settings = make_settings(root / "data", srv.url)
            summary = nightly(settings, send_alerts=False)
        db = Database(settings.database_url)
        out = {"figures": current_figures(db), "dump": canonical_dump(db), "summary": summary.to_dict()}
        db.dispose()
    finally:
        mp.undo()
    return out


@pytest.fixture(scope="session")
def baseline_figures(baseline_template):
    from db import Database

    db = Database(f"sqlite:///{baseline_template / 'tradewatch.db'}", migrate=False)
    try:
        return current_figures(db), observation_rows(db)
    finally:
        db.dispose()


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'tradewatch.db'}"


def is_pg(url: str) -> bool:
    return make_url(url.replace("postgresql+psycopg", "postgresql")).get_backend_name() == "postgresql"


def count(db, sql: str) -> int:
    with db.engine.connect() as c:
        return c.execute(text(sql)).scalar()


def copy_database(src_url: str, dst) -> None:
    """Copy every row of a (migrated) database into another, migrated and empty, one."""
    from db.models import Base

    src = create_engine(src_url)
    try:
        with src.connect() as s_conn, dst.engine.begin() as d_conn:
            for table in Base.metadata.sorted_tables:
                rows = [dict(r._mapping) for r in s_conn.execute(select(table))]
                for i in range(0, len(rows), 5000):
                    d_conn.execute(table.insert(), rows[i : i + 5000])
                if (
                    dst.engine.dialect.name == "postgresql"
                    and "id" in table.c
                    and isinstance(table.c.id.type, Integer)
                    and rows
                ):
                    d_conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM {table.name}))"
                    )
    finally:
        src.dispose()
