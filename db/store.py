"""Writes and reads of figures: one batch, one transaction, in bulk; revisions kept.

A batch is stored inside the caller's transaction (``Database.transaction()``), so
that what a run detects and the alerts it writes commit together with the figures
that caused them, or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, and_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import ObservationRow, RankClaimRow, SnapshotRow, UTCDateTime
from tradewatch.errors import TradewatchError
from tradewatch.model import Flow, Observation, Period, RankClaim, utcnow

if TYPE_CHECKING:
    from scrapers.archive import Snapshot

_CHUNK = 500


class DuplicateKey(TradewatchError):
    pass


@dataclass
class Revision:
    key: tuple
    old_value: int
    new_value: int
    old_precision: int
    new_precision: int
    old_id: int
    period: str

    @property
    def change_pct(self) -> float | None:
        if self.old_value == 0:
            return None
        return (self.new_value - self.old_value) / abs(self.old_value) * 100.0


@dataclass
class StoreResult:
    inserted: int = 0
    revised: int = 0
    unchanged: int = 0
    stale: int = 0
    claims_inserted: int = 0
    revisions: list[Revision] = field(default_factory=list)
    new_keys: list[tuple] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.revised or self.claims_inserted)

    def merge(self, other: StoreResult) -> StoreResult:
        self.inserted += other.inserted
        self.revised += other.revised
        self.unchanged += other.unchanged
        self.stale += other.stale
        self.claims_inserted += other.claims_inserted
        self.revisions.extend(other.revisions)
        self.new_keys.extend(other.new_keys)
        return self


# --- snapshots ------------------------------------------------------------------------


def record_snapshot(session: Session, snap: Snapshot) -> None:
    """Mirror an archive record in ``snapshots`` (once per fetch)."""
    exists = session.execute(
        select(SnapshotRow.id).where(
            SnapshotRow.request_key == snap.request_key,
            SnapshotRow.sha256 == snap.sha256,
            SnapshotRow.fetched_at == snap.fetched_at,
        )
    ).first()
    if exists:
        return
    session.add(
        SnapshotRow(
            sha256=snap.sha256,
            size=snap.size,
            source=snap.source,
            method=snap.method,
            url=snap.url,
            params=snap.params,
            request_key=snap.request_key,
            status=snap.status,
            headers=snap.headers,
            fetched_at=snap.fetched_at,
            label=snap.label,
            sample=snap.sample,
        )
    )


# --- figures ----------------------------------------------------------------------------


# The columns a stored figure fills, in the order of ``_row_tuple``.
INSERT_COLUMNS = (
    "reporter",
    "partner",
    "flow",
    "period",
    "period_kind",
    "period_start",
    "period_end",
    "commodity",
    "source",
    "value_usd",
    "precision_usd",
    "approximate",
    "yoy_pct",
    "maturity",
    "source_url",
    "snapshot_sha256",
    "published_at",
    "fetched_at",
    "quote",
    "valid_from",
    "valid_to",
    "is_current",
    "supersedes_id",
    "run_id",
)
_STAGE = "tw_observations_stage"
_BIG_INSERT = 2_000  # rows: from here SQLite's page cache is raised for the insert
_BIG_CACHE_KB = 32_768


# reporter, partner, flow, commodity, period_start, source: the leading columns of the series indexes
_SERIES_ORDER = itemgetter(0, 1, 2, 7, 5, 8)


def _row_tuple(
    o: Observation,
    period: tuple[str, str, date, date],
    now: datetime,
    run_id: str | None,
    fetched_at: datetime | None,
    supersedes: int | None,
) -> tuple:
    text, kind, start, end = period
    return (
        o.reporter,
        o.partner,
        FLOW_VALUES.get(id(o.flow)) or o.flow.value,
        text,
        kind,
        start,
        end,
        o.commodity,
        o.source,
        int(o.value_usd),
        int(o.precision_usd),
        bool(o.approximate),
        o.yoy_pct,
        o.maturity,
        o.source_url,
        o.snapshot_sha256,
        o.published_at,
        fetched_at,
        o.quote,
        now,
        None,
        True,
        supersedes,
        run_id,
    )


def _bind_processors(dialect) -> list:
    """SQLAlchemy's own conversion of each inserted column for ``dialect`` (None: as is)."""
    table = cast(Table, ObservationRow.__table__)
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in INSERT_COLUMNS]


