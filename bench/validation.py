"""Benchmark 3: Great Expectations on a ~70k-row batch, cold and warm.

* ``import`` child (fresh process): the time ``import great_expectations`` takes.
* ``validate`` child (fresh process): ``validate_batch`` on an all-partner KCS batch
  of 69 months x every partner x 4 flows (~70k rows), against an empty SQLite
  store, twice. The first call is cold (it imports pandas and GX itself); the
  second is warm (the suite is built again: that is part of every call).

Goals: warm <= 1 s; cold <= the import of great_expectations + 1 s.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

from bench.common import Figure, emit, peak_rss_mb, quiet_environment, run_child

FIRST, LAST = "201901", "202409"  # 69 months


def batch_observations(first: str = FIRST, last: str = LAST) -> list:
    from bench.kcs_server import month_range, nation_items
    from tradewatch.model import Flow, Observation, Period, countries

    reg = countries()
    out = []
    for r in nation_items(month_range(first, last)):
        partner = reg.by_alpha2(r.code).alpha3
        month = Period.month(int(r.ym[:4]), int(r.ym[4:]))
        url = f"http://127.0.0.1/1220000/nationtrade/getNationtradeList?strtYymm={r.ym}"
        common = dict(
            reporter="KOR",
            partner=partner,
            period=month,
            source="kcs",
            precision_usd=1,
            source_url=url,
            snapshot_sha256="0" * 64,
            maturity="final",
        )
        out += [
            Observation(flow=Flow.EXPORT, value_usd=r.exp, **common),
            Observation(flow=Flow.IMPORT, value_usd=r.imp, **common),
            Observation(flow=Flow.BALANCE, value_usd=r.exp - r.imp, **common),
            Observation(flow=Flow.TOTAL, value_usd=r.exp + r.imp, **common),
        ]
    return out


def child_import() -> dict:
    t = time.perf_counter()
    import great_expectations  # noqa: F401

    return {"import_s": time.perf_counter() - t, "peak_rss_mb": peak_rss_mb()}


def child_validate(data_dir: str) -> dict:
    from pathlib import Path

    from db import Database
    from tradewatch.config import load_settings

    settings = load_settings(data_dir=Path(data_dir), sources=["kcs"])
    db = Database(settings.database_url)
    obs = batch_observations()
    t = time.perf_counter()
    from expectations import Batch, validate_batch

    batch = Batch(
        source="kcs", key=f"kcs {FIRST}..{LAST}", kind="all_partners", observations=obs, today=settings.run_today()
    )
    out: dict = {"rows": len(obs), "runs": []}
    for _ in range(3):
        t = time.perf_counter()
        with db.session() as s:
            # as the pipeline calls it: GX's Data Docs page is written only for a batch that fails
            report = validate_batch(s, batch, settings, run_id="bench", data_docs=False)
        out["runs"].append(
            {
                "seconds": time.perf_counter() - t,
                "success": report.success,
                "failed": report.failed_names,
                "timings": report.statistics.get("timings") if isinstance(report.statistics, dict) else None,
            }
        )
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def run(log=print) -> tuple[list[Figure], dict]:
    log("validation: GX import (fresh process) and validate_batch on ~70k rows, cold and warm ...")
    imports = [run_child("bench.validation", ["import"])["import_s"] for _ in range(2)]
    gx_import = min(imports)
    with tempfile.TemporaryDirectory(prefix="twbench-gx-") as tmp:
        v = run_child("bench.validation", ["validate", "--data-dir", tmp])
    cold = v["runs"][0]["seconds"]
    warm = statistics.median(r["seconds"] for r in v["runs"][1:])
    ok = all(r["success"] for r in v["runs"])
    note = "" if ok else f"; the batch FAILED validation: {v['runs'][0]['failed']}"
    figs = [
        Figure(
            "validation.gx_import",
            gx_import,
            "s",
            note=f"min of {len(imports)} fresh processes ({', '.join(f'{x:.2f}' for x in imports)})",
        ),
        Figure(
            "validation.cold",
            cold,
            "s",
            cold - gx_import,
            "seconds above the GX import",
            "<= GX import + 1 s",
            cold <= gx_import + 1,
            note=f"first validate_batch in a fresh process, {v['rows']} rows (imports pandas + GX itself){note}",
        ),
        Figure(
            "validation.warm",
            warm,
            "s",
            goal="<= 1 s",
            holds=warm <= 1,
            note=f"median of the next {len(v['runs']) - 1} calls (suite built each time); peak RSS {v['peak_rss_mb']:.0f} MB",
        ),
    ]
    return figs, {"imports": imports, **v}


def main(argv: list[str] | None = None) -> None:
    quiet_environment()
    ap = argparse.ArgumentParser(prog="python -m bench.validation")
    ap.add_argument("mode", choices=["import", "validate"])
    ap.add_argument("--data-dir")
    a = ap.parse_args(argv)
    emit(child_import() if a.mode == "import" else child_validate(a.data_dir))


if __name__ == "__main__":
    main()
