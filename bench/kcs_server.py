"""A loopback stand-in for the KCS trade-statistics gateway, for benchmarks.

It answers the three services tradewatch asks (``nationtrade/getNationtradeList``,
``nitemtrade/getNitemtradeList``, ``Newtrade/getNewtradeList``) in the real XML
format (``response/header`` + ``response/body/items/item``, elements in
alphabetical order, plain USD integers, ``year`` as ``"2000.01"``,
``balPayments = expDlr - impDlr``), for every partner of the tradewatch country
registry that has an alpha-2 code. Values are deterministic (a smooth trend per
partner, no randomness), so two runs against two servers store the same figures.

The service rules are enforced as KCS does: at most 12 months per request (more is
the service's ``resultCode 99`` envelope, with HTTP 200), ``YYYYMM`` periods, an
end not before the start, known upper-case country codes; an unknown path is the
gateway's ``OpenAPI_ServiceResponse`` error 12 (HTTP 400). Months after ``latest``
are absent, as unpublished months are.

Every response takes ``latency`` seconds (building the body counts towards it).
Run it in-process (``KcsServer``) or as its own process (``python -m
bench.kcs_server --latency 0.1`` prints ``READY <base_url>``; ``spawn()`` does that
and returns the process), which keeps the server off the benchmarked process's GIL.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import re
import subprocess
import sys
import threading
import time
import zlib
from dataclasses import dataclass
from functools import cache, lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

__all__ = ["DEFAULT_LATENCY", "KcsServer", "month_range", "nation_items", "partners", "prewarm", "spawn"]

DEFAULT_LATENCY = 0.1
PREFIX = "/1220000"
SERVICES = ("nationtrade/getNationtradeList", "nitemtrade/getNitemtradeList", "Newtrade/getNewtradeList")
_YYYYMM = re.compile(r"^\d{6}$")

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
OK_HEADER = "<header><resultCode>00</resultCode><resultMsg>정상서비스.</resultMsg></header>"

MSG_PERIOD = "시작과 종료의 조회기간은 1년이내 기간만 가능합니다."
MSG_ORDER = "종료년월이 시작년월보다 크거나 같아야 합니다."
MSG_FORMAT = "시작년월 형식이 맞지 않습니다."
MSG_MISSING = "필수 요청변수가 누락되었습니다."
MSG_COUNTRY = "존재하지 않는 국가코드입니다."
MSG_HS = "품목코드는 2,4,6,10 자리로 입력해야 합니다."


# --- the data ---------------------------------------------------------------------------


@lru_cache(maxsize=1)
def partners() -> tuple[tuple[str, str], ...]:
    """(alpha-2, Korean name) of every non-aggregate country with an alpha-2 code."""
    from tradewatch.model import countries

    out = []
    for c in countries():
        if c.aggregate or not c.alpha2:
            continue
        ko = next((n for lang, n in c.names if lang == "ko"), c.name)
        out.append((c.alpha2, ko))
    out.sort()
    return tuple(out)


def _h(text: str) -> int:
    return zlib.crc32(text.encode("ascii"))


@dataclass(frozen=True)
class Row:
    code: str
    name: str
    ym: str  # "YYYYMM"
    exp: int
    imp: int
    exp_cnt: int
    imp_cnt: int


def _figures(code: str, ym: str) -> tuple[int, int, int, int]:
    """Exports, imports and declaration counts of one partner in one month (deterministic)."""
    h = _h(code)
    scale = 10 ** (4 + h % 6)  # partners from tens of thousands to billions of USD a month
    t = (int(ym[:4]) - 2000) * 12 + int(ym[4:]) - 1
    trend = 1.0 + 0.003 * t  # ~3.6% a year
    season = 1.0 + 0.04 * math.sin(2 * math.pi * (t % 12) / 12 + (h % 7))
    exp = int(scale * (1 + h % 9) * trend * season) + _h(code + ym + "e") % 997
    imp = int(scale * (1 + (h >> 8) % 9) * trend * (2 - season)) + _h(code + ym + "i") % 991
    return exp, imp, exp // 40_000 + 1, imp // 9_000 + 1


def month_range(start: str, end: str) -> list[str]:
    y, m = int(start[:4]), int(start[4:])
    out = []
    while f"{y:04d}{m:02d}" <= end:
        out.append(f"{y:04d}{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def nation_items(months: list[str], cnty: str | None = None) -> list[Row]:
    rows = []
    for ym in months:
        for code, name in partners():
            if cnty is not None and code != cnty:
                continue
            e, i, ec, ic = _figures(code, ym)
            rows.append(Row(code, name, ym, e, i, ec, ic))
    return rows


def _item_xml(fields: list[tuple[str, object]]) -> str:
    # alphabetical element order, as KCS sends them
    return "<item>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in sorted(fields)) + "</item>"


def _year(ym: str) -> str:
    return f"{ym[:4]}.{ym[4:]}"


def _ok(items: list[str]) -> str:
    inner = "<items>" + "".join(items) + "</items>" if items else "<items/>"
    return f"{XML_HEAD}<response>{OK_HEADER}<body>{inner}</body></response>"


def service_error(msg: str) -> str:
    return f"{XML_HEAD}<response><header><resultCode>99</resultCode><resultMsg>{escape(msg)}</resultMsg></header></response>"


def gateway_error(code: str, err: str, auth: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<OpenAPI_ServiceResponse>\n<cmmMsgHeader>\n'
        f"  <errMsg>{err}</errMsg>\n  <returnAuthMsg>{auth}</returnAuthMsg>\n  <returnReasonCode>{code}</returnReasonCode>\n"
        "</cmmMsgHeader>\n</OpenAPI_ServiceResponse>\n"
    )


@cache
def _month_nation(ym: str) -> tuple[str, int, int, int, int]:
    """One month of nationtrade items (XML text, for all partners) and the month's sums."""
    rows = nation_items([ym])
    xml = "".join(
        _item_xml(
            [
                ("balPayments", r.exp - r.imp),
                ("expCnt", r.exp_cnt),
                ("expDlr", r.exp),
                ("impCnt", r.imp_cnt),
                ("impDlr", r.imp),
                ("statCd", r.code),
                ("statCdCntnKor1", r.name),
                ("year", _year(r.ym)),
            ]
        )
        for r in rows
    )
    return (
        xml,
        sum(r.exp for r in rows),
        sum(r.imp for r in rows),
        sum(r.exp_cnt for r in rows),
        sum(r.imp_cnt for r in rows),
    )


