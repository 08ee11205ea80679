"""MOTIE (산업통상자원부) press releases, read as prose. Source id ``motie``.

The monthly export-import release (수출입동향, on the 1st of the following month) and
the customs 10-day and 20-day preliminaries (1~10일, 1~20일, around the 11th and
21st). Board: ``{base}/kor/article/ATCL3f49a5a8c``; articles
``/kor/article/ATCL3f49a5a8c/{seq}/view``. Figures are stored with source
``releases:motie`` and reporter Korea.

The parse is three pure functions of bytes: ``parse_listing`` (the board page: links,
titles, dates), ``is_trade_release`` (the titles worth reading) and ``parse_article``
(body text and publication date); the prose extractor does the rest.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin

from scrapers.archive import Snapshot
from scrapers.document import html_text, soup
from scrapers.http import Request
from scrapers.listing import ListingItem, ReleaseSource, find_date
from tradewatch.errors import LayoutChanged

SOURCE_ID = "motie"
BOARD = "/kor/article/ATCL3f49a5a8c"
ARTICLE = re.compile(r"/kor/article/[A-Za-z0-9]+/\d+/view")
_TRADE = re.compile(
    r"수출입\s*동향|수출입\s*실적|(?:\d{1,2}\s*월\s*)?1\s*[~∼\-–]\s*(?:10|20)\s*일\s*(?:수출|수출입)|(?:10|20)\s*일\s*(?:수출입|수출)\s*(?:현황|실적|동향)"
)
_BODY_SELECTORS = (
    ".view_cont",
    ".view_con",
    ".board_view .cont",
    ".bbs_view .view_cont",
    "#contents .view",
    "article",
    "#content",
)


# --- the parse: pure functions of bytes ----------------------------------------------------
def parse_listing(html: bytes, base_url: str) -> list[ListingItem]:
    """The articles of one board page, with their titles and dates, newest first as listed."""
    page = soup(html)
    out, seen = [], set()
    for a in page.find_all("a", href=True):
        href = a["href"]
        if not ARTICLE.search(href):
            continue
        url = urljoin(base_url, href)
        article = ARTICLE.search(url)
        if article is None:  # the base URL rewrote the link off the board
            continue
        key = article.group(0)
        if key in seen:
            continue
        seen.add(key)
        row = a.find_parent(["tr", "li"]) or a.parent
        title = (a.get("title") or a.get_text(" ", strip=True)).strip()
        out.append(
            ListingItem(url, re.sub(r"\s+", " ", title), find_date(row.get_text(" ", strip=True)) if row else None)
        )
    if not out:
        raise LayoutChanged(
            SOURCE_ID, base_url, "no article links on the board page", missing=["/kor/article/<board>/<seq>/view links"]
        )
    return out


def is_trade_release(title: str) -> bool:
    """The monthly 수출입동향 and the customs 10-/20-day preliminary releases."""
    return bool(_TRADE.search(title or ""))


def parse_article(html: bytes, url: str) -> tuple[str, date | None]:
    """(body text, publication date) of an article page."""
    page = soup(html)
    published = None
    for label in page.find_all(string=re.compile(r"등록일|작성일|게시일")):
        published = find_date(
            label.parent.parent.get_text(" ", strip=True) if label.parent and label.parent.parent else str(label)
        )
        if published:
            break
    for sel in _BODY_SELECTORS:
        node = page.select_one(sel)
        if node is not None and node.get_text(strip=True):
            text = html_text(str(node))
            if published is None:
                head = page.select_one(".view_head, .board_view .info, .view_info")
                published = find_date(head.get_text(" ", strip=True)) if head else None
            return text, published
    raise LayoutChanged(SOURCE_ID, url, "no article body found", missing=list(_BODY_SELECTORS))


# --- the source ------------------------------------------------------------------------------
class Motie(ReleaseSource):
    id = SOURCE_ID
    title = "MOTIE export-import press releases"
    release_day = 1  # the monthly 수출입동향 comes out on the 1st of the following month
    publisher = "motie"
    reporter_hint = "KOR"

    def listing_requests(self) -> list[Request]:
        return [Request(source=self.id, url=self.base_url + BOARD, label="listing")]

    def discover(self, snap: Snapshot):
        items = parse_listing(snap.body(), self.base_url)
        return [(i.url, i.title, i.published) for i in items if is_trade_release(i.title)]

    def article_text(self, snap: Snapshot) -> tuple[str, str | None, date | None]:
        text, published = parse_article(snap.body(), snap.url)
        return text, "ko", published


SOURCE = Motie
