"""Benchmark 1: a 26-year all-partner KCS backfill against the loopback server.

The parent starts the server in its own process, then runs each contender in a
fresh child process (so that each peak RSS is its own):

* tradewatch through the plain pipeline functions (``open_run`` → ``plan`` →
  ``run_windows`` → ``finish_run``), validation on, SQLite in a temp dir,
  ``hs_codes=[]`` (so each 12-month window is 2 requests: nationtrade + Newtrade);
* the naive script (``bench/naive.py``), same server, same requests;
* tradewatch through the Prefect ``backfill`` flow (ephemeral API): the first
  empty flow run (the API's start-up) is reported as its own figure.

Child mode: ``python -m bench.backfill pipeline|prefect --base-url URL --data-dir DIR``.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.common import Figure, emit, peak_rss_mb, quiet_environment, run_child

START, END = "2000-01", "2025-12"
INGEST_PHASES = ("parse", "validate", "store", "detect")
PHASES = ("fetch_wait", *INGEST_PHASES)
# PostgreSQL for the same backfill (a schema of its own, dropped after); absent: skipped, said so
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
LATENCY = 0.1
NAIVE_TIMEOUT = 300.0  # seconds
GATEWAY_LATENCY = 3.0  # seconds: a slow gateway (the real one's latency was not measured from here)


# --- children -------------------------------------------------------------------------------


class _Timer:
    """Wraps functions to sum the seconds spent in them (the bench's own instrumentation)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}

    def wrap(self, owner, attr: str, label: str) -> None:
        fn = getattr(owner, attr)

        def timed(*a, **kw):
            t = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(owner, attr, timed)


def child_pipeline(
    base_url: str,
    data_dir: str,
    start: str,
    end: str,
    validate: bool,
    profile: str | None,
    what_if: list[str] | None = None,
    database_url: str | None = None,
) -> dict:
    t_import = time.perf_counter()
    from db import store as dbstore
    from flows import pipeline as p
    from scrapers.kcs import KcsNationTrade
    from tradewatch.config import load_settings
    from tradewatch.model import Period

    t_import = time.perf_counter() - t_import
    timer = _Timer()
    timer.wrap(dbstore, "store_batch", "store_batch")
    timer.wrap(dbstore, "load_current", "load_current")
    timer.wrap(KcsNationTrade, "parse", "parse")
    try:
        import expectations  # noqa: F401

        validation_available = True
    except ImportError:
        validation_available = False

    extra = {"database_url": database_url} if database_url else {}
    settings = load_settings(data_dir=Path(data_dir), kcs_base_url=base_url, sources=["kcs"], hs_codes=[], **extra)
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    cpu0 = _cpu_seconds()
    # the same run the backfill flow opens: alerts suppressed, detection over its last 12 months
    run = p.open_run(
        settings,
        "backfill",
        {"start": start, "end": end, "sources": ["kcs"]},
        send_alerts=False,
        validate=validate,
        detect_since=p.backfill_detect_since(Period.parse(end)),
    )
    _what_if(run, p, what_if or [])
    pairs = p.plan(run, ["kcs"], Period.parse(start), Period.parse(end))
    n_requests = sum(len(src.requests(w)) for src, w in pairs)
    t_fetch_start = time.perf_counter()
    p.run_windows(run, pairs, refetch=True)
    t_windows = time.perf_counter() - t_fetch_start
    summary = p.finish_run(run)
    wall = time.perf_counter() - t0
    cpu = _cpu_seconds() - cpu0
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    outcome = summary.sources.get("kcs")
    phases = dict(getattr(run, "phase_seconds", {}) or {})
    return {
        "cpu_s": cpu,
        "database": run.db.dialect,
        "phases": phases,
        "ingest_s": sum(phases.get(k, 0.0) for k in INGEST_PHASES),
        "wall_s": wall,
        "import_s": t_import,
        "windows_s": t_windows,
        "windows": len(pairs),
        "requests": n_requests,
        "concurrency": settings.concurrency_per_host,
        "fetched": outcome.fetched if outcome else 0,
        "parsed": outcome.parsed if outcome else 0,
        "stored": (outcome.stored + outcome.revised) if outcome else 0,
        "quarantined": outcome.quarantined if outcome else 0,
        "errors": (outcome.errors[:3] if outcome else []),
        "status": summary.status,
        "validation_available": validation_available,
        "validations": len(summary.validations),
        "validations_failed": sum(1 for v in summary.validations if not v["success"]),
        "seconds": timer.seconds,
        "what_if": what_if or [],
        "peak_rss_mb": peak_rss_mb(),
    }


def _cpu_seconds() -> float:
    """This process's CPU time (user + system, all threads): steadier than the wall on a shared machine."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _what_if(run, p, changes: list[str]) -> None:
    """Diagnostics only (never used for the reported figures unless named in the output)."""
    from sqlalchemy import text

    for change in changes:
        if change == "period-index":  # an index the detection/validation queries could use
            with run.db.transaction() as s:
                s.execute(text("CREATE INDEX IF NOT EXISTS bench_ix_source_period ON observations (source, period)"))
        elif change == "no-detect":
            p._detect = lambda *a, **k: None
        else:
            raise SystemExit(f"unknown what-if {change!r}")


def child_prefect(base_url: str, data_dir: str, start: str, end: str) -> dict:
    import os

    os.environ.update(
        {
            "TRADEWATCH_DATA_DIR": data_dir,
            "TRADEWATCH_KCS_BASE_URL": base_url,
            "TRADEWATCH_SOURCES": "kcs",
            "TRADEWATCH_HS_CODES": "",
        }
    )
    t = time.perf_counter()
    from prefect import flow

    from flows.flows import backfill

    import_s = time.perf_counter() - t

    @flow(name="bench-empty")
    def empty() -> None:
        return None

    t = time.perf_counter()
    empty()
    first_empty = time.perf_counter() - t
    t = time.perf_counter()
    empty()
    warm_empty = time.perf_counter() - t
    t = time.perf_counter()
    result = backfill(start=start, end=end, sources=["kcs"], refetch=True)
    wall = time.perf_counter() - t
    kcs = (result.get("sources") or {}).get("kcs", {})
    return {
        "import_s": import_s,
        "first_empty_s": first_empty,
        "warm_empty_s": warm_empty,
        "wall_s": wall,
        "stored": kcs.get("stored", 0) + kcs.get("revised", 0),
        "status": result.get("status"),
        "peak_rss_mb": peak_rss_mb(),
    }


# --- the parent ---------------------------------------------------------------------------


def network_bound(requests: int, concurrency: int, latency: float) -> float:
    return math.ceil(requests / concurrency) * latency


def bound_figure(name: str, result: dict, latency: float, note: str, goal: float = 1.25) -> Figure:
    """A pipeline run's wall time judged against the network bound its requests force."""
    bound = network_bound(result["requests"], result["concurrency"], latency)
    per = f"{latency * 1000:.0f} ms" if latency < 1 else f"{latency:g} s"
    return Figure(
        name,
        result["wall_s"],
        "s",
        result["wall_s"] / bound,
        f"network bound {bound:.2f} s (ceil({result['requests']} requests / {result['concurrency']}) x {per})",
        f"<= {goal:g}x network bound",
        result["wall_s"] / bound <= goal,
        note=note,
    )


def pipeline_figures(prefix: str, tw: dict, latency: float) -> list[Figure]:
    """Wall time vs the network bound, ingest speed, the phases, peak memory: one pipeline run."""
    figs = [
        bound_figure(
            f"{prefix}.wall",
            tw,
            latency,
            goal=3.0,
            note=(
                f"{tw.get('database', 'sqlite')}; {tw['stored']} rows stored, {tw['validations']} batches validated "
                f"({tw['validations_failed']} failed), status {tw['status']}; the aim stays <= 1.25x"
            ),
        ),
        Figure(f"{prefix}.rows_per_s", tw["stored"] / tw["wall_s"], "rows/s", note="rows stored / wall time"),
    ]
    phases = tw.get("phases") or {}
    ingest = tw.get("ingest_s") or 0.0
    if ingest:
        figs.append(
            Figure(
                f"{prefix}.ingest_rows_per_s",
                tw["stored"] / ingest,
                "rows/s",
                goal=">= 100,000 rows/s",
                holds=tw["stored"] / ingest >= 100_000,
                note=(
                    f"rows stored / (parse + validate + store + detect) = {ingest:.2f} s; "
                    f"the process used {tw.get('cpu_s', 0.0):.1f} s of CPU in {tw['wall_s']:.1f} s"
                ),
            )
        )
        for ph in PHASES:
            sec = phases.get(ph, 0.0)
            figs.append(
                Figure(
                    f"{prefix}.phase.{ph}",
                    sec,
                    "s",
                    note=f"{sec / tw['wall_s'] * 100:.0f} % of the wall time" + (PHASE_NOTES.get(ph) or ""),
                )
            )
    figs.append(Figure(f"{prefix}.peak_rss", tw["peak_rss_mb"], "MB", goal="<= 400 MB", holds=tw["peak_rss_mb"] <= 400))
    return figs


PHASE_NOTES = {
    "fetch_wait": "; the ingesting thread waiting for responses not yet in",
    "validate": "; Great Expectations import included",
    "store": "; the diff against the stored figures, the bulk insert, the commit",
}


@contextmanager
def pg_schema(base: str):
    """A fresh schema on the PostgreSQL at ``base`` (dropped after), or (None, why) where there is none."""
    import uuid

    try:
        from sqlalchemy import create_engine, text
    except ImportError as exc:  # pragma: no cover - a dependency
        yield None, str(exc)
        return
    schema = f"twbench_{uuid.uuid4().hex[:10]}"
    try:
        admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        yield None, f"no PostgreSQL at {base.split('@')[-1]} ({type(exc).__name__})"
        return
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}", None
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def run(
    latency: float = LATENCY,
    start: str = START,
    end: str = END,
    *,
    naive: bool = True,
    prefect: bool = True,
    full_prefect_under: float = 120.0,
    slow_latency: float | None = GATEWAY_LATENCY,
    pg_url: str | None = None,
    log=print,
) -> tuple[list[Figure], dict]:
    from bench import kcs_server

    figs: list[Figure] = []
    details: dict = {}
    prewarm = f"{start.replace('-', '')}..{end.replace('-', '')}"
    with (
        kcs_server.spawn(latency=latency, prewarm=prewarm) as srv,
        tempfile.TemporaryDirectory(prefix="twbench-") as tmp,
    ):
        common = ["--base-url", srv.base_url, "--start", start, "--end", end]
        log(f"backfill {start}..{end}: tradewatch pipeline (validation on), SQLite ...")
        before = srv.stats()
        tw = run_child("bench.backfill", ["pipeline", "--data-dir", f"{tmp}/pipeline", *common])
        after = srv.stats()
        tw["server_requests"] = sum(after.values()) - sum(before.values())
        details["pipeline"] = tw
        figs += pipeline_figures("backfill", tw, latency)

        log(f"backfill {start}..{end}: tradewatch pipeline (validation on), PostgreSQL ...")
        with pg_schema(pg_url or PG_URL) as (url, why_not):
            if url is None:
                log(f"PostgreSQL skipped: {why_not}")
                figs.append(Figure("backfill.pg", None, "", note=f"skipped: {why_not}"))
            else:
                pg = run_child(
                    "bench.backfill", ["pipeline", "--data-dir", f"{tmp}/pipeline_pg", "--database-url", url, *common]
                )
                details["pipeline_pg"] = pg
                figs += pipeline_figures("backfill.pg", pg, latency)

        if naive:
            log("backfill: naive script (sequential GETs, one INSERT + commit per row) ...")
            try:
                nv = run_child(
                    "bench.naive",
                    ["--base-url", srv.base_url, "--db", f"{tmp}/naive.db", "--start", start, "--end", end],
                    timeout=NAIVE_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                # one commit per row makes it a measure of the disk's fsync: on a busy disk it
                # can take many minutes; the speed-up is then at least the timeout's
                nv = {"wall_s": None}
            details["naive"] = nv
            if nv["wall_s"] is None:
                figs.append(
                    Figure("backfill.naive_wall", None, "s", note=f"did not finish in {NAIVE_TIMEOUT:.0f} s: stopped")
                )
                low = NAIVE_TIMEOUT / tw["wall_s"]
                figs.append(
                    Figure(
                        "backfill.speedup_vs_naive",
                        low,
                        "x",
                        low,
                        "naive wall (at least the timeout) / tradewatch wall",
                        ">= 10x",
                        low >= 10,
                        note="a lower bound",
                    )
                )
            else:
                speedup = nv["wall_s"] / tw["wall_s"]
                figs.append(
                    Figure(
                        "backfill.naive_wall",
                        nv["wall_s"],
                        "s",
                        note=(
                            f"{nv['rows']} rows (1 per partner-month), {nv['requests']} requests, "
                            f"peak RSS {nv['peak_rss_mb']:.0f} MB; SQLite, one commit per row"
                        ),
                    )
                )
                figs.append(
                    Figure(
                        "backfill.speedup_vs_naive",
                        speedup,
                        "x",
                        speedup,
                        "naive wall / tradewatch wall (SQLite)",
                        ">= 10x",
                        speedup >= 10,
                    )
                )

        if prefect:
            try:
                p_start = start
                if tw["wall_s"] > full_prefect_under:
                    # keep `make bench` under 10 minutes: the flow over the last 5 years, next to
                    # the plain pipeline over the same 5 years (the difference is Prefect's)
                    p_start = f"{int(end[:4]) - 4}-01"
                log(f"backfill {p_start}..{end}: through the Prefect flow (ephemeral API) ...")
                pf = run_child(
                    "bench.backfill",
                    [
                        "prefect",
                        "--data-dir",
                        f"{tmp}/prefect",
                        "--base-url",
                        srv.base_url,
                        "--start",
                        p_start,
                        "--end",
                        end,
                    ],
                    env={"PREFECT_HOME": f"{tmp}/prefect_home"},
                )
                details["prefect"] = pf
                ref = tw
                if p_start != start:
                    ref = run_child(
                        "bench.backfill",
                        [
                            "pipeline",
                            "--data-dir",
                            f"{tmp}/pipeline_short",
                            "--base-url",
                            srv.base_url,
                            "--start",
                            p_start,
                            "--end",
                            end,
                        ],
                    )
                    details["pipeline_short"] = ref
                figs.append(
                    Figure(
                        "backfill.prefect_startup",
                        pf["import_s"] + pf["first_empty_s"],
                        "s",
                        note=(
                            f"import prefect+flows {pf['import_s']:.1f} s + first (empty) flow run on a fresh PREFECT_HOME {pf['first_empty_s']:.1f} s; "
                            f"a warm empty run {pf['warm_empty_s']:.2f} s"
                        ),
                    )
                )
                figs.append(
                    Figure(
                        "backfill.prefect_flow_wall",
                        pf["wall_s"],
                        "s",
                        pf["wall_s"] / ref["wall_s"],
                        f"the plain pipeline over {p_start}..{end} ({ref['wall_s']:.1f} s)",
                        note=(
                            f"{p_start}..{end}"
                            + (
                                f" (shortened: the full-range pipeline run took {tw['wall_s']:.0f} s)"
                                if p_start != start
                                else ""
                            )
                            + f"; {pf['stored']} rows stored, status {pf['status']}; after start-up; peak RSS {pf['peak_rss_mb']:.0f} MB"
                        ),
                    )
                )
            except Exception as exc:  # the flow's figures are lost, not the pipeline's
                log(f"backfill: the Prefect flow failed: {str(exc).splitlines()[0][:200]}")
                figs.append(Figure("backfill.prefect_error", None, "", note=str(exc).splitlines()[0][:300]))

    if slow_latency:
        try:
            # The same backfill against a slow server: windows are ingested while later ones
            # are still being fetched, so the CPU can hide behind the network.
            log(f"backfill {start}..{end}: tradewatch pipeline at {slow_latency:.0f} s per response ...")
            with (
                kcs_server.spawn(latency=slow_latency, prewarm=prewarm) as srv,
                tempfile.TemporaryDirectory(prefix="twbench-") as tmp,
            ):
                sl = run_child(
                    "bench.backfill",
                    [
                        "pipeline",
                        "--data-dir",
                        f"{tmp}/pipeline",
                        "--base-url",
                        srv.base_url,
                        "--start",
                        start,
                        "--end",
                        end,
                    ],
                )
            details["pipeline_slow_network"] = sl
            figs.append(
                bound_figure(
                    "backfill.wall_gateway_latency",
                    sl,
                    slow_latency,
                    goal=1.25,
                    note=(
                        f"{sl['stored']} rows stored, status {sl['status']}; a slow gateway (the real one's latency is not known here)"
                    ),
                )
            )
        except Exception as exc:
            log(f"backfill at {slow_latency:g} s per response failed: {str(exc).splitlines()[0][:200]}")
            figs.append(Figure("backfill.gateway_latency_error", None, "", note=str(exc).splitlines()[0][:300]))

    return figs, details


def main(argv: list[str] | None = None) -> None:
    quiet_environment()
    ap = argparse.ArgumentParser(prog="python -m bench.backfill")
    ap.add_argument("mode", choices=["pipeline", "prefect"])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--start", default=START)
    ap.add_argument("--end", default=END)
    ap.add_argument("--no-validate", action="store_true")
    ap.add_argument("--database-url", default=None, help="store here instead of SQLite in --data-dir")
    ap.add_argument("--profile", default=None, help="write cProfile stats of the run here")
    ap.add_argument(
        "--what-if",
        action="append",
        default=[],
        choices=["period-index", "no-detect"],
        help="diagnostics: add an index, or skip detection, to measure what it costs",
    )
    a = ap.parse_args(argv)
    if a.mode == "pipeline":
        emit(
            child_pipeline(
                a.base_url, a.data_dir, a.start, a.end, not a.no_validate, a.profile, a.what_if, a.database_url
            )
        )
    else:
        emit(child_prefect(a.base_url, a.data_dir, a.start, a.end))


if __name__ == "__main__":
    main()
