"""Progress of Korea–Vietnam total trade toward the USD 150 bn target by 2030.

Reported once a year, when the year's figure is complete (a stored annual figure
or all 12 months from one source). The message gives the share of the target
reached and the yearly growth still needed (compound, over the years left).
"""

from __future__ import annotations

from alerts.model import Alert, country_name, fmt_pct, fmt_usd
from alerts.render import render_message
from tradewatch.model import CountryRegistry


def target_alert(
    reporter: str,
    partner: str,
    year: int,
    total_usd: int,
    *,
    target_usd: int,
    target_year: int,
    previous_total_usd: int | None = None,
    maturity: str | None = None,
    source: str | None = None,
    source_url: str | None = None,
    snapshot_sha256: str | None = None,
    registry: CountryRegistry | None = None,
) -> Alert | None:
    if year > target_year or total_usd <= 0 or target_usd <= 0:
        return None
    years_left = target_year - year
    share = total_usd / target_usd * 100.0
    required = ((target_usd / total_usd) ** (1 / years_left) - 1) * 100.0 if years_left > 0 else None
    growth = (total_usd - previous_total_usd) / previous_total_usd * 100.0 if previous_total_usd else None
    rep, par = country_name(reporter, registry), country_name(partner, registry)
    fields = {
        "reporter_name": rep,
        "partner_name": par,
        "year": year,
        "total": fmt_usd(total_usd),
        "share": fmt_pct(share, signed=False),
        "target": fmt_usd(target_usd),
        "target_year": target_year,
        "growth": fmt_pct(growth) if growth is not None else None,
        "prev_year": year - 1,
        "years_left": years_left,
        "required": fmt_pct(required) if required is not None else None,
        "met": total_usd >= target_usd,
        "shortfall": fmt_usd(max(0, target_usd - total_usd)),
        "maturity": maturity,
        "source": source,
        "source_url": source_url,
    }
    return Alert(
        rule="target.progress",
        severity="info",
        title=f"{rep}–{par} trade {year}: {fmt_usd(total_usd)}, {fields['share']} of the {fmt_usd(target_usd)} target for {target_year}",
        message=render_message("target.progress", **fields),
        dedup_key=f"target.progress:{reporter}-{partner}:total:{year}",
        reporter=reporter,
        partner=partner,
        flow="total",
        period=str(year),
        maturity=maturity,
        figures={"total": total_usd, "target": target_usd},
        previous={"total": previous_total_usd} if previous_total_usd else {},
        previous_period=str(year - 1) if previous_total_usd else None,
        source=source,
        source_url=source_url,
        snapshot_sha256=snapshot_sha256,
        fields=fields,
    )
