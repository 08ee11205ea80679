"""Partner-ranking changes: overtakes, watched partners' ranks, entries to and exits from the top N.

A pure function of two rankings of the same reporter, flow and period kind, from
the same source: the period just stored and the previous comparable one.

* month → the previous month;
* year to date (Jan..M of the newest year, 2 ≤ M ≤ 11) → Jan..M-1 of the same
  year. Not the same months a year earlier: the news is that the cumulative order
  changed *this month*; against last year the same finding would repeat every
  month until December, each time under a new period;
* year (complete years only) → the previous year.

Aggregates never rank (``rank_partners`` drops them). Ties share a rank. A
partner with no figure in a period is *not ranked* there, and the message says
so. An overtake needs both partners ranked in both periods: one pulling strictly
ahead of the other, from behind (overtook) or from a tie (moved ahead of). A
move into a tie is not an overtake. A partner in an overtake gets no separate
rank-change alert, and a watched partner crossing the top-N line gets the top-N
alert instead, so that one event is one alert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alerts.model import (
    FLOW_NOUN,
    FLOW_PARTNER,
    KIND_LABELS,
    Alert,
    country_name,
    fmt_usd,
    possessive,
)
from alerts.render import render_message
from tradewatch.model import CountryRegistry, Period, countries, rank_partners


@dataclass(frozen=True)
class RankedPeriod:
    """The all-partner figures of one period from one source, with their provenance."""

    period: Period
    kind: str  # month | ytd | year
    source: str
    values: dict[str, int]
    maturity: str | None = None
    source_url: str | None = None
    snapshot_sha256: str | None = None
    urls: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # partner → (url, sha)

    def ranks(self, registry: CountryRegistry) -> dict[str, tuple[int, int]]:
        return {p: (r, v) for r, p, v in rank_partners(self.values, registry=registry)}

    def provenance(self, partner: str) -> tuple[str | None, str | None]:
        return self.urls.get(partner) or (self.source_url, self.snapshot_sha256)


def period_label(p: Period) -> str:
    return str(p)


def ranking_alerts(
    reporter: str,
    flow: str,
    current: RankedPeriod,
    previous: RankedPeriod,
    *,
    watched: list[str],
    overtake_pairs: list[tuple[str, str]],
    top_n: int,
    registry: CountryRegistry | None = None,
) -> list[Alert]:
    reg = registry or countries()
    cur, prev = current.ranks(reg), previous.ranks(reg)
    if not cur or not prev:
        return []
    name = lambda c: country_name(c, reg)  # noqa: E731
    rep_name = name(reporter)
    base = {
        "reporter": rep_name,
        "reporter_pos": possessive(rep_name),
        "flow_partner": FLOW_PARTNER.get(flow, "partner"),
        "flow_partners": FLOW_PARTNER.get(flow, "partner") + "s",
        "flow_noun": FLOW_NOUN.get(flow, flow),
        "period": str(current.period),
        "period_label": period_label(current.period),
        "kind_label": KIND_LABELS.get(current.kind, current.kind),
        "maturity": current.maturity,
        "previous_label": period_label(previous.period),
        "source": current.source,
        "source_url": current.source_url,
    }
    key_base = f"{reporter}:{flow}:{current.kind}:{current.period}"
    alerts: list[Alert] = []

    def make(
        rule: str,
        severity: str,
        key: str,
        title: str,
        fields: dict,
        partner: str | None,
        figures: dict,
        previous_figs: dict,
    ) -> Alert:
        url, sha = current.provenance(partner) if partner else (current.source_url, current.snapshot_sha256)
        fields = {**base, "source_url": url, **fields}
        return Alert(
            rule=rule,
            severity=severity,
            title=title,
            message=render_message(rule, **fields),
            dedup_key=key,
            reporter=reporter,
            partner=partner,
            flow=flow,
            period=str(current.period),
            maturity=current.maturity,
            figures=figures,
            previous=previous_figs,
            previous_period=str(previous.period),
            source=current.source,
            source_url=url,
            snapshot_sha256=sha,
            fields={k: v for k, v in fields.items() if _jsonable(v)},
        )

    def fig(ranks: dict, p: str) -> dict:
        r = ranks.get(p)
        return {"rank": r[0], "value_usd": r[1]} if r else {"rank": None, "value_usd": None}

    # --- overtakes ---------------------------------------------------------------------------
    involved: set[str] = set()
    for a, b in overtake_pairs:
        if a == reporter or b == reporter:
            continue
        if not (a in cur and b in cur and a in prev and b in prev):
            continue  # a partner not ranked in one of the periods: its rank alert says so
        now = _order(cur[a][0], cur[b][0])
        before = _order(prev[a][0], prev[b][0])
        if now == 0 or now == before:
            continue
        leader, trailer = (a, b) if now > 0 else (b, a)
        involved |= {a, b}
        order = sorted((leader, trailer), key=lambda p: (prev[p][0], p))
        fields: dict[str, Any] = {
            "leader": name(leader),
            "trailer": name(trailer),
            "verb": "overtook" if before != 0 else "moved ahead of",
            "leader_rank": cur[leader][0],
            "trailer_rank": cur[trailer][0],
            "leader_value": fmt_usd(cur[leader][1]),
            "trailer_value": fmt_usd(cur[trailer][1]),
            "previous_order": [{"name": name(p), "rank": prev[p][0], "value": fmt_usd(prev[p][1])} for p in order],
        }
        title = (
            f"{name(leader)} {fields['verb']} {name(trailer)} as {possessive(rep_name)} "
            f"#{cur[leader][0]} {base['flow_partner']} ({current.period}, {base['kind_label']})"
        )
        alerts.append(
            make(
                "ranking.overtake",
                "warning",
                f"ranking.overtake:{key_base}:{leader}>{trailer}",
                title,
                fields,
                leader,
                {leader: fig(cur, leader), trailer: fig(cur, trailer)},
                {leader: fig(prev, leader), trailer: fig(prev, trailer)},
            )
        )

    # --- top N ---------------------------------------------------------------------------------
    in_now = {p for p, (r, _) in cur.items() if r <= top_n}
    in_before = {p for p, (r, _) in prev.items() if r <= top_n}
    crossed: set[str] = set()
    for p in sorted(in_now ^ in_before, key=lambda p: ((cur.get(p) or prev[p])[0], p)):
        entered = p in in_now
        crossed.add(p)
        new, old = cur.get(p), prev.get(p)
        fields = {
            "partner_name": name(p),
            "entered": entered,
            "top_n": top_n,
            "new_rank": new[0] if new else None,
            "new_value": fmt_usd(new[1]) if new else None,
            "old_rank": old[0] if old else None,
            "old_value": fmt_usd(old[1]) if old else None,
        }
        title = (
            f"{name(p)} {'entered' if entered else 'left'} the top {top_n} of {possessive(rep_name)} "
            f"{base['flow_partners']} ({current.period}, {base['kind_label']})"
        )
        alerts.append(
            make(
                "ranking.top_n",
                "info",
                f"ranking.top{top_n}:{key_base}:{p}:{'in' if entered else 'out'}",
                title,
                fields,
                p,
                {p: fig(cur, p)},
                {p: fig(prev, p)},
            )
        )

    # --- watched partners' ranks ------------------------------------------------------------
    for p in watched:
        if p == reporter or p in involved or p in crossed:
            continue
        new, old = cur.get(p), prev.get(p)
        if new is None and old is None:
            continue
        if new and old and new[0] == old[0]:
            continue
        tied = sorted(q for q, (r, _) in cur.items() if new and q != p and r == new[0])
        move = "is now" if old is None else ("rose to" if new[0] < old[0] else "fell to") if new else ""
        fields = {
            "partner_name": name(p),
            "move": move,
            "new_rank": new[0] if new else None,
            "new_value": fmt_usd(new[1]) if new else None,
            "old_rank": old[0] if old else None,
            "old_value": fmt_usd(old[1]) if old else None,
            "tied_with": ", ".join(name(q) for q in tied) or None,
        }
        state = f"#{new[0]}" if new else "unranked"
        if new is None:
            title = f"{name(p)} not ranked among {possessive(rep_name)} {base['flow_partners']} ({current.period}, {base['kind_label']})"
        else:
            title = f"{name(p)} {move} #{new[0]} among {possessive(rep_name)} {base['flow_partners']} ({current.period}, {base['kind_label']})"
        alerts.append(
            make(
                "ranking.rank",
                "info",
                f"ranking.rank:{key_base}:{p}:{state}",
                title,
                fields,
                p,
                {p: fig(cur, p)},
                {p: fig(prev, p)},
            )
        )
    return alerts


def _order(rank_a: int, rank_b: int) -> int:
    """+1 when a is ahead of b (a smaller rank), -1 when behind, 0 when tied."""
    return (rank_a < rank_b) - (rank_a > rank_b)


def _jsonable(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool, list, dict))
