"""The database handle: engine, sessions, and migrations applied on first use."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import CursorResult, Engine, Result, make_url
from sqlalchemy.orm import Session, sessionmaker

from tradewatch.errors import TradewatchError

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK = 7_265_121  # advisory lock id for migrations


def normalize_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE touched (its result is a ``CursorResult`` at run time)."""
    return cast(CursorResult[Any], result).rowcount or 0


class Database:
    """One per process and URL. ``Database(url).session()`` gives a migrated database."""

    def __init__(self, url: str, *, migrate: bool = True, echo: bool = False):
        self.url = normalize_url(url)
        u = make_url(self.url)
        self.dialect = u.get_backend_name()
        kwargs: dict = {"echo": echo, "future": True}
        if self.dialect == "sqlite":
            if u.database and u.database != ":memory:":
                Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            kwargs["connect_args"] = {"timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # Writers take the lock when they begin, not half-way through: two runs
            # at the same moment then queue (busy_timeout) instead of failing.
            event.listen(self.engine, "begin", _sqlite_begin)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._migrated = False
        self._lock = threading.Lock()
        if migrate:
            self.migrate()

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"

    @property
    def safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    # --- migrations -------------------------------------------------------------------
    def _alembic_config(self):
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return cfg

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        if head is None:
            raise TradewatchError(f"no migration head in {MIGRATIONS}")
        return head

    def current_revision(self) -> str | None:
        with self.engine.connect() as conn:
            if not inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def migrate(self) -> None:
        """Bring the schema to the newest revision (cheap when it already is)."""
        with self._lock:
            if self._migrated:
                return
            try:
                if self.current_revision() == self.head_revision():
                    self._migrated = True
                    return
                from alembic import command

                cfg = self._alembic_config()
                with self.engine.begin() as conn:
                    if self.dialect == "postgresql":
                        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
            except TradewatchError:
                raise
            except Exception as exc:
                raise TradewatchError(
                    f"cannot migrate the database {self.safe_url}: {type(exc).__name__}: {exc}"
                ) from exc
            self._migrated = True

    # --- sessions ----------------------------------------------------------------------
    def session(self) -> Session:
        return self._sessions()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads. On SQLite it does not take the write lock that
        ``session()`` and ``transaction()`` take when they begin: in WAL mode a reader
        neither waits for a writer nor makes one wait, however long it reads (a
        validation of many windows)."""
        with self.engine.connect().execution_options(tw_read_only=True) as conn, Session(bind=conn) as s:
            yield s

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work commits at the end, or rolls back whole on any error."""
        with self._sessions() as s, s.begin():
            yield s

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_begin(conn) -> None:
    # a read-only connection (Database.reading) begins deferred: it never holds the write lock
    conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("tw_read_only") else "BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
