"""Benchmark 2: a nightly run when nothing is new, and one that finds a new month, against an empty flow run.

One child process (its own ephemeral Prefect API, a fresh ``PREFECT_HOME``):
warm the API with an empty flow run, fill the database with one ``nightly`` run
(the product's defaults: the last 12 complete months, ``hs_codes`` 8542 for the
watched partners, so 8 requests) against a server whose latest month is the one
before last, then time, alternately, ``rounds`` empty flow runs and ``rounds``
nightly runs that find nothing new (medians compared); last, one nightly against a
second server that has published last month too: one new month of every partner
(~1,000 figures) validated, stored and ranked.

Child mode: ``python -m bench.quiet_night child --base-url URL --new-month-url URL --data-dir DIR``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time

from bench.common import Figure, emit, peak_rss_mb, quiet_environment, run_child

ROUNDS = 3


def child(base_url: str, data_dir: str, rounds: int, new_month_url: str | None = None) -> dict:
    import os

    os.environ.update(
        {"TRADEWATCH_DATA_DIR": data_dir, "TRADEWATCH_KCS_BASE_URL": base_url, "TRADEWATCH_SOURCES": "kcs"}
    )
    from prefect import flow

    from flows.flows import nightly
    from tradewatch.config import load_settings

    @flow(name="bench-empty")
    def empty() -> None:
        return None

    t = time.perf_counter()
    empty()
    startup = time.perf_counter() - t
    t = time.perf_counter()
    fill = nightly(sources=["kcs"])
    fill_s = time.perf_counter() - t
    empties, quiets, results = [], [], []
    for _ in range(rounds):
        t = time.perf_counter()
        empty()
        empties.append(time.perf_counter() - t)
        t = time.perf_counter()
        results.append(nightly(sources=["kcs"]))
        quiets.append(time.perf_counter() - t)
    new_s = None
    kcs_new: dict = {}
    if new_month_url:
        os.environ["TRADEWATCH_KCS_BASE_URL"] = new_month_url
        t = time.perf_counter()
        new = nightly(sources=["kcs"])
        new_s = time.perf_counter() - t
        kcs_new = (new.get("sources") or {}).get("kcs", {})
        t = time.perf_counter()
        empty()
        empties.append(time.perf_counter() - t)
    kcs_fill = (fill.get("sources") or {}).get("kcs", {})
    kcs_last = (results[-1].get("sources") or {}).get("kcs", {})
    settings = load_settings()
    from scrapers import get_source

    src = get_source("kcs", settings)
    first, last = src.nightly_range(settings.run_today())
    n_requests = sum(len(src.requests(w)) for w in src.windows(first, last))
    return {
        "startup_s": startup,
        "fill_s": fill_s,
        "fill_stored": kcs_fill.get("stored", 0),
        "empty_s": empties,
        "quiet_s": quiets,
        "quiet_stored": kcs_last.get("stored", 0) + kcs_last.get("revised", 0),
        "quiet_unchanged": kcs_last.get("unchanged", 0),
        "quiet_status": results[-1].get("status"),
        "new_month_s": new_s,
        "new_month_stored": kcs_new.get("stored", 0) + kcs_new.get("revised", 0),
        "new_month_status": None if new_s is None else new.get("status"),
        "requests": n_requests,
        "concurrency": settings.concurrency_per_host,
        "peak_rss_mb": peak_rss_mb(),
    }


def run(latency: float = 0.1, rounds: int = ROUNDS, log=print) -> tuple[list[Figure], dict]:
    from bench import kcs_server

    log("quiet night: nightly (nothing new, then one new month) vs an empty Prefect flow run ...")
    last = kcs_server.previous_month()
    y, m = int(last[:4]), int(last[4:])
    before_last = f"{y - 1:04d}12" if m == 1 else f"{y:04d}{m - 1:02d}"
    with (
        kcs_server.spawn(latency=latency, latest=before_last) as srv,
        kcs_server.spawn(latency=latency, latest=last) as srv_new,
        tempfile.TemporaryDirectory(prefix="twbench-night-") as tmp,
    ):
        r = run_child(
            "bench.quiet_night",
            [
                "child",
                "--base-url",
                srv.base_url,
                "--new-month-url",
                srv_new.base_url,
                "--data-dir",
                f"{tmp}/data",
                "--rounds",
                str(rounds),
            ],
            env={"PREFECT_HOME": f"{tmp}/prefect_home"},
        )
    empty, quiet = statistics.median(r["empty_s"]), statistics.median(r["quiet_s"])
    floor = math.ceil(r["requests"] / r["concurrency"]) * latency
    ratio = quiet / empty
    figs = [
        Figure(
            "quiet_night.empty_flow",
            empty,
            "s",
            note=f"median of {rounds} warm empty flow runs; API start-up {r['startup_s']:.1f} s",
        ),
        Figure(
            "quiet_night.nightly",
            quiet,
            "s",
            ratio,
            "empty Prefect flow run",
            "<= 1.5x",
            ratio <= 1.5,
            note=(
                f"median of {rounds}; {r['requests']} requests ({floor:.1f} s network floor at {latency * 1000:.0f} ms); "
                f"{r['quiet_stored']} stored, {r['quiet_unchanged']} unchanged; the filling run took {r['fill_s']:.1f} s for {r['fill_stored']} rows"
            ),
        ),
    ]
    if r.get("new_month_s") is not None:
        new_ratio = r["new_month_s"] / empty
        figs.append(
            Figure(
                "quiet_night.nightly_new_month",
                r["new_month_s"],
                "s",
                new_ratio,
                "empty Prefect flow run",
                "<= 2x",
                new_ratio <= 2,
                note=f"one run; {r['new_month_stored']} figures stored (one new month), status {r['new_month_status']}",
            )
        )
    return figs, r


def main(argv: list[str] | None = None) -> None:
    quiet_environment()
    ap = argparse.ArgumentParser(prog="python -m bench.quiet_night")
    ap.add_argument("mode", choices=["child"])
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--rounds", type=int, default=ROUNDS)
    ap.add_argument("--new-month-url", default=None)
    a = ap.parse_args(argv)
    emit(child(a.base_url, a.data_dir, a.rounds, a.new_month_url))


if __name__ == "__main__":
    main()
