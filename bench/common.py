"""What every benchmark shares: figures, peak memory, child processes, the environment."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# Prefect and GX: no telemetry, no progress bars (set before either is imported).
QUIET_ENV = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def quiet_environment() -> None:
    for k, v in QUIET_ENV.items():
        os.environ.setdefault(k, v)


@dataclass
class Figure:
    """One reported number and what it is judged by."""

    name: str
    value: float | None
    unit: str
    ratio: float | None = None
    ratio_of: str | None = None  # what the ratio compares against
    goal: str | None = None
    holds: bool | None = None
    note: str | None = None

    def to_json(self) -> str:
        d = asdict(self)
        for k in ("value", "ratio"):
            if isinstance(d[k], float) and math.isfinite(d[k]):
                d[k] = round(d[k], 4)
        if d["note"] is None:
            del d["note"]
        return json.dumps(d, ensure_ascii=False)


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(module: str, args: list[str], env: dict[str, str] | None = None, timeout: float = 600) -> dict[str, Any]:
    """Run ``python -m module args`` and return the JSON object its last stdout line holds."""
    full_env = {**os.environ, **QUIET_ENV, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), full_env.get("PYTHONPATH", "")) if p)
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=str(ROOT),
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr or proc.stdout)[-3000:]
        raise RuntimeError(f"{module} {' '.join(args)} failed (exit {proc.returncode}):\n{tail}")
    return json.loads(lines[-1])


def emit(result: dict[str, Any]) -> None:
    """A child's result: one JSON line on stdout."""
    sys.stdout.write(json.dumps(result, default=str) + "\n")
    sys.stdout.flush()
