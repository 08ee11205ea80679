"""KITA K-stat country ranking (``/cstat/anal/AnaCtrRanks.screen``, 순위통계). Source id ``kita``.

KITA's real request and response could not be verified (the page loads its data by
AJAX and by-country statistics need a KITA.net login). The parser reads the layout
K-stat documents: an HTML table with Korean headers (순위, 국가명, 수출금액,
수출증감률, 수입금액, 수입증감률, 무역수지, 교역액) in thousand USD (천달러). Any other
header raises ``LayoutChanged`` naming the headers found, so a different real layout
is an alert, not a silent misread. An optional login session comes from
``TRADEWATCH_KITA_SESSION_COOKIE``.

Rank claims are emitted only for the flow the table is visibly sorted by (the
amount column whose values fall row by row); the 순위 column must agree with it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from itertools import pairwise

from scrapers.archive import Snapshot
from scrapers.base import ParseResult, Source
from scrapers.document import soup as page_soup
from scrapers.http import Request
from tradewatch.errors import LayoutChanged, ParseError
from tradewatch.model import Flow, Observation, Period, RankClaim, countries

RANKS = "/cstat/anal/AnaCtrRanks.screen"

SOURCE_ID = "kita"
_HEADERS = [
    (re.compile(r"^(?:순위|순번|no\.?)$", re.I), ("rank", None)),
    (re.compile(r"^(?:국가명|국가|국가\s*\(지역\)|교역국)$"), ("country", None)),
    (re.compile(r"^(?:수출\s*(?:금액|액))$"), ("amount", Flow.EXPORT)),
    (re.compile(r"^(?:수입\s*(?:금액|액))$"), ("amount", Flow.IMPORT)),
    (re.compile(r"^(?:무역\s*수지|수지)$"), ("amount", Flow.BALANCE)),
    (
        re.compile(r"^(?:교역\s*(?:금액|액)|무역\s*(?:금액|액)|수출입\s*(?:금액|액)|총\s*교역액)$"),
        ("amount", Flow.TOTAL),
    ),
    (re.compile(r"^(?:(수출|수입|무역수지|교역액?)\s*)?(?:증감률|증감율|증가율)$"), ("yoy", None)),
    (re.compile(r"^(?:수출|수입)?\s*(?:비중|점유율)$"), ("share", None)),
    (re.compile(r"^(?:수출|수입)\s*건수$"), ("count", None)),
]


def _unit(text: str) -> int:
    if "백만달러" in text or "백만 달러" in text:
        return 1_000_000
    if "천달러" in text or "천 달러" in text:
        return 1000
    if re.search(r"단위\s*:\s*달러", text):
        return 1
    return 1000  # K-stat's convention


def _num(text: str) -> float | None:
    t = text.replace(",", "").replace("△", "-").replace("▽", "-").strip()
    if t in ("", "-"):
        return None
    return float(t)


def parse_rank_table(html: bytes, period: Period, url: str | None = None) -> tuple[list[Observation], list[RankClaim]]:
    """Korea's trade by partner (and the ranking it is sorted by) from a K-stat table."""
    soup = page_soup(html)
    table = next((t for t in soup.find_all("table") if t.find(string=re.compile("국가"))), None)
    if table is None:
        raise LayoutChanged(
            SOURCE_ID,
            url,
            "no country table",
            missing=["국가명"],
            found=[th.get_text(strip=True) for th in soup.find_all("th")][:20],
        )
    header_row = table.find("tr")
    headers = [re.sub(r"\s+", "", c.get_text(" ", strip=True)) for c in header_row.find_all(["th", "td"])]
    kinds: list[tuple[str, Flow | None]] = []
    unknown: list[str] = []
    for h in headers:
        k = next((kind for pat, kind in _HEADERS if pat.match(re.sub(r"\(.*?\)", "", h))), None)
        if k is None:
            unknown.append(h)
        else:
            kinds.append(k)
    if unknown or ("country", None) not in kinds or not any(k and k[0] == "amount" for k in kinds):
        raise LayoutChanged(
            SOURCE_ID,
            url,
            "unrecognised K-stat table headers",
            missing=[h for h in ("국가명", "수출금액") if h not in headers],
            found=headers,
        )
    unit = _unit(soup.get_text(" ") + " ".join(headers))
    reg = countries()
    rows: list[tuple[int | None, str, dict[Flow, float]]] = []
    for tr in header_row.find_next_siblings("tr") + [tr for tb in table.find_all("tbody") for tr in tb.find_all("tr")]:
        cells = [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])]
        if len(cells) != len(kinds):
            continue
        rank: int | None = None
        name: str | None = None
        values: dict[Flow, float] = {}
        for k, c in zip(kinds, cells, strict=True):
            if k[0] == "rank":
                rank = int(c) if c.isdigit() else None
            elif k[0] == "country":
                name = c
            elif k[0] == "amount":
                try:
                    v = _num(c)
                except ValueError:
                    raise LayoutChanged(SOURCE_ID, url, f"unreadable amount {c!r}", found=headers) from None
                if v is not None and k[1] is not None:
                    values[k[1]] = v
        country = reg.find(name or "")
        if country is None or country.aggregate or country.alpha3 == "KOR":
            continue
        if (country.alpha3, rank) not in [(r[1], r[0]) for r in rows]:
            rows.append((rank, country.alpha3, values))
    obs = [
        Observation(
            "KOR",
            code,
            flow,
            period,
            int(round(v * unit)),
            SOURCE_ID,
            precision_usd=unit,
            source_url=url,
            quote=f"K-stat table row {code}",
        )
        for _, code, values in rows
        for flow, v in values.items()
    ]
    return obs, _claims(rows, period, url)


