"""MOTIE (산업통상자원부) press-release board: listing, trade-release filter, article body.

Board: ``https://www.motie.go.kr/kor/article/ATCL3f49a5a8c``; articles are
``/kor/article/ATCL3f49a5a8c/{seq}/view``. The monthly 수출입동향 release comes out on
the 1st of the month; the customs 10-day and 20-day preliminaries (1~10일, 1~20일)
around the 11th and 21st. Pure functions of bytes: the lead wires the fetching.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urljoin

from tradewatch.errors import LayoutChanged
from scrapers.releases.document import decode, html_text
from scrapers.releases.generic import ListingItem, find_date

SOURCE = "motie"
BOARD = "/kor/article/ATCL3f49a5a8c"
ARTICLE = re.compile(r"/kor/article/[A-Za-z0-9]+/\d+/view")
_TRADE = re.compile(
    r"수출입\s*동향|수출입\s*실적|(?:\d{1,2}\s*월\s*)?1\s*[~∼\-–]\s*(?:10|20)\s*일\s*(?:수출|수출입)|(?:10|20)\s*일\s*(?:수출입|수출)\s*(?:현황|실적|동향)"
)
_BODY_SELECTORS = (".view_cont", ".view_con", ".board_view .cont", ".bbs_view .view_cont", "#contents .view", "article", "#content")


def _soup(html: bytes):
    from bs4 import BeautifulSoup

    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", html[:4096], re.I)
    return BeautifulSoup(decode(html, m.group(1).decode("ascii").lower() if m else None), "lxml")


def parse_listing(html: bytes, base_url: str) -> list[ListingItem]:
    """The articles of one board page, with their titles and dates, newest first as listed."""
    soup = _soup(html)
    out, seen = [], set()
    for a in soup.find_all("a", href=True):
        href = a["href"]
        if not ARTICLE.search(href):
            continue
        url = urljoin(base_url, href)
        key = ARTICLE.search(url).group(0)
        if key in seen:
            continue
        seen.add(key)
        row = a.find_parent(["tr", "li"]) or a.parent
        title = (a.get("title") or a.get_text(" ", strip=True)).strip()
        out.append(ListingItem(url, re.sub(r"\s+", " ", title), find_date(row.get_text(" ", strip=True)) if row else None))
    if not out:
        raise LayoutChanged(SOURCE, base_url, "no article links on the board page", missing=["/kor/article/<board>/<seq>/view links"])
    return out


def is_trade_release(title: str) -> bool:
    """The monthly 수출입동향 and the customs 10-/20-day preliminary releases."""
    return bool(_TRADE.search(title or ""))


def parse_article(html: bytes, url: str) -> tuple[str, date | None]:
    """(body text, publication date) of an article page."""
    soup = _soup(html)
    published = None
    for label in soup.find_all(string=re.compile(r"등록일|작성일|게시일")):
        published = find_date(label.parent.parent.get_text(" ", strip=True) if label.parent and label.parent.parent else str(label))
        if published:
            break
    for sel in _BODY_SELECTORS:
        node = soup.select_one(sel)
        if node is not None and node.get_text(strip=True):
            text = html_text(str(node))
            if published is None:
                head = soup.select_one(".view_head, .board_view .info, .view_info")
                published = find_date(head.get_text(" ", strip=True)) if head else None
            return text, published
    raise LayoutChanged(SOURCE, url, "no article body found", missing=list(_BODY_SELECTORS))
