"""The configurable ``releases`` source: listing pages (CSS selector) or RSS/Atom feeds.

Pure functions of bytes. Feeds are parsed with lxml with entity expansion, DTD
loading and network access off; a feed that declares a DTD or entities is refused
(``UnsafeXML``) rather than parsed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlparse

from tradewatch.errors import ExtractionError, LayoutChanged, ParseError, UnsafeXML
from scrapers.releases.document import decode, html_text

SOURCE = "releases"
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


def _is_feed(data: bytes) -> bool:
    head = data[:512].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed") or b"<rss" in head or b"<feed" in head


def _feed(data: bytes, base_url: str) -> list[ListingItem]:
    from lxml import etree

    if re.search(rb"<!DOCTYPE|<!ENTITY", data[:4096], re.I):
        raise UnsafeXML(SOURCE, base_url, "the feed declares a DTD or entities; refused")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ParseError(SOURCE, base_url, f"malformed feed: {exc}") from None
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
        raise LayoutChanged(SOURCE, base_url, "not an RSS or Atom feed", found=[local(root)])
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
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(decode(html_or_feed, _meta(html_or_feed)), "lxml")
    links = soup.select(link_selector or "a[href]")
    if link_selector and not links:
        raise LayoutChanged(SOURCE, base_url, f"no element matches the link selector {link_selector!r}", missing=[link_selector])
    out, seen = [], set()
    for a in links:
        href = a.get("href")
        if not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        url = urljoin(base_url, href)
        if url in seen:
            continue
        seen.add(url)
        row = a.find_parent(["tr", "li", "article", "div"]) or a
        out.append(ListingItem(url, a.get_text(" ", strip=True) or a.get("title", ""), find_date(row.get_text(" ", strip=True))))
    return out


def _meta(data: bytes) -> str | None:
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.I)
    return m.group(1).decode("ascii").lower() if m else None


def article_text(html: bytes, body_selector: str | None, url: str | None = None) -> str:
    """The article body as plain text; a selector that matches nothing is a changed layout."""
    try:
        text = html_text(html, None, body_selector)
    except ExtractionError as exc:
        raise LayoutChanged(SOURCE, url, str(exc), missing=[body_selector] if body_selector else []) from None
    if not text.strip():
        raise LayoutChanged(SOURCE, url, "the article body is empty", missing=[body_selector or "body"])
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
