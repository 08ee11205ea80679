"""Korea Customs Service (관세청) trade statistics on data.go.kr: source id ``kcs``.

One source, three services of the same gateway (``{base}/{service}/{operation}``):

* ``nationtrade/getNationtradeList`` — every partner, every month (no ``cntyCd``);
* ``nitemtrade/getNitemtradeList`` — the watched HS codes (``settings.hs_codes``,
  default 8542) to each watched partner;
* ``Newtrade/getNewtradeList`` — Korea's total with the world.

Format (``shared/sources/README.md`` §1): XML only, no pagination, one ``<item>`` per
partner (and HS code) per month under ``response/body/items``; amounts are plain USD
integers; ``expCnt``/``impCnt`` are declaration counts (never read as weights);
``year`` is ``"2026.01"``, or ``"총계"`` on a total row (nitemtrade puts it first,
Newtrade last: it is recognised by that value, never by position). An empty
``<items/>`` means "not published yet". Errors come in two envelopes: the
gateway's ``OpenAPI_ServiceResponse`` (bad key, quota, unknown service) and the
service's own ``resultCode`` ≠ ``00`` (HTTP 200, the cause only in ``resultMsg``).

Maturity: KCS refreshes around the 15th of each month, applying corrections to
recent months. A month within the 12 complete months before the snapshot's fetch
month (Korean time) is ``"provisional"`` (the nightly run re-pulls exactly those);
anything older is ``"final"``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import timedelta, timezone
from urllib.parse import urlsplit

from scrapers.archive import Snapshot
from scrapers.base import ParseResult, Source
from scrapers.http import Request, check_status
from scrapers.xmlsafe import children_text, local_name, parse_xml, sniff
from tradewatch.errors import ConfigError, GatewayError, LayoutChanged, ParseError, QueryError, ServiceError
from tradewatch.model import TOTAL, WORLD, Flow, Observation, Period, PeriodKind, countries

__all__ = ["GATEWAY_REASONS", "SERVICES", "SOURCE", "KcsNationTrade", "KcsQuery", "maturity_for"]

KST = timezone(timedelta(hours=9))
REPORTER = "KOR"
TOTAL_ROW = "총계"

# service name -> path under the base URL (paths are case-sensitive on the gateway)
SERVICES = {
    "nationtrade": "nationtrade/getNationtradeList",
    "nitemtrade": "nitemtrade/getNitemtradeList",
    "Newtrade": "Newtrade/getNewtradeList",
}
_SERVICE_BY_PATH = {path: name for name, path in SERVICES.items()}

# Fields each service's rows must carry (extra fields are tolerated).
REQUIRED_FIELDS = {
    "nationtrade": ("year", "statCd", "expDlr", "impDlr", "balPayments"),
    "nitemtrade": ("year", "statCd", "hsCd", "expDlr", "impDlr", "balPayments"),
    "Newtrade": ("year", "expDlr", "impDlr", "balPayments"),
}
KNOWN_FIELDS = {
    "nationtrade": {"year", "statCd", "statCdCntnKor1", "expCnt", "expDlr", "impCnt", "impDlr", "balPayments"},
    "nitemtrade": {
        "year",
        "statCd",
        "statCdCntnKor1",
        "hsCd",
        "statKor",
        "expDlr",
        "expWgt",
        "impDlr",
        "impWgt",
        "balPayments",
    },
    "Newtrade": {"year", "expCnt", "expDlr", "impCnt", "impDlr", "balPayments"},
}

# data.go.kr gateway reason codes -> what they mean for us.
GATEWAY_REASONS = {
    "01": "application error at the gateway",
    "04": "HTTP error at the gateway (e.g. '_type=json' was sent: the KCS APIs answer XML only)",
    "10": "invalid request parameter at the gateway",
    "12": "no such OpenAPI service (wrong or retired service path; paths are case-sensitive)",
    "20": "access denied: the service key is missing or not allowed (set TRADEWATCH_KCS_SERVICE_KEY)",
    "22": "the daily request quota for this key is spent (development accounts: 10,000 calls a day per API); try again tomorrow",
    "30": "the service key is not registered for this API: apply (활용신청) for each KCS API separately on data.go.kr, or check the key (Decoding form, not encoded twice)",
    "31": "the service key has expired: renew the application on data.go.kr",
    "32": "this IP address is not registered for the service key",
    "99": "unknown gateway error",
}

_YYYYMM = re.compile(r"^\d{6}$")
_CNTY = re.compile(r"^[A-Z]{2}$")
_HS = re.compile(r"^\d+$")
_YEAR_MONTH = re.compile(r"^(\d{4})\.(\d{2})$")
_INT = re.compile(r"^-?\d+$")


# --- query rules ------------------------------------------------------------------------


@dataclass(frozen=True)
class KcsQuery:
    """One KCS request, with every rule the service enforces checked before sending.

    ``start``/``end`` are ``YYYYMM``; at most 12 months inclusive; ``cnty`` an
    upper-case ISO alpha-2 code; ``hs`` an HS code of 2, 4, 6 or 10 digits.
    """

    service: str
    start: str
    end: str
    cnty: str | None = None
    hs: str | None = None

    MAX_MONTHS = 12

    def __post_init__(self) -> None:
        self.validate()

    @classmethod
    def for_window(cls, service: str, window: Period, cnty: str | None = None, hs: str | None = None) -> KcsQuery:
        if window.kind not in (PeriodKind.MONTH, PeriodKind.MONTHS, PeriodKind.YEAR):
            raise QueryError(f"KCS windows are whole months, not {window}")
        return cls(service, f"{window.start:%Y%m}", f"{window.end:%Y%m}", cnty, hs)

    def validate(self) -> None:
        if self.service not in SERVICES:
            raise QueryError(f"unknown KCS service {self.service!r}; known: {', '.join(SERVICES)}")
        for name, value in (("strtYymm", self.start), ("endYymm", self.end)):
            if not isinstance(value, str) or not _YYYYMM.match(value) or not 1 <= int(value[4:]) <= 12:
                raise QueryError(f"KCS {name} must be YYYYMM (e.g. 202601), got {value!r}")
        months = (int(self.end[:4]) * 12 + int(self.end[4:])) - (int(self.start[:4]) * 12 + int(self.start[4:])) + 1
        if months < 1:
            raise QueryError(f"KCS period ends before it starts: {self.start}..{self.end}")
        if months > self.MAX_MONTHS:
            raise QueryError(
                f"KCS allows at most {self.MAX_MONTHS} months per request; {self.start}..{self.end} is {months}"
            )
        if self.cnty is not None and not _CNTY.match(self.cnty):
            raise QueryError(f"KCS country codes are 2 upper-case letters (ISO alpha-2), got {self.cnty!r}")
        if self.hs is not None:
            if self.service != "nitemtrade":
                raise QueryError(f"hsSgn is a nitemtrade parameter, not {self.service}'s")
            if not _HS.match(self.hs) or len(self.hs) not in (2, 4, 6, 10):
                raise QueryError(f"KCS HS codes have 2, 4, 6 or 10 digits, got {self.hs!r}")
        if self.cnty is not None and self.service == "Newtrade":
            raise QueryError("Newtrade is Korea's world total: it takes no country")

    @property
    def path(self) -> str:
        return SERVICES[self.service]

    def params(self) -> dict[str, str]:
        p = {"strtYymm": self.start, "endYymm": self.end}
        if self.cnty:
            p["cntyCd"] = self.cnty
        if self.hs:
            p["hsSgn"] = self.hs
        return p

    @property
    def window(self) -> Period:
        return Period.months(f"{self.start[:4]}-{self.start[4:]}", f"{self.end[:4]}-{self.end[4:]}")


def maturity_for(month: Period, fetched_at) -> str:
    """``provisional`` for the 12 complete months before the fetch month (KST), else ``final``."""
    fetched_month = (
        Period.from_date(fetched_at.astimezone(KST).date())
        if fetched_at.tzinfo
        else Period.from_date(fetched_at.date())
    )
    return "provisional" if month.start >= fetched_month.shift(months=-12).start else "final"


# --- the source ---------------------------------------------------------------------------


class KcsNationTrade(Source):
    id = "kcs"
    title = "Korea Customs Service trade statistics (data.go.kr, all partners, monthly)"
    window_months = 12
    release_day = 15

    # -- planning --
    def _key_params(self) -> dict[str, str]:
        key = self.settings.kcs_service_key
        value = key.get_secret_value() if key is not None else ""
        return {"serviceKey": value} if value else {}

    def check_live(self) -> None:
        """Raise ConfigError before a live run against data.go.kr without a service key.

        Replays and the fixture server need no key; the official gateway answers
        every keyless request with error 20.
        """
        if not self._key_params() and urlsplit(self.base_url).hostname == "apis.data.go.kr":
            raise ConfigError(
                "TRADEWATCH_KCS_SERVICE_KEY is not set: data.go.kr refuses requests without a service key. "
                "Get one on data.go.kr and apply (활용신청) for each KCS API used: nationtrade (15101612), "
                "nitemtrade (15100475) and Newtrade."
            )

    def item_partners(self) -> list[tuple[str, str]]:
        """(alpha3, alpha2) of the watched partners nitemtrade is asked about (not Korea itself)."""
        reg = countries()
        out = []
        for a3 in self.settings.watched_partners:
            if a3 in (REPORTER, WORLD):
                continue
            c = reg.get(a3, where="settings.watched_partners")
            if c.aggregate or not c.alpha2:
                continue
            out.append((a3, c.alpha2))
        return out

    def queries(self, window: Period) -> list[KcsQuery]:
        qs = [KcsQuery.for_window("nationtrade", window)]
        for hs in self.settings.hs_codes:
            for _a3, a2 in self.item_partners():
                qs.append(KcsQuery.for_window("nitemtrade", window, cnty=a2, hs=hs))
        qs.append(KcsQuery.for_window("Newtrade", window))
        return qs

    def request_for(self, q: KcsQuery) -> Request:
        what = q.service + (f" {q.hs}" if q.hs else "") + (f" {q.cnty}" if q.cnty else "")
        return Request(
            source=self.id,
            url=f"{self.base_url}/{q.path}",
            params=q.params(),
            secret_params=self._key_params(),
            label=f"{what} {q.window}",
        )

    def requests(self, window: Period) -> list[Request]:
        return [self.request_for(q) for q in self.queries(window)]

    # -- parsing --
    def parse(self, snap: Snapshot) -> ParseResult:
        url = snap.full_url
        service = service_of(snap.url)
        if service is None:
            raise LayoutChanged(
                self.id,
                url,
                f"no KCS service known at path {urlsplit(snap.url).path!r}",
                missing=list(SERVICES.values()),
            )
        items = read_envelope(snap.body(), source=self.id, url=url, status=snap.status)
        if items is None and snap.status >= 400:
            check_status(snap)
        if not items:
            return ParseResult(published_nothing=True, notes=[f"{service}: no rows (not published yet)"])
        rows = read_rows(items, service, self.id, url)
        if not rows.month:  # only a 총계 row: nothing for any month yet
            return ParseResult(published_nothing=True, notes=[f"{service}: only a {TOTAL_ROW} row, no monthly rows"])
        window = _window_of(snap)
        if service == "nationtrade":
            obs, notes = _parse_nation(rows, snap, window, self.id)
        elif service == "nitemtrade":
            obs, notes = _parse_items(rows, snap, window, self.id)
        else:
            obs, notes = _parse_world(rows, snap, window, self.id)
        if not obs:
            raise LayoutChanged(self.id, url, f"{service}: {rows.n_items} rows but no monthly figures among them")
        return ParseResult(observations=obs, notes=notes)


SOURCE = KcsNationTrade


# --- envelope ----------------------------------------------------------------------------


def service_of(url: str) -> str | None:
    path = urlsplit(url).path.rstrip("/")
    for svc_path, name in _SERVICE_BY_PATH.items():
        if path.endswith("/" + svc_path) or path == svc_path:
            return name
    return None


def gateway_error(source: str, url: str | None, code: str, err_msg: str, auth_msg: str = "") -> GatewayError:
    code = (code or "").strip()
    explanation = GATEWAY_REASONS.get(code, "unrecognised gateway reason code")
    if auth_msg:
        explanation += f" [{auth_msg}]"
    return GatewayError(source, url, code or "?", (err_msg or "").strip() or "?", explanation)


def read_envelope(data: bytes, *, source: str, url: str | None, status: int = 200):
    """The ``<item>`` elements of a KCS response, after every error envelope is raised.

    Returns ``None`` when the body is not a KCS/gateway document at all and the HTTP
    status already says why (the caller raises the FetchError); raises otherwise.
    """
    kind = sniff(data)
    if kind == "json":
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(source, url, f"JSON body that cannot be read ({exc})") from None
        env = doc.get("OpenAPI_ServiceResponse") if isinstance(doc, dict) else None
        if isinstance(env, dict):
            hdr = env.get("cmmMsgHeader") or {}
            raise gateway_error(
                source,
                url,
                str(hdr.get("returnReasonCode", "")),
                str(hdr.get("errMsg", "")),
                str(hdr.get("returnAuthMsg", "")),
            )
        if status >= 400:
            return None
        keys = list(doc)[:8] if isinstance(doc, dict) else [type(doc).__name__]
        raise LayoutChanged(source, url, "JSON body where KCS answers XML", missing=["response"], found=keys)
    if kind in ("html", "empty", "other"):
        if status >= 400:
            return None
        what = {"html": "an HTML page", "empty": "an empty body", "other": "a body that is not XML"}[kind]
        raise LayoutChanged(
            source,
            url,
            f"HTTP {status} with {what} where a KCS XML response was expected",
            missing=["response"],
            found=[kind],
        )

    root = parse_xml(data, source=source, url=url)
    name = local_name(root)
    if name == "OpenAPI_ServiceResponse":
        hdr = root.find("cmmMsgHeader")
        fields = children_text(hdr) if hdr is not None else {}
        raise gateway_error(
            source, url, fields.get("returnReasonCode", ""), fields.get("errMsg", ""), fields.get("returnAuthMsg", "")
        )
    if name != "response":
        if status >= 400:
            return None
        raise LayoutChanged(source, url, f"unexpected root element <{name}>", missing=["response"], found=[name])
    header = root.find("header")
    if header is None:
        raise LayoutChanged(
            source, url, "response without <header>", missing=["header"], found=[local_name(c) for c in root]
        )
    h = children_text(header)
    code = h.get("resultCode")
    if code is None:
        raise LayoutChanged(source, url, "header without resultCode", missing=["resultCode"], found=sorted(h))
    if code != "00":
        raise ServiceError(source, url, code, h.get("resultMsg", ""))
    body = root.find("body")
    if body is None:
        raise LayoutChanged(
            source, url, "successful response without <body>", missing=["body"], found=[local_name(c) for c in root]
        )
    items = body.find("items")
    if items is None:
        raise LayoutChanged(
            source, url, "<body> without <items>", missing=["items"], found=[local_name(c) for c in body]
        )
    out = []
    others_set: set[str] = set()
    for el in items:
        name = local_name(el) if el.tag != "item" else "item"
        if name == "item":
            out.append(el)
        elif name:
            others_set.add(name)
    others = sorted(others_set)
    if others:
        raise LayoutChanged(
            source, url, "<items> holds elements other than <item>", missing=["item"] if not out else (), found=others
        )
    return out


# --- rows ---------------------------------------------------------------------------------


@dataclass
class Rows:
    """The monthly rows of one response as columns: one list per field, in document order.

    Every row's shape was checked while reading (``read_rows``); the 총계 row is
    counted in ``n_items`` and left out of the columns.
    """

    service: str
    n_items: int = 0
    index: list[int] = field(default_factory=list)  # the row's position among the <item>s, from 1
    year: list[str] = field(default_factory=list)
    stat: list[str | None] = field(default_factory=list)  # statCd (None where the service has none)
    hs: list[str | None] = field(default_factory=list)
    exp: list[int] = field(default_factory=list)
    imp: list[int] = field(default_factory=list)
    month: list[Period] = field(default_factory=list)

    def where(self, i: int) -> str:
        return f"{self.service} row {self.index[i]} (year={self.year[i]!r}, statCd={self.stat[i]!r})"


def _where(service: str, index: int, f: dict[str, str]) -> str:
    return f"{service} row {index} (year={f.get('year')!r}, statCd={f.get('statCd')!r})"


def read_rows(items, service: str, source: str, url: str) -> Rows:
    """Read the ``<item>`` elements into columns, checking each row's shape on the way.

    Each row must carry the service's fields; ``year`` is ``YYYY.MM`` or 총계; the
    amounts are integer USD, exports and imports not negative, and ``balPayments`` is
    exactly ``expDlr − impDlr``. The first row that breaks a rule raises
    ``LayoutChanged`` naming it. A month is parsed once per response, not once per row.
    """
    required = REQUIRED_FIELDS[service]
    known = KNOWN_FIELDS[service]
    months: dict[str, Period] = {}
    out = Rows(service)
    int_ok = _INT.match
    for index, el in enumerate(items, start=1):
        out.n_items += 1
        f = {}  # children_text(el), inline: ~80k rows in a 26-year backfill
        for child in el:
            name = child.tag
            if type(name) is not str:  # a comment or processing instruction
                continue
            if "}" in name:
                name = name.rsplit("}", 1)[-1]
            if name:
                f[name] = (child.text or "").strip()
        missing = [k for k in required if k not in f]
        if missing:
            unexpected = sorted(set(f) - known)
            raise LayoutChanged(
                source,
                url,
                f"{service} row {index} lacks expected fields",
                missing=missing,
                found=unexpected or sorted(f),
            )
        year = f["year"]
        if year == TOTAL_ROW:
            continue
        month = months.get(year)
        if month is None:
            m = _YEAR_MONTH.match(year)
            if not m:
                raise LayoutChanged(
                    source, url, f"{service} row {index}: year {year!r} is neither YYYY.MM nor {TOTAL_ROW}"
                )
            try:
                month = Period.month(int(m[1]), int(m[2]))
            except Exception:
                raise LayoutChanged(source, url, f"{service} row {index}: year {year!r} is not a month") from None
            months[year] = month
        e, i, b = f["expDlr"], f["impDlr"], f["balPayments"]
        for k, v in (("expDlr", e), ("impDlr", i), ("balPayments", b)):
            if not int_ok(v):
                raise LayoutChanged(source, url, f"{_where(service, index, f)}: {k}={v!r} is not an integer USD amount")
        exp, imp, bal = int(e), int(i), int(b)
        if exp < 0 or imp < 0:
            raise LayoutChanged(source, url, f"{_where(service, index, f)}: negative exports or imports ({exp}, {imp})")
        if exp - imp != bal:
            raise LayoutChanged(
                source,
                url,
                f"{_where(service, index, f)}: balPayments {bal} != expDlr {exp} - impDlr {imp} (= {exp - imp})",
            )
        out.index.append(index)
        out.year.append(year)
        out.stat.append(f.get("statCd"))
        out.hs.append(f.get("hsCd"))
        out.exp.append(exp)
        out.imp.append(imp)
        out.month.append(month)
    return out


def _window_of(snap: Snapshot) -> Period | None:
    p = snap.params or {}
    try:
        a, b = str(p["strtYymm"]), str(p["endYymm"])
        return Period.months(f"{a[:4]}-{a[4:]}", f"{b[:4]}-{b[4:]}")
    except Exception:
        return None


def _check_window(rows: Rows, i: int, window: Period | None, source: str, url: str) -> None:
    month = rows.month[i]
    if window is not None and not window.contains(month):
        raise LayoutChanged(source, url, f"{rows.where(i)}: month {month} is outside the requested window {window}")


class _Emit:
    """Builds the four figures of a row (export, import, balance, total); maturity once per month."""

    def __init__(self, snap: Snapshot, source: str):
        self.url = snap.full_url
        self.sha = snap.sha256
        self.fetched_at = snap.fetched_at
        self.source = source
        self.maturity: dict[Period, str] = {}
        self.out: list[Observation] = []

    def __call__(self, partner: str, month: Period, exp: int, imp: int, commodity: str) -> None:
        mat = self.maturity.get(month)
        if mat is None:
            mat = self.maturity[month] = maturity_for(month, self.fetched_at)
        url, sha, src = self.url, self.sha, self.source
        self.out += (
            Observation(
                REPORTER, partner, Flow.EXPORT, month, exp, src, commodity, 1, url, sha, None, False, None, mat
            ),
            Observation(
                REPORTER, partner, Flow.IMPORT, month, imp, src, commodity, 1, url, sha, None, False, None, mat
            ),
            Observation(
                REPORTER, partner, Flow.BALANCE, month, exp - imp, src, commodity, 1, url, sha, None, False, None, mat
            ),
            Observation(
                REPORTER, partner, Flow.TOTAL, month, exp + imp, src, commodity, 1, url, sha, None, False, None, mat
            ),
        )


class _Partners:
    """alpha-3 of a KCS ``statCd``, looked up once per code; an unknown code is an UnknownCountry
    naming the row and URL."""

    def __init__(self, url: str):
        self.url = url
        self.known: dict[str, str] = {}
        self.registry = countries()

    def __call__(self, rows: Rows, i: int) -> str:
        code = rows.stat[i] or ""
        a3 = self.known.get(code)
        if a3 is None:
            a3 = self.known[code] = self.registry.by_alpha2(code, where=f"{self.url} {rows.where(i)}").alpha3
        return a3


def _parse_nation(rows: Rows, snap: Snapshot, window, source: str):
    url = snap.full_url
    partner_of = _Partners(url)
    emit = _Emit(snap, source)
    seen: set[tuple[str, Period]] = set()
    per_month: dict[Period, int] = {}
    for i, month in enumerate(rows.month):
        _check_window(rows, i, window, source, url)
        partner = partner_of(rows, i)
        key = (partner, month)
        if key in seen:
            raise LayoutChanged(source, url, f"{rows.where(i)}: a second row for {partner} {month}")
        seen.add(key)
        per_month[month] = per_month.get(month, 0) + 1
        emit(partner, month, rows.exp[i], rows.imp[i], TOTAL)
    notes = [f"nationtrade {m}: {n} partners" for m, n in sorted(per_month.items())]
    return emit.out, notes


def _parse_items(rows: Rows, snap: Snapshot, window, source: str):
    url = snap.full_url
    wanted = str((snap.params or {}).get("hsSgn") or "") or None
    partner_of = _Partners(url)
    sums: dict[tuple[str, str, Period], list[int]] = {}
    detail: dict[tuple[str, str, Period], int] = {}
    for i, month in enumerate(rows.month):
        # the 총계 row (first in live responses) is a window total, not a month: not among the rows
        _check_window(rows, i, window, source, url)
        hs = rows.hs[i] or ""
        if not _HS.match(hs):
            raise LayoutChanged(source, url, f"{rows.where(i)}: hsCd {hs!r} is not an HS code")
        if wanted and not hs.startswith(wanted):
            raise LayoutChanged(source, url, f"{rows.where(i)}: hsCd {hs} is not under the requested code {wanted}")
        commodity = wanted or hs
        partner = partner_of(rows, i)
        key = (partner, commodity, month)
        acc = sums.setdefault(key, [0, 0])
        acc[0] += rows.exp[i]
        acc[1] += rows.imp[i]
        detail[key] = detail.get(key, 0) + 1
    emit = _Emit(snap, source)
    for (partner, commodity, month), (exp, imp) in sorted(sums.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
        emit(partner, month, exp, imp, commodity)
    notes = [
        f"nitemtrade {c} {p} {m}: {n} rows summed"
        for (p, c, m), n in sorted(detail.items(), key=lambda kv: (kv[0][2], kv[0][0]))
    ]
    return emit.out, notes


def _parse_world(rows: Rows, snap: Snapshot, window, source: str):
    url = snap.full_url
    emit = _Emit(snap, source)
    seen: set[Period] = set()
    for i, month in enumerate(rows.month):  # the trailing 총계 row is not among them
        _check_window(rows, i, window, source, url)
        if month in seen:
            raise LayoutChanged(source, url, f"{rows.where(i)}: a second row for {month}")
        seen.add(month)
        emit(WORLD, month, rows.exp[i], rows.imp[i], TOTAL)
    return emit.out, [f"Newtrade: {len(seen)} months"]
