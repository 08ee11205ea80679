"""Vietnam customs (Tổng cục Hải quan) preliminary figures by partner. Source id ``vn_customs``.

The publication catalogue (JSON) lists each release with its preliminary, official and
revised files; the by-partner tables ("nước"/"lãnh thổ"/"thị trường" in the title) are
PDFs (sometimes Excel) in Vietnamese number format. Reporter Vietnam.
"""

from __future__ import annotations

import re

from tradewatch.errors import TradewatchError
from tradewatch.model import Period
from scrapers.archive import Snapshot
from scrapers.base import ParseResult
from scrapers.http import Fetcher, Request
from scrapers.release_base import ReleaseSource

CATALOGUE = "/bridge"
# Files are named {dataYear}-t{dataMonth}-5x(vn-sb).pdf: the data month is in the name.
_FILE_PERIOD = re.compile(r"(\d{4})-t(\d{1,2})-")


def period_of(url: str) -> Period | None:
    m = _FILE_PERIOD.search(url)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return Period.month(int(m.group(1)), int(m.group(2)))
CATALOGUE_PARAMS = {"url": "/customs/api/tkhq/LayDanhSachMoiCongBoServlet", "pageSize": "1000", "language": "TIENG_VIET"}


class VnCustoms(ReleaseSource):
    id = "vn_customs"
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
        return [Request(source=self.id, url=self.base_url + CATALOGUE, params=dict(CATALOGUE_PARAMS),
                        headers={"X-Requested-With": "XMLHttpRequest"}, label="listing")]

    def allowed_hosts(self) -> tuple[str, ...]:
        from urllib.parse import urlsplit

        host = urlsplit(self.base_url).hostname or ""
        return (host, "files." + host.removeprefix("www."))

    def collect(self, fetcher: Fetcher, window: Period) -> list[Snapshot | TradewatchError]:
        from scrapers.releases import vn_customs as v

        out: list[Snapshot | TradewatchError] = []
        for listing in fetcher.fetch_many(self.listing_requests()):
            if isinstance(listing, TradewatchError):
                out.append(listing)
                continue
            try:
                items = [i for i in v.parse_catalogue(listing.body()) if v.is_by_partner(i.title)]
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
        from scrapers.releases import vn_customs as v

        period = Period.parse(snap.label.removeprefix("table "))
        obs = v.parse_partner_table(snap.body(), period, snap.full_url)
        from dataclasses import replace

        return ParseResult(observations=[replace(o, snapshot_sha256=snap.sha256, source=self.source_name) for o in obs])


SOURCE = VnCustoms
