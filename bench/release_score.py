"""Benchmark 5: precision and recall of the release extractor on the real-release set.

The set is the 52 real pages (English, Vietnamese, Korean) under ``tests/scrapers/prose/data/releases/`` with their
annotation (``expected.json``, conventions in its README). Each page goes through ``scrapers.prose.extract`` in this
process and is scored by ``scrapers.prose.score.score_set``: figures P/R, rank claims P/R and year-on-year accuracy,
per language and overall, against the issue's goals (figures P >= 0.98, R >= 0.95; ranks P >= 0.95, R >= 0.95).
"""

from __future__ import annotations

import json
import time

from bench.common import ROOT, Figure

RELEASES = ROOT / "tests" / "scrapers" / "prose" / "data" / "releases"
GOALS = {"figures_precision": 0.98, "figures_recall": 0.95, "ranks_precision": 0.95, "ranks_recall": 0.95}


def run(log=print) -> tuple[list[Figure], dict]:
    from scrapers.prose.score import extract_page, score_set

    log("release_score: the extractor on the real-release set ...")
    entries = json.loads((RELEASES / "expected.json").read_text(encoding="utf-8"))
    started = time.perf_counter()
    scored = score_set(entries, lambda e: extract_page(e, (RELEASES / e["file"]).read_text(encoding="utf-8")))
    elapsed = time.perf_counter() - started
    log(scored.table())
    figs: list[Figure] = []
    rows = {**scored.languages, "all": scored.overall}
    for lang, s in sorted(rows.items()):
        for name, goal in GOALS.items():
            value = getattr(s, name)
            figs.append(Figure(f"release_score.{lang}.{name}", value, "", goal=f">= {goal}", holds=value >= goal))
        figs.append(Figure(f"release_score.{lang}.yoy_accuracy", s.yoy_accuracy, "", goal=">= 0.95"))
    figs.append(Figure("release_score.seconds", elapsed, "s", note=f"{len(entries)} pages, in-process"))
    return figs, {"table": scored.table(), "misses": scored.misses, "wrong": scored.wrong}