def _insert_rows(session: Session, rows: list[tuple]) -> None:
    """Write ``rows`` (``INSERT_COLUMNS`` order) in bulk inside the session's transaction.

    PostgreSQL: ``COPY`` into a temporary staging table, then one ``INSERT … SELECT``
    (the unique index on current figures still decides between concurrent runs).
    SQLite: one ``executemany`` of values already converted the way SQLAlchemy
    converts them (each distinct date or time once, not once per row and column).
    """
    if not rows:
        return
    conn = session.connection()
    dialect = conn.dialect
    cols = ", ".join(INSERT_COLUMNS)
    # in the order of the series indexes: consecutive rows land on the same index pages
    # (a window comes month by month, partner by partner; sorted, SQLite's insert took ~25 % less CPU)
    rows = sorted(rows, key=_SERIES_ORDER)
    if dialect.name == "postgresql":
        _copy_rows(conn, rows, cols)
        return
    procs = _bind_processors(dialect)
    converted: list = list(zip(*rows, strict=True))  # the columns
    for i, proc in enumerate(procs):
        if proc is not None:
            memo: dict = {}
            out = []
            for v in converted[i]:
                try:
                    out.append(memo[v])
                except KeyError:
                    memo[v] = c = proc(v)
                    out.append(c)
                except TypeError:  # an unhashable value: convert it alone
                    out.append(proc(v))
            converted[i] = out
    params = list(zip(*converted, strict=True))
    if dialect.paramstyle == "qmark":
        marks = ", ".join("?" for _ in INSERT_COLUMNS)
        big = dialect.name == "sqlite" and len(params) >= _BIG_INSERT
        if big:  # the rows update five indexes at scattered places: a larger page cache while they do
            conn.exec_driver_sql(f"PRAGMA cache_size=-{_BIG_CACHE_KB}")
        try:
            conn.exec_driver_sql(f"INSERT INTO observations ({cols}) VALUES ({marks})", params)
        finally:
            if big:  # back to SQLite's default: every pooled connection keeps its own cache
                conn.exec_driver_sql("PRAGMA cache_size=-2000")
    else:  # another driver: the Core statement, which knows its parameter style
        conn.execute(
            cast(Table, ObservationRow.__table__).insert(), [dict(zip(INSERT_COLUMNS, r, strict=True)) for r in rows]
        )


def _copy_rows(conn, rows: list[tuple], cols: str) -> None:
    """PostgreSQL: COPY into a per-transaction staging table, then one set-based insert."""
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {_STAGE} ON COMMIT DROP AS SELECT {cols} FROM observations WITH NO DATA"
    )
    conn.exec_driver_sql(f"TRUNCATE {_STAGE}")
    table = cast(Table, ObservationRow.__table__)
    utc = [i for i, name in enumerate(INSERT_COLUMNS) if isinstance(table.c[name].type, UTCDateTime)]
    memo: dict[datetime, datetime] = {}

    def naive(v: datetime | None) -> datetime | None:
        if v is None:
            return None
        try:
            return memo[v]
        except KeyError:
            if v.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column") from None
            memo[v] = n = v.astimezone(UTC).replace(tzinfo=None)
            return n

    raw = conn.connection.dbapi_connection
    with raw.cursor() as cur, cur.copy(f"COPY {_STAGE} ({cols}) FROM STDIN") as copy:
        for r in rows:
            row = list(r)
            for i in utc:
                row[i] = naive(row[i])
            copy.write_row(row)
    conn.exec_driver_sql(f"INSERT INTO observations ({cols}) SELECT {cols} FROM {_STAGE}")
    conn.exec_driver_sql(f"TRUNCATE {_STAGE}")


# a flow's value by the member's id (members are singletons; ``.value`` on an enum is a slow descriptor)
FLOW_VALUES = {id(f): f.value for f in Flow}


def series_keys(observations: Sequence[Observation]) -> list[tuple]:
    """``o.key`` of every observation, each distinct period formatted once (a window's
    12k figures share 12 periods; ``str(period)`` per figure was a backfill's hot spot)."""
    texts: dict[int, str] = {}  # by id(): the periods live as long as the observations
    flows = FLOW_VALUES
    out = []
    for o in observations:
        p = o.period
        t = texts.get(id(p))
        if t is None:
            t = texts[id(p)] = str(p)
        f = o.flow
        out.append((o.reporter, o.partner, flows.get(id(f)) or f.value, t, o.commodity, o.source))
    return out


