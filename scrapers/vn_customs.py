"""Vietnam customs (Tổng cục Hải quan / Cục Hải quan) figures by partner. Source id ``vn_customs``.

The publication catalogue (``LayDanhSachMoiCongBoServlet`` JSON: ``{"data": [{"tieuDe",
"fileSoBo", "fileChinhThuc", "fileDieuChinh", "ngaySoBo", "ngayChinhThuc"}]}``, dates
dd/mm/yyyy) lists each release with its preliminary, official and revised files;
links to internal addresses (10.224.128.185, CTTDT) are dropped. Reporter Vietnam.

The by-country bulletins (tables 5x exports, 5n imports; ``2026-t6-5x(ta-sb).pdf``) are
read by ``read_bulletin``, verified on a real file (June 2026, English, preliminary):
every country row's month and year-to-date value, columns assigned by the x-positions
pdfplumber gives (empty cells leave no text), the header's month and flow checked against
the file name, both number formats (``ta`` 2,686,575,961; ``vn`` 2.686.575.961), blocks
across page breaks, and each country's commodity rows checked to add up to its row. A
bulletin with other columns, no text layer or a country name the registry does not know
raises ``LayoutChanged`` (``UnknownCountries`` lists the names and their figures): nothing
of that document is kept. Commodity rows are read (``bulletin_json_lines``) but not
stored: their groups are not HS codes.

Other tables the catalogue links to (a simple by-partner PDF or Excel sheet, Vietnamese
number format, USD or thousand USD as the header says) are read by ``parse_partner_table``
to their documented layout (unverified); a header it does not recognise raises
``LayoutChanged`` naming the headers found.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import unquote

from scrapers.archive import Snapshot
from scrapers.base import ParseResult
from scrapers.http import Fetcher, Request
from scrapers.listing import ReleaseSource
from tradewatch.errors import LayoutChanged, ParseError, TradewatchError
from tradewatch.model import TOTAL, WORLD, Flow, Observation, Period, PeriodKind, countries

CATALOGUE = "/bridge"
CATALOGUE_PARAMS = {
    "url": "/customs/api/tkhq/LayDanhSachMoiCongBoServlet",
    "pageSize": "1000",
    "language": "TIENG_VIET",
}
# Files are named {dataYear}-t{dataMonth}-5x(vn-sb).pdf: the data month is in the name.
_FILE_PERIOD = re.compile(r"(\d{4})-t(\d{1,2})-", re.I)

SOURCE_ID = "vn_customs"
_INTERNAL = re.compile(r"^(?:https?://)?(?:10\.\d+\.\d+\.\d+|192\.168\.|172\.(?:1[6-9]|2\d|3[01])\.)|CTTDT", re.I)
_NAME = re.compile(r"nước|lãnh\s*thổ|thị\s*trường|tên\s*nước", re.I)
_COLUMN = re.compile(r"(?:trị\s*giá\s+)?(?:xuất\s*khẩu|nhập\s*khẩu)|trị\s*giá|lượng", re.I)
_TOTAL_ROW = re.compile(r"^\s*(?:tổng\s*(?:cộng|số|trị giá|kim ngạch)?|cộng|total)\s*$", re.I)
_NUM = r"(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?|-"


@dataclass(frozen=True)
class CatalogueItem:
    title: str
    preliminary_url: str | None
    official_url: str | None
    revised_url: str | None
    preliminary_date: date | None
    official_date: date | None


def _dmy(text) -> date | None:
    m = re.match(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})", str(text or ""))
    if not m:
        return None
    try:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    except ValueError:
        return None


def _url(value) -> str | None:
    v = str(value or "").strip()
    if not v or _INTERNAL.search(v):
        return None
    return v


def parse_catalogue(json_bytes: bytes) -> list[CatalogueItem]:
    try:
        doc = json.loads(json_bytes)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ParseError(SOURCE_ID, None, f"the catalogue is not JSON: {exc}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        found = list(doc) if isinstance(doc, dict) else [type(doc).__name__]
        raise LayoutChanged(SOURCE_ID, None, "catalogue without a 'data' list", missing=["data"], found=found)
    out = []
    for row in doc["data"]:
        if not isinstance(row, dict) or "tieuDe" not in row:
            raise LayoutChanged(
                SOURCE_ID,
                None,
                "catalogue item without 'tieuDe'",
                missing=["tieuDe"],
                found=list(row) if isinstance(row, dict) else [],
            )
        item = CatalogueItem(
            str(row["tieuDe"]).strip(),
            _url(row.get("fileSoBo")),
            _url(row.get("fileChinhThuc")),
            _url(row.get("fileDieuChinh")),
            _dmy(row.get("ngaySoBo")),
            _dmy(row.get("ngayChinhThuc")),
        )
        if item.preliminary_url or item.official_url or item.revised_url:
            out.append(item)
    return out


def is_by_partner(title: str) -> bool:
    return bool(re.search(r"nước|lãnh\s*thổ|thị\s*trường", title or "", re.I))


@dataclass(frozen=True)
class _Col:
    flow: Flow | None  # None: a quantity column
    unit: int
    cumulative: bool


def _unit(text: str, default: int | None) -> int | None:
    t = text.lower()
    if re.search(r"(?:nghìn|ngàn|1\.?000)\s*usd", t):
        return 1000
    if re.search(r"triệu\s*usd", t):
        return 1_000_000
    if re.search(r"usd", t):
        return 1
    return default


def _columns(header: list[str], url: str | None, global_unit: int | None) -> list[_Col]:
    """Value columns from the header cells (Excel) or header segments (PDF)."""
    cols = []
    url_flow = None
    m = re.search(r"-\d+([xn])[(\-]", url or "")
    if m:
        url_flow = Flow.EXPORT if m.group(1) == "x" else Flow.IMPORT
    for cell in header:
        low = cell.lower()
        if re.search(r"lượng", low) and not re.search(r"trị\s*giá|usd", low):
            cols.append(_Col(None, 1, False))
            continue
        flow = Flow.EXPORT if "xuất khẩu" in low else Flow.IMPORT if "nhập khẩu" in low else url_flow
        unit = _unit(cell, global_unit)
        if flow is None or unit is None:
            raise LayoutChanged(SOURCE_ID, url, "a value column whose flow or unit is not stated", found=header)
        cols.append(_Col(flow, unit, bool(re.search(r"lũy\s*kế|luỹ\s*kế|cộng\s*dồn|từ\s*đầu\s*năm", low))))
    return cols


def _segments(header_text: str) -> list[str]:
    starts = [m.start() for m in _COLUMN.finditer(header_text)]
    return [header_text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(header_text)], strict=True)]


def _value(cell) -> int | None:
    if cell is None:
        return None
    if isinstance(cell, (int, float)):
        return int(round(cell))
    s = str(cell).strip()
    if not s or s == "-":
        return None
    if not re.fullmatch(_NUM, s):
        raise ValueError(s)
    return int(round(float(s.replace(".", "").replace(",", "."))))


def _rows_pdf(data: bytes, url: str | None) -> tuple[list[str], int | None, list[tuple[str, list]]]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        lines = [ln for page in pdf.pages for ln in (page.extract_text() or "").splitlines()]
    if not lines:
        raise LayoutChanged(SOURCE_ID, url, "the PDF has no text layer", missing=["text"])
    row_re = re.compile(rf"^\s*(?:\d+\.?\s+)?(?P<name>\D.*?)\s+(?P<nums>(?:{_NUM})(?:\s+(?:{_NUM}))*)\s*$")
    header_lines: list[str] = []
    rows: list[tuple[str, list]] = []
    global_unit: int | None = None
    for ln in lines:
        if re.search(r"đơn\s*vị|đvt", ln, re.I) and not _NAME.search(ln):
            global_unit = _unit(ln, None)
            continue
        m = row_re.match(ln)
        if m and header_lines and _NAME.search(" ".join(header_lines)):
            rows.append((m.group("name").strip(), m.group("nums").split()))
        elif not rows:
            header_lines.append(ln)
    header_text = " ".join(header_lines)
    name_column = _NAME.search(header_text)
    if name_column is None:
        raise LayoutChanged(
            SOURCE_ID,
            url,
            "no country column in the table header",
            missing=["Nước/vùng lãnh thổ"],
            found=[header_text[:200]],
        )
    return _segments(header_text[name_column.end() :]), global_unit, rows


def _rows_xlsx(data: bytes, url: str | None) -> tuple[list[str], int | None, list[tuple[str, list]]]:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    ws = wb.worksheets[0]
    header: list[str] | None = None
    name_col = 0  # set with the header
    rows: list[tuple[str, list]] = []
    global_unit: int | None = None
    for row in ws.iter_rows(values_only=True):
        cells = ["" if c is None else str(c).strip() for c in row]
        if header is None:
            joined = " ".join(cells)
            if re.search(r"đơn\s*vị|đvt", joined, re.I) and not _NAME.search(joined):
                global_unit = _unit(joined, None)
                continue
            idx = next((i for i, c in enumerate(cells) if _NAME.search(c)), None)
            if idx is not None:
                header, name_col = cells, idx
            continue
        name = cells[name_col] if name_col < len(cells) else ""
        if name:
            rows.append((name, list(row[name_col + 1 : len(header)])))
    wb.close()
    if header is None:
        raise LayoutChanged(SOURCE_ID, url, "no country column in the sheet", missing=["Nước/vùng lãnh thổ"])
    value_header = list(header[name_col + 1 :])
    while value_header and not value_header[-1]:
        value_header.pop()
    return value_header, global_unit, rows


def parse_partner_table(data: bytes, period: Period, url: str | None) -> list[Observation]:
    """Vietnam's trade by partner from a customs table (reporter VNM)."""
    if data[:5] == b"%PDF-" and is_bulletin(data):
        bulletin = read_bulletin(data, url)
        if bulletin.period != period and period.kind is PeriodKind.MONTH:
            raise LayoutChanged(SOURCE_ID, url, f"the bulletin is for {bulletin.period}, the catalogue says {period}")
        return bulletin_observations(bulletin, url)
    if data[:5] == b"%PDF-":
        header, unit, rows = _rows_pdf(data, url)
    elif data[:2] == b"PK":
        header, unit, rows = _rows_xlsx(data, url)
    else:
        raise ParseError(SOURCE_ID, url, "neither a PDF nor an Excel file")
    unknown = [h for h in header if h and not _COLUMN.search(h)]
    if unknown or not header:
        raise LayoutChanged(SOURCE_ID, url, "unrecognised table header", found=header or ["(none)"])
    cols = _columns(header, url, unit)
    reg = countries()
    ytd = Period.year_to_date(period.year_number, period.end.month) if period.kind is PeriodKind.MONTH else period
    maturity = "preliminary" if "sb" in (url or "").lower() else "final"
    out: list[Observation] = []
    for name, cells in rows:
        if len(cells) != len(cols):
            continue
        code = WORLD if _TOTAL_ROW.match(name) else (c.alpha3 if (c := reg.find(name)) else None)
        if code is None or code == "VNM" or (code != WORLD and reg.is_aggregate(code)):
            continue
        for col, cell in zip(cols, cells, strict=True):
            if col.flow is None:
                continue
            try:
                v = _value(cell)
            except ValueError:
                raise LayoutChanged(SOURCE_ID, url, f"unreadable number {cell!r} for {name}", found=header) from None
            if v is None:
                continue
            out.append(
                Observation(
                    "VNM",
                    code,
                    col.flow,
                    ytd if col.cumulative else period,
                    v * col.unit,
                    SOURCE_ID,
                    precision_usd=col.unit,
                    source_url=url,
                    maturity=maturity,
                    quote=name,
                )
            )
    if not out:
        raise LayoutChanged(SOURCE_ID, url, "no partner rows read from the table", found=header)
    return out


