"""The steps of a run as plain functions: fetch → archive → parse → validate → store → detect → deliver.

The Prefect flows (``nightly``, ``backfill``, ``reprocess``) are thin wrappers that
call these; tests and the benchmark call them directly. Every step keeps what it
saw: snapshots in the archive, validation results, quarantined batches, source-health
records, alerts in the outbox.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from db import Database
from db import store as dbstore
from db.models import RunRow, SourceRunRow
from scrapers import get_source
from scrapers.archive import Archive, Snapshot
from scrapers.base import ParseResult, Source
from scrapers.http import Fetcher
from tradewatch.config import Settings
from tradewatch.errors import TradewatchError
from tradewatch.model import Observation, Period, RankClaim, utcnow

log = logging.getLogger("tradewatch.run")


# --- test hook: crash consistency ------------------------------------------------------------
# TRADEWATCH_TEST_CRASH_AT=<point>[:<n>] makes the process SIGKILL itself the n-th time (default
# the first) it passes <point>: fetched (a snapshot archived and recorded, mid-fetch), stored
# (a batch written, its transaction not yet committed), committed (a batch and its alerts
# committed), deliver (everything stored, nothing delivered), finish (delivered, the run not
# closed). Only tests/reliability set it; unset, a pass costs one environment lookup.
_CRASH_ENV = "TRADEWATCH_TEST_CRASH_AT"
_crash_hits: dict[str, int] = {}
_crash_lock = threading.Lock()


def _crash_point(name: str) -> None:
    want = os.environ.get(_CRASH_ENV)
    if not want:
        return
    point, _, nth = want.partition(":")
    if point != name:
        return
    with _crash_lock:
        _crash_hits[name] = n = _crash_hits.get(name, 0) + 1
    if n >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)


# --- what a run reports ------------------------------------------------------------------


@dataclass
class SourceOutcome:
    source: str
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    requested: int = 0
    fetched: int = 0
    not_modified: int = 0
    parsed: int = 0
    stored: int = 0
    revised: int = 0
    unchanged: int = 0
    quarantined: int = 0
    published_nothing: int = 0
    corroborated: int = 0  # release figures that agreed with the official figure (flows.corroborate)
    held_back: int = 0  # release figures quarantined for disagreeing with it
    errors: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        # Every request failed, on the network or in the parser (a changed layout, a
        # gateway error...): nothing usable came back, so the source-health streak counts it.
        if self.errors and not (self.parsed or self.unchanged or self.published_nothing):
            return "failed"
        if self.errors:
            return "partial"
        if self.parsed == 0 and self.unchanged == 0:
            return "empty"
        return "ok"

    def add(self, other: SourceOutcome) -> None:
        for f in (
            "requested",
            "fetched",
            "not_modified",
            "parsed",
            "stored",
            "revised",
            "unchanged",
            "quarantined",
            "published_nothing",
            "corroborated",
            "held_back",
        ):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.errors.extend(other.errors)


@dataclass
class RunSummary:
    run_id: str
    flow: str
    params: dict[str, Any]
    started_at: datetime = field(default_factory=utcnow)
    finished_at: datetime | None = None
    sources: dict[str, SourceOutcome] = field(default_factory=dict)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    quarantined: list[dict[str, Any]] = field(default_factory=list)
    deliveries: dict[str, Any] = field(default_factory=dict)
    validations: list[dict[str, Any]] = field(default_factory=list)
    sample: bool = False

    def outcome(self, source: str) -> SourceOutcome:
        if source not in self.sources:
            self.sources[source] = SourceOutcome(source)
        return self.sources[source]

    @property
    def status(self) -> str:
        states = {o.status for o in self.sources.values()}
        if "failed" in states or "partial" in states:
            return "degraded"
        return "ok"

    @property
    def new_figures(self) -> int:
        return sum(o.stored for o in self.sources.values())

    @property
    def revisions(self) -> int:
        return sum(o.revised for o in self.sources.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "flow": self.flow,
            "params": self.params,
            "status": self.status,
            "sample": self.sample,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "new_figures": self.new_figures,
            "revisions": self.revisions,
            "sources": {
                k: {
                    **{f: v for f, v in asdict(o).items() if f not in ("started_at", "finished_at")},
                    "status": o.status,
                }
                for k, o in self.sources.items()
            },
            "alerts": self.alerts,
            "quarantined": self.quarantined,
            "deliveries": self.deliveries,
            "validations": self.validations,
        }


# --- the run context -----------------------------------------------------------------------


@dataclass
class Run:
    settings: Settings
    db: Database
    fetcher: Fetcher
    summary: RunSummary
    today: date
    send_alerts: bool = True
    validate: bool = True
    # Detect changes only for periods starting on or after this day. A backfill of
    # years sets it to its last twelve months: older moves are history, not news, and
    # ranking every month of 26 years is most of a backfill's cost.
    detect_since: date | None = None
    sources_closed: bool = False
    # Seconds per phase of this run (fetch_wait, parse, validate, store, detect): the
    # benchmark's breakdown, and the run summary's.
    phase_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        return self.summary.run_id

    def close(self) -> None:
        self.fetcher.close()


def open_run(
    settings: Settings,
    flow: str,
    params: dict[str, Any],
    *,
    replay: str | Path | None = None,
    as_of: datetime | None = None,
    today: date | None = None,
    send_alerts: bool = True,
    run_id: str | None = None,
    db: Database | None = None,
    validate: bool = True,
    detect_since: date | None = None,
) -> Run:
    db = db or Database(settings.database_url)
    replay_archive = Archive(replay) if replay else None
    sample = replay_archive is not None and any(s.sample for s in _first(replay_archive.snapshots(), 1))

    def on_snapshot(snap: Snapshot) -> None:
        with db.transaction() as s:
            dbstore.record_snapshot(s, snap)
        _crash_point("fetched")

    fetcher = Fetcher.from_settings(settings, replay=replay_archive, as_of=as_of, on_snapshot=on_snapshot)
    if today is None:
        today = as_of.date() if as_of else settings.run_today()
    summary = RunSummary(run_id=run_id or uuid.uuid4().hex[:16], flow=flow, params=params, sample=sample)
    with db.transaction() as s:
        _mark_interrupted(s, summary.started_at - timedelta(hours=settings.stale_run_hours))
        s.merge(
            RunRow(
                id=summary.run_id, flow=flow, started_at=summary.started_at, status="running", params=_jsonable(params)
            )
        )
    return Run(
        settings=settings,
        db=db,
        fetcher=fetcher,
        summary=summary,
        today=today,
        send_alerts=send_alerts,
        validate=validate,
        detect_since=detect_since,
    )


@contextmanager
def _phase(run: Run, name: str) -> Iterator[None]:
    t = time.perf_counter()
    try:
        yield
    finally:
        run.phase_seconds[name] = run.phase_seconds.get(name, 0.0) + time.perf_counter() - t


def backfill_detect_since(last: Period) -> date:
    """A backfill detects changes in its last twelve months only: older moves are history, not news."""
    return last.shift(months=-11).start


def _mark_interrupted(session, before: datetime) -> int:
    """Runs that started before ``before`` and never closed (killed, lost worker) are "interrupted".

    Their figures and alerts are safe (each batch commits whole; the outbox keeps
    undelivered alerts for the next run); only their ``runs`` row is left open.
    """
    from sqlalchemy import update

    res = session.execute(
        update(RunRow).where(RunRow.status == "running", RunRow.started_at < before).values(status="interrupted")
    )
    if res.rowcount:
        log.warning(
            "%d run(s) started before %s never finished; marked interrupted",
            res.rowcount,
            before.isoformat(timespec="minutes"),
        )
    return res.rowcount or 0


def _first(it: Iterable, n: int) -> list:
    out = []
    for x in it:
        out.append(x)
        if len(out) >= n:
            break
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, (date, datetime, Period, Path)):
        return str(v)
    return v


# --- per window ---------------------------------------------------------------------------------


def plan(
    run: Run, source_ids: Sequence[str], start: Period | None = None, end: Period | None = None
) -> list[tuple[Source, Period]]:
    """(source, window) pairs: the given range, or each source's nightly range."""
    out = []
    for sid in source_ids:
        src = get_source(sid, run.settings)
        first, last = (start, end) if start is not None else src.nightly_range(run.today)
        for w in src.windows(first, last):
            out.append((src, w))
    return out


