"""A nightly run in its own process, through the plain pipeline functions (no Prefect).

    python -m tests.reliability.night_runner --data-dir DIR --kcs-url URL [--database-url URL]
        [--barrier DIR] [--log-level INFO]

Settings come from the environment (``TRADEWATCH_*``: alert channels, secrets) plus these
arguments; the crash tests set ``TRADEWATCH_TEST_CRASH_AT``. With ``--barrier`` the process
says it is ready (everything imported) and waits for the word go, so that two processes start
their runs at the same moment. Prints the run summary as one JSON line.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--kcs-url", required=True)
    ap.add_argument("--database-url", default=None)
    ap.add_argument("--barrier", type=Path, default=None, help="touch <dir>/ready-<pid>, then wait for <dir>/go")
    ap.add_argument("--log-level", default="INFO")
    ap.add_argument("--today", default="2026-11-16")
    args = ap.parse_args(argv)
    logging.basicConfig(level=args.log_level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")

    from datetime import date

    import alerts.deliver  # noqa: F401  (imported before the start line, as the flow would be)
    import expectations.gx  # noqa: F401
    from tests.reliability.conftest import make_settings, nightly

    kw = {"database_url": args.database_url} if args.database_url else {}
    settings = make_settings(args.data_dir, args.kcs_url, **kw)
    if args.barrier is not None:
        (args.barrier / f"ready-{os.getpid()}").touch()
        deadline = time.monotonic() + 120
        while not (args.barrier / "go").exists():
            if time.monotonic() > deadline:
                raise SystemExit("night_runner: nobody said go")
            time.sleep(0.005)
    summary = nightly(settings, today=date.fromisoformat(args.today))
    print(json.dumps(summary.to_dict(), default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
