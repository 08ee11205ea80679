"""Sources that publish releases: discover them on a listing page or feed, fetch each once, extract.

A release source's window is not a span of months: every run reads the listing,
fetches the releases it has not archived yet (each exactly once, through the
archive), and extracts figures and rank claims from them with the prose extractor
(``scrapers.prose``). Links off the source's configured hosts are never followed.
``ListingItem`` and ``find_date`` are what every listing parser returns and reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from typing import ClassVar
from urllib.parse import urlsplit

from scrapers.archive import Snapshot
from scrapers.base import ParseResult, Source
from scrapers.http import Fetcher, Request, check_status
from tradewatch.errors import EmptyResult, LayoutChanged, TradewatchError
from tradewatch.model import Period

_DATE = re.compile(r"(20\d{2}|19\d{2})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})")
_DMY = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4})(?!\d)")


@dataclass(frozen=True)
class ListingItem:
    url: str
    title: str
    published: date | None = None


def find_date(text: str) -> date | None:
    """The first date written YYYY-MM-DD / YYYY.MM.DD / 2025년 10월 1일, or dd/mm/yyyy."""
    for pat, order in ((_DATE, (1, 2, 3)), (_DMY, (3, 2, 1))):
        m = pat.search(text or "")
        if m:
            try:
                return date(int(m.group(order[0])), int(m.group(order[1])), int(m.group(order[2])))
            except ValueError:
                continue
    return None


class ReleaseSource(Source):
    """Base of motie, releases, vn_customs: listing → new articles → extraction."""

    publisher: ClassVar[str] = ""  # the part after "releases:" in the stored source id
    reporter_hint: ClassVar[str | None] = None
    max_new_per_run: ClassVar[int] = 30

    @property
    def source_name(self) -> str:
        return f"releases:{self.publisher or self.id}"

    # --- planning: one window, the whole range ---------------------------------------------
    def windows(self, start: Period, end: Period) -> list[Period]:
        return [Period.months(start, end)]

    def nightly_range(self, today: date) -> tuple[Period, Period]:
        last = Period.from_date(today)
        return last.shift(months=-1), last

    def listing_requests(self) -> list[Request]:
        raise NotImplementedError

    def allowed_hosts(self) -> tuple[str, ...]:
        hosts = {urlsplit(r.url).hostname for r in self.listing_requests()}
        return tuple(h for h in hosts if h)

    def requests(self, window: Period) -> list[Request]:
        return self.listing_requests()

    # --- discovery -------------------------------------------------------------------------
    def discover(self, snap: Snapshot) -> list[tuple[str, str | None, date | None]]:
        """(url, title, published) of the releases a listing snapshot links to."""
        raise NotImplementedError

    def article_request(self, url: str) -> Request:
        return Request(source=self.id, url=url, allowed_hosts=self.allowed_hosts(), label="article")

    def collect(self, fetcher: Fetcher, window: Period) -> list[Snapshot | TradewatchError]:
        out: list[Snapshot | TradewatchError] = []
        for listing in fetcher.fetch_many(self.listing_requests()):
            if isinstance(listing, TradewatchError):
                out.append(listing)
                continue
            try:
                items = self.discover(listing)
            except TradewatchError as exc:
                out.append(exc)
                continue
            if not items:
                out.append(EmptyResult(self.id, listing.full_url, "the listing links to no release (layout changed?)"))
                continue
            out.extend(fetcher.fetch_many(self.new_articles(fetcher, items, window)))
        return out

    def new_articles(self, fetcher: Fetcher, items, window: Period) -> list[Request]:
        """The listed releases published in ``window`` and not archived yet, at most ``max_new_per_run``."""
        new: list[Request] = []
        for url, _title, published in items:
            if published and not (window.start <= published <= window.end):
                continue
            req = self.article_request(url)
            if fetcher.replay is None and fetcher.archive.latest(req.key) is not None:
                continue  # fetched once already: releases do not change
            new.append(req)
        return new[: self.max_new_per_run]

    # --- parsing ------------------------------------------------------------------------------
    def article_text(self, snap: Snapshot) -> tuple[str, str | None, date | None]:
        """(text, language, published) of an article snapshot."""
        from scrapers.document import read_document

        text, lang = read_document(snap.body(), snap.content_type, snap.url)
        return text, lang, None

    def parse(self, snap: Snapshot) -> ParseResult:
        if snap.label != "article":
            return ParseResult()  # listing pages hold links, not figures
        check_status(snap)
        from scrapers.prose import extract

        text, lang, published = self.article_text(snap)
        if not text.strip():
            raise LayoutChanged(self.id, snap.full_url, "the article has no text body")
        pub = published or snap.fetched_at.date()
        result = extract(
            text, lang, pub, source=self.source_name, source_url=snap.full_url, reporter_hint=self.reporter_hint
        )
        pub_dt = datetime.combine(pub, time(0), tzinfo=UTC)
        obs = [replace(o, snapshot_sha256=snap.sha256, published_at=o.published_at or pub_dt) for o in result.figures]
        claims = [replace(c, snapshot_sha256=snap.sha256, published_at=c.published_at or pub_dt) for c in result.ranks]
        return ParseResult(observations=obs, rank_claims=claims, notes=[f"skipped: {s.reason}" for s in result.skipped])