def fetch_window(run: Run, source: Source, window: Period, *, refetch: bool = True) -> list[Snapshot | TradewatchError]:
    """Fetch one window (network or replay). Without ``refetch``, archived answers are reused."""
    if not refetch and run.fetcher.replay is None:
        reqs = source.requests(window)
        cached = [run.fetcher.archive.latest(r.key) for r in reqs]
        hits: list[Snapshot | TradewatchError] = [c for c in cached if c is not None and 200 <= c.status < 300]
        if reqs and len(hits) == len(reqs):
            return hits
    return source.collect(run.fetcher, window)


@dataclass
class PendingBatch:
    """One batch of a window, parsed, waiting to be validated and stored."""

    source: Source
    key: str
    kind: str
    observations: list[Observation]
    claims: list[RankClaim]
    fetched: dict[str, datetime]
    out: SourceOutcome
    changed: list[Observation] | None = None  # what would change the store (``_changed``)
    changed_keys: list[tuple] | None = None  # their series keys


def parse_window(
    run: Run, source: Source, window: Period, snaps: Sequence[Snapshot | TradewatchError]
) -> tuple[SourceOutcome, list[PendingBatch]]:
    """Parse one window's snapshots into its batches: one per commodity, the TOTAL one first."""
    out = SourceOutcome(source.id)
    out.requested = len(snaps)
    observations: list[Observation] = []
    claims: list[RankClaim] = []
    fetched: dict[str, datetime] = {}
    for item in snaps:
        if isinstance(item, TradewatchError):
            out.errors.append(str(item))
            log.warning("%s %s: %s", source.id, window, item)
            continue
        fetched[item.sha256] = item.fetched_at
        if item.not_modified:
            out.not_modified += 1
        else:
            out.fetched += 1
        try:
            with _phase(run, "parse"):
                result: ParseResult = source.parse(item)
        except TradewatchError as exc:
            out.errors.append(str(exc))
            log.warning("%s %s: %s", source.id, window, exc)
            continue
        if result.published_nothing:
            out.published_nothing += 1
        observations.extend(result.observations)
        claims.extend(result.rank_claims)
    out.parsed = len(observations) + len(claims)
    # One batch per commodity: the all-partner TOTAL figures are checked as a whole
    # month (completeness, ranking), commodity figures (HS 8542...) on their own.
    by_commodity: dict[str, list[Observation]] = defaultdict(list)
    for o in observations:
        by_commodity[o.commodity].append(o)
    if claims and "TOTAL" not in by_commodity:
        by_commodity["TOTAL"] = []
    batches = []
    for commodity, obs in sorted(by_commodity.items(), key=lambda kv: kv[0] != "TOTAL"):
        key = f"{source.id} {window}" + ("" if commodity == "TOTAL" else f" HS{commodity}")
        kind = _batch_kind(source) if commodity == "TOTAL" else "structured"
        if kind == "all_partners" and all(o.partner == "WLD" for o in obs):
            kind = "structured"  # only the world total came back (the all-partner request failed)
        batches.append(PendingBatch(source, key, kind, obs, claims if commodity == "TOTAL" else [], fetched, out))
    return out, batches


