"""Trade figures and partner ranks out of release prose (English, Vietnamese, Korean).

``extract(text, language, published)`` is a pure function of the text; the parsers of
the release sources (``motie``, ``vn_customs``, ``kita``, ``generic``) are pure
functions of bytes. Nothing here fetches.
"""

from __future__ import annotations

from scrapers.releases.document import read_document
from scrapers.releases.extract import Extraction, Skip, extract

__all__ = ["extract", "Extraction", "Skip", "to_json_lines", "read_document"]


def to_json_lines(extraction: Extraction) -> list[dict]:
    """The ARCHITECTURE.md JSON-lines form: figures first, then rank claims."""
    out: list[dict] = []
    for o in extraction.figures:
        out.append({
            "kind": "figure", "reporter": o.reporter, "partner": o.partner, "flow": o.flow.value,
            "period": str(o.period), "commodity": o.commodity, "value_usd": o.value_usd, "yoy_pct": o.yoy_pct,
            "quote": o.quote, "precision_usd": o.precision_usd, "approximate": o.approximate,
        })
    for r in extraction.ranks:
        out.append({
            "kind": "rank", "reporter": r.reporter, "partner": r.partner, "flow": r.flow.value,
            "period": str(r.period), "rank": r.rank, "quote": r.quote,
        })
    return out
