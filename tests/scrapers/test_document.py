"""Bytes of a release to text (scrapers.document): character sets, broken HTML, PDFs with and without a text layer."""

from __future__ import annotations

import pytest

from scrapers.document import read_document
from tests.scrapers.synthetic_files import make_blank_pdf, make_pdf
from tradewatch.errors import ExtractionError


def test_read_document_honours_euc_kr(data_bytes):
    text, lang = read_document(data_bytes("motie_article_euckr_synthetic.html"), "text/html", None)
    assert lang == "ko" and "대베트남 수출은 53억5000만 달러" in text


def test_read_document_header_charset_wins():
    html = "<html><body><p>Xuất khẩu của Việt Nam sang Hàn Quốc đạt 25,6 tỷ USD</p></body></html>".encode()
    text, lang = read_document(html, "text/html; charset=utf-8", None)
    assert lang == "vi" and "25,6 tỷ USD" in text


def test_read_document_garbled_html_does_not_crash():
    text, _ = read_document(b"<html><body><p>Korea's exports to Vietnam reached $5", "text/html", None)
    assert "Korea's exports" in text


def test_read_document_pdf_text_layer_and_scan():
    text, lang = read_document(
        make_pdf(["Korea's exports to Vietnam fell 7.9% to $53.5bn in 2023."]), "application/pdf", None
    )
    assert "53.5bn" in text and lang == "en"
    with pytest.raises(ExtractionError):
        read_document(make_blank_pdf(), "application/pdf", None)