def load_current(
    session: Session, observations: Sequence[Observation], keys: Sequence[tuple] | None = None
) -> dict[tuple, tuple[int, int, int, datetime | None]]:
    """Current (id, value, precision, fetched_at) for every series key the batch touches.

    ``keys``: the observations' ``series_keys``, if the caller has them already.
    """
    if keys is None:
        keys = series_keys(observations)
    wanted: dict[str, set[str]] = defaultdict(set)
    starts: dict[str, date] = {}
    for o, k in zip(observations, keys, strict=True):
        p = k[3]
        if p not in starts:
            starts[p] = o.period.start
        wanted[k[5]].add(p)
    found: dict[tuple, tuple[int, int, int, datetime | None]] = {}
    cols = (
        ObservationRow.id,
        ObservationRow.value_usd,
        ObservationRow.precision_usd,
        ObservationRow.fetched_at,
        ObservationRow.reporter,
        ObservationRow.partner,
        ObservationRow.flow,
        ObservationRow.period,
        ObservationRow.commodity,
        ObservationRow.source,
    )
    for source, periods in wanted.items():
        plist = sorted(periods)
        for i in range(0, len(plist), _CHUNK):
            chunk = plist[i : i + _CHUNK]
            rows = session.execute(
                select(*cols).where(
                    ObservationRow.is_current.is_(True),
                    ObservationRow.source == source,
                    # period_start too: it lets the (source, period_start) index find the
                    # rows instead of scanning all of the source's history
                    ObservationRow.period_start.in_(sorted({starts[p] for p in chunk})),
                    ObservationRow.period.in_(chunk),
                )
            )
            for r in rows:
                found[(r.reporter, r.partner, r.flow, r.period, r.commodity, r.source)] = (
                    r.id,
                    r.value_usd,
                    r.precision_usd,
                    r.fetched_at,
                )
    return found


def store_batch(
    session: Session,
    observations: Sequence[Observation],
    rank_claims: Sequence[RankClaim] = (),
    *,
    run_id: str | None = None,
    now: datetime | None = None,
    fetched_at: dict[str, datetime] | None = None,
    keys: Sequence[tuple] | None = None,
) -> StoreResult:
    """Insert new figures, supersede changed ones, skip unchanged ones; all in ``session``.

    A value published again with its rounding (34.25 vs 34.26 bn at ±0.005 bn) is
    the same figure, not a revision. The caller's transaction makes it atomic.
    ``keys``: the observations' ``series_keys``, if the caller has them already.
    """
    now = now or utcnow()
    fetched_at = fetched_at or {}
    result = StoreResult()
    if keys is None:
        keys = series_keys(observations)  # computed once: a backfill window holds ~12k figures
    if len(set(keys)) != len(keys):
        seen: set[tuple] = set()
        for k in keys:
            if k in seen:
                raise DuplicateKey(f"the batch holds {k} twice")
            seen.add(k)

    current = load_current(session, observations, keys)
    inserts: list[tuple] = []
    superseded: list[int] = []
    periods: dict[int, tuple[str, str, date, date]] = {}  # by id() of the batch's periods
    for o, key in zip(observations, keys, strict=True):
        fa = fetched_at.get(o.snapshot_sha256 or "")
        p = o.period
        pinfo = periods.get(id(p))
        if pinfo is None:
            pinfo = periods[id(p)] = (key[3], p.kind.value, p.start, p.end)
        cur = current.get(key)
        if cur is None:
            inserts.append(_row_tuple(o, pinfo, now, run_id, fa, None))
            result.new_keys.append(key)
            continue
        cur_id, cur_value, cur_precision, cur_fetched = cur
        if o.same_figure(cur_value, cur_precision):
            result.unchanged += 1
            continue
        if fa is not None and cur_fetched is not None and fa < cur_fetched:
            # bytes fetched before the stored figure's (a replay or reprocess of an older
            # archive) never supersede it: the newer publication stands
            result.stale += 1
            continue
        superseded.append(cur_id)
        inserts.append(_row_tuple(o, pinfo, now, run_id, fa, cur_id))
        result.revisions.append(
            Revision(key, cur_value, int(o.value_usd), cur_precision, int(o.precision_usd), cur_id, str(o.period))
        )
    for i in range(0, len(superseded), _CHUNK):
        session.execute(
            update(ObservationRow)
            .where(ObservationRow.id.in_(superseded[i : i + _CHUNK]), ObservationRow.is_current.is_(True))
            .values(is_current=False, valid_to=now)
            .execution_options(synchronize_session=False)
        )
    if inserts:
        _insert_rows(session, inserts)
    result.revised = len(result.revisions)
    result.inserted = len(inserts) - result.revised
    if rank_claims:
        result.claims_inserted = store_rank_claims(session, rank_claims, now)
    session.flush()
    return result


