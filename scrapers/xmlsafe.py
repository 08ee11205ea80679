"""Safe XML parsing for every source that reads XML.

A response is untrusted bytes. The parser here never expands an entity, never
loads a DTD and never touches the network; a document that so much as declares a
DOCTYPE or an ENTITY is refused (:class:`UnsafeXML`) before lxml sees it, and
again after, in case a declaration slipped past the byte scan (another encoding).
Bytes that are not well-formed XML (cut off, wrong encoding) are a
:class:`ParseError` naming the source and the URL.
"""

from __future__ import annotations

import re

from lxml import etree

from tradewatch.errors import ParseError, UnsafeXML

__all__ = ["children_text", "local_name", "parse_xml", "sniff"]

# Any DTD or entity declaration, in the bytes as received. Case-insensitive so a
# "<!doctype" is caught too; also run on a UTF-16 decode (see _declarations).
_DECL_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_DECL = re.compile(rb"^<\?xml[^>]*\?>")
_HTML_START = re.compile(rb"^(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.DOTALL)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def _parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _declarations(data: bytes) -> str | None:
    m = _DECL_RE.search(data)
    if m:
        return m.group(1).decode("ascii").upper()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        for enc in ("utf-16", "utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            m2 = re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE)
            if m2:
                return m2.group(1).upper()
    return None


def sniff(data: bytes) -> str:
    """What the bytes look like: ``"empty"``, ``"xml"``, ``"html"``, ``"json"`` or ``"other"``.

    Used to give a precise error when an XML API answers with an HTML error page
    or a JSON envelope.
    """
    head = data[:2048]
    for bom in _BOMS:
        if head.startswith(bom):
            head = head[len(bom) :]
            break
    head = head.lstrip()
    if not head:
        return "empty"
    low = head[:512].lower()
    if low.startswith((b"{", b"[")):
        return "json"
    first = _XML_DECL.sub(b"", low, count=1).lstrip()
    if _HTML_START.match(first):
        return "html"
    if low.startswith(b"<"):
        return "xml"
    return "other"


def parse_xml(data: bytes, *, source: str, url: str | None) -> etree._Element:
    """Parse untrusted XML bytes into an element tree, safely.

    Raises :class:`UnsafeXML` for any DOCTYPE or ENTITY declaration (billion
    laughs, external entities) and :class:`ParseError` for bytes that are not
    well-formed XML in their declared encoding (truncated, wrong encoding).
    """
    decl = _declarations(data)
    if decl:
        raise UnsafeXML(
            source,
            url,
            f"XML document declares a {decl}; DTDs and entities are refused (no expansion, no external entities)",
        )
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        msg = str(exc)
        if "encoding" in msg.lower() or exc.code in (9, 81):  # XML_ERR_INVALID_CHAR, XML_ERR_INVALID_ENCODING
            why = "bytes are not valid in the document's declared encoding"
        elif not data.rstrip().endswith(b">") or "premature end" in msg.lower():
            why = "document is truncated (it ends before its root element is closed)"
        else:
            why = "not well-formed XML"
        raise ParseError(source, url, f"{why} ({msg})") from None
    except ValueError as exc:  # e.g. unicode strings with an encoding declaration
        raise ParseError(source, url, f"not parseable as XML ({exc})") from None
    if root is None:
        raise ParseError(source, url, "empty XML document")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXML(source, url, "XML document carries a DTD; refused")
    return root


def local_name(el: etree._Element) -> str:
    """The tag without a namespace."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def children_text(el: etree._Element) -> dict[str, str]:
    """``{child tag: stripped text}`` for the element children of ``el``."""
    out: dict[str, str] = {}
    for child in el:
        name = local_name(child)
        if name:
            out[name] = (child.text or "").strip()
    return out