def nationtrade_xml(months: list[str], cnty: str | None) -> str:
    if cnty is None:
        body = "".join(_month_nation(ym)[0] for ym in months)
        return _ok([body] if body else [])
    items = [
        _item_xml(
            [
                ("balPayments", r.exp - r.imp),
                ("expCnt", r.exp_cnt),
                ("expDlr", r.exp),
                ("impCnt", r.imp_cnt),
                ("impDlr", r.imp),
                ("statCd", r.code),
                ("statCdCntnKor1", r.name),
                ("year", _year(r.ym)),
            ]
        )
        for r in nation_items(months, cnty)
    ]
    return _ok(items)


def newtrade_xml(months: list[str]) -> str:
    items, te, ti, tec, tic = [], 0, 0, 0, 0
    for ym in months:
        _, e, i, ec, ic = _month_nation(ym)
        te, ti, tec, tic = te + e, ti + i, tec + ec, tic + ic
        items.append(
            _item_xml(
                [
                    ("balPayments", e - i),
                    ("expCnt", ec),
                    ("expDlr", e),
                    ("impCnt", ic),
                    ("impDlr", i),
                    ("year", _year(ym)),
                ]
            )
        )
    if items:  # the trailing total row
        items.append(
            _item_xml(
                [
                    ("balPayments", te - ti),
                    ("expCnt", tec),
                    ("expDlr", te),
                    ("impCnt", tic),
                    ("impDlr", ti),
                    ("year", "총계"),
                ]
            )
        )
    return _ok(items)


def prewarm(first: str, last: str) -> None:
    """Build the monthly item text of ``first..last`` (YYYYMM) ahead of the first request."""
    for ym in month_range(first, last):
        _month_nation(ym)