def ingest_window(
    run: Run, source: Source, window: Period, snaps: Sequence[Snapshot | TradewatchError]
) -> SourceOutcome:
    """Parse, validate and store one window's snapshots as one batch."""
    out, batches = parse_window(run, source, window, snaps)
    ingest_batches(run, batches)
    out.finished_at = utcnow()
    return out


def ingest_windows(
    run: Run, items: Sequence[tuple[Source, Period, Sequence[Snapshot | TradewatchError]]]
) -> list[SourceOutcome]:
    """Several windows at once: parsed, validated together, then stored one batch at a time, in order.

    At most ``TOGETHER_ROWS`` figures (and one more window) are held at a time: a window
    that would take the held ones over that many is parsed, then the held ones are
    ingested before it joins the next lot, so that each lot is one joint validation
    (``_together_segment`` stops at the same bound) and no window is left over alone.
    """
    outs: list[SourceOutcome] = []
    batches: list[PendingBatch] = []
    rows = 0
    for source, window, snaps in items:
        out, bs = parse_window(run, source, window, snaps)
        outs.append(out)
        n = sum(len(b.observations) for b in bs)
        if batches and rows + n > TOGETHER_ROWS:
            ingest_batches(run, batches)
            batches, rows = [], 0
        batches.extend(bs)
        rows += n
    if batches:
        ingest_batches(run, batches)
    for out in outs:
        out.finished_at = utcnow()
    return outs