def period_of(url: str) -> Period | None:
    m = _FILE_PERIOD.search(url)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return Period.month(int(m.group(1)), int(m.group(2)))


# --- the by-country bulletins (5x exports, 5n imports) ----------------------------------------
# Crystal Reports PDFs, one per month, flow, language and status, named
# ``{YYYY}-t{M}[k1|k2]-{table}({lang}-{status}).pdf`` (``2026-t6-5x(ta-sb).pdf``; older files in
# upper case). Every page repeats the column header: country or commodity | units | reporting
# month: volume, value (USD) | year to date: volume, value (USD). A country row has no unit
# and two values (month, year to date); the commodity rows under it have a unit and up to four
# numbers. Empty cells leave no text at all, so a number's column is the header column whose
# right edge is nearest to the number's (numbers are right-aligned): never its position in the
# line. Countries follow their Vietnamese names (even in English), and a country's commodities
# may continue on the next page.
_BULLETIN_FILE = re.compile(
    r"(?P<year>\d{4})-t(?P<month>\d{1,2})(?P<half>k[12])?-(?P<table>\d)(?P<flow>[xn])\((?P<lang>[a-z]+)-(?P<status>[a-z]+)\)",
    re.I,
)
_MATURITY = {"sb": "preliminary", "ct": "final", "dc": "final"}
_EN_MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH_EN = re.compile(r"\b(" + "|".join(_EN_MONTHS) + r")\s*,?\s*(\d{4})\b", re.I)
_MONTH_VI = re.compile(r"\btháng\s*(\d{1,2})\s*(?:năm|/|-)\s*(\d{4})\b", re.I)
# Header words, English (ta) and Vietnamese (vn) editions.
_H_COUNTRY = re.compile(r"country|territory|nước|lãnh\s*thổ|thị\s*trường", re.I)
_H_UNITS = re.compile(r"^(?:units?|đvt|đơn\s*vị(?:\s*tính)?)$", re.I)
_H_VOLUME = re.compile(r"^(?:volume|quantity|lượng)$", re.I)
_H_VALUE = re.compile(r"^(?:value|trị\s*giá)(?:\s*\(usd\))?$", re.I)
_H_MONTH = re.compile(r"reporting\s+month|tháng\s+báo\s+cáo|kỳ\s+báo\s+cáo", re.I)
_H_YTD = re.compile(r"year\s+to\s+date|lũy\s+kế|luỹ\s+kế|từ\s+đầu\s+năm", re.I)
_EXPORT_TITLE = re.compile(r"statistics\s+of\s+exports?\b|xuất\s+khẩu", re.I)
_IMPORT_TITLE = re.compile(r"statistics\s+of\s+imports?\b|nhập\s+khẩu", re.I)
_FOOTER = re.compile(r"^(?:page|trang)\s*\d+$", re.I)
# Integers with thousands separators; a decimal part only where the edition writes one.
_NUM_EN = re.compile(r"^\d{1,3}(?:,\d{3})*(?:\.\d+)?$")
_NUM_VI = re.compile(r"^\d{1,3}(?:\.\d{3})*(?:,\d+)?$")


