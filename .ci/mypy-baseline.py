#!/usr/bin/env python3
"""mypy over the application's packages, held to a per-module baseline that only shrinks.

``tradewatch``, ``db``, ``flows`` and ``alerts`` must be clean. A module listed in
``.ci/mypy-baseline.txt`` may carry at most its listed number of errors; any other
module none. When a module has fewer errors than listed, the baseline must be
lowered (``--update`` writes it), so it can only shrink; it never raises an allowance.

    python .ci/mypy-baseline.py [--update] [--mypy PATH]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / ".ci" / "mypy-baseline.txt"
MUST_BE_CLEAN = ("tradewatch/", "db/", "flows/", "alerts/")
ERROR = re.compile(r"^(?P<path>[\w./-]+\.py):\d+: error: ")


def read_baseline() -> dict[str, int]:
    out: dict[str, int] = {}
    for line in BASELINE.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            path, count = line.split()
            out[path] = int(count)
    return out


def write_baseline(counts: Counter[str]) -> None:
    lines = [
        "# mypy errors per module that are still allowed (see .ci/mypy-baseline.py); the numbers only go down.",
        *(f"{path} {n}" for path, n in sorted(counts.items())),
    ]
    BASELINE.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true", help="lower the baseline to today's counts")
    ap.add_argument("--mypy", default=str(Path(sys.executable).parent / "mypy"))
    args = ap.parse_args()
    proc = subprocess.run([args.mypy], cwd=ROOT, capture_output=True, text=True)
    out = proc.stdout + proc.stderr
    counts: Counter[str] = Counter(m["path"] for line in out.splitlines() if (m := ERROR.match(line)))
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not counts):
        print(out)
        print("mypy-baseline: mypy did not run to the end", file=sys.stderr)
        return 2
    baseline = read_baseline()
    problems = [
        f"{p} must be clean (baseline entries are not allowed there)" for p in baseline if p.startswith(MUST_BE_CLEAN)
    ]
    for path, n in sorted(counts.items()):
        allowed = baseline.get(path, 0)
        if n > allowed:
            problems.append(f"{path}: {n} errors, {allowed} allowed")
    shrunk = {p: (a, counts.get(p, 0)) for p, a in baseline.items() if counts.get(p, 0) < a}
    if problems:
        print("\n".join(line for line in out.splitlines() if ERROR.match(line) and _over(line, counts, baseline)))
        print("mypy-baseline: new type errors:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if args.update:
        write_baseline(counts)
        print(f"mypy-baseline: {sum(counts.values())} errors in {len(counts)} modules written to {BASELINE.name}")
        return 0
    if shrunk:
        print(
            "mypy-baseline: fewer errors than the baseline allows; lower it with `python .ci/mypy-baseline.py --update`:\n  "
            + "\n  ".join(f"{p}: {a} allowed, {n} now" for p, (a, n) in sorted(shrunk.items())),
            file=sys.stderr,
        )
        return 1
    total = sum(counts.values())
    print(f"mypy-baseline: ok ({total} baseline errors in {len(counts)} modules; tradewatch, db, flows, alerts clean)")
    return 0


def _over(line: str, counts: Counter[str], baseline: dict[str, int]) -> bool:
    """True for an error line of a module over its allowance (those are the ones to read)."""
    m = ERROR.match(line)
    return bool(m) and counts[m["path"]] > baseline.get(m["path"], 0)


if __name__ == "__main__":
    sys.exit(main())