def ingest_batches(run: Run, batches: Sequence[PendingBatch], *, together: bool = True) -> None:
    """Validate, then store each batch in its own transaction, in order.

    Batches whose suite allows it are validated together (``expectations.validate_together``):
    one Great Expectations run for the lot, each batch judged against the history the
    batches before it will have stored. A batch the joint run finds fault with is
    validated alone at its turn (its report and Data Docs page name the failure); if
    it is quarantined, the batches after it are screened again without its figures.
    The outcome is the one that validating and storing one batch at a time gives
    (``together=False``, which the tests compare against).
    """
    with _phase(run, "store"):  # the diff against the stored figures
        for b in batches:
            b.changed, b.changed_keys = _changed_keys(run, b.observations, b.fetched)
            b.out.unchanged += len(b.observations) - len(b.changed)
    todo = [b for b in batches if b.changed or b.claims]  # a quiet night does no work
    i = 0
    while i < len(todo):
        seg = _together_segment(run, todo, i) if together else [todo[i]]
        reports: list = _screen(run, seg) if len(seg) > 1 else [None]
        for j, b in enumerate(seg):
            stored = _validate_and_store(
                run,
                b.source,
                b.key,
                b.observations,
                b.claims,
                b.out,
                b.kind,
                b.fetched,
                changed=b.changed,
                report=reports[j],
                changed_keys=b.changed_keys,
            )
            if not stored and reports[j] is None and j + 1 < len(seg):
                # quarantined: the batches after it were screened with its figures as history
                seg = seg[: j + 1]
                break
        i += len(seg)


def _together_segment(run: Run, todo: Sequence[PendingBatch], i: int) -> list[PendingBatch]:
    """The batches from ``todo[i]`` that may be validated together (at least one).

    Together: validation on, kinds whose suites read only their own series, and no two batches holding the
    same (source, commodity, period), so that storing one never changes what another
    stores. Capped at ``TOGETHER_ROWS`` figures (memory).
    """
    from expectations.validate import TOGETHER_KINDS

    first = todo[i]
    if not run.validate or first.kind not in TOGETHER_KINDS:
        return [first]
    seg: list[PendingBatch] = []
    seen: set[tuple[str, str, Period]] = set()
    rows = 0
    for b in todo[i:]:
        if b.kind not in TOGETHER_KINDS or b.claims or (seg and rows + len(b.observations) > TOGETHER_ROWS):
            break
        cells = {(o.source, o.commodity, o.period) for o in b.observations}
        if cells & seen:
            break
        seen |= cells
        seg.append(b)
        rows += len(b.observations)
    return seg or [first]


# Figures parsed and validated together at most (peak memory: ~1 KB a figure while they live).
TOGETHER_ROWS = 50_000


