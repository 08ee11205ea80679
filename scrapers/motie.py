"""MOTIE (산업통상자원부) press releases: the monthly export-import release (수출입동향, on the
1st) and the customs 10-day / 20-day preliminary releases, read as prose. Source id ``motie``.

Board: ``{base}/kor/article/ATCL3f49a5a8c``; articles ``/kor/article/ATCL3f49a5a8c/{seq}/view``.
Figures are stored with source ``releases:motie`` and reporter Korea.
"""

from __future__ import annotations

from datetime import date

from scrapers.archive import Snapshot
from scrapers.http import Request
from scrapers.release_base import ReleaseSource

BOARD = "/kor/article/ATCL3f49a5a8c"


class Motie(ReleaseSource):
    id = "motie"
    title = "MOTIE export-import press releases"
    release_day = 1  # the monthly 수출입동향 comes out on the 1st of the following month
    publisher = "motie"
    reporter_hint = "KOR"

    def listing_requests(self) -> list[Request]:
        return [Request(source=self.id, url=self.base_url + BOARD, label="listing")]

    def discover(self, snap: Snapshot):
        from scrapers.releases import motie as m

        items = m.parse_listing(snap.body(), self.base_url)
        return [(i.url, i.title, i.published) for i in items if m.is_trade_release(i.title)]

    def article_text(self, snap: Snapshot) -> tuple[str, str | None, date | None]:
        from scrapers.releases import motie as m

        text, published = m.parse_article(snap.body(), snap.url)
        return text, "ko", published


SOURCE = Motie
