"""Revisions of already-published figures beyond ``revision_tolerance_pct``.

The store already treats a figure re-published within its rounding as unchanged,
so everything that reaches this rule is a real change of value; this rule keeps
the ones large enough to matter, for watched series only (a 40 % revision of a
country Korea trades $20,000 a month with is not news).
"""

from __future__ import annotations

from dataclasses import dataclass

from alerts.model import FLOW_NOUN, Alert, country_name, fmt_pct, fmt_usd, possessive
from alerts.render import render_message
from tradewatch.model import WORLD, CountryRegistry


@dataclass(frozen=True)
class RevisionFact:
    reporter: str
    partner: str
    flow: str
    period: str
    commodity: str
    source: str
    old_value: int
    new_value: int
    maturity: str | None = None
    source_url: str | None = None
    snapshot_sha256: str | None = None

    @property
    def change_pct(self) -> float | None:
        if self.old_value == 0:
            return None
        return (self.new_value - self.old_value) / abs(self.old_value) * 100.0


def revision_alerts(
    facts: list[RevisionFact],
    *,
    tolerance_pct: float,
    reporters: list[str],
    watched_partners: list[str],
    registry: CountryRegistry | None = None,
) -> list[Alert]:
    out = []
    for f in facts:
        if f.reporter not in reporters or (f.partner not in watched_partners and f.partner != WORLD):
            continue
        pct = f.change_pct
        if pct is not None and abs(pct) <= tolerance_pct:
            continue
        if pct is None and f.new_value == 0:
            continue
        rep = country_name(f.reporter, registry)
        par = None if f.partner == WORLD else country_name(f.partner, registry)
        fields = {
            "source": f.source,
            "reporter_pos": possessive(rep),
            "flow_noun": FLOW_NOUN.get(f.flow, f.flow),
            "partner_name": par,
            "commodity": f.commodity,
            "period_label": f.period,
            "pct": fmt_pct(pct) if pct is not None else "from zero",
            "new_value": fmt_usd(f.new_value),
            "old_value": fmt_usd(f.old_value),
            "maturity": f.maturity,
            "source_url": f.source_url,
        }
        what = f"{possessive(rep)} {FLOW_NOUN.get(f.flow, f.flow)}" + (f" with {par}" if par else " (world)")
        out.append(
            Alert(
                rule="revision",
                severity="warning",
                title=f"{f.source} revised {what} for {f.period} by {fields['pct']}",
                message=render_message("revision", **fields),
                dedup_key=f"revision:{f.source}:{f.reporter}:{f.partner}:{f.flow}:{f.period}:{f.commodity}:{f.new_value}"[
                    :255
                ],
                reporter=f.reporter,
                partner=f.partner,
                flow=f.flow,
                period=f.period,
                maturity=f.maturity,
                figures={"value": {"value_usd": f.new_value, "pct": round(pct, 2) if pct is not None else None}},
                previous={"value": f.old_value},
                previous_period=f.period,
                source=f.source,
                source_url=f.source_url,
                snapshot_sha256=f.snapshot_sha256,
                fields=fields,
            )
        )
    return out
