"""Vietnam customs' headline table: Vietnam's world trade. Source id ``vn_customs_headline``.

The table on ``{vn_customs base}/index.jsp?pageId=444``: Vietnam's exports, imports, their sum
and the balance (tỷ USD) by half-month (K1/K2: days 1-15 and 16 to the month's end), month and
quarter, each with its year to date (Lũy kế), as reporter VNM, partner WLD. Columns: STT, Chỉ
tiêu, Diễn giải (the period), Kỳ, Trị giá, Tăng/giảm so kỳ trước (%), Lũy kế, Tăng/giảm cùng kỳ
(%). Values are written with a decimal comma up to 2021 and a decimal point after; "-" is "not
applicable". Text is compared in NFC (some rows come decomposed).

Its own source id (not ``vn_customs``): these are published, rounded figures ("20.20" tỷ USD is
precise to USD 10 m), validated as such, apart from the bulletins' exact dollars. The rows were
verified on a real scrape of the table (values real, JSON keys the scraper's); the page's HTML
was not recorded, so ``headline_rows_from_html`` finds the columns by their header text and
raises ``LayoutChanged`` naming the headers it found when they are not there.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date

from scrapers.archive import Snapshot
from scrapers.base import ParseResult, Source
from scrapers.http import Request, check_status
from tradewatch.errors import LayoutChanged
from tradewatch.model import WORLD, Flow, Observation, Period

SOURCE_ID = "vn_customs_headline"
# Vietnam's exports, imports, their sum and the balance (tỷ USD) by half-month (K1/K2: days 1-15 and
# 16 to the month's end), month and quarter, each with its year-to-date (Lũy kế). Columns: STT, Chỉ tiêu,
# Diễn giải (the period), Kỳ, Trị giá, Tăng/giảm so kỳ trước (%), Lũy kế, Tăng/giảm cùng kỳ (%). Values
# are written with a decimal comma up to 2021 and a decimal point after; "-" is "not applicable". Text is
# compared in NFC (some rows come decomposed).
HEADLINE_PAGE = "/index.jsp"
HEADLINE_PARAMS = {"pageId": "444"}
_INDICATORS = {
    "xuất khẩu": Flow.EXPORT,
    "nhập khẩu": Flow.IMPORT,
    "xuất nhập khẩu": Flow.TOTAL,
    "tổng kim ngạch xuất nhập khẩu": Flow.TOTAL,
    "cán cân thương mại": Flow.BALANCE,
}
_HALF = re.compile(r"^k\s*([12])\s*-\s*t\s*(\d{1,2})\s*-\s*(\d{4})$")
_MONTHLY = re.compile(r"^t\s*(\d{1,2})\s*-\s*(\d{4})$")
_QUARTER = re.compile(r"^quý\s*(iv|i{1,3})\s*[-/]\s*(\d{4})$")
_TY_USD = re.compile(r"^(-?)(\d+)(?:([.,])(\d+))?$")


@dataclass(frozen=True)
class HeadlineRow:
    indicator: str  # Chỉ tiêu
    label: str  # Diễn giải
    period_column: str  # Kỳ
    value: str  # Trị giá (tỷ USD)
    cumulative: str  # Lũy kế (tỷ USD)


def _nfc(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text or "")).strip()


def headline_period(label: str) -> tuple[Period, Period] | None:
    """(the period, its year to date) of a label: ``K1-T12-2025``, ``T11-2025``, ``Quý II/2021``."""
    s = _nfc(label).casefold()
    if m := _HALF.match(s):
        half, month, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if not 1 <= month <= 12:
            return None
        end = Period.month(year, month).end
        first, last = (date(year, month, 1), date(year, month, 15)) if half == 1 else (date(year, month, 16), end)
        return Period.days(first, last), Period.days(date(year, 1, 1), last)
    if m := _MONTHLY.match(s):
        month, year = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return None
        return Period.month(year, month), Period.year_to_date(year, month)
    if m := _QUARTER.match(s):
        q, year = {"i": 1, "ii": 2, "iii": 3, "iv": 4}[m.group(1)], int(m.group(2))
        return (
            Period.months(Period.month(year, 3 * q - 2), Period.month(year, 3 * q)),
            Period.year_to_date(year, 3 * q),
        )
    return None


def _ty_usd(text: str) -> tuple[int, int] | None:
    """(USD, precision) of a value in tỷ USD, decimal comma or point; None for "-" or empty."""
    s = _nfc(text).replace(" ", "")
    if s in ("", "-"):
        return None
    m = _TY_USD.match(s)
    if not m:
        raise ValueError(text)
    decimals = m.group(4) or ""
    sign = -1 if m.group(1) else 1
    scale = 10 ** len(decimals)
    units = int(m.group(2)) * scale + (int(decimals) if decimals else 0)
    precision = 1_000_000_000 // scale
    return sign * units * precision, precision


def parse_headline(rows: list[HeadlineRow], url: str | None) -> tuple[list[Observation], list[str]]:
    """Vietnam's world figures (reporter VNM, partner WLD) from the headline table's rows.

    A row whose period cannot be read is skipped with a note; two rows that give different
    values for the same figure (the page's paging can repeat a row, once with a wrong label)
    are both left out, with a note: neither is known to be right.
    """
    notes: list[str] = []
    seen: dict[tuple[Flow, str], list[tuple[int, int, str]]] = {}
    periods: dict[str, Period] = {}
    unknown = sorted({_nfc(r.indicator) for r in rows if _nfc(r.indicator).casefold() not in _INDICATORS})
    if unknown:
        raise LayoutChanged(SOURCE_ID, url, "unknown indicators in the headline table", found=unknown)
    for r in rows:
        flow = _INDICATORS[_nfc(r.indicator).casefold()]
        # the period is in "Diễn giải"; a row scraped with its two period cells swapped has it in "Kỳ"
        periods_of = headline_period(r.label) or headline_period(r.period_column)
        if periods_of is None:
            notes.append(f"headline: period {r.label!r} / {r.period_column!r} not readable: row skipped")
            continue
        for period, text in zip(periods_of, (r.value, r.cumulative), strict=True):
            try:
                value = _ty_usd(text)
            except ValueError:
                raise LayoutChanged(
                    SOURCE_ID, url, f"unreadable value {text!r} for {_nfc(r.indicator)} {r.label}"
                ) from None
            if value is None:
                continue
            periods[str(period)] = period
            seen.setdefault((flow, str(period)), []).append((*value, f"{_nfc(r.indicator)} {_nfc(r.label)}: {text}"))
    out: list[Observation] = []
    for (flow, key), found in seen.items():
        base, precision, _ = found[0]
        if any(abs(v - base) > max(p, precision) / 2 for v, p, _ in found[1:]):
            notes.append(
                f"headline: {flow.value} {key} written {len(found)} times with different values "
                f"({', '.join(q for _, _, q in found)}): left out"
            )
            continue
        finest = min(p for _, p, _ in found)
        usd = next(v for v, p, _ in found if p == finest)
        out.append(
            Observation(
                "VNM",
                WORLD,
                flow,
                periods[key],
                usd,
                SOURCE_ID,
                precision_usd=finest,
                source_url=url,
                maturity="preliminary",
                quote=next(q for _, p, q in found if p == finest),
            )
        )
    return out, notes


def headline_rows_from_scrape(data: bytes) -> list[HeadlineRow]:
    """The rows of a JSON scrape of the table (keys ``chi_tieu``, ``dien_giai``, ``ky``, ``tri_gia_ty_usd``,
    ``luy_ke_ty_usd``: a scraper's names for the page's columns)."""
    doc = json.loads(data)
    keys = ("chi_tieu", "dien_giai", "ky", "tri_gia_ty_usd", "luy_ke_ty_usd")
    if not isinstance(doc, list) or not all(isinstance(r, dict) and all(k in r for k in keys) for r in doc):
        raise LayoutChanged(SOURCE_ID, None, "not a scrape of the headline table", missing=list(keys))
    return [HeadlineRow(*(str(r[k] or "") for k in keys)) for r in doc]


_HEADLINE_COLUMNS = {
    "indicator": re.compile(r"^chỉ\s*tiêu$", re.I),
    "label": re.compile(r"^diễn\s*giải$", re.I),
    "period_column": re.compile(r"^kỳ$", re.I),
    "value": re.compile(r"^trị\s*giá", re.I),
    "cumulative": re.compile(r"^lũy\s*kế|^luỹ\s*kế", re.I),
}


def headline_rows_from_html(html: bytes, url: str | None) -> list[HeadlineRow]:
    """The rows of the table on the page, its columns found by their header text.

    Built to the page's documented columns (no raw page was recorded): a table without them
    raises ``LayoutChanged`` naming the headers it has.
    """
    from scrapers.document import soup

    page = soup(html)
    seen_headers: list[str] = []
    for table in page.find_all("table"):
        trs = table.find_all("tr")
        if not trs:
            continue
        head = [_nfc(c.get_text(" ", strip=True)) for c in trs[0].find_all(["th", "td"])]
        seen_headers.extend(h for h in head if h)
        where = {}
        for field_name, pat in _HEADLINE_COLUMNS.items():
            idx = next((i for i, h in enumerate(head) if pat.search(h)), None)
            if idx is not None:
                where[field_name] = idx
        if len(where) != len(_HEADLINE_COLUMNS):
            continue
        rows = []
        for tr in trs[1:]:
            cells = [_nfc(c.get_text(" ", strip=True)) for c in tr.find_all(["td", "th"])]
            if len(cells) < len(head):
                continue
            rows.append(HeadlineRow(**{k: cells[i] for k, i in where.items()}))
        if not rows:
            raise LayoutChanged(SOURCE_ID, url, "the headline table has no rows", found=head)
        return rows
    raise LayoutChanged(
        SOURCE_ID,
        url,
        "no headline table on the page",
        missing=["Chỉ tiêu", "Diễn giải", "Kỳ", "Trị giá", "Lũy kế"],
        found=seen_headers[:20] or ["(no table)"],
    )


class VnCustomsHeadline(Source):
    id = SOURCE_ID
    title = "Vietnam customs headline table (Vietnam's world trade, half-months, months, quarters)"

    @property
    def base_url(self) -> str:
        return self.settings.base_url("vn_customs")  # the same portal

    def windows(self, start: Period, end: Period) -> list[Period]:
        return [Period.months(start, end)]  # one page holds the newest rows, whatever the range

    def nightly_range(self, today: date) -> tuple[Period, Period]:
        last = Period.from_date(today)
        return last.shift(months=-1), last

    def requests(self, window: Period) -> list[Request]:
        return [
            Request(source=self.id, url=self.base_url + HEADLINE_PAGE, params=dict(HEADLINE_PARAMS), label="headline")
        ]

    def parse(self, snap: Snapshot) -> ParseResult:
        check_status(snap)
        obs, notes = parse_headline(headline_rows_from_html(snap.body(), snap.full_url), snap.full_url)
        if not obs:
            raise LayoutChanged(SOURCE_ID, snap.full_url, "no figure read from the headline table", found=notes[:5])
        return ParseResult(observations=[replace(o, snapshot_sha256=snap.sha256) for o in obs], notes=notes)


SOURCE = VnCustomsHeadline
