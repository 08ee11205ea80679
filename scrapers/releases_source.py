"""Configurable ministry and agency releases (Vietnam MOIT, MOFA, GSO; KITA press releases...).

Source id ``releases``. Each entry of ``TRADEWATCH_RELEASES_FEEDS`` is a listing page or an
RSS/Atom feed, optionally with CSS selectors: ``URL`` or ``URL|link selector|body selector``.
Figures are stored with source ``releases:<host>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from tradewatch.errors import ConfigError
from scrapers.archive import Snapshot
from scrapers.http import Request
from scrapers.release_base import ReleaseSource


@dataclass(frozen=True)
class Feed:
    url: str
    link_selector: str | None = None
    body_selector: str | None = None

    @classmethod
    def parse(cls, spec: str) -> "Feed":
        parts = [p.strip() or None for p in spec.split("|")] + [None, None]
        if not parts[0] or urlsplit(parts[0]).scheme not in ("http", "https"):
            raise ConfigError(f"releases feed {spec!r}: expected 'URL[|link selector|body selector]'")
        return cls(parts[0], parts[1], parts[2])


class Releases(ReleaseSource):
    id = "releases"
    title = "Ministry and agency releases (configurable feeds)"
    publisher = "releases"

    def feeds(self) -> list[Feed]:
        return [Feed.parse(s) for s in self.settings.releases_feeds]

    def listing_requests(self) -> list[Request]:
        return [Request(source=self.id, url=f.url, label="listing") for f in self.feeds()]

    def _feed_of(self, url: str) -> Feed | None:
        return next((f for f in self.feeds() if f.url == url), None)

    def discover(self, snap: Snapshot):
        from scrapers.releases import generic

        feed = self._feed_of(snap.url) or Feed(snap.url)
        items = generic.parse_listing(snap.body(), snap.url, feed.link_selector)
        items = generic.same_host_links(items, self.allowed_hosts())
        return [(i.url, i.title, i.published) for i in items]

    @property
    def source_name(self) -> str:
        return "releases"

    def article_text(self, snap: Snapshot) -> tuple[str, str | None, date | None]:
        from scrapers.releases import generic
        from scrapers.releases.text import detect_language

        host = urlsplit(snap.url).hostname
        feed = next((f for f in self.feeds() if urlsplit(f.url).hostname == host), None)
        text = generic.article_text(snap.body(), feed.body_selector if feed else None)
        return text, detect_language(text), None


SOURCE = Releases
