"""The trade ministry's press releases, read as prose. Source id ``motie`` (kept: it names stored data).

The ministry was MOTIE (산업통상자원부) and is now MOTIR (산업통상부, www.motir.go.kr);
``www.motie.go.kr`` answers 301 to the new host. A redirect is followed only to the
ministry's hosts (old or new), and the 301 itself is archived like any answer.
The monthly export-import release (수출입동향, on the 1st of the following month) and
the customs 10-day and 20-day preliminaries (1~10일, 1~20일). Board (보도·참고자료):
``{base}/kor/article/ATCL3f49a5a8c``; articles ``/kor/article/ATCL3f49a5a8c/{seq}/view``.
Figures are stored with source ``releases:motie`` and reporter Korea.

The board's markup (recorded from a sibling board of the same site): rows
``div.board-tbl table tbody tr``; the title link ``td div.board-link a`` whose href is
``javascript:article.view('71301')`` (or the article path itself), the title in
``<i>``; a ``YYYY-MM-DD`` date column; attachments ``/attach/down/...``. An article's
body is ``div.detail-cont``; its attachments ``div.detail-info li.info-down a``: PDF
attachments are fetched and read through the prose extractor, HWP/HWPX ones are
recorded by name and not read. Pages without these fall back on any link to an
article path (older boards).

The parse is pure functions of bytes: ``parse_listing`` (links, titles, dates),
``is_trade_release`` (the titles worth reading), ``parse_article`` (body text and
publication date), ``parse_attachments``; the prose extractor does the rest.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from urllib.parse import urljoin

from scrapers.archive import Snapshot
from scrapers.base import ParseResult
from scrapers.document import html_text, soup
from scrapers.http import Fetcher, Request
from scrapers.listing import ListingItem, ReleaseSource, find_date
from tradewatch.errors import DisallowedHost, LayoutChanged, TradewatchError
from tradewatch.model import Period

SOURCE_ID = "motie"
BOARD = "/kor/article/ATCL3f49a5a8c"
ARTICLE = re.compile(r"/kor/article/[A-Za-z0-9]+/\d+/view")
_VIEW_JS = re.compile(r"article\.view\(\s*['\"]?(\d+)['\"]?\s*\)")
# The ministry's hosts, new and old: a redirect is followed to these only.
MINISTRY_HOSTS = ("www.motir.go.kr", "motir.go.kr", "www.motie.go.kr", "motie.go.kr")
MINISTRY_NAMES = ("산업통상부", "산업통상자원부", "Ministry of Trade, Industry and Resources", "MOTIR", "MOTIE")
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ATTACHMENT = re.compile(r"\.(pdf|hwpx?|docx?|xlsx?|zip)\s*$", re.I)
_TRADE = re.compile(
    r"수출입\s*동향|수출입\s*실적|(?:\d{1,2}\s*월\s*)?1\s*[~∼\-–]\s*(?:10|20)\s*일\s*(?:수출|수출입)|(?:10|20)\s*일\s*(?:수출입|수출)\s*(?:현황|실적|동향)"
)
_BODY_SELECTORS = (
    "div.detail-cont",
    ".view_cont",
    ".view_con",
    ".board_view .cont",
    ".bbs_view .view_cont",
    "#contents .view",
    "article",
    "#content",
)


# --- the parse: pure functions of bytes ----------------------------------------------------
def parse_listing(html: bytes, base_url: str, board: str = BOARD) -> list[ListingItem]:
    """The articles of one board page, with their titles and dates, newest first as listed."""
    page = soup(html)
    rows = page.select("div.board-tbl table tbody tr")
    out = _board_rows(rows, base_url, board) if rows else _article_links(page, base_url)
    if not out:
        raise LayoutChanged(
            SOURCE_ID,
            base_url,
            "no article links on the board page",
            missing=["div.board-tbl rows with javascript:article.view('N')", "/kor/article/<board>/<seq>/view links"],
            found=[f"{len(rows)} board rows", (page.title.get_text(strip=True) if page.title else "(no title)")],
        )
    return out


def _board_rows(rows, base_url: str, board: str) -> list[ListingItem]:
    out, seen = [], set()
    for tr in rows:
        a = tr.select_one("div.board-link a") or tr.find("a", href=True)
        if a is None:
            continue
        href = a.get("href") or ""
        m = _VIEW_JS.search(href) or _VIEW_JS.search(a.get("onclick") or "")
        if m:
            url = urljoin(base_url, f"{board}/{m.group(1)}/view")
        elif ARTICLE.search(href):
            url = urljoin(base_url, href)
        else:
            continue
        key = ARTICLE.search(url)
        if key is None or key.group(0) in seen:
            continue
        seen.add(key.group(0))
        title_node = a.find("i") or a
        title = re.sub(r"\s+", " ", title_node.get_text(" ", strip=True))
        dates = [find_date(td.get_text(" ", strip=True)) for td in tr.find_all("td")]
        out.append(ListingItem(url, title, next((d for d in dates if d), None)))
    return out


def _article_links(page, base_url: str) -> list[ListingItem]:
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
                head = page.select_one(".detail-head, .view_head, .board_view .info, .view_info")
                published = find_date(head.get_text(" ", strip=True)) if head else None
            return text, published
    raise LayoutChanged(SOURCE_ID, url, "no article body found", missing=list(_BODY_SELECTORS))


def parse_attachments(html: bytes, url: str) -> list[tuple[str, str]]:
    """(file name, absolute URL) of an article's attachments (``div.detail-info li.info-down``)."""
    page = soup(html)
    out = []
    for a in page.select("div.detail-info li.info-down a[href], a[href*='/attach/down/']"):
        name = re.sub(r"\s+", " ", (a.get("title") or a.get_text(" ", strip=True))).strip()
        link = urljoin(url, a["href"])
        if (name, link) not in out:
            out.append((name, link))
    return out