def _screen(run: Run, seg: Sequence[PendingBatch]) -> list:
    from expectations import Batch
    from expectations.validate import validate_together

    batches = [
        Batch(source=b.source.id, key=b.key, kind=b.kind, observations=b.observations, today=run.today) for b in seg
    ]
    with _phase(run, "validate"), run.db.reading() as s:
        reports = validate_together(s, batches, run.settings, stores=[b.changed or [] for b in seg], run_id=run.run_id)
    for batch, report in zip(batches, reports, strict=True):
        if report is not None:
            report._batch = batch  # type: ignore[attr-defined]
            run.summary.validations.append(
                {"batch": batch.key, "success": True, "rows": report.n_rows, "seconds": round(report.seconds, 3)}
            )
    return reports


# What kind of batch each source yields, for the validation suites.
BATCH_KINDS = {"kcs": "all_partners", "comtrade": "mirror", "kita": "structured", "vn_customs": "structured"}


def _batch_kind(source: Source) -> str:
    return BATCH_KINDS.get(source.id, "release")


def _changed(run: Run, observations: list[Observation], fetched: dict[str, datetime]) -> list[Observation]:
    """What would change the store: new series, and new values fetched no earlier than the stored ones."""
    return _changed_keys(run, observations, fetched)[0]


def _changed_keys(
    run: Run, observations: list[Observation], fetched: dict[str, datetime]
) -> tuple[list[Observation], list[tuple]]:
    """``_changed``, and the series keys of what it returns."""
    keys = dbstore.series_keys(observations)
    with run.db.reading() as s:
        current = dbstore.load_current(s, observations, keys)
    if not current:  # nothing of the batch stored yet (a backfill's new months)
        return list(observations), keys
    out, out_keys = [], []
    for o, k in zip(observations, keys, strict=True):
        c = current.get(k)
        if c is None:
            out.append(o)
            out_keys.append(k)
        elif not o.same_figure(c[1], c[2]):
            fa = fetched.get(o.snapshot_sha256 or "")
            if fa is None or c[3] is None or fa >= c[3]:
                out.append(o)
                out_keys.append(k)
    return out, out_keys


def _validate_and_store(
    run: Run,
    source: Source,
    batch_key: str,
    observations: list[Observation],
    claims: list[RankClaim],
    out: SourceOutcome,
    kind: str,
    fetched: dict[str, datetime],
    *,
    changed: list[Observation] | None = None,
    report=None,
    changed_keys: list[tuple] | None = None,
) -> bool:
    """Validate (unless ``report`` is given: validated already) and store one batch.

    False if the batch was quarantined; True otherwise (stored, or nothing to store).
    """
    # Only what is new or changed is validated and stored: a quiet night does no work.
    if changed is None:
        with _phase(run, "store"):
            changed, changed_keys = _changed_keys(run, observations, fetched)
        out.unchanged += len(observations) - len(changed)
    screen = None
    if kind == "release" and changed:  # each figure against the official one of its key
        from flows import corroborate

        with _phase(run, "validate"):
            screen = corroborate.screen_release(run, changed)
        changed, observations = screen.rest, screen.to_validate(observations)
        changed_keys = None  # the screen kept some of them: their keys are computed again by the store
        out.unchanged += screen.already
    if not changed and not claims and not (screen and screen.to_record):
        return True
    if report is None and run.validate and (changed or claims or (screen and screen.corroborated)):
        with _phase(run, "validate"):
            report = _validate(run, source, batch_key, kind, observations, claims)
    for attempt in range(3):
        try:
            # the transaction's time is the store's, but for detection and the validation record
            t0 = time.perf_counter()
            others0 = run.phase_seconds.get("detect", 0.0) + run.phase_seconds.get("validate", 0.0)
            with run.db.transaction() as s:
                if screen is not None:
                    corroborate.hold_back(s, run, source, batch_key, screen, out)
                if report is not None:
                    with _phase(run, "validate"):
                        vrow = _record_validation(s, run, report)
                if report is not None and not report.success:
                    with _phase(run, "validate"):
                        _quarantine(s, run, source, batch_key, report, vrow, out)
                    return False
                if screen is not None:
                    corroborate.corroborate(s, run, screen, out)
                result = dbstore.store_batch(
                    s, changed, claims, run_id=run.run_id, fetched_at=fetched, keys=changed_keys
                )
                out.stored += result.inserted
                out.revised += result.revised
                out.unchanged += result.unchanged
                with _phase(run, "detect"):
                    _detect(s, run, result)
                _crash_point("stored")
            others = run.phase_seconds.get("detect", 0.0) + run.phase_seconds.get("validate", 0.0) - others0
            run.phase_seconds["store"] = run.phase_seconds.get("store", 0.0) + time.perf_counter() - t0 - others
            _crash_point("committed")
            return True
        except Exception as exc:  # a concurrent run stored the same figures first
            from sqlalchemy.exc import IntegrityError, OperationalError

            if isinstance(exc, (IntegrityError, OperationalError)) and attempt < 2:
                log.info("%s: concurrent write (%s); retrying the batch", batch_key, type(exc).__name__)
                changed, changed_keys = _changed_keys(run, observations, fetched)
                if screen is not None:
                    changed, changed_keys = screen.keep(changed), None
                if not changed and not claims and not (screen and screen.to_record):
                    return True
                continue
            raise
    return True


