"""The store on SQLite and PostgreSQL: revision history, idempotent re-ingest, atomic batches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from db.models import ObservationRow
from db.store import DuplicateKey, current_rows, history, store_batch, store_batch_atomic
from tradewatch.model import Flow, Observation, Period

T0 = datetime(2026, 10, 16, 3, 0, tzinfo=UTC)


def obs(partner="VNM", flow=Flow.EXPORT, period="2026-09", value=5_000_000_000, source="kcs", **kw):
    return Observation("KOR", partner, flow, Period.parse(period), value, source, **kw)


def batch(n_partners=5, value=1_000_000_000, period="2026-09"):
    codes = ["VNM", "CHN", "USA", "JPN", "HKG", "TWN", "SGP", "IND", "DEU", "AUS"][:n_partners]
    return [
        obs(p, f, period, value + i * 1000 + j)
        for i, p in enumerate(codes)
        for j, f in enumerate((Flow.EXPORT, Flow.IMPORT))
    ]


def count(db, **where):
    with db.session() as s:
        q = select(func.count()).select_from(ObservationRow)
        for k, v in where.items():
            q = q.where(getattr(ObservationRow, k) == v)
        return s.execute(q).scalar()


def test_insert_then_idempotent_reingest(db):
    b = batch()
    r1 = store_batch_atomic(db, b, now=T0)
    assert (r1.inserted, r1.revised, r1.unchanged) == (10, 0, 0)
    r2 = store_batch_atomic(db, b, now=T0 + timedelta(days=1))
    assert (r2.inserted, r2.revised, r2.unchanged) == (0, 0, 10)
    assert count(db) == 10


def test_revision_supersedes_and_keeps_history(db):
    store_batch_atomic(db, [obs(value=100)], now=T0)
    r = store_batch_atomic(db, [obs(value=110)], now=T0 + timedelta(days=30))
    assert r.revised == 1 and r.inserted == 0
    rev = r.revisions[0]
    assert (rev.old_value, rev.new_value) == (100, 110) and rev.change_pct == pytest.approx(10.0)
    with db.session() as s:
        versions = history(s, obs().key)
        assert [v.value_usd for v in versions] == [100, 110]
        old, new = versions
        assert not old.is_current and old.valid_to == T0 + timedelta(days=30)
        assert new.is_current and new.valid_to is None and new.supersedes_id == old.id
        assert [o.value_usd for o in current_rows(s, reporter="KOR")] == [110]


def test_republication_within_rounding_is_not_a_revision(db):
    store_batch_atomic(
        db,
        [obs(flow=Flow.BALANCE, period="2022", value=-34_250_000_000, precision_usd=10_000_000, source="releases:x")],
        now=T0,
    )
    r = store_batch_atomic(
        db,
        [obs(flow=Flow.BALANCE, period="2022", value=-34_254_000_000, precision_usd=1_000_000, source="releases:x")],
        now=T0,
    )
    assert r.revised == 0 and r.unchanged == 1


def test_failure_mid_batch_leaves_nothing_half_written(db):
    store_batch_atomic(db, [obs(value=100)], now=T0)
    bad = [*batch(5), obs(partner="CHN", value=1)]  # CHN export twice: refused
    with pytest.raises(DuplicateKey):
        store_batch_atomic(db, bad, now=T0)
    assert count(db) == 1

    class Boom(RuntimeError):
        pass

    with pytest.raises(Boom), db.transaction() as s:
        store_batch(s, batch(5, value=7), now=T0)
        raise Boom("crash after the inserts, before commit")
    assert count(db) == 1
    with db.session() as s:
        assert current_rows(s)[0].value_usd == 100


def test_same_series_from_two_sources_are_two_series(db):
    store_batch_atomic(db, [obs(source="kcs", value=1), obs(source="releases:motie", value=2)], now=T0)
    assert count(db, is_current=True) == 2


def test_database_enforces_one_current_value_per_series(db):
    from sqlalchemy.exc import IntegrityError

    store_batch_atomic(db, [obs(value=1)], now=T0)
    with pytest.raises(IntegrityError), db.transaction() as s:
        s.add(
            ObservationRow(
                reporter="KOR",
                partner="VNM",
                flow="export",
                period="2026-09",
                period_kind="month",
                period_start=Period.parse("2026-09").start,
                period_end=Period.parse("2026-09").end,
                commodity="TOTAL",
                source="kcs",
                value_usd=2,
                precision_usd=1,
                approximate=False,
                valid_from=T0,
                is_current=True,
            )
        )


def test_bulk_batch_of_many_rows(db):
    big = [
        obs(p, f, f"20{y:02d}-{m:02d}", 1000 + m)
        for y in (24, 25)
        for m in range(1, 13)
        for p in ("VNM", "CHN", "USA", "JPN", "HKG", "TWN", "SGP", "IND", "DEU", "AUS")
        for f in (Flow.EXPORT, Flow.IMPORT, Flow.BALANCE, Flow.TOTAL)
    ]
    r = store_batch_atomic(db, big, now=T0)
    assert r.inserted == len(big) == 960
    assert count(db) == 960


def test_migrations_are_applied_once_and_recorded(db):
    assert db.current_revision() == db.head_revision()
    from db import Database

    again = Database(db.url)  # a second handle finds the schema current
    assert again.current_revision() == db.head_revision()
    again.dispose()


def test_bytes_fetched_earlier_never_supersede_a_newer_figure(db):
    night1, night2 = T0, T0 + timedelta(days=31)
    with db.transaction() as s:
        store_batch(s, [obs(value=100, snapshot_sha256="a" * 64)], fetched_at={"a" * 64: night1}, now=night1)
    with db.transaction() as s:
        r = store_batch(s, [obs(value=110, snapshot_sha256="b" * 64)], fetched_at={"b" * 64: night2}, now=night2)
    assert r.revised == 1
    # replaying night 1's archive later must not bring 100 back
    with db.transaction() as s:
        r = store_batch(
            s, [obs(value=100, snapshot_sha256="a" * 64)], fetched_at={"a" * 64: night1}, now=night2 + timedelta(days=1)
        )
    assert (r.revised, r.stale, r.inserted) == (0, 1, 0)
    with db.session() as s:
        assert [v.value_usd for v in history(s, obs().key)] == [100, 110]
        assert current_rows(s)[0].fetched_at == night2


def test_every_column_of_a_bulk_insert_reads_back_as_written(db):
    """The bulk path (COPY on PostgreSQL, executemany on SQLite) writes what the ORM reads back."""
    published = datetime(2026, 10, 1, 9, 30, 15, 250_000, tzinfo=UTC)
    fetched = datetime(2026, 10, 15, 23, 59, 59, 999_999, tzinfo=UTC)
    rows = [
        obs(
            "VNM",
            Flow.EXPORT,
            "2025-01..2025-08",
            25_610_000_000,
            source="releases:motie",
            precision_usd=10_000_000,
            approximate=True,
            yoy_pct=-7.9,
            maturity="preliminary",
            source_url="https://example.org/release?id=1&x=\u00e9",
            snapshot_sha256="c" * 64,
            published_at=published,
            quote="Exports to Vietnam: $25.61 bn (\u2212 7.9 %), tab\there; a \\ backslash",
        ),
        obs("CHN", Flow.BALANCE, "2025-10-01..2025-10-10", -123, source="kcs"),
    ]
    with db.transaction() as s:
        store_batch(s, rows, run_id="r1", now=T0, fetched_at={"c" * 64: fetched})
    with db.session() as s:
        got = {r.partner: r for r in s.execute(select(ObservationRow)).scalars()}
    v, c = got["VNM"], got["CHN"]
    assert (v.period, v.period_kind, v.period_start.isoformat(), v.period_end.isoformat()) == (
        "2025-01..2025-08",
        "months",
        "2025-01-01",
        "2025-08-31",
    )
    assert (v.value_usd, v.precision_usd, v.approximate, v.yoy_pct, v.maturity) == (
        25_610_000_000,
        10_000_000,
        True,
        -7.9,
        "preliminary",
    )
    assert v.source_url == rows[0].source_url and v.quote == rows[0].quote
    assert (v.published_at, v.fetched_at, v.valid_from, v.valid_to) == (published, fetched, T0, None)
    assert (v.is_current, v.supersedes_id, v.run_id, v.snapshot_sha256) == (True, None, "r1", "c" * 64)
    assert (c.period_kind, c.value_usd, c.approximate, c.published_at, c.fetched_at, c.yoy_pct) == (
        "days",
        -123,
        False,
        None,
        None,
        None,
    )
