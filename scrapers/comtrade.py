"""UN Comtrade API v1, annual totals: source id ``comtrade``.

Mirror data for reconciliation: Korea's (M49 410) and Vietnam's (704) own reports
of their trade with every partner, ``cmdCode=TOTAL``, exports (``X``) and imports
(``M``), by calendar year. Format: ``shared/sources/README.md`` §5.

* Without ``TRADEWATCH_COMTRADE_API_KEY`` the keyless preview endpoint
  ``/public/v1/preview/C/A/HS`` is used. It returns at most 500 records, so each
  request asks for one reporter and **one year** (≈ 230 partners × 2 flows).
* With the key, ``/data/v1/get/C/A/HS`` is used (key in the
  ``Ocp-Apim-Subscription-Key`` header, never archived), one request per reporter
  for up to 12 years.
* A TOTAL query can return one row per customs procedure and transport mode; only
  ``customsCode C00``, ``motCode 0``, ``partner2Code 0`` rows are totals, the rest
  would double-count. The query asks for those, and the parser keeps only those.
* A year is requested once a range covers its December (annual figures exist only
  for complete years). A nightly run re-pulls the last 3 complete years.
* ``primaryValue`` is USD (not scaled). Balance and total are derived per
  (reporter, partner, year) when both flows are present. Maturity: ``final``.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from scrapers.archive import Snapshot
from scrapers.base import ParseResult, Source
from scrapers.http import Request, check_status
from scrapers.xmlsafe import sniff
from tradewatch.errors import LayoutChanged, ParseError, QueryError, ServiceError, UnknownCountry
from tradewatch.model import TOTAL, WORLD, Flow, Observation, Period, PeriodKind, countries

__all__ = ["GET_PATH", "PREVIEW_MAX_RECORDS", "PREVIEW_PATH", "REPORTERS", "SOURCE", "Comtrade"]

REPORTERS = {"KOR": 410, "VNM": 704}
PREVIEW_PATH = "/public/v1/preview/C/A/HS"
GET_PATH = "/data/v1/get/C/A/HS"
PREVIEW_MAX_RECORDS = 500
MAX_PERIODS = 12
FLOWS = {"X": Flow.EXPORT, "M": Flow.IMPORT}
REQUIRED_FIELDS = (
    "freqCode",
    "refYear",
    "reporterCode",
    "flowCode",
    "partnerCode",
    "partner2Code",
    "cmdCode",
    "customsCode",
    "motCode",
    "primaryValue",
)


class Comtrade(Source):
    id = "comtrade"
    title = "UN Comtrade API v1 (annual, KOR and VNM reporters, all partners)"
    window_months = 12 * MAX_PERIODS

    @property
    def keyed(self) -> bool:
        key = self.settings.comtrade_api_key
        return key is not None and bool(key.get_secret_value())

    # -- planning --
    def windows(self, start: Period, end: Period) -> list[Period]:
        """Year-aligned windows: one year each on the preview endpoint, up to 12 with a key."""
        span = Period.months(Period.parse(start).month_list()[0], Period.parse(end).month_list()[-1])
        years = [y for y in range(span.start.year, span.end.year + 1) if span.contains(Period.month(y, 12))]
        size = MAX_PERIODS if self.keyed else 1
        out = []
        for i in range(0, len(years), size):
            chunk = years[i : i + size]
            out.append(Period.year(chunk[0]) if len(chunk) == 1 else Period.months(f"{chunk[0]}-01", f"{chunk[-1]}-12"))
        return out

    def nightly_range(self, today: date) -> tuple[Period, Period]:
        """The last 3 complete years."""
        return Period.month(today.year - 3, 1), Period.month(today.year - 1, 12)

    def years(self, window: Period) -> list[int]:
        if window.kind is PeriodKind.DAYS:
            raise QueryError(f"Comtrade windows are months or years, not {window}")
        years = [y for y in range(window.start.year, window.end.year + 1) if window.contains(Period.month(y, 12))]
        if len(years) > MAX_PERIODS:
            raise QueryError(
                f"Comtrade takes at most {MAX_PERIODS} periods per call; {window} covers {len(years)} years"
            )
        return years

    def requests(self, window: Period) -> list[Request]:
        years = self.years(window)
        if not years:
            return []
        groups = [years] if self.keyed else [[y] for y in years]
        url = self.base_url + (GET_PATH if self.keyed else PREVIEW_PATH)
        secret_headers = (
            {"Ocp-Apim-Subscription-Key": self.settings.comtrade_api_key.get_secret_value()} if self.keyed else {}
        )
        out = []
        for reporter, code in REPORTERS.items():
            for group in groups:
                period = ",".join(str(y) for y in group)
                out.append(
                    Request(
                        source=self.id,
                        url=url,
                        params={
                            "reporterCode": str(code),
                            "period": period,
                            "cmdCode": "TOTAL",
                            "flowCode": "X,M",
                            "customsCode": "C00",
                            "motCode": "0",
                            "partner2Code": "0",
                            "includeDesc": "true",
                        },
                        secret_headers=secret_headers,
                        label=f"{reporter} annual {period}",
                    )
                )
        return out

    # -- parsing --
    def parse(self, snap: Snapshot) -> ParseResult:
        url = snap.full_url
        data = snap.body()
        if sniff(data) != "json":
            if snap.status >= 400:
                check_status(snap)
            raise LayoutChanged(
                self.id, url, f"HTTP {snap.status} with a body that is not JSON", missing=["data"], found=[sniff(data)]
            )
        try:
            doc = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ParseError(self.id, url, f"JSON that cannot be read ({exc})") from None
        if not isinstance(doc, dict):
            raise LayoutChanged(
                self.id, url, "JSON body is not an object", missing=["data"], found=[type(doc).__name__]
            )
        if "statusCode" in doc and doc.get("data") is None:
            raise ServiceError(
                self.id, url, str(doc.get("statusCode")), str(doc.get("message") or doc.get("error") or "")
            )
        if doc.get("error"):
            raise ServiceError(self.id, url, "error", str(doc["error"]))
        if snap.status >= 400:
            check_status(snap)
        records = doc.get("data")
        if not isinstance(records, list):
            raise LayoutChanged(self.id, url, "no data array in the envelope", missing=["data"], found=sorted(doc))
        if not records:
            return ParseResult(published_nothing=True, notes=["comtrade: no records (not published yet)"])
        if snap.url.endswith(PREVIEW_PATH) and len(records) >= PREVIEW_MAX_RECORDS:
            raise ParseError(
                self.id,
                url,
                f"the preview endpoint stopped at its cap of {PREVIEW_MAX_RECORDS} records: the answer is incomplete "
                "(ask for fewer years, or set TRADEWATCH_COMTRADE_API_KEY)",
            )
        return self._parse_records(records, snap)

    def _parse_records(self, records: list, snap: Snapshot) -> ParseResult:
        url = snap.full_url
        reg = countries()
        values: dict[tuple[str, str, Period], dict[Flow, int]] = {}
        skipped = 0
        for i, rec in enumerate(records, start=1):
            if not isinstance(rec, dict):
                raise LayoutChanged(self.id, url, f"record {i} is not an object")
            missing = [k for k in REQUIRED_FIELDS if k not in rec]
            if missing:
                raise LayoutChanged(
                    self.id, url, f"record {i} lacks expected fields", missing=missing, found=sorted(rec)[:40]
                )
            if (
                str(rec["customsCode"]) != "C00"
                or str(rec["motCode"]) != "0"
                or str(rec["partner2Code"]) != "0"
                or str(rec["cmdCode"]) != TOTAL
                or rec["flowCode"] not in FLOWS
            ):
                skipped += 1
                continue
            where = f"{url} record {i}"
            reporter = _country(reg, rec, "reporter", where)
            partner = WORLD if str(rec["partnerCode"]) == "0" else _country(reg, rec, "partner", where)
            period = _period(rec, self.id, url, i)
            value = rec["primaryValue"]
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise LayoutChanged(self.id, url, f"record {i}: primaryValue {value!r} is not a USD amount")
            flows = values.setdefault((reporter, partner, period), {})
            flow = FLOWS[rec["flowCode"]]
            if flow in flows:
                raise LayoutChanged(
                    self.id,
                    url,
                    f"record {i}: a second {flow} total for {reporter}-{partner} {period} (would double-count)",
                )
            flows[flow] = int(round(value))
        if not values:
            raise LayoutChanged(
                self.id,
                url,
                f"{len(records)} records but none is a total (customsCode C00, motCode 0, partner2Code 0)",
                missing=["customsCode=C00 motCode=0 partner2Code=0"],
            )
        obs: list[Observation] = []
        for (reporter, partner, period), flows in sorted(values.items(), key=lambda kv: (kv[0][2], kv[0][0], kv[0][1])):
            common: dict[str, Any] = dict(
                reporter=reporter,
                partner=partner,
                period=period,
                source=self.id,
                commodity=TOTAL,
                precision_usd=1,
                source_url=url,
                snapshot_sha256=snap.sha256,
                maturity="final",
            )
            for flow in (Flow.EXPORT, Flow.IMPORT):
                if flow in flows:
                    obs.append(Observation(flow=flow, value_usd=flows[flow], **common))
            if Flow.EXPORT in flows and Flow.IMPORT in flows:
                x, m = flows[Flow.EXPORT], flows[Flow.IMPORT]
                obs.append(Observation(flow=Flow.BALANCE, value_usd=x - m, **common))
                obs.append(Observation(flow=Flow.TOTAL, value_usd=x + m, **common))
        notes = [
            f"comtrade: {len(values)} reporter-partner-periods from {len(records)} records ({skipped} non-total rows skipped)"
        ]
        return ParseResult(observations=obs, notes=notes)


# Comtrade's own numeric codes where they differ from ISO 3166 numeric (the registry's
# M49 column): the UN Statistics Division keeps these historical reporter codes.
COMTRADE_CODES = {842: "USA", 251: "FRA", 699: "IND", 757: "CHE", 579: "NOR", 490: "TWN"}


def _country(reg, rec: dict, role: str, where: str) -> str:
    """The alpha-3 of ``reporter``/``partner`` in a record: its ISO field when it has one, else its code.

    ``partnerISO`` ("USA") is what Comtrade means; ``partnerCode`` is its numeric code,
    which for a few countries is not the ISO number (842 is the United States, 490 is
    "Other Asia, nes", i.e. Taiwan). A code neither way knows is a named error.
    """
    iso = rec.get(f"{role}ISO")
    if isinstance(iso, str) and len(iso.strip()) == 3 and iso.strip().isalpha():
        try:
            return reg.get(iso.strip().upper(), where=where).alpha3
        except UnknownCountry:
            pass  # "W00", "S19"-style or unknown: fall back on the code
    code = rec[f"{role}Code"]
    try:
        special = COMTRADE_CODES.get(int(code))
    except (TypeError, ValueError):
        special = None
    if special:
        return reg.get(special, where=where).alpha3
    return reg.by_m49(code, where=where).alpha3


def _period(rec: dict, source: str, url: str, i: int) -> Period:
    try:
        year = int(rec["refYear"])
        if rec["freqCode"] == "A":
            return Period.year(year)
        if rec["freqCode"] == "M":
            return Period.month(year, int(rec.get("refMonth") or ""))
    except (TypeError, ValueError):
        pass
    raise LayoutChanged(
        source,
        url,
        f"record {i}: period not readable (freqCode={rec.get('freqCode')!r}, refYear={rec.get('refYear')!r}, refMonth={rec.get('refMonth')!r})",
    )


SOURCE = Comtrade
