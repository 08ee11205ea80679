"""Databases for the validation tests: SQLite (a temporary file) and PostgreSQL.

PostgreSQL runs when ``TRADEWATCH_TEST_POSTGRES_URL`` is set: each database gets a
fresh schema (``CREATE SCHEMA tw_<random>``, reached through
``?options=-csearch_path%3Dtw_<random>``), dropped afterwards. Unset: those tests are
skipped with the reason. ``TRADEWATCH_REQUIRE_POSTGRES=1`` and an unreachable
server: they fail.

``history_db`` stores three years of KCS-like all-partner history once per module and
backend; validation only reads, so the tests share it. Great Expectations is
imported once per test session (its context is cached by ``expectations.gx``).
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import pytest

os.environ["GX_ANALYTICS_ENABLED"] = "false"

from batchgen import HISTORY, Economy, months

PG_URL = os.environ.get("TRADEWATCH_TEST_POSTGRES_URL")
REQUIRE_PG = os.environ.get("TRADEWATCH_REQUIRE_POSTGRES") == "1"


def _schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


@contextmanager
def _database(kind: str, tmp_path):
    from db import Database

    if kind == "sqlite":
        d = Database(f"sqlite:///{tmp_path / 'tw.db'}")
        try:
            yield d
        finally:
            d.dispose()
        return
    if not PG_URL:
        if REQUIRE_PG:
            pytest.fail("TRADEWATCH_REQUIRE_POSTGRES=1 but TRADEWATCH_TEST_POSTGRES_URL is not set")
        pytest.skip(
            "PostgreSQL tests need TRADEWATCH_TEST_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"
        )
    from sqlalchemy import create_engine, text

    from db.session import normalize_url

    schema = f"tw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalize_url(PG_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL at TRADEWATCH_TEST_POSTGRES_URL is unreachable: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    d = Database(_schema_url(PG_URL, schema))
    try:
        yield d
    finally:
        d.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    """An empty, migrated database: SQLite, and PostgreSQL when configured."""
    with _database(request.param, tmp_path) as d:
        yield d


@pytest.fixture(scope="module")
def economy():
    return Economy(seed=11, n_partners=205)


@pytest.fixture(scope="module", params=BACKENDS)
def history_db(request, tmp_path_factory, economy):
    """A database holding three years of all-partner KCS history (read-only for the tests)."""
    from db.store import store_batch

    with _database(request.param, tmp_path_factory.mktemp("history")) as d:
        with d.transaction() as s:
            store_batch(s, economy.observations(months(*HISTORY)), run_id="history")
        yield d


# `settings` comes from tests/conftest.py.