def store_rank_claims(session: Session, claims: Iterable[RankClaim], now: datetime) -> int:
    n = 0
    for c in claims:
        exists = session.execute(
            select(RankClaimRow.id).where(
                RankClaimRow.reporter == c.reporter,
                RankClaimRow.partner == c.partner,
                RankClaimRow.flow == c.flow.value,
                RankClaimRow.period == str(c.period),
                RankClaimRow.source == c.source,
                RankClaimRow.rank == c.rank,
            )
        ).first()
        if exists:
            continue
        session.add(
            RankClaimRow(
                reporter=c.reporter,
                partner=c.partner,
                flow=c.flow.value,
                period=str(c.period),
                rank=c.rank,
                source=c.source,
                source_url=c.source_url,
                snapshot_sha256=c.snapshot_sha256,
                published_at=c.published_at,
                quote=c.quote,
                basis=c.basis,
                created_at=now,
            )
        )
        n += 1
    return n


def store_batch_atomic(db, observations, rank_claims=(), *, run_id=None, now=None, attempts: int = 3) -> StoreResult:
    """``store_batch`` in its own transaction, retried when a concurrent run stored first."""
    for attempt in range(attempts):
        try:
            with db.transaction() as s:
                return store_batch(s, observations, rank_claims, run_id=run_id, now=now)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


# --- reads ------------------------------------------------------------------------------


def to_observation(r: ObservationRow) -> Observation:
    return Observation(
        reporter=r.reporter,
        partner=r.partner,
        flow=Flow(r.flow),
        period=Period.parse(r.period),
        value_usd=r.value_usd,
        source=r.source,
        commodity=r.commodity,
        precision_usd=r.precision_usd,
        source_url=r.source_url,
        snapshot_sha256=r.snapshot_sha256,
        published_at=r.published_at,
        approximate=r.approximate,
        yoy_pct=r.yoy_pct,
        maturity=r.maturity,
        quote=r.quote,
    )


def current_rows(
    session: Session,
    *,
    reporter: str | None = None,
    partner: str | None = None,
    flow: str | None = None,
    commodity: str | None = "TOTAL",
    source: str | None = None,
    period_kind: str | None = None,
    period: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[ObservationRow]:
    q = select(ObservationRow).where(ObservationRow.is_current.is_(True))
    for col, val in (
        (ObservationRow.reporter, reporter),
        (ObservationRow.partner, partner),
        (ObservationRow.flow, flow),
        (ObservationRow.commodity, commodity),
        (ObservationRow.source, source),
        (ObservationRow.period_kind, period_kind),
        (ObservationRow.period, period),
    ):
        if val is not None:
            q = q.where(col == val)
    if since is not None:
        q = q.where(ObservationRow.period_start >= since)
    if until is not None:
        q = q.where(ObservationRow.period_end <= until)
    q = q.order_by(
        ObservationRow.reporter,
        ObservationRow.partner,
        ObservationRow.flow,
        ObservationRow.period_start,
        ObservationRow.source,
    )
    return list(session.execute(q).scalars())


def history(session: Session, key: tuple) -> list[ObservationRow]:
    """Every version of one series value, oldest first."""
    reporter, partner, flow, period, commodity, source = key
    q = (
        select(ObservationRow)
        .where(
            and_(
                ObservationRow.reporter == reporter,
                ObservationRow.partner == partner,
                ObservationRow.flow == flow,
                ObservationRow.period == period,
                ObservationRow.commodity == commodity,
                ObservationRow.source == source,
            )
        )
        .order_by(ObservationRow.valid_from, ObservationRow.id)
    )
    return list(session.execute(q).scalars())
