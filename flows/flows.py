"""The Prefect flows: nightly, backfill and reprocess. Thin: the work is in ``pipeline``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run as current_flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import Field

from flows import artifacts
from flows import pipeline as p
from flows.params import Month, SourceId, source_values
from flows.secrets import run_settings
from tradewatch.errors import FetchError, TradewatchError
from tradewatch.model import Period


def retry_can_help(task, task_run, state) -> bool:
    """Prefect retries a failed fetch unless its error is the same on every attempt.

    A response over the size limit, a changed layout, a refused XML, a host off the list
    or a rate limit that lasts beyond the run (``TradewatchError.retryable`` false).
    """
    exc = getattr(state, "data", None)
    return not (isinstance(exc, TradewatchError) and not exc.retryable)


@task(
    name="fetch-window",
    retries=2,
    retry_delay_seconds=[5, 30],
    retry_condition_fn=retry_can_help,
    cache_policy=NONE,
    task_run_name="fetch {source.id} {window}",
)
def fetch_window_task(run: p.Run, source, window: Period, refetch: bool = True):
    snaps = p.fetch_window(run, source, window, refetch=refetch)
    # Every request failed on the network: let Prefect retry the window later.
    failures = [s for s in snaps if isinstance(s, FetchError)]
    if snaps and len(failures) == len(snaps):
        raise failures[0]
    return snaps


@task(name="ingest-window", cache_policy=NONE, task_run_name="ingest {source.id} {window}")
def ingest_window_task(run: p.Run, source, window: Period, snaps) -> p.SourceOutcome:
    return p.ingest_window(run, source, window, snaps)


@task(name="deliver-alerts", cache_policy=NONE)
def deliver_task(run: p.Run) -> dict[str, Any]:
    return p.deliver(run)


@task(name="ingest-windows", cache_policy=NONE, task_run_name="ingest {label}")
def ingest_windows_task(run: p.Run, items, label: str) -> list[p.SourceOutcome]:
    return p.ingest_windows(run, items)


def _run_pairs(run: p.Run, pairs, refetch: bool) -> None:
    """Fetch every window; ingest the next one together with every later one already fetched."""
    futures = [fetch_window_task.submit(run, src, w, refetch) for src, w in pairs]
    i = 0
    while i < len(pairs):
        futures[i].wait()
        items = p.ready_windows(pairs, futures, i, done=lambda f: f.state.is_final())
        label = " + ".join(f"{src.id} {w}" for src, w, _ in items[:2]) + (
            f" + {len(items) - 2} more" if len(items) > 2 else ""
        )
        for out in ingest_windows_task(run, items, label):
            p.record_source(run, out)
        i += len(items)


def _finish(run: p.Run) -> dict[str, Any]:
    p.close_sources(run)  # health alerts first, so this run delivers them
    if run.send_alerts:
        deliver_task(run)
    summary = p.finish_run(run)
    reviews = _start_reviews(summary)
    artifacts.publish(run, summary, reviews=reviews)
    _rename_run(artifacts.run_title(summary))
    log = get_run_logger()
    log.info(
        "%s %s: %d new figures, %d revisions, %d quarantined batches, %d alerts%s",
        summary.flow,
        summary.status,
        summary.new_figures,
        summary.revisions,
        len(summary.quarantined),
        len(summary.alerts),
        " (SAMPLE DATA)" if summary.sample else "",
    )
    return summary.to_dict()


def _start_reviews(summary: p.RunSummary) -> dict[int, str]:
    """One review-quarantine run per batch this run quarantined (a sample replay starts none)."""
    if not summary.quarantined or summary.sample:
        return {}
    from flows.review import start_reviews

    return start_reviews(summary.quarantined)


def _rename_run(name: str) -> None:
    """Name the finished run after what it did, so the runs list reads as a log."""
    rid = current_flow_run.get_id()
    if not rid:
        return
    try:
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            client.update_flow_run(UUID(rid), name=name)
    except Exception as exc:  # a name is a courtesy; the run's work is done
        get_run_logger().warning("could not rename the run: %s: %s", type(exc).__name__, exc)


def _run_id() -> str | None:
    rid = current_flow_run.get_id()
    return str(rid) if rid else None


def _sources_label(sources) -> str:
    return ",".join(source_values(sources)) or "all"


def _backfill_name() -> str:
    params = current_flow_run.parameters
    return f"backfill {_sources_label(params.get('sources'))} {params.get('start')}..{params.get('end')}"


def _nightly_name() -> str:
    params = current_flow_run.parameters
    srcs = _sources_label(params.get("sources")) if params.get("sources") else "enabled sources"
    return f"nightly {srcs}" + (" (replay)" if params.get("replay") else "")


# Prefect's annotations want a TaskRunner[PrefectFuture]; the thread-pool runner is one
# (its futures are PrefectConcurrentFutures), which the invariant generic cannot say.
_runner: Any = ThreadPoolTaskRunner(max_workers=4)


@flow(
    name="nightly",
    flow_run_name=_nightly_name,
    task_runner=_runner,
    log_prints=True,
    description="Every enabled source's recent window: fetch → archive → parse → validate → store → detect → deliver.",
)
def nightly(
    sources: list[SourceId] | None = Field(None, description="Sources to run; empty = TRADEWATCH_SOURCES."),
    replay: str | None = Field(None, description="Answer requests from this archive directory instead of the network."),
    as_of: datetime | None = Field(
        None, description="Replay: use the snapshots fetched up to this time; also the run's 'today'."
    ),
    send_alerts: bool = Field(True, description="Deliver the alerts this run raises."),
) -> dict[str, Any]:
    settings = run_settings()
    ids = source_values(sources) or settings.sources
    run = p.open_run(
        settings,
        "nightly",
        {"sources": ids, "replay": replay, "as_of": as_of, "send_alerts": send_alerts},
        replay=replay,
        as_of=as_of,
        send_alerts=send_alerts,
        run_id=_run_id(),
    )
    _run_pairs(run, p.plan(run, ids), refetch=True)
    return _finish(run)


@flow(
    name="backfill",
    flow_run_name=_backfill_name,
    task_runner=_runner,
    log_prints=True,
    description="Fetch and store a range of months for the chosen sources; resumable; alerts recorded but not sent unless asked.",
)
def backfill(
    start: Month = Field("2019-01", description="First month, YYYY-MM."),
    end: Month = Field("2024-12", description="Last month, YYYY-MM."),
    sources: list[SourceId] = Field(["kcs"], description="Sources to backfill."),
    send_alerts: bool = Field(
        False, description="Send the alerts the backfill raises (default: record them as suppressed)."
    ),
    refetch: bool = Field(False, description="Fetch again windows already in the archive."),
    replay: str | None = Field(None, description="Answer requests from this archive directory instead of the network."),
    as_of: datetime | None = Field(None, description="Replay: use the snapshots fetched up to this time."),
) -> dict[str, Any]:
    first, last = Period.parse(start), Period.parse(end)
    if last < first:
        raise ValueError(f"backfill: end {end} is before start {start}")
    settings = run_settings()
    ids = source_values(sources)
    run = p.open_run(
        settings,
        "backfill",
        {"start": start, "end": end, "sources": ids, "send_alerts": send_alerts, "refetch": refetch, "replay": replay},
        replay=replay,
        as_of=as_of,
        send_alerts=send_alerts,
        run_id=_run_id(),
        detect_since=p.backfill_detect_since(last),
    )
    _run_pairs(run, p.plan(run, ids, first, last), refetch=refetch)
    return _finish(run)


@flow(
    name="reprocess",
    task_runner=_runner,
    log_prints=True,
    description="Parse again from the archive (after a parser fix), without the network.",
)
def reprocess(
    sources: list[SourceId] | None = Field(
        None, description="Sources to reprocess; empty = all with archived snapshots."
    ),
    since: date | None = Field(None, description="Only snapshots fetched on or after this day."),
) -> dict[str, Any]:
    settings = run_settings()
    run = p.open_run(
        settings, "reprocess", {"sources": source_values(sources), "since": since}, send_alerts=True, run_id=_run_id()
    )
    p.reprocess_archive(run, source_values(sources) or None, since)
    return _finish(run)


def _poll_name() -> str:
    return f"poll {current_flow_run.parameters.get('source')}"


@flow(
    name="release-poll",
    flow_run_name=_poll_name,
    log_prints=True,
    description="On a release day: one conditional request to the source; the window fetched and alerted once it is out.",
)
def release_poll(
    source: SourceId = Field(..., description="The source to poll (its release calendar says when)."),
    today: date | None = Field(None, description="The day to poll for; empty = TRADEWATCH_TODAY, else the UTC date."),
) -> dict[str, Any]:
    from flows.polls import poll_source

    sid = source_values([source])[0]
    result = poll_source(run_settings(), sid, today=today, run_id=_run_id())
    if result.run_summary is not None:
        reviews = _start_reviews(result.run_summary)
        artifacts.publish_summary(result.run_summary, reviews)
    _rename_run(result.title)
    get_run_logger().info("%s (%d request(s))", result.title, result.requests)
    return {"outcome": result.outcome, "due": result.due, "requests": result.requests, "summary": result.summary}