class UnknownCountries(LayoutChanged):
    """Country rows whose names the registry does not know: nothing of the document is stored."""

    def __init__(self, source: str, url: str | None, rows: list[tuple[str, int | None, int | None]]):
        self.rows = rows
        left_out = "; ".join(f"{n!r} month {m} year-to-date {y}" for n, m, y in rows)
        super().__init__(
            source,
            url,
            f"{len(rows)} country name(s) the registry does not know; figures left out: {left_out}",
            found=[n for n, _, _ in rows],
        )


@dataclass
class BulletinRow:
    kind: str  # "country" | "commodity"
    name: str
    page: int
    unit: str | None = None
    month_volume: float | None = None
    month_value: int | None = None
    ytd_volume: float | None = None
    ytd_value: int | None = None
    partner: str | None = None  # alpha-3, country rows
    country: str | None = None  # commodity rows: the country they belong to


@dataclass
class Bulletin:
    flow: Flow
    period: Period  # the reporting month
    language: str  # "en" | "vi"
    maturity: str
    rows: list[BulletinRow]
    skipped: list[str]

    @property
    def ytd(self) -> Period:
        return Period.year_to_date(self.period.year_number, self.period.end.month)

    def country_rows(self) -> list[BulletinRow]:
        return [r for r in self.rows if r.kind == "country"]


