"""The prose extractor: trade figures and partner ranks out of release text (English, Vietnamese, Korean).

``extract(text, language, published)`` is a pure function of the text: amounts
(``numbers``), periods (``periods``), countries, flows and agencies (``mentions``),
rank claims (``ranks``), one sentence's figures (``figures``), the vocabulary
(``terms``, from ``terms.toml``) and the annotated-set scorer (``score``). The release
sources (``scrapers.motie``, ``scrapers.releases``...) turn bytes into text with
``scrapers.document`` and hand it here; ``tradewatch extract`` does the same. Nothing
here fetches or reads bytes.
"""

from __future__ import annotations

from scrapers.prose.extract import Extraction, Skip, extract

__all__ = ["Extraction", "Skip", "extract", "to_json_lines"]


def to_json_lines(extraction: Extraction) -> list[dict]:
    """The ARCHITECTURE.md JSON-lines form: figures first, then rank claims."""
    out: list[dict] = []
    for o in extraction.figures:
        out.append(
            {
                "kind": "figure",
                "reporter": o.reporter,
                "partner": o.partner,
                "flow": o.flow.value,
                "period": str(o.period),
                "commodity": o.commodity,
                "value_usd": o.value_usd,
                "yoy_pct": o.yoy_pct,
                "quote": o.quote,
                "precision_usd": o.precision_usd,
                "approximate": o.approximate,
            }
        )
    for r in extraction.ranks:
        line = {
            "kind": "rank",
            "reporter": r.reporter,
            "partner": r.partner,
            "flow": r.flow.value,
            "period": str(r.period),
            "rank": r.rank,
            "quote": r.quote,
        }
        if r.basis:  # a balance ranking: of surpluses or of deficits
            line["basis"] = r.basis
        out.append(line)
    return out
