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
import tempfile
import time
from pathlib import Path

from bench.common import Figure, emit, peak_rss_mb, quiet_environment, run_child

START, END = "2000-01", "2025-12"
LATENCY = 0.1
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
) -> dict:
    t_import = time.perf_counter()
    from db import store as dbstore
    from flows import pipeline as p
    from scrapers.kcs import KcsNationTrade
    from tradewatch.config import load_settings
    from tradewatch.model import Period

    t_import = time.perf_counter() - t_import
    timer = _Timer()
    timer.wrap(p, "_validate", "validate")
    timer.wrap(p, "_detect", "detect")
    timer.wrap(dbstore, "store_batch", "store")
    timer.wrap(dbstore, "load_current", "load_current")
    timer.wrap(KcsNationTrade, "parse", "parse")
    timer.wrap(p, "ingest_window", "ingest")
    try:
        import expectations  # noqa: F401

        validation_available = True
    except ImportError:
        validation_available = False

    settings = load_settings(data_dir=Path(data_dir), kcs_base_url=base_url, sources=["kcs"], hs_codes=[])
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
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
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    outcome = summary.sources.get("kcs")
    return {
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


def bound_figure(name: str, result: dict, latency: float, note: str) -> Figure:
    """A pipeline run's wall time judged against the network bound its requests force."""
    bound = network_bound(result["requests"], result["concurrency"], latency)
    per = f"{latency * 1000:.0f} ms" if latency < 1 else f"{latency:g} s"
    return Figure(
        name,
        result["wall_s"],
        "s",
        result["wall_s"] / bound,
        f"network bound {bound:.2f} s (ceil({result['requests']} requests / {result['concurrency']}) x {per})",
        "<= 1.25x network bound",
        result["wall_s"] / bound <= 1.25,
        note=note,
    )


def run(
    latency: float = LATENCY,
    start: str = START,
    end: str = END,
    *,
    naive: bool = True,
    prefect: bool = True,
    full_prefect_under: float = 120.0,
    slow_latency: float | None = GATEWAY_LATENCY,
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
        log(f"backfill {start}..{end}: tradewatch pipeline (validation on) ...")
        before = srv.stats()
        tw = run_child("bench.backfill", ["pipeline", "--data-dir", f"{tmp}/pipeline", *common])
        after = srv.stats()
        tw["server_requests"] = sum(after.values()) - sum(before.values())
        details["pipeline"] = tw
        figs.append(
            bound_figure(
                "backfill.wall",
                tw,
                latency,
                note=(
                    f"{tw['stored']} rows stored, {tw['validations']} validations ({tw['validations_failed']} failed), status {tw['status']}"
                ),
            )
        )
        figs.append(Figure("backfill.rows_per_s", tw["stored"] / tw["wall_s"], "rows/s"))
        vs = tw["seconds"].get("validate", 0.0)
        figs.append(
            Figure(
                "backfill.validation_share",
                vs / tw["wall_s"] * 100,
                "%",
                note=(
                    f"{vs:.2f} s in validation (GX import included)"
                    if tw["validation_available"]
                    else "expectations not importable: ran WITHOUT validation"
                ),
            )
        )
        sec = tw["seconds"]
        figs.append(
            Figure(
                "backfill.detection_share",
                sec.get("detect", 0.0) / tw["wall_s"] * 100,
                "%",
                note=(
                    f"alert detection after each stored window {sec.get('detect', 0.0):.1f} s; parse {sec.get('parse', 0.0):.1f} s, "
                    f"store {sec.get('store', 0.0):.1f} s (load_current {sec.get('load_current', 0.0):.1f} s of it and before it)"
                ),
            )
        )
        figs.append(
            Figure("backfill.peak_rss", tw["peak_rss_mb"], "MB", goal="<= 400 MB", holds=tw["peak_rss_mb"] <= 400)
        )

        if naive:
            log("backfill: naive script (sequential GETs, one INSERT + commit per row) ...")
            nv = run_child(
                "bench.naive", ["--base-url", srv.base_url, "--db", f"{tmp}/naive.db", "--start", start, "--end", end]
            )
            details["naive"] = nv
            speedup = nv["wall_s"] / tw["wall_s"]
            figs.append(
                Figure(
                    "backfill.naive_wall",
                    nv["wall_s"],
                    "s",
                    note=f"{nv['rows']} rows (1 per partner-month), {nv['requests']} requests, peak RSS {nv['peak_rss_mb']:.0f} MB",
                )
            )
            figs.append(
                Figure(
                    "backfill.speedup_vs_naive",
                    speedup,
                    "x",
                    speedup,
                    "naive wall / tradewatch wall",
                    ">= 5x",
                    speedup >= 5,
                )
            )

        if prefect:
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

    if slow_latency:
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
                note=(
                    f"{sl['stored']} rows stored, status {sl['status']}; a slow gateway (the real one's latency is not known here)"
                ),
            )
        )
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
        emit(child_pipeline(a.base_url, a.data_dir, a.start, a.end, not a.no_validate, a.profile, a.what_if))
    else:
        emit(child_prefect(a.base_url, a.data_dir, a.start, a.end))


if __name__ == "__main__":
    main()