def bulletin_file(name: str | None) -> dict[str, str] | None:
    """The parts of a bulletin file name (``2026-t6-5x(ta-sb).pdf``), or None."""
    m = _BULLETIN_FILE.search(unquote(name or ""))
    return {k: v.lower() for k, v in m.groupdict().items() if v} if m else None


def _lines(page) -> list[list[dict]]:
    """The page's words grouped into lines (words whose tops are within 3 pt), top to bottom."""
    words = sorted(page.extract_words(keep_blank_chars=False, use_text_flow=False), key=lambda w: (w["top"], w["x0"]))
    lines: list[list[dict]] = []
    for w in words:
        if lines and abs(w["top"] - lines[-1][0]["top"]) <= 3:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(ln, key=lambda w: w["x0"]) for ln in lines]


def _text(words: list[dict]) -> str:
    return unicodedata.normalize("NFC", " ".join(w["text"] for w in words)).strip()


@dataclass(frozen=True)
class _Grid:
    """Where the columns are on a page, from its column header."""

    units_x0: float
    first_number_x0: float
    columns: tuple[tuple[str, float], ...]  # (month_volume|month_value|ytd_volume|ytd_value, right edge)
    body_top: float


def _phrase(line: list[dict], pattern: re.Pattern) -> tuple[float, float] | None:
    """The x-extent of the words a phrase of the line covers."""
    text, offsets = "", []
    for w in line:
        offsets.append(len(text))
        text += unicodedata.normalize("NFC", w["text"]) + " "
    m = pattern.search(text)
    if m is None:
        return None
    covered = [w for w, o in zip(line, offsets, strict=True) if m.start() <= o + len(w["text"]) and o < m.end()]
    return (covered[0]["x0"], covered[-1]["x1"]) if covered else None


def _join_value_words(line: list[dict]) -> list[dict]:
    """ "Trị" "giá" (two words in the Vietnamese header) as one word, like "Value"."""
    out: list[dict] = []
    for w in line:
        if out and out[-1]["text"].lower() == "trị" and w["text"].lower().startswith("giá"):
            out[-1] = {**out[-1], "text": f"{out[-1]['text']} {w['text']}", "x1": w["x1"]}
        else:
            out.append(w)
    return out


