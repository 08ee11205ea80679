"""Synthetic documents for the parser tests: a PDF with a text layer, a PDF without one, an XLSX sheet.

Built in the test, never shipped as fixtures: they imitate the by-partner tables Vietnam
customs publishes (PDF with a text layer, Excel) and a scanned PDF.
"""

from __future__ import annotations

import io


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a real text layer (TrueType text, so pdfplumber reads Vietnamese)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = plt.figure(figsize=(8.27, 11.69))
        for i, line in enumerate(lines):
            fig.text(0.04, 0.95 - 0.025 * i, line, family="DejaVu Sans", fontsize=9)
        buf = io.BytesIO()
        fig.savefig(buf, format="pdf")
        plt.close(fig)
    return buf.getvalue()


def make_blank_pdf() -> bytes:
    """A PDF with a page and no text at all (what a scan without OCR looks like to pdfplumber)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(2, 2))
    fig.add_artist(plt.Line2D([0.1, 0.9], [0.1, 0.9]))
    buf = io.BytesIO()
    fig.savefig(buf, format="pdf")
    plt.close(fig)
    return buf.getvalue()


def make_xlsx(rows: list[list]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