def ministry_named(text: str) -> str | None:
    """The ministry's name as the text writes it, old or new (None if neither)."""
    return next((n for n in MINISTRY_NAMES if n in (text or "")), None)


# --- the source ------------------------------------------------------------------------------
class Motie(ReleaseSource):
    id = SOURCE_ID
    title = "MOTIR (formerly MOTIE) export-import press releases"
    release_day = 1  # the monthly 수출입동향 comes out on the 1st of the following month
    publisher = "motie"
    reporter_hint = "KOR"

    def listing_requests(self) -> list[Request]:
        return [Request(source=self.id, url=self.base_url + BOARD, label="listing")]

    def allowed_hosts(self) -> tuple[str, ...]:
        from urllib.parse import urlsplit

        own = urlsplit(self.base_url).hostname or ""
        return tuple(dict.fromkeys((own, *MINISTRY_HOSTS)))

    def discover(self, snap: Snapshot):
        items = parse_listing(snap.body(), snap.full_url.split("?")[0].removesuffix(BOARD) or self.base_url)
        return [(i.url, i.title, i.published) for i in items if is_trade_release(i.title)]

    def collect(self, fetcher: Fetcher, window: Period) -> list[Snapshot | TradewatchError]:
        """Board → new releases → their PDF attachments, each redirect followed to the ministry's hosts only."""
        out: list[Snapshot | TradewatchError] = []
        for req in self.listing_requests():
            listing = self._fetch(fetcher, req, out)
            if listing is None:
                continue
            try:
                items = self.discover(listing)
            except TradewatchError as exc:
                out.append(exc)
                continue
            for art in self.new_articles(fetcher, items, window):
                article = self._fetch(fetcher, art, out)
                if article is None:
                    continue
                for name, link in parse_attachments(article.body(), article.full_url):
                    if name.lower().endswith(".pdf") or link.lower().endswith(".pdf"):
                        att = Request(source=self.id, url=link, allowed_hosts=self.allowed_hosts(), label="attachment")
                        self._fetch(fetcher, att, out)
        return out

    def _fetch(self, fetcher: Fetcher, req: Request, out: list) -> Snapshot | None:
        """Fetch, following up to 3 redirects within the ministry's hosts; releases and errors go to ``out``."""
        for _ in range(4):
            try:
                snap = fetcher.fetch(req)
            except TradewatchError as exc:
                out.append(exc)
                return None
            if snap.status not in _REDIRECTS:
                if req.label != "listing":  # the board page holds links, not figures
                    out.append(snap)
                return snap
            # the redirect is in the archive (as every answer is); it is followed within the ministry only
            location = snap.headers.get("location")
            if not location:
                out.append(LayoutChanged(self.id, snap.full_url, f"HTTP {snap.status} without a Location"))
                return None
            target = urljoin(snap.url, location)
            from urllib.parse import urlsplit

            if urlsplit(target).hostname not in self.allowed_hosts():
                out.append(
                    DisallowedHost(
                        self.id,
                        snap.full_url,
                        f"redirect to {urlsplit(target).hostname!r}, not a ministry host: not followed",
                    )
                )
                return None
            req = Request(source=self.id, url=target, allowed_hosts=self.allowed_hosts(), label=req.label)
        out.append(LayoutChanged(self.id, req.url, "more than 3 redirects"))
        return None

    def article_text(self, snap: Snapshot) -> tuple[str, str | None, date | None]:
        data = snap.body()
        if data[:5] == b"%PDF-":  # a PDF attachment
            from scrapers.document import read_document

            text, _lang = read_document(data, "application/pdf", snap.url)
            return text, "ko", None
        text, published = parse_article(data, snap.url)
        return text, "ko", published

    def parse(self, snap: Snapshot) -> ParseResult:
        if snap.status in _REDIRECTS:
            return ParseResult(notes=[f"motie: HTTP {snap.status} to {snap.headers.get('location')!r}"])
        if snap.label == "attachment":
            return super().parse(replace(snap, label="article"))
        result = super().parse(snap)
        if snap.label == "article":
            names = [n for n, _ in parse_attachments(snap.body(), snap.full_url)]
            unread = [n for n in names if not n.lower().endswith(".pdf")]
            if unread:
                result.notes.append("motie: attachments recorded, not read: " + ", ".join(unread))
        return result


SOURCE = Motie