def _grid(lines: list[list[dict]], url: str | None, page_no: int) -> _Grid:
    """Find the column header on a page; a page without it means the layout changed."""
    # the column header: the last line naming the country column above the volume/value line
    heads_at = next((i for i, ln in enumerate(lines) if any(_H_VOLUME.match(w["text"]) for w in ln)), len(lines))
    at = next((i for i in range(heads_at - 1, -1, -1) if _H_COUNTRY.search(_text(lines[i]))), None)
    if at is None:
        raise LayoutChanged(
            SOURCE_ID,
            url,
            f"page {page_no}: no country column in the table header",
            missing=["Country/Territory"],
            found=[_text(ln)[:80] for ln in lines[:8]],
        )
    window = [_join_value_words(ln) for ln in lines[max(0, at - 3) : at + 4]]
    words = [w for ln in window for w in ln]
    units = [w for w in words if _H_UNITS.match(w["text"].strip(":"))]
    heads = sorted((w for w in words if _H_VOLUME.match(w["text"]) or _H_VALUE.match(w["text"])), key=lambda w: w["x0"])
    month = next((s for ln in window if (s := _phrase(ln, _H_MONTH))), None)
    ytd = next((s for ln in window if (s := _phrase(ln, _H_YTD))), None)
    kinds = ["volume" if _H_VOLUME.match(w["text"]) else "value" for w in heads]
    ok = len(units) == 1 and kinds == ["volume", "value", "volume", "value"] and month and ytd
    columns: list[tuple[str, float]] = []
    if ok and month and ytd:
        for w, kind in zip(heads, kinds, strict=True):
            right = w["x1"]
            usd = [o for o in words if abs(o["top"] - w["top"]) <= 3 and 0 <= o["x0"] - w["x1"] < 10]
            if kind == "value" and "usd" not in w["text"].lower():
                if not usd or not re.fullmatch(r"\(?usd\)?", usd[0]["text"], re.I):
                    ok = False
                    break
                right = usd[0]["x1"]
            centre = (w["x0"] + right) / 2
            nearer = "month" if abs(centre - sum(month) / 2) < abs(centre - sum(ytd) / 2) else "ytd"
            columns.append((f"{nearer}_{kind}", right))
    if not ok or [c for c, _ in columns] != ["month_volume", "month_value", "ytd_volume", "ytd_value"]:
        raise LayoutChanged(
            SOURCE_ID,
            url,
            f"page {page_no}: the table's columns are not the bulletin's",
            missing=["Units | Reporting month: Volume, Value (USD) | Year to date: Volume, Value (USD)"],
            found=[" / ".join(_text(ln) for ln in window)[:300]],
        )
    return _Grid(units[0]["x0"], heads[0]["x0"], tuple(columns), max(w["bottom"] for w in heads))


def _number(text: str, language: str) -> float | None:
    pat, thousands, decimal = (_NUM_EN, ",", ".") if language == "en" else (_NUM_VI, ".", ",")
    if not pat.match(text):
        return None
    return float(text.replace(thousands, "").replace(decimal, "."))


def read_bulletin(data: bytes, name: str | None) -> Bulletin:
    """Every row of a by-country bulletin; ``name`` is its file name or URL (checked against the header).

    Raises ``LayoutChanged`` (nothing of the document is kept) when the header or the
    columns are not the bulletin's, when the PDF has no text layer, when the header's month
    or flow disagrees with the file name, and ``UnknownCountries`` for country names the
    registry does not know.
    """
    import pdfplumber

    url = name
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises its own zoo of errors on a broken file
        raise ParseError(SOURCE_ID, url, f"not a readable PDF ({type(exc).__name__})") from None
    with pdf:
        first = _lines(pdf.pages[0]) if pdf.pages else []
        if not first:
            raise LayoutChanged(SOURCE_ID, url, "the PDF has no text layer", missing=["text"])
        flow, period, language, maturity = _bulletin_header(first, url)
        pages = [first, *(_lines(p) for p in pdf.pages[1:])]
    rows, skipped = _bulletin_rows(pages, language, url)
    return Bulletin(flow, period, language, maturity, rows, skipped)