# --- validation, quarantine, detection: the places other packages plug in -----------------------


def _validate(run: Run, source: Source, batch_key: str, kind: str, observations, claims):
    from expectations import Batch, validate_batch

    batch = Batch(
        source=source.id,
        key=batch_key,
        kind=kind,
        observations=list(observations),
        rank_claims=list(claims),
        today=run.today,
    )
    with run.db.reading() as s:
        # Data Docs pages are written for failures, where someone will read them.
        report = validate_batch(s, batch, run.settings, run_id=run.run_id, data_docs=False)
        if not report.success:
            report = validate_batch(s, batch, run.settings, run_id=run.run_id, data_docs=True)
    report._batch = batch  # type: ignore[attr-defined]
    run.summary.validations.append(
        {"batch": batch_key, "success": report.success, "rows": report.n_rows, "seconds": round(report.seconds, 3)}
    )
    return report


def _record_validation(session, run: Run, report):
    from expectations import record_validation

    return record_validation(session, report._batch, report, run.run_id)


def _quarantine(session, run: Run, source: Source, batch_key: str, report, vrow, out: SourceOutcome) -> None:
    from db.quarantine import quarantine_batch

    q = quarantine_batch(session, report._batch, report, run.run_id)
    out.quarantined += report.n_rows
    failed = [f.expectation for f in report.failed]
    run.summary.quarantined.append(
        {"id": q.id, "source": source.id, "batch": batch_key, "failed": failed, "data_docs": report.data_docs_path}
    )
    from alerts import quality_alert

    alert = quality_alert(source.id, batch_key, failed, report.data_docs_path, run.run_id)
    _write_alerts(session, run, [alert])


def _channels(settings: Settings) -> list[str]:
    ch = []
    if settings.slack_webhook_url is not None:
        ch.append("slack")
    if settings.smtp_url is not None and settings.email_to:
        ch.append("email")
    return ch


def _write_alerts(session, run: Run, alerts) -> None:
    if not alerts:
        return
    from db.outbox import write_alerts

    rows = write_alerts(session, alerts, _channels(run.settings), run.run_id, suppressed=not run.send_alerts)
    for row in rows:
        run.summary.alerts.append(
            {
                "id": row.id,
                "rule": row.rule,
                "severity": row.severity,
                "title": row.title,
                "dedup_key": row.dedup_key,
                "suppressed": row.suppressed,
            }
        )


def _recent(result: dbstore.StoreResult, since: date) -> dbstore.StoreResult:
    starts: dict[str, date] = {}

    def keep(key: tuple) -> bool:
        start = starts.get(key[3])
        if start is None:
            start = starts[key[3]] = Period.parse(key[3]).start
        return start >= since

    return dbstore.StoreResult(
        inserted=result.inserted,
        revised=result.revised,
        unchanged=result.unchanged,
        claims_inserted=result.claims_inserted,
        revisions=[r for r in result.revisions if keep(r.key)],
        new_keys=[k for k in result.new_keys if keep(k)],
    )


