"""The Korea Customs Service's 10-day and 20-day preliminaries, read as prose. Source id ``kcs_releases``.

The earliest monthly signal: "2026년 8월 1일 ~ 8월 10일 수출입 현황 [잠정치]" on the 11th and
"… 1일 ~ 8월 20일 …" on the 21st (the next working day when those are holidays), then the
month's "2026년 8월 월간 수출입 현황 [확정치]". They name Vietnam's growth ("베트남(23.5%)").

Board (customs.go.kr's government CMS): ``{base}/kcs/na/ntt/selectNttList.do?mi=2891&bbsId=1362``;
rows ``<a href="javascript:" data-id="10170123" class="nttInfoBtn" title="…">``; a release is
``selectNttInfo.do?mi=2891&bbsId=1362&nttSn=<data-id>``. Built to these patterns, seen in crawler
code (nothing of the board was recorded): a page without ``nttInfoBtn`` rows raises
``LayoutChanged`` naming what it found.

Periods come from the title: a day range is ``2026-08-01..2026-08-10`` (maturity
``provisional``), a month ``2026-08`` (``final``). A figure the extractor reads from the body
is kept only for the title's period (the release's own figures); a provisional day range is a
series of its own, superseded in use by the month's figure when that arrives and never
compared with a whole month (periods of different kinds are different keys). Figures are
stored with source ``releases:kcs_releases`` and reporter Korea.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from urllib.parse import parse_qs, urlencode, urlsplit

from scrapers.archive import Snapshot
from scrapers.base import ParseResult
from scrapers.document import html_text, soup
from scrapers.http import Request
from scrapers.listing import ListingItem, ReleaseSource, find_date
from tradewatch.errors import LayoutChanged
from tradewatch.model import Period

SOURCE_ID = "kcs_releases"
BOARD = "/kcs/na/ntt/selectNttList.do"
BOARD_PARAMS = {"mi": "2891", "bbsId": "1362"}
DETAIL = "/kcs/na/ntt/selectNttInfo.do"
_DAYS = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일\s*[~∼\-–]\s*(?:(\d{1,2})\s*월\s*)?(\d{1,2})\s*일")
_MONTH = re.compile(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(?:월간\s*)?수출입")
_TRADE = re.compile(r"수출입\s*(?:현황|동향|실적)")
_BODY_SELECTORS = (".view_cont", ".bbs_view .cont", ".ntt_cont", ".board_view .cont", "td.bbs_content", "article")


def title_period(title: str) -> tuple[Period, str] | None:
    """(period, maturity) a release title states: a day range (provisional) or a month (final)."""
    t = title or ""
    if m := _DAYS.search(t):
        year, month, first = int(m.group(1)), int(m.group(2)), int(m.group(3))
        last_month, last = int(m.group(4) or month), int(m.group(5))
        try:
            return Period.days(date(year, month, first), date(year, last_month, last)), "provisional"
        except ValueError:
            return None
    if (m := _MONTH.search(t)) and 1 <= int(m.group(2)) <= 12:
        return Period.month(int(m.group(1)), int(m.group(2))), "final" if "확정" in t else "provisional"
    return None


def is_trade_release(title: str) -> bool:
    return bool(_TRADE.search(title or "")) and title_period(title) is not None


def parse_listing(html: bytes, list_url: str) -> list[ListingItem]:
    """The releases on one board page (``a.nttInfoBtn[data-id]``), with titles and dates."""
    page = soup(html)
    parts = urlsplit(list_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items() if k in ("mi", "bbsId")} or dict(BOARD_PARAMS)
    base = f"{parts.scheme}://{parts.netloc}"
    out, seen = [], set()
    for a in page.select("a.nttInfoBtn[data-id]"):
        ntt = (a.get("data-id") or "").strip()
        if not ntt.isdigit() or ntt in seen:
            continue
        seen.add(ntt)
        title = re.sub(r"\s+", " ", (a.get("title") or a.get_text(" ", strip=True))).strip()
        row = a.find_parent(["tr", "li"])
        published = find_date(row.get_text(" ", strip=True).replace(title, "")) if row else None
        out.append(ListingItem(f"{base}{DETAIL}?{urlencode({**query, 'nttSn': ntt})}", title, published))
    if not out:
        links = [a.get("class") for a in page.find_all("a")][:10]
        raise LayoutChanged(
            SOURCE_ID,
            list_url,
            "no release rows on the board page",
            missing=["a.nttInfoBtn[data-id]"],
            found=[f"{len(page.find_all('a'))} links", str(links)],
        )
    return out


def parse_article(html: bytes, url: str) -> tuple[str, str, date | None]:
    """(title, body text, publication date) of a release page."""
    page = soup(html)
    head = page.select_one(".view_tit, .bbs_view .tit, .board_view .tit, h3, h4")
    title = re.sub(r"\s+", " ", head.get_text(" ", strip=True)) if head else ""
    published = None
    for label in page.find_all(string=re.compile(r"등록일|작성일|게시일")):
        node = label.parent.parent if label.parent is not None and label.parent.parent is not None else None
        published = find_date(node.get_text(" ", strip=True) if node else str(label))
        if published:
            break
    for sel in _BODY_SELECTORS:
        node = page.select_one(sel)
        if node is not None and node.get_text(strip=True):
            return title, html_text(str(node)), published
    raise LayoutChanged(SOURCE_ID, url, "no release body found", missing=list(_BODY_SELECTORS))


class KcsReleases(ReleaseSource):
    id = SOURCE_ID
    title = "Korea Customs Service 10-day and 20-day preliminaries (customs.go.kr board)"
    publisher = "kcs_releases"
    reporter_hint = "KOR"

    def listing_requests(self) -> list[Request]:
        return [Request(source=self.id, url=self.base_url + BOARD, params=dict(BOARD_PARAMS), label="listing")]

    def discover(self, snap: Snapshot):
        items = parse_listing(snap.body(), snap.full_url)
        return [(i.url, i.title, i.published) for i in items if is_trade_release(i.title)]

    def parse(self, snap: Snapshot) -> ParseResult:
        if snap.label != "article":
            return ParseResult()
        from scrapers.http import check_status
        from scrapers.prose import extract

        check_status(snap)
        title, text, published = parse_article(snap.body(), snap.full_url)
        stated = title_period(title)
        if stated is None:
            raise LayoutChanged(
                SOURCE_ID,
                snap.full_url,
                "the release title states no period",
                missing=["YYYY년 M월 D일 ~ M월 D일"],
                found=[title],
            )
        period, maturity = stated
        pub = published or snap.fetched_at.date()
        result = extract(
            text, "ko", pub, source=self.source_name, source_url=snap.full_url, reporter_hint=self.reporter_hint
        )
        pub_dt = datetime.combine(pub, time(0), tzinfo=UTC)
        kept, notes = [], [f"skipped: {s.reason}" for s in result.skipped]
        for o in result.figures:
            if o.period == period:
                kept.append(
                    replace(o, snapshot_sha256=snap.sha256, maturity=maturity, published_at=o.published_at or pub_dt)
                )
            else:
                notes.append(
                    f"kcs_releases: {o.partner} {o.flow.value} {o.period} is not the release's {period}: not kept"
                )
        claims = [
            replace(c, snapshot_sha256=snap.sha256, published_at=c.published_at or pub_dt)
            for c in result.ranks
            if c.period == period
        ]
        return ParseResult(observations=kept, rank_claims=claims, notes=notes)


SOURCE = KcsReleases