def _bulletin_header(first: list[list[dict]], url: str | None) -> tuple[Flow, Period, str, str]:
    """Flow, month, language and maturity from the first page, checked against the file name."""
    name = url
    head_text = " ".join(_text(ln) for ln in first[:12])
    language = "en" if re.search(r"\b(?:statistics|country|ministry)\b", head_text, re.I) else "vi"
    flow = Flow.EXPORT if _EXPORT_TITLE.search(head_text) else Flow.IMPORT if _IMPORT_TITLE.search(head_text) else None
    if _EXPORT_TITLE.search(head_text) and _IMPORT_TITLE.search(head_text) and language == "en":
        flow = None
    month = _MONTH_EN.search(head_text) if language == "en" else _MONTH_VI.search(head_text)
    if flow is None or month is None:
        raise LayoutChanged(
            SOURCE_ID,
            url,
            "the bulletin's title does not say its flow and month",
            missing=["STATISTICS OF EXPORTS/IMPORTS BY COUNTRY/TERRITORY", "Month, YYYY"],
            found=[head_text[:300]],
        )
    if language == "en":
        period = Period.month(int(month.group(2)), _EN_MONTHS[month.group(1).lower()])
    else:
        period = Period.month(int(month.group(2)), int(month.group(1)))
    parts = bulletin_file(name)
    if parts is not None:
        file_period = Period.month(int(parts["year"]), int(parts["month"]))
        file_flow = Flow.EXPORT if parts["flow"] == "x" else Flow.IMPORT
        file_lang = {"ta": "en", "vn": "vi"}.get(parts["lang"])
        problems = []
        if file_period != period:
            problems.append(f"the header says {period}, the file name {file_period}")
        if file_flow is not flow:
            problems.append(f"the header says {flow.value}s, the file name {file_flow.value}s")
        if file_lang and file_lang != language:
            problems.append(f"the header is in {language}, the file name says {parts['lang']}")
        if problems:
            raise LayoutChanged(SOURCE_ID, url, "header and file name disagree: " + "; ".join(problems))
        if "half" in parts:
            raise LayoutChanged(SOURCE_ID, url, "a half-month bulletin: its figures are not a month's")
    maturity = _MATURITY.get((parts or {}).get("status", ""), "") or (
        "preliminary" if re.search(r"preliminary|sơ\s*bộ", head_text, re.I) else "final"
    )
    return flow, period, language, maturity


def _bulletin_rows(
    pages: list[list[list[dict]]], language: str, url: str | None
) -> tuple[list[BulletinRow], list[str]]:
    rows: list[BulletinRow] = []
    skipped: list[str] = []
    for page_no, lines in enumerate(pages, start=1):
        grid = _grid(lines, url, page_no)
        for ln in lines:
            if ln[0]["top"] <= grid.body_top or _FOOTER.match(_text(ln)):
                continue
            name_words = [w for w in ln if w["x1"] <= grid.units_x0 - 1]
            unit_words = [w for w in ln if grid.units_x0 - 1 < w["x1"] and w["x0"] < grid.first_number_x0 - 8]
            number_words = [w for w in ln if w["x0"] >= grid.first_number_x0 - 8]
            cells: dict[str, float] = {}
            for w in number_words:
                value = _number(w["text"], language)
                if value is None:
                    raise LayoutChanged(
                        SOURCE_ID, url, f"page {page_no}: {w['text']!r} in a number column", found=[_text(ln)]
                    )
                col, edge = min(grid.columns, key=lambda c: abs(c[1] - w["x1"]))
                if abs(edge - w["x1"]) > 20 or col in cells:
                    raise LayoutChanged(
                        SOURCE_ID, url, f"page {page_no}: {w['text']!r} fits no column", found=[_text(ln)]
                    )
                cells[col] = value
            label = _text(name_words)
            unit = _text(unit_words) or None
            if not cells and unit is None:
                if rows and label:  # a long name wrapped onto the next line
                    rows[-1].name = f"{rows[-1].name} {label}".strip()
                continue
            if unit is None:
                if "month_volume" in cells or "ytd_volume" in cells or not label:
                    raise LayoutChanged(
                        SOURCE_ID,
                        url,
                        f"page {page_no}: a row with no unit that is not a country row",
                        found=[_text(ln)],
                    )
                rows.append(
                    BulletinRow(
                        "country",
                        label,
                        page_no,
                        month_value=_int(cells.get("month_value")),
                        ytd_value=_int(cells.get("ytd_value")),
                    )
                )
                continue
            owner = next((r.name for r in reversed(rows) if r.kind == "country"), None)
            if owner is None:
                raise LayoutChanged(
                    SOURCE_ID, url, f"page {page_no}: a commodity row before any country", found=[_text(ln)]
                )
            rows.append(
                BulletinRow(
                    "commodity",
                    label,
                    page_no,
                    unit=unit,
                    month_volume=cells.get("month_volume"),
                    month_value=_int(cells.get("month_value")),
                    ytd_volume=cells.get("ytd_volume"),
                    ytd_value=_int(cells.get("ytd_value")),
                    country=owner,
                )
            )
    countries_read = [r for r in rows if r.kind == "country"]
    if not countries_read:
        raise LayoutChanged(SOURCE_ID, url, "no country rows in the bulletin", missing=["country rows"])
    reg = countries()
    unknown = []
    for r in countries_read:
        c = reg.find(r.name)
        if c is None or c.aggregate or c.alpha3 == "VNM":
            unknown.append((r.name, r.month_value, r.ytd_value))
        else:
            r.partner = c.alpha3
    if unknown:
        raise UnknownCountries(SOURCE_ID, url, unknown)
    seen: dict[str, str] = {}
    for r in countries_read:
        if r.partner in seen:
            raise LayoutChanged(SOURCE_ID, url, f"{r.name!r} and {seen[r.partner]!r} are both {r.partner}")
        seen[str(r.partner)] = r.name
    _check_blocks(rows, url)
    for r in rows:
        if r.kind == "commodity" and not r.name:
            skipped.append(
                f"page {r.page}: a commodity row of {r.country} ({r.unit}, month {r.month_value}, "
                f"year to date {r.ytd_value} USD) has no readable name in the PDF: skipped"
            )
    return rows, skipped