def _detect(session, run: Run, result: dbstore.StoreResult) -> None:
    if run.detect_since is not None:
        result = _recent(result, run.detect_since)
        if not (result.new_keys or result.revisions):
            return
    if not result.changed:
        return
    from alerts import detect_after_store

    alerts = detect_after_store(session, run.settings, result, today=run.today)
    _write_alerts(session, run, alerts)


# --- end of run ----------------------------------------------------------------------------


def record_source(run: Run, outcome: SourceOutcome) -> None:
    """Merge a window's outcome into the run's per-source record."""
    run.summary.outcome(outcome.source).add(outcome)


def deliver(run: Run) -> dict[str, Any]:
    """Send what the outbox holds (this run's alerts and any left from earlier runs)."""
    _crash_point("deliver")
    if not _channels(run.settings):
        run.summary.deliveries = {
            "channels": [],
            "note": "no channel configured (set TRADEWATCH_SLACK_WEBHOOK_URL or TRADEWATCH_SMTP_URL + TRADEWATCH_EMAIL_TO)",
        }
        return run.summary.deliveries
    from alerts.deliver import deliver_pending

    report = deliver_pending(run.db, run.settings, None, run.run_id, chart=_chart_for(run))
    run.summary.deliveries = _jsonable(asdict(report))
    return run.summary.deliveries


def _chart_for(run: Run):
    """The PNG the email channel attaches: the series of the alert's pair."""

    def chart(alert) -> bytes | None:
        if not (alert.reporter and alert.partner) or not alert.rule.startswith(("balance", "ranking", "target")):
            return None
        try:
            from report import render_chart_png

            return render_chart_png(run.db, run.settings, alert.reporter, alert.partner)
        except Exception as exc:  # a chart is a courtesy; the alert goes out without it
            log.warning("no chart for alert %s: %s", alert.dedup_key, exc)
            return None

    return chart


def close_sources(run: Run) -> None:
    """Write this run's source-health records and raise health alerts (before delivery)."""
    if run.sources_closed:
        return
    run.sources_closed = True
    summary = run.summary
    with run.db.transaction() as s:
        for outcome in summary.sources.values():
            outcome.finished_at = outcome.finished_at or utcnow()
            s.add(
                SourceRunRow(
                    run_id=summary.run_id,
                    source=outcome.source,
                    started_at=outcome.started_at,
                    finished_at=outcome.finished_at,
                    status=outcome.status,
                    requested=outcome.requested,
                    fetched=outcome.fetched,
                    not_modified=outcome.not_modified,
                    parsed=outcome.parsed,
                    stored=outcome.stored,
                    revised=outcome.revised,
                    quarantined=outcome.quarantined,
                    errors=outcome.errors[:50],
                )
            )
        s.flush()
        from alerts import health_alerts, silence_alerts

        for outcome in summary.sources.values():
            _write_alerts(s, run, health_alerts(s, run.settings, outcome.source, outcome.status))
            # Only a nightly run holds a source to its release rhythm: a backfill or a
            # reprocess of old months says nothing about what should be out today.
            if summary.flow == "nightly":
                src = get_source(outcome.source, run.settings)
                _write_alerts(s, run, silence_alerts(s, run.settings, src, run.today, outcome.status))


def finish_run(run: Run) -> RunSummary:
    """Close the run: source health (if not done yet) and the run's summary row."""
    _crash_point("finish")
    close_sources(run)
    summary = run.summary
    summary.finished_at = utcnow()
    with run.db.transaction() as s:
        row = s.get(RunRow, summary.run_id)
        if row is None:  # open_run wrote it; only a hand-edited database loses it
            raise TradewatchError(f"run {summary.run_id} has no row in the runs table")
        row.finished_at = summary.finished_at
        row.status = summary.status
        row.summary = _jsonable(summary.to_dict())
    run.close()
    return summary


