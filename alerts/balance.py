"""Trade-balance changes for a watched reporter–partner pair.

Three findings, each against the same source's own series:

* **sign flip**: a surplus became a deficit (or back) against the previous period;
* **year-on-year move**: against the same period a year earlier, beyond
  ``balance_move_pct`` % *and* at least ``balance_move_min_usd`` (both, so a
  doubling of a tiny balance is not news, nor a large swing on a huge one);
* **record**: the highest or lowest month in the series, only once the series has
  at least 24 earlier months (a record over six months means nothing).

A zero balance is neither surplus nor deficit: it flips nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from alerts.model import KIND_LABELS, Alert, country_name, fmt_pct, fmt_usd, possessive
from alerts.render import render_message
from tradewatch.model import CountryRegistry, Period

RECORD_MIN_HISTORY = 24


@dataclass(frozen=True)
class BalancePoint:
    period: Period
    value: int  # export - import, USD
    source: str
    maturity: str | None = None
    source_url: str | None = None
    snapshot_sha256: str | None = None
    exports: int | None = None
    imports: int | None = None


def _state(v: int) -> str | None:
    return "surplus" if v > 0 else "deficit" if v < 0 else None


def balance_alerts(
    reporter: str,
    partner: str,
    kind: str,
    current: BalancePoint,
    previous: BalancePoint | None,
    year_earlier: BalancePoint | None,
    history: Sequence[BalancePoint] = (),
    *,
    move_pct: float,
    move_min_usd: int,
    registry: CountryRegistry | None = None,
) -> list[Alert]:
    rep, par = country_name(reporter, registry), country_name(partner, registry)
    pair = f"{reporter}-{partner}"
    key_base = f"{pair}:{kind}:{current.period}"
    base = {
        "reporter_pos": possessive(rep),
        "partner_name": par,
        "period_label": str(current.period),
        "kind_label": KIND_LABELS.get(kind, kind),
        "maturity": current.maturity,
        "source": current.source,
        "source_url": current.source_url,
        "new_value": fmt_usd(current.value),
        "exports": fmt_usd(current.exports) if current.exports is not None else None,
        "imports": fmt_usd(current.imports) if current.imports is not None else None,
    }
    new_fig: dict[str, int | None] = {"balance": current.value}
    if current.exports is not None:
        new_fig.update(export=current.exports, **{"import": current.imports})

    def make(rule, severity, key, title, fields, previous_period, previous_figs) -> Alert:
        fields = {**base, **fields}
        return Alert(
            rule=rule,
            severity=severity,
            title=title,
            message=render_message(rule, **fields),
            dedup_key=key,
            reporter=reporter,
            partner=partner,
            flow="balance",
            period=str(current.period),
            maturity=current.maturity,
            figures=new_fig,
            previous=previous_figs,
            previous_period=previous_period,
            source=current.source,
            source_url=current.source_url,
            snapshot_sha256=current.snapshot_sha256,
            fields={k: v for k, v in fields.items() if v is None or isinstance(v, (str, int, float, bool))},
        )

    def figs(p: BalancePoint) -> dict:
        d: dict[str, int | None] = {"balance": p.value}
        if p.exports is not None:
            d.update(export=p.exports, **{"import": p.imports})
        return d

    alerts: list[Alert] = []
    new_state = _state(current.value)

    if previous is not None and new_state and _state(previous.value) and _state(previous.value) != new_state:
        old_state = _state(previous.value)
        alerts.append(
            make(
                "balance.sign",
                "warning",
                f"balance.sign:{key_base}:{new_state}",
                f"{possessive(rep)} trade with {par} turned to a {new_state} ({current.period}, {base['kind_label']})",
                {
                    "old_state": old_state,
                    "new_state": new_state,
                    "previous_label": str(previous.period),
                    "old_value": fmt_usd(previous.value),
                },
                str(previous.period),
                figs(previous),
            )
        )

    if year_earlier is not None and year_earlier.value != 0:
        diff = current.value - year_earlier.value
        pct = diff * 100.0 / abs(year_earlier.value)
        if abs(pct) > move_pct and abs(diff) >= move_min_usd:
            headline, direction = _move_words(rep, par, current.value, year_earlier.value)
            alerts.append(
                make(
                    "balance.yoy",
                    "warning" if abs(pct) >= 2 * move_pct else "info",
                    f"balance.yoy:{key_base}:{direction}",
                    f"{headline} {fmt_pct(abs(pct), signed=False)} year on year ({current.period}, {base['kind_label']})",
                    {
                        "headline": headline,
                        "pct": fmt_pct(abs(pct), signed=False),
                        "old_value": fmt_usd(year_earlier.value),
                        "year_earlier_label": str(year_earlier.period),
                        "change": ("+" if diff >= 0 else "-") + fmt_usd(abs(diff)),
                        "change_pct": round(pct, 2),
                    },
                    str(year_earlier.period),
                    figs(year_earlier),
                )
            )

    earlier = [h for h in history if h.period < current.period]
    if kind == "month" and len(earlier) >= RECORD_MIN_HISTORY:
        hi = max(earlier, key=lambda h: (h.value, h.period))
        lo = min(earlier, key=lambda h: (h.value, h.period))
        for which, beaten, record in (("high", current.value > hi.value, hi), ("low", current.value < lo.value, lo)):
            if not beaten:
                continue
            alerts.append(
                make(
                    "balance.record",
                    "info",
                    f"balance.record:{key_base}:{which}",
                    f"Record {which} in {possessive(rep)} trade balance with {par} ({current.period})",
                    {
                        "which": which,
                        "superlative": "highest" if which == "high" else "lowest",
                        "n_history": len(earlier),
                        "history_start": str(min(h.period for h in earlier)),
                        "old_value": fmt_usd(record.value),
                        "record_period": str(record.period),
                    },
                    str(record.period),
                    figs(record),
                )
            )
    return alerts


def _move_words(rep: str, par: str, new: int, old: int) -> tuple[str, str]:
    """("Korea's trade surplus with Vietnam fell", "down") and the like."""
    who = f"{possessive(rep)} trade"
    direction = "up" if new > old else "down"
    if new > 0 and old > 0:
        return f"{who} surplus with {par} {'rose' if new > old else 'fell'}", direction
    if new < 0 and old < 0:
        return f"{who} deficit with {par} {'narrowed' if new > old else 'widened'}", direction
    return f"{who} balance with {par} moved {'up' if new > old else 'down'}", direction