def _claims(rows, period: Period, url) -> list[RankClaim]:
    ranked = [r for r in rows if r[0] is not None]
    if len(ranked) < 2:
        return []
    for flow in (Flow.TOTAL, Flow.EXPORT, Flow.IMPORT, Flow.BALANCE):
        vals = [r[2].get(flow) for r in ranked]
        if None in vals:
            continue
        if all(a >= b for a, b in pairwise(vals)) and [r[0] for r in ranked] == sorted(r[0] for r in ranked):
            return [
                RankClaim("KOR", code, flow, period, rank, SOURCE_ID, url, quote=f"K-stat ranking #{rank} {code}")
                for rank, code, _ in ranked
            ]
    return []


# --- the source ------------------------------------------------------------------------------
class Kita(Source):
    id = SOURCE_ID
    title = "KITA country ranking (unverified layout)"

    def windows(self, start: Period, end: Period) -> list[Period]:
        return [Period.year(y) for y in range(start.start.year, end.end.year + 1)]

    def nightly_range(self, today: date) -> tuple[Period, Period]:
        return Period.month(today.year - 1, 1), Period.month(today.year - 1, 12)

    def requests(self, window: Period) -> list[Request]:
        secret_headers = {}
        if self.settings.kita_session_cookie is not None:
            secret_headers["Cookie"] = self.settings.kita_session_cookie.get_secret_value()
        return [
            Request(
                source=self.id,
                url=self.base_url + RANKS,
                params={"year": str(window.start.year)},
                secret_headers=secret_headers,
                label=str(Period.year(window.start.year)),
            )
        ]

    def parse(self, snap: Snapshot) -> ParseResult:
        if not snap.label:
            raise ParseError(self.id, snap.full_url, "the snapshot has no year label: which year's ranking is this?")
        period = Period.parse(snap.label)
        obs, claims = parse_rank_table(snap.body(), period, snap.full_url)
        return ParseResult(
            observations=[replace(o, snapshot_sha256=snap.sha256) for o in obs],
            rank_claims=[replace(c, snapshot_sha256=snap.sha256) for c in claims],
        )


SOURCE = Kita