def run_windows(run: Run, pairs: Sequence[tuple[Source, Period]], *, refetch: bool = True) -> None:
    """Fetch every window (concurrently, bounded per host), then ingest them in order."""
    from concurrent.futures import ThreadPoolExecutor

    workers = max(1, min(len(pairs), run.settings.concurrency_per_host))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tw-window") as pool:
        futures = [pool.submit(fetch_window, run, src, w, refetch=refetch) for src, w in pairs]
        loader = preload_validation(run, len(pairs))
        i = 0
        while i < len(pairs):
            # the next window, and every later one already fetched: ingested together
            with _phase(run, "fetch_wait"):
                futures[i].exception()  # waits for the fetch
            if loader is not None:  # Great Expectations still loading: more windows arrive meanwhile
                with _phase(run, "validate"):
                    loader.join()
                loader = None
            items = ready_windows(pairs, futures, i, done=lambda f: f.done())
            for out in ingest_windows(run, items):
                record_source(run, out)
            i += len(items)


def ready_windows(pairs: Sequence[tuple[Source, Period]], futures: Sequence, i: int, *, done) -> list:
    """Window ``i`` (its fetch finished) and every later one whose fetch ``done`` says has finished, in plan order,
    as ``(source, window, snapshots)``; a fetch that raised a named error gives ``[error]``. ``futures`` are the
    fetches of ``pairs`` (``concurrent.futures`` here, Prefect's in ``flows.flows``)."""
    j = i + 1
    while j < len(pairs) and done(futures[j]):
        j += 1
    items = []
    for (src, w), fut in zip(pairs[i:j], futures[i:j], strict=True):
        try:
            snaps = fut.result()
        except TradewatchError as exc:
            snaps = [exc]
        items.append((src, w, snaps))
    return items


# A run of this many windows or more loads Great Expectations while its first responses are
# on the wire; a nightly (one window per source) does not, so a quiet night never loads it.
PRELOAD_WINDOWS = 4


def preload_validation(run: Run, n_windows: int) -> threading.Thread | None:
    """Start importing Great Expectations in the background (a few seconds), if the run will validate."""
    if not run.validate or n_windows < PRELOAD_WINDOWS:
        return None

    def load() -> None:
        try:
            from expectations import gx

            gx.context()
        except Exception as exc:  # the first validation will meet it again and say so
            log.debug("preloading Great Expectations failed: %s", exc)

    t = threading.Thread(target=load, name="tw-preload-gx", daemon=True)
    t.start()
    return t


def group_by_source(pairs: Sequence[tuple[Source, Period]]) -> dict[str, list[tuple[Source, Period]]]:
    out: dict[str, list] = defaultdict(list)
    for src, w in pairs:
        out[src.id].append((src, w))
    return out


def reprocess_archive(run: Run, source_ids: Sequence[str] | None, since: date | None) -> None:
    """Parse every archived response again (newest per request), without the network."""
    from scrapers import source_ids as all_ids

    wanted = list(source_ids or all_ids())
    latest: dict[tuple[str, str], Snapshot] = {}
    for snap in run.fetcher.archive.snapshots():
        if snap.source not in wanted or (since and snap.fetched_at.date() < since):
            continue
        k = (snap.source, snap.request_key)
        if k not in latest or latest[k].fetched_at < snap.fetched_at:
            latest[k] = snap
    groups: dict[tuple[str, str], list[Snapshot]] = defaultdict(list)
    for (sid, _), snap in sorted(latest.items(), key=lambda kv: (kv[0][0], kv[1].label or "", kv[1].fetched_at)):
        groups[(sid, snap.label or snap.request_key)].append(snap)
    sources = {sid: get_source(sid, run.settings) for sid in {g[0] for g in groups}}
    for (sid, label), snaps in groups.items():
        try:
            window = Period.parse(label)
        except TradewatchError:
            window = None
        record_source(run, ingest_window(run, sources[sid], window or label, snaps))  # type: ignore[arg-type]
