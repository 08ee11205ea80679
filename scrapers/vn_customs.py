"""Vietnam customs (Tổng cục Hải quan / Cục Hải quan) figures by partner. Source id ``vn_customs``.

The publication catalogue (``LayDanhSachMoiCongBoServlet`` JSON: ``{"data": [{"tieuDe",
"fileSoBo", "fileChinhThuc", "fileDieuChinh", "ngaySoBo", "ngayChinhThuc"}]}``, dates
dd/mm/yyyy) lists each release with its preliminary, official and revised files;
links to internal addresses (10.224.128.185, CTTDT) are dropped. The by-partner
tables ("nước"/"lãnh thổ"/"thị trường" in the title) are PDFs with a text layer
(sometimes Excel) in Vietnamese number format ("1.173.727"), in USD or thousand USD as
the header says. A header this module does not recognise raises ``LayoutChanged``
naming the headers found. Reporter Vietnam.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, replace
from datetime import date

from scrapers.archive import Snapshot
from scrapers.base import ParseResult
from scrapers.http import Fetcher, Request
from scrapers.listing import ReleaseSource
from tradewatch.errors import LayoutChanged, ParseError, TradewatchError
from tradewatch.model import WORLD, Flow, Observation, Period, PeriodKind, countries

CATALOGUE = "/bridge"
CATALOGUE_PARAMS = {
    "url": "/customs/api/tkhq/LayDanhSachMoiCongBoServlet",
    "pageSize": "1000",
    "language": "TIENG_VIET",
}
# Files are named {dataYear}-t{dataMonth}-5x(vn-sb).pdf: the data month is in the name.
_FILE_PERIOD = re.compile(r"(\d{4})-t(\d{1,2})-")

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
            for item in items:
                # the newest version of the table: revised, else official, else preliminary
                url = item.revised_url or item.official_url or item.preliminary_url
                period = period_of(url or "")
                if not url or period is None or not window.contains(period):
                    continue
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
        obs = parse_partner_table(snap.body(), period, snap.full_url)
        return ParseResult(observations=[replace(o, snapshot_sha256=snap.sha256, source=self.source_name) for o in obs])


SOURCE = VnCustoms
