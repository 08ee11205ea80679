"""Ministry and agency releases from configurable feeds (Vietnam MOIT, MOFA, GSO; KITA press releases...).

Source id ``releases``. Each entry of ``TRADEWATCH_RELEASES_FEEDS`` is a listing page or an
RSS/Atom feed, optionally with CSS selectors: ``URL`` or ``URL|link selector|body selector``.
Figures are stored with source ``releases``.

The parse is pure functions of bytes: ``parse_listing`` (a listing page through its link
selector, or a feed), ``same_host_links`` (only links on the configured hosts) and
``article_text`` (the body through its selector). Feeds are parsed with lxml with entity
expansion, DTD loading and network access off; a feed that declares a DTD or entities
is refused (``UnsafeXML``) rather than parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlparse, urlsplit

from scrapers.archive import Snapshot
from scrapers.document import html_text
from scrapers.document import soup as page_soup
from scrapers.http import Request
from scrapers.listing import ListingItem, ReleaseSource, find_date
from tradewatch.errors import ConfigError, ExtractionError, LayoutChanged, ParseError, UnsafeXML

SOURCE_ID = "releases"


# --- the parse: pure functions of bytes ----------------------------------------------------
def _is_feed(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return (
        head.startswith(b"<?xml")
        or head.startswith(b"<rss")
        or head.startswith(b"<feed")
        or b"<rss" in head
        or b"<feed" in head
    )


def _feed(data: bytes, base_url: str) -> list[ListingItem]:
    from lxml import etree

    if re.search(rb"<!DOCTYPE|<!ENTITY", data[:4096], re.I):
        raise UnsafeXML(SOURCE_ID, base_url, "the feed declares a DTD or entities; refused")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(SOURCE_ID, base_url, f"malformed feed: {exc}") from None
    items: list[ListingItem] = []
    local = lambda el: etree.QName(el).localname if isinstance(el.tag, str) else ""  # noqa: E731
    for el in root.iter():
        name = local(el)
        if name not in ("item", "entry"):
            continue
        fields = {local(c): c for c in el}
        title = (fields["title"].text or "").strip() if "title" in fields else ""
        link = None
        for c in el:
            if local(c) == "link":
                href = c.get("href")
                if href and c.get("rel", "alternate") == "alternate":
                    link = href
                elif not href and (c.text or "").strip():
                    link = c.text.strip()
        if not link:
            continue
        published = None
        for key in ("pubDate", "published", "updated", "date"):
            if key in fields and (fields[key].text or "").strip():
                published = _feed_date(fields[key].text.strip())
                break
        items.append(ListingItem(urljoin(base_url, link), title, published))
    if not items and local(root) not in ("rss", "feed", "RDF"):
        raise LayoutChanged(SOURCE_ID, base_url, "not an RSS or Atom feed", found=[local(root)])
    return items


def _feed_date(text: str) -> date | None:
    try:
        return parsedate_to_datetime(text).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return find_date(text)


def parse_listing(html_or_feed: bytes, base_url: str, link_selector: str | None = None) -> list[ListingItem]:
    """Release links of a listing page (``link_selector`` picks the <a> elements) or a feed."""
    if _is_feed(html_or_feed):
        return _feed(html_or_feed, base_url)
    links = page_soup(html_or_feed).select(link_selector or "a[href]")
    if link_selector and not links:
        raise LayoutChanged(
            SOURCE_ID, base_url, f"no element matches the link selector {link_selector!r}", missing=[link_selector]
        )
    out, seen = [], set()
    for a in links:
        href = str(a.get("href") or "")
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href)
        if url in seen:
            continue
        seen.add(url)
        row = a.find_parent(["tr", "li", "article", "div"]) or a
        out.append(
            ListingItem(
                url, a.get_text(" ", strip=True) or str(a.get("title") or ""), find_date(row.get_text(" ", strip=True))
            )
        )
    return out


def article_text(html: bytes, body_selector: str | None, url: str | None = None) -> str:
    """The article body as plain text; a selector that matches nothing is a changed layout."""
    try:
        text = html_text(html, None, body_selector)
    except ExtractionError as exc:
        raise LayoutChanged(SOURCE_ID, url, str(exc), missing=[body_selector] if body_selector else []) from None
    if not text.strip():
        raise LayoutChanged(SOURCE_ID, url, "the article body is empty", missing=[body_selector or "body"])
    return text


def same_host_links(items: list[ListingItem], allowed_hosts) -> list[ListingItem]:
    """Only the links on the configured hosts (a subdomain of one counts)."""
    hosts = {h.lower().strip(".") for h in allowed_hosts}
    out = []
    for it in items:
        host = (urlparse(it.url).hostname or "").lower()
        if host in hosts or any(host.endswith("." + h) for h in hosts):
            out.append(it)
    return out


# --- the source ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Feed:
    url: str
    link_selector: str | None = None
    body_selector: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Feed:
        parts = [p.strip() or None for p in spec.split("|")] + [None, None]
        if not parts[0] or urlsplit(parts[0]).scheme not in ("http", "https"):
            raise ConfigError(f"releases feed {spec!r}: expected 'URL[|link selector|body selector]'")
        return cls(parts[0], parts[1], parts[2])


class Releases(ReleaseSource):
    id = SOURCE_ID
    title = "Ministry and agency releases (configurable feeds)"
    publisher = "releases"

    def feeds(self) -> list[Feed]:
        return [Feed.parse(s) for s in self.settings.releases_feeds]

    def listing_requests(self) -> list[Request]:
        return [Request(source=self.id, url=f.url, label="listing") for f in self.feeds()]

    def _feed_of(self, url: str) -> Feed | None:
        return next((f for f in self.feeds() if f.url == url), None)

    def discover(self, snap: Snapshot):
        feed = self._feed_of(snap.url) or Feed(snap.url)
        items = parse_listing(snap.body(), snap.url, feed.link_selector)
        items = same_host_links(items, self.allowed_hosts())
        return [(i.url, i.title, i.published) for i in items]

    @property
    def source_name(self) -> str:
        return "releases"

    def article_text(self, snap: Snapshot) -> tuple[str, str | None, date | None]:
        from scrapers.prose.text import detect_language

        host = urlsplit(snap.url).hostname
        feed = next((f for f in self.feeds() if urlsplit(f.url).hostname == host), None)
        text = article_text(snap.body(), feed.body_selector if feed else None, snap.full_url)
        return text, detect_language(text), None


SOURCE = Releases
