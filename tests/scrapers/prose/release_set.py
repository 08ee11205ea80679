"""The real-release set in ``data/releases`` (pages as published, ``expected.json`` annotated by its README)."""

from __future__ import annotations

import json

from prose_helpers import DATA

from scrapers.prose.score import SetScore, extract_page, score_set

RELEASES = DATA / "releases"


def entries() -> list[dict]:
    return json.loads((RELEASES / "expected.json").read_text(encoding="utf-8"))


def page(entry: dict) -> str:
    return (RELEASES / entry["file"]).read_text(encoding="utf-8")


def run_set() -> SetScore:
    return score_set(entries(), lambda e: extract_page(e, page(e)))


if __name__ == "__main__":  # python tests/scrapers/prose/release_set.py [show]: the table, and every miss and wrong
    import sys

    s = run_set()
    if sys.argv[1:] == ["show"]:
        for m in s.misses:
            print("MISS ", *m[:7], m[7][:110])
        for w in s.wrong:
            print("WRONG", *w[:7], w[7][:110])
    print(s.table())
