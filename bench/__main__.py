"""``python -m bench`` (``make bench``): every benchmark, a table, and one JSON line per figure.

Each figure line is ``{"name", "value", "unit", "ratio", "ratio_of", "goal", "holds"}``
(plus ``note``). Servers run on 127.0.0.1 and are stopped at the end; every
contender runs in its own process. Options: ``--only backfill,quiet,validation,extraction``,
``--latency`` (seconds per KCS response, default 0.1), ``--no-naive``, ``--no-prefect``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime

from bench.common import Figure, quiet_environment

ALL = ("backfill", "quiet", "validation", "extraction", "release_score")


def machine() -> str:
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            kb = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
        mem = f"{kb / 1024 / 1024:.1f} GB"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores, {mem} RAM, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit in ("rows/s", "articles/s"):
        return f"{v:,.0f} {unit}"
    return f"{v:,.2f} {unit}"


def table(figs: list[Figure]) -> None:
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # pragma: no cover - rich is a dependency
        for f in figs:
            print(f.name, _fmt(f.value, f.unit), f.ratio, f.goal, f.holds, f.note or "")
        return
    t = Table(title="tradewatch benchmarks", show_lines=False)
    for col in ("figure", "value", "ratio", "vs", "goal", "holds", "note"):
        t.add_column(col, overflow="fold")
    for f in figs:
        holds = "" if f.holds is None else ("[green]yes[/]" if f.holds else "[red]NO[/]")
        t.add_row(
            f.name,
            _fmt(f.value, f.unit),
            "" if f.ratio is None else f"{f.ratio:.2f}",
            f.ratio_of or "",
            f.goal or "",
            holds,
            f.note or "",
        )
    Console(stderr=False, width=200).print(t)


def main(argv: list[str] | None = None) -> int:
    quiet_environment()
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", default=",".join(ALL), help=f"comma-separated subset of {','.join(ALL)}")
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--no-prefect", action="store_true")
    ap.add_argument("--details", default=None, help="write every raw measurement to this JSON file")
    a = ap.parse_args(argv)
    wanted = [w.strip() for w in a.only.split(",") if w.strip()]
    unknown = set(wanted) - set(ALL)
    if unknown:
        ap.error(f"unknown benchmark(s) {sorted(unknown)}; known: {', '.join(ALL)}")

    def log(msg: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    log(f"{datetime.now():%Y-%m-%d %H:%M}; {machine()}")
    figs: list[Figure] = []
    details: dict = {"date": datetime.now().isoformat(timespec="seconds"), "machine": machine()}
    for name in wanted:
        try:
            if name == "backfill":
                from bench import backfill

                f, d = backfill.run(a.latency, naive=not a.no_naive, prefect=not a.no_prefect, log=log)
            elif name == "quiet":
                from bench import quiet_night

                f, d = quiet_night.run(a.latency, log=log)
            elif name == "validation":
                from bench import validation

                f, d = validation.run(log=log)
            elif name == "release_score":
                from bench import release_score

                f, d = release_score.run(log=log)
            else:
                from bench import extraction

                f, d = extraction.run(log=log)
        except Exception as exc:
            log(f"{name}: FAILED: {exc}")
            f, d = [Figure(f"{name}.error", None, "", note=str(exc).splitlines()[0][:300])], {"error": str(exc)}
        figs += f
        details[name] = d
    total = time.perf_counter() - started
    figs.append(Figure("bench.total_wall", total, "s", goal="< 600 s", holds=total < 600))
    table(figs)
    for f in figs:
        print(f.to_json())
    if a.details:
        with open(a.details, "w", encoding="utf-8") as fh:
            json.dump(details, fh, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
