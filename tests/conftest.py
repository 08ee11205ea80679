"""Shared test fixtures: the database under test on SQLite and, in CI, PostgreSQL.

PostgreSQL is used when ``TRADEWATCH_TEST_POSTGRES_URL`` is set; each test gets a
fresh schema that is dropped afterwards. Without the variable those tests are
skipped with a visible reason; with ``TRADEWATCH_REQUIRE_POSTGRES=1`` (CI) an
unreachable server fails the run instead.
"""

from __future__ import annotations

import os
import uuid

import pytest

from tests.fixtures.env import isolate_settings
from tradewatch.samples import KST, NIGHT2

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# No test depends on the wall-clock date: every run in the suite (in this process and
# in the processes it starts) takes "today" from TRADEWATCH_TODAY, the bundled sample
# archive's second night. A test about another day sets its own.
TEST_TODAY = NIGHT2.astimezone(KST).date().isoformat()  # 2026-11-16
os.environ["TRADEWATCH_TODAY"] = TEST_TODAY

PG_URL = os.environ.get("TRADEWATCH_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("TRADEWATCH_REQUIRE_POSTGRES") == "1"


def pg_schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def _pg_admin():
    from sqlalchemy import create_engine

    from db.session import normalize_url

    return create_engine(normalize_url(PG_URL), isolation_level="AUTOCOMMIT")


@pytest.fixture
def pg_url():
    """A PostgreSQL URL on a fresh schema, or a skip with the reason."""
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TRADEWATCH_REQUIRE_POSTGRES=1 but TRADEWATCH_TEST_POSTGRES_URL is not set")
        pytest.skip("PostgreSQL tests need TRADEWATCH_TEST_POSTGRES_URL (CI sets it; .ci/run)")
    from sqlalchemy import text

    schema = f"tw_{uuid.uuid4().hex[:12]}"
    try:
        admin = _pg_admin()
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # server unreachable
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at TRADEWATCH_TEST_POSTGRES_URL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    try:
        yield pg_schema_url(PG_URL, schema)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tw.db'}"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url):
    from db import Database

    d = Database(db_url)
    yield d
    d.dispose()


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Settings rooted in a temporary data directory, with no config file or env leaking in."""
    isolate_settings(monkeypatch, tmp_path)
    from tradewatch.config import load_settings

    return load_settings(data_dir=tmp_path / "data")
