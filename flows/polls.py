"""Release-day polls: on a source's publication days, ask every few minutes whether it is out.

``poll_source`` is a plain function (the ``release-poll`` flow wraps it). For the day
the run takes as "today" it finds the source's release window (``scrapers/calendar.py``)
and the period due in it, then:

1. the period is stored already → nothing is requested: the polls have stopped for the month;
2. else one *probe*: the first request of the window holding the due period, conditional
   (``If-None-Match``/``If-Modified-Since`` from the archived answer; where the server
   gives neither, the body's hash is compared with the archived one). Unchanged → the
   poll ends, having cost that one request and raised nothing;
3. changed → the window is fetched, validated, stored and detected as in a nightly run,
   and its alerts delivered at once.

A poll keeps no source-health record (a poll before publication is not a failure);
the nightly holds each source to its rhythm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select

from db import Database
from db.models import ObservationRow
from flows import pipeline as p
from scrapers import get_source
from scrapers.base import Source
from scrapers.calendar import ReleaseWindow
from tradewatch.config import Settings
from tradewatch.errors import TradewatchError
from tradewatch.model import Period

log = logging.getLogger("tradewatch.poll")


@dataclass
class PollResult:
    source: str
    day: date
    outcome: str  # outside-window | already-stored | nothing-new | ingested
    due: str | None = None
    requests: int = 0
    summary: dict[str, Any] = field(default_factory=dict)
    run_summary: p.RunSummary | None = None

    @property
    def title(self) -> str:
        base = f"poll {self.source}"
        if self.outcome == "outside-window":
            return f"{base}: no release window on {self.day}"
        if self.outcome == "already-stored":
            return f"{base}: {self.due} stored, polls stopped for the month"
        if self.outcome == "nothing-new":
            return f"{base}: {self.due} not out yet"
        s = self.summary
        return (
            f"{base} {self.due}: {s.get('new_figures', 0):,} new, {len(s.get('quarantined', []))} quarantined, "
            f"{len(s.get('alerts', []))} alerts"
        )


def stored(db: Database, source: Source, period: Period) -> bool:
    """Whether ``source`` has current figures for ``period`` (the poll's stop condition)."""
    with db.session() as s:
        n = s.execute(
            select(func.count())
            .select_from(ObservationRow)
            .where(
                ObservationRow.source == source.source_name,
                ObservationRow.period == str(period),
                ObservationRow.is_current.is_(True),
            )
        ).scalar()
    return bool(n)


def _window_holding(run: p.Run, source: Source, window: ReleaseWindow, due: Period) -> Period:
    """The fetch window of the nightly plan that holds ``due`` (same requests, so conditional answers carry over)."""
    if window.publishes == "month":
        for _src, w in p.plan(run, [source.id]):
            if isinstance(w, Period) and w.start <= due.start and due.end <= w.end:
                return w
    month = Period.from_date(due.start)
    return source.windows(month, month)[-1]


def poll_source(
    settings: Settings,
    source_id: str,
    *,
    today: date | None = None,
    db: Database | None = None,
    run_id: str | None = None,
) -> PollResult:
    """One release-day poll of ``source_id`` (see the module's docstring)."""
    source = get_source(source_id, settings)
    day = today or settings.run_today()
    cal = source.release_calendar()
    window = cal.window_on(day) if cal is not None else None
    if window is None:
        return PollResult(source_id, day, "outside-window")
    due = window.due_period(day)
    db = db or Database(settings.database_url)
    if stored(db, source, due):
        return PollResult(source_id, day, "already-stored", str(due))
    run = p.open_run(settings, "poll", {"source": source_id, "due": str(due)}, today=day, db=db, run_id=run_id)
    run.sources_closed = True  # a poll keeps no source-health record (see the module's docstring)
    fetch_window = _window_holding(run, source, window, due)
    result = PollResult(source_id, day, "nothing-new", str(due))
    try:
        reqs = source.requests(fetch_window)
    except NotImplementedError:
        reqs = []
    snaps: list = []
    if reqs:
        probe = reqs[0]
        previous = run.fetcher.archive.latest(probe.key)
        try:
            snap = run.fetcher.fetch(probe)
        except TradewatchError as exc:
            log.warning("poll %s: the probe failed: %s", source_id, exc)
            snap = None
        result.requests = 1
        if snap is None or snap.not_modified or (previous is not None and previous.sha256 == snap.sha256):
            p.finish_run(run)
            return result
        if type(source).collect is Source.collect:
            snaps = [snap, *run.fetcher.fetch_many(reqs[1:])]
    if not snaps:
        snaps = source.collect(run.fetcher, fetch_window)
    result.requests = run.fetcher.stats["requests"]
    p.record_source(run, p.ingest_window(run, source, fetch_window, snaps))
    if run.send_alerts:
        p.deliver(run)
    summary = p.finish_run(run)
    found = summary.new_figures or summary.revisions or summary.quarantined or summary.alerts
    result.outcome = "ingested" if found else "nothing-new"
    result.summary = summary.to_dict()
    result.run_summary = summary
    return result