def _check_blocks(rows: list[BulletinRow], url: str | None) -> None:
    """A country's commodity rows add up to its row (each rounded to 1 USD), or a number was misread.

    Rows written ``- name`` may be parts of the row above: a block adds up either with or
    without them. A country printed without commodity rows is not checked.
    """
    blocks: list[tuple[BulletinRow, list[BulletinRow]]] = []
    for r in rows:
        if r.kind == "country":
            blocks.append((r, []))
        else:
            blocks[-1][1].append(r)
    for country, items in blocks:
        if not items:
            continue
        tolerance = max(2, len(items))
        for attr in ("month_value", "ytd_value"):
            total = getattr(country, attr) or 0
            sums = {
                sum(getattr(i, attr) or 0 for i in items),
                sum(getattr(i, attr) or 0 for i in items if not i.name.startswith("- ")),
            }
            if all(abs(s - total) > tolerance for s in sums):
                raise LayoutChanged(
                    SOURCE_ID,
                    url,
                    f"page {country.page}: the commodity rows of {country.name!r} add up to "
                    f"{' or '.join(f'{s:,}' for s in sorted(sums))} USD, not its {attr.replace('_', ' ')} "
                    f"{total:,}: a number was misread or a row lost",
                )


def _int(v: float | None) -> int | None:
    if v is None:
        return None
    if v != int(v):
        raise ValueError(f"a USD value with a fraction: {v}")
    return int(v)


def bulletin_observations(b: Bulletin, url: str | None) -> list[Observation]:
    """The country rows as figures: reporter VNM, the month and the year to date, USD."""
    out = []
    for r in b.country_rows():
        for period, value in ((b.period, r.month_value), (b.ytd, r.ytd_value)):
            if value is None:
                continue
            out.append(
                Observation(
                    "VNM",
                    str(r.partner),
                    b.flow,
                    period,
                    value,
                    SOURCE_ID,
                    precision_usd=1,
                    source_url=url,
                    maturity=b.maturity,
                    quote=f"{r.name} {value:,}",
                )
            )
    return out


def bulletin_json_lines(b: Bulletin) -> list[dict]:
    """The bulletin's figures in ``tradewatch extract --json``'s form (one dict a line).

    Country rows are figures of commodity TOTAL; commodity rows carry their printed name
    (``commodity_name``) and unit, with ``commodity`` null: they are not HS codes.
    """
    out: list[dict] = []
    country_code: dict[str, str] = {r.name: str(r.partner) for r in b.country_rows()}
    for r in b.rows:
        for period, value, volume in ((b.period, r.month_value, r.month_volume), (b.ytd, r.ytd_value, r.ytd_volume)):
            if value is None:
                continue
            if r.kind == "country":
                out.append(
                    {
                        "kind": "figure",
                        "reporter": "VNM",
                        "partner": r.partner,
                        "flow": b.flow.value,
                        "period": str(period),
                        "commodity": TOTAL,
                        "value_usd": value,
                        "maturity": b.maturity,
                        "quote": f"{r.name} {value:,}",
                        "page": r.page,
                    }
                )
            elif r.name:
                out.append(
                    {
                        "kind": "commodity",
                        "reporter": "VNM",
                        "partner": country_code.get(r.country or ""),
                        "flow": b.flow.value,
                        "period": str(period),
                        "commodity": None,
                        "commodity_name": r.name,
                        "unit": r.unit,
                        "volume": volume,
                        "value_usd": value,
                        "maturity": b.maturity,
                        "page": r.page,
                    }
                )
    return out


