"""Bytes of a release (HTML, plain text, PDF) -> (plain text, language).

HTML is read with beautifulsoup4 and lxml; the character set comes from the
Content-Type header, then the page's own <meta charset>, then a byte-level check
(UTF-8 first, then EUC-KR/CP949 for Korean pages, which many still are). Scripts,
styles, navigation, headers and footers are dropped; one block element becomes one
line, which is what the extractor reads as a paragraph.
"""

from __future__ import annotations

import io
import re

from scrapers.prose.text import detect_language
from tradewatch.errors import ExtractionError

_BLOCKS = (
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "td",
    "th",
    "article",
    "section",
    "table",
    "blockquote",
    "dd",
    "dt",
)
_DROP = (
    "script",
    "style",
    "nav",
    "header",
    "footer",
    "noscript",
    "form",
    "iframe",
    "svg",
    "button",
    "aside",
    "template",
)


def _charset(content_type: str | None) -> str | None:
    m = re.search(r"charset=[\"']?([\w-]+)", content_type or "", re.I)
    return m.group(1).lower() if m else None


def meta_charset(data: bytes) -> str | None:
    """The character set a page declares in its own ``<meta>``, lower-cased."""
    head = data[:4096]
    m = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", head, re.I)
    return m.group(1).decode("ascii").lower() if m else None


def decode(data: bytes, declared: str | None = None) -> str:
    """Text of ``data`` in its declared charset, else UTF-8, else CP949 (a superset of EUC-KR)."""
    for enc in filter(None, (declared,)):
        enc = {"euc-kr": "cp949", "ks_c_5601-1987": "cp949", "x-windows-949": "cp949"}.get(enc, enc)
        try:
            return data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            break
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")
    except UnicodeDecodeError:
        raise ExtractionError("cannot decode the document: not UTF-8 and not EUC-KR/CP949") from None


def html_text(html: bytes | str, declared: str | None = None, selector: str | None = None) -> str:
    from bs4 import BeautifulSoup, Tag

    if isinstance(html, bytes):
        html = decode(html, declared or meta_charset(html))
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(_DROP):
        tag.decompose()
    root: Tag = soup
    if selector:
        found = soup.select_one(selector)
        if found is None:
            raise ExtractionError(f"no element matches the body selector {selector!r}")
        root = found
    for tag in root.find_all(_BLOCKS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    text = root.get_text("")
    lines = [re.sub(r"[ \t\u00a0\u3000]+", " ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def soup(html: bytes):
    """A BeautifulSoup tree (lxml) of a page, decoded by its own ``<meta charset>``."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(decode(html, meta_charset(html)), "lxml")


def pdf_text(data: bytes) -> str:
    import pdfplumber

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except Exception as exc:  # pdfminer raises many types for a broken file
        raise ExtractionError(f"cannot read the PDF: {exc}") from exc
    text = "\n".join(pages).strip()
    if not text:
        raise ExtractionError("the PDF has no text layer (a scan?): nothing to extract")
    return text


def read_document(data: bytes, content_type: str | None, url: str | None) -> tuple[str, str | None]:
    """(plain text, detected language) of an HTML page, a PDF or a plain-text file."""
    ctype = (content_type or "").lower()
    name = (url or "").lower().split("?")[0]
    if data[:5] == b"%PDF-" or "pdf" in ctype or name.endswith(".pdf"):
        text = pdf_text(data)
    elif (
        "html" in ctype
        or name.endswith((".html", ".htm"))
        or re.match(rb"\s*(?:<!doctype html|<html|<\?xml)", data[:200], re.I)
    ):
        text = html_text(data, _charset(content_type))
    else:
        text = decode(data, _charset(content_type))
    return text, detect_language(text)
