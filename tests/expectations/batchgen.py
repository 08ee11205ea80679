"""Realistic KCS-like batches for the validation tests.

Every partner of the country registry (up to ``n_partners``, the watched ones always
included) trades with a size drawn once per partner, a seasonal pattern, a trend and
noise: what KCS nationtrade returns for Korea, month by month, as export, import and
balance (balance = export − import, exactly, as in the real API).
"""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date

from tradewatch.model import Flow, Observation, Period, countries

HISTORY = ("2022-11", "2025-10")  # stored before the validation tests (three years: 24 year-on-year changes)
TODAY = date(2026, 11, 20)  # KCS has published October 2026 by then

BIG = {
    "CHN": 11e9,
    "USA": 10e9,
    "VNM": 5.2e9,
    "JPN": 2.6e9,
    "HKG": 3.0e9,
    "TWN": 2.4e9,
    "IND": 1.6e9,
    "SGP": 1.4e9,
    "AUS": 0.8e9,
    "DEU": 0.9e9,
}


def partners(n: int = 230, reporter: str = "KOR") -> list[str]:
    reg = countries()
    watched = [p for p in BIG if p != reporter]
    rest = sorted(c.alpha3 for c in reg if not c.aggregate and c.alpha3 not in watched and c.alpha3 != reporter)
    return watched + rest[: max(0, n - len(watched))]


def months(first: str, last: str) -> list[Period]:
    return Period.months(first, last).month_list()


class Economy:
    """Deterministic values per (partner, flow, month): the same call gives the same figure."""

    def __init__(self, seed: int = 7, n_partners: int = 230, reporter: str = "KOR"):
        self.reporter = reporter
        self.partners = partners(n_partners, reporter)
        rnd = random.Random(seed)
        self.scale: dict[tuple[str, str], float] = {}
        self.noise: dict[tuple[str, str], float] = {}
        for p in self.partners:
            base = BIG.get(p) or 10 ** rnd.uniform(4.0, 8.7)
            self.scale[(p, "export")] = base
            self.scale[(p, "import")] = base * rnd.uniform(0.3, 1.4)
            for f in ("export", "import"):
                sc = self.scale[(p, f)]
                self.noise[(p, f)] = 0.06 if sc >= 2e8 else 0.2 if sc >= 3e7 else 0.35
        self.seed = seed

    def value(self, partner: str, flow: str, month: Period) -> int:
        rnd = random.Random(f"{self.seed}|{partner}|{flow}|{month}")
        t = (month.start.year - 2020) + (month.start.month - 1) / 12
        season = 1 + 0.10 * math.sin(2 * math.pi * (month.start.month - 2) / 12)
        v = self.scale[(partner, flow)] * season * (1.03**t) * math.exp(rnd.gauss(0, self.noise[(partner, flow)]))
        return int(round(v))

    def observations(
        self, month_list: list[Period], *, source: str = "kcs", with_total: bool = False
    ) -> list[Observation]:
        out = []
        for m in month_list:
            for p in self.partners:
                e, i = self.value(p, "export", m), self.value(p, "import", m)
                figures = [(Flow.EXPORT, e), (Flow.IMPORT, i), (Flow.BALANCE, e - i)]
                if with_total:
                    figures.append((Flow.TOTAL, e + i))
                for flow, v in figures:
                    out.append(Observation(self.reporter, p, flow, m, v, source, maturity="provisional"))
        return out


def replace_value(obs: list[Observation], partner: str, flow: str, period: str, new_value: int) -> list[Observation]:
    """The batch with one figure changed (and its balance kept consistent if asked by the caller)."""
    out, hit = [], False
    for o in obs:
        if o.partner == partner and o.flow.value == flow and str(o.period) == period:
            o = replace(o, value_usd=new_value)
            hit = True
        out.append(o)
    assert hit, f"no {partner} {flow} {period} in the batch"
    return out


def value_of(obs: list[Observation], partner: str, flow: str, period: str) -> int:
    for o in obs:
        if o.partner == partner and o.flow.value == flow and str(o.period) == period:
            return o.value_usd
    raise KeyError((partner, flow, period))


def set_export(obs: list[Observation], partner: str, period: str, new_export: int) -> list[Observation]:
    """Change one export figure and its balance together (the identity still holds)."""
    imp = value_of(obs, partner, "import", period)
    obs = replace_value(obs, partner, "export", period, new_export)
    return replace_value(obs, partner, "balance", period, new_export - imp)