def describe(item: dict) -> str:
    """One line of ``bulletin_json_lines`` for people."""
    what = item["partner"] if item["kind"] == "figure" else f"{item['partner']} {item['commodity_name']}"
    return f"VNM {item['flow']} {what} {item['period']}: {item['value_usd']:,} USD ({item['maturity']}, page {item['page']})"


def is_bulletin(data: bytes) -> bool:
    """A by-country bulletin PDF (a quick look at its first page's text)."""
    if data[:5] != b"%PDF-":
        return False
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            text = (pdf.pages[0].extract_text() or "") if pdf.pages else ""
    except Exception:
        return False
    # the title, and the column header's units and volume columns (the commodity rows')
    text = unicodedata.normalize("NFC", text)
    title = re.search(r"by\s+country\s*/\s*territory|theo\s+nước\s*/?\s*vùng\s+lãnh\s+thổ", text, re.I)
    units = re.search(r"\b(?:units?|đvt)\b", text, re.I)
    volume = re.search(r"\b(?:volume|lượng)\b", text, re.I)
    return bool(title and units and volume)


# --- the source ------------------------------------------------------------------------------
class VnCustoms(ReleaseSource):
    id = SOURCE_ID
    title = "Vietnam customs preliminary figures by partner"
    publisher = "vn_customs"
    reporter_hint = "VNM"
    # The preliminary by-country tables appear around the 10th of the following month
    # (e.g. December 2024's, published on 10 January 2025).
    release_day = 10

    @property
    def source_name(self) -> str:
        return "vn_customs"

    def listing_requests(self) -> list[Request]:
        return [
            Request(
                source=self.id,
                url=self.base_url + CATALOGUE,
                params=dict(CATALOGUE_PARAMS),
                headers={"X-Requested-With": "XMLHttpRequest"},
                label="listing",
            )
        ]

    def allowed_hosts(self) -> tuple[str, ...]:
        from urllib.parse import urlsplit

        host = urlsplit(self.base_url).hostname or ""
        return (host, "files." + host.removeprefix("www."))

    def collect(self, fetcher: Fetcher, window: Period) -> list[Snapshot | TradewatchError]:
        out: list[Snapshot | TradewatchError] = []
        for listing in fetcher.fetch_many(self.listing_requests()):
            if isinstance(listing, TradewatchError):
                out.append(listing)
                continue
            try:
                items = [i for i in parse_catalogue(listing.body()) if is_by_partner(i.title)]
            except TradewatchError as exc:
                out.append(exc)
                continue
            reqs = []
            tables: set[tuple] = set()
            for item in items:
                # the newest version of the table: revised, else official, else preliminary
                url = item.revised_url or item.official_url or item.preliminary_url
                period = period_of(url or "")
                if not url or period is None or not window.contains(period):
                    continue
                # one file per month and table: the English and Vietnamese editions hold the same figures
                parts = bulletin_file(url)
                table = (parts["year"], parts["month"], parts["table"], parts["flow"]) if parts else (url,)
                if table in tables:
                    continue
                tables.add(table)
                req = Request(source=self.id, url=url, allowed_hosts=self.allowed_hosts(), label=f"table {period}")
                if fetcher.replay is None and fetcher.archive.latest(req.key) is not None:
                    continue
                reqs.append(req)
            out.extend(fetcher.fetch_many(reqs[: self.max_new_per_run]))
        return out

    def parse(self, snap: Snapshot) -> ParseResult:
        if not (snap.label or "").startswith("table "):
            return ParseResult()
        period = Period.parse((snap.label or "").removeprefix("table "))
        data = snap.body()
        notes: list[str] = []
        if data[:5] == b"%PDF-" and is_bulletin(data):
            bulletin = read_bulletin(data, snap.full_url)
            if bulletin.period != period:
                raise LayoutChanged(
                    SOURCE_ID, snap.full_url, f"the bulletin is for {bulletin.period}, the catalogue says {period}"
                )
            obs = bulletin_observations(bulletin, snap.full_url)
            notes = [f"vn_customs: {len(bulletin.country_rows())} country rows read", *bulletin.skipped]
            named = sum(1 for r in bulletin.rows if r.kind == "commodity" and r.name)
            if named:
                notes.append(
                    f"vn_customs: {named} commodity rows read but not stored: the bulletin's commodity groups are not HS codes"
                )
        else:
            obs = parse_partner_table(data, period, snap.full_url)
        return ParseResult(
            observations=[replace(o, snapshot_sha256=snap.sha256, source=self.source_name) for o in obs], notes=notes
        )


SOURCE = VnCustoms
