"""The baseline: what a user would write without tradewatch.

Fetch every 12-month window one after the other with httpx, read the XML with
ElementTree, and INSERT each row into SQLite with a commit after each. It asks the
same requests tradewatch asks with ``hs_codes=[]`` (nationtrade and Newtrade per
window) and keeps one row per partner and month (exports, imports, balance).

Run: ``python -m bench.naive --base-url URL --db PATH [--start 2000-01 --end 2025-12]``;
prints one JSON line (wall seconds, rows, requests, peak RSS in MB).
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import sys
import time
import xml.etree.ElementTree as ET

import httpx


def windows(start: str, end: str) -> list[tuple[str, str]]:
    y, m = int(start[:4]), int(start[5:7])
    ey, em = int(end[:4]), int(end[5:7])
    out = []
    while (y, m) <= (ey, em):
        last_y, last_m = (y, m + 11) if m == 1 else (y + 1, m - 1)
        if (last_y, last_m) > (ey, em):
            last_y, last_m = ey, em
        out.append((f"{y:04d}{m:02d}", f"{last_y:04d}{last_m:02d}"))
        y, m = (last_y + 1, 1) if last_m == 12 else (last_y, last_m + 1)
    return out


def run(base_url: str, db: str, start: str, end: str) -> dict:
    t0 = time.perf_counter()
    con = sqlite3.connect(db)
    con.execute(
        "CREATE TABLE IF NOT EXISTS trade (partner TEXT, month TEXT, exports INTEGER, imports INTEGER, balance INTEGER,"
        " PRIMARY KEY (partner, month))"
    )
    con.commit()
    rows = requests = 0
    for a, b in windows(start, end):
        for service, path in (("nation", "nationtrade/getNationtradeList"), ("world", "Newtrade/getNewtradeList")):
            r = httpx.get(f"{base_url}/{path}", params={"strtYymm": a, "endYymm": b}, timeout=60)
            requests += 1
            r.raise_for_status()
            root = ET.fromstring(r.content)
            if root.findtext("header/resultCode") != "00":
                raise SystemExit(f"KCS error: {root.findtext('header/resultMsg')}")
            for item in root.iter("item"):
                year = item.findtext("year")
                if year == "총계":
                    continue
                partner = item.findtext("statCd") if service == "nation" else "WORLD"
                con.execute(
                    "INSERT OR REPLACE INTO trade VALUES (?, ?, ?, ?, ?)",
                    (
                        partner,
                        year,
                        int(item.findtext("expDlr")),
                        int(item.findtext("impDlr")),
                        int(item.findtext("balPayments")),
                    ),
                )
                con.commit()
                rows += 1
    con.close()
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    return {"wall_s": wall, "rows": rows, "requests": requests, "peak_rss_mb": peak_kb / 1024}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.naive")
    ap.add_argument("--base-url", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--start", default="2000-01")
    ap.add_argument("--end", default="2025-12")
    args = ap.parse_args(argv)
    print(json.dumps(run(args.base_url, args.db, args.start, args.end)))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