def nitemtrade_xml(months: list[str], cnty: str | None, hs: str | None) -> str:
    hs_cd = (hs or "854232").ljust(10, "0")
    rows = []
    for r in nation_items(months, cnty):
        e, i = r.exp // 20 + 1, r.imp // 30 + 1
        rows.append(
            _item_xml(
                [
                    ("balPayments", e - i),
                    ("expDlr", e),
                    ("expWgt", e // 900 + 1),
                    ("hsCd", hs_cd),
                    ("impDlr", i),
                    ("impWgt", i // 700 + 1),
                    ("statCd", r.code),
                    ("statCdCntnKor1", r.name),
                    ("statKor", "메모리"),
                    ("year", _year(r.ym)),
                ]
            )
        )
    if not rows:
        return _ok([])
    te = sum(r.exp // 20 + 1 for r in nation_items(months, cnty))
    ti = sum(r.imp // 30 + 1 for r in nation_items(months, cnty))
    total = _item_xml(
        [
            ("balPayments", te - ti),
            ("expDlr", te),
            ("expWgt", te // 900 + 1),
            ("hsCd", "-"),
            ("impDlr", ti),
            ("impWgt", ti // 700 + 1),
            ("statCd", "-"),
            ("statCdCntnKor1", "-"),
            ("statKor", "-"),
            ("year", "총계"),
        ]
    )
    return _ok([total, *rows])  # nitemtrade puts its total row first


# --- the HTTP side ----------------------------------------------------------------------


def answer(path: str, query: dict[str, str], latest: str) -> tuple[int, str]:
    """(HTTP status, XML body) for one request."""
    path = path.rstrip("/")
    service = next((s for s in SERVICES if path == f"{PREFIX}/{s}"), None)
    if service is None:
        return 400, gateway_error("12", "NO_OPENAPI_SERVICE_ERROR", "해당 오픈API 서비스가 없거나 폐기됨")
    start, end = query.get("strtYymm"), query.get("endYymm")
    if not start or not end:
        return 200, service_error(MSG_MISSING)
    if (
        not _YYYYMM.match(start)
        or not 1 <= int(start[4:]) <= 12
        or not _YYYYMM.match(end)
        or not 1 <= int(end[4:]) <= 12
    ):
        return 200, service_error(MSG_FORMAT)
    if end < start:
        return 200, service_error(MSG_ORDER)
    n = (int(end[:4]) * 12 + int(end[4:])) - (int(start[:4]) * 12 + int(start[4:])) + 1
    if n > 12:
        return 200, service_error(MSG_PERIOD)
    cnty = query.get("cntyCd")
    if cnty is not None and cnty not in {c for c, _ in partners()}:
        return 200, service_error(MSG_COUNTRY)
    months = [m for m in month_range(start, end) if m <= latest]
    if service.startswith("nationtrade"):
        return 200, _cached_nation(tuple(months), cnty)
    if service.startswith("Newtrade"):
        return 200, _cached_world(tuple(months))
    hs = query.get("hsSgn")
    if hs is not None and (not hs.isdigit() or len(hs) not in (2, 4, 6, 10)):
        return 200, service_error(MSG_HS)
    return 200, nitemtrade_xml(months, cnty, hs)


@lru_cache(maxsize=256)
def _cached_nation(months: tuple[str, ...], cnty: str | None) -> str:
    return nationtrade_xml(list(months), cnty)


@lru_cache(maxsize=256)
def _cached_world(months: tuple[str, ...]) -> str:
    return newtrade_xml(list(months))


def previous_month() -> str:
    """Last month in Korean time, ``YYYYMM``: the latest month the server publishes by default."""
    t = time.gmtime(time.time() + 9 * 3600)  # Korean time
    y, m = (t.tm_year - 1, 12) if t.tm_mon == 1 else (t.tm_year, t.tm_mon - 1)
    return f"{y:04d}{m:02d}"


class KcsServer:
    """The server on 127.0.0.1 in a background thread. ``base_url`` is the KCS base URL."""

    def __init__(self, latency: float = DEFAULT_LATENCY, port: int = 0, latest: str | None = None):
        self.latency = latency
        self.latest = latest or previous_month()
        self.requests: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive: clients may reuse connections

            def log_message(self, *args) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                t0 = time.perf_counter()
                parts = urlsplit(self.path)
                if parts.path == "/_stats":
                    with server._lock:
                        status, body, ctype = 200, json.dumps(server.requests), "application/json"
                else:
                    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                    status, body, ctype = *answer(parts.path, query, server.latest), "text/xml;charset=UTF-8"
                    name = parts.path.rstrip("/").rsplit("/", 2)[-2] if parts.path.count("/") >= 2 else parts.path
                    with server._lock:
                        server.requests[name] = server.requests.get(name, 0) + 1
                data = body.encode("utf-8")
                rest = server.latency - (time.perf_counter() - t0)
                if rest > 0 and parts.path != "/_stats":
                    time.sleep(rest)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("X-RateLimit-Limit", "10000")
                self.end_headers()
                self.wfile.write(data)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PREFIX}"

    def start(self) -> KcsServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="kcs-bench-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> KcsServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Spawned:
    """A server in its own process; ``stop()`` ends exactly that process."""

    def __init__(self, proc: subprocess.Popen, base_url: str):
        self.proc, self.base_url = proc, base_url

    def stats(self) -> dict[str, int]:
        import httpx

        root = self.base_url[: -len(PREFIX)]
        return httpx.get(f"{root}/_stats", timeout=10).json()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def __enter__(self) -> Spawned:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def spawn(latency: float = DEFAULT_LATENCY, latest: str | None = None, prewarm: str | None = None) -> Spawned:
    """Start ``python -m bench.kcs_server`` and wait for its ``READY <url>`` line."""
    cmd = [sys.executable, "-m", "bench.kcs_server", "--latency", str(latency)]
    if latest:
        cmd += ["--latest", latest]
    if prewarm:
        cmd += ["--prewarm", prewarm]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip() if proc.stdout else ""
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"the KCS bench server did not start (got {line!r})")
    return Spawned(proc, line.split(" ", 1)[1])


def _serve(args: argparse.Namespace) -> None:
    srv = KcsServer(latency=args.latency, port=args.port, latest=args.latest)
    partners()  # load the registry before announcing readiness
    if args.prewarm:
        first, last = args.prewarm.split("..")
        prewarm(first, min(last, srv.latest))
    print(f"READY {srv.base_url}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        srv._httpd.serve_forever()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m bench.kcs_server", description=__doc__.split("\n\n")[0])
    ap.add_argument("--latency", type=float, default=DEFAULT_LATENCY, help="seconds per response (default 0.1)")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free one)")
    ap.add_argument("--latest", default=None, help="last published month, YYYYMM (default: last month, KST)")
    ap.add_argument("--prewarm", default=None, metavar="YYYYMM..YYYYMM", help="build these months' rows before serving")
    args = ap.parse_args(argv)
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    _serve(args)


if __name__ == "__main__":
    main()
