"""KITA K-stat country ranking (``/cstat/anal/AnaCtrRanks.screen``). Source id ``kita``.

KITA's real request and response format could not be verified (its country tables need
a KITA.net login and load by AJAX): the parser reads the documented layout — a table with
Korean headers in thousand USD — and any other layout raises ``LayoutChanged`` naming the
headers it found. An optional login session comes from ``TRADEWATCH_KITA_SESSION_COOKIE``.
"""

from __future__ import annotations

from datetime import date

from tradewatch.model import Period
from scrapers.archive import Snapshot
from scrapers.base import ParseResult, Source
from scrapers.http import Request

RANKS = "/cstat/anal/AnaCtrRanks.screen"


class Kita(Source):
    id = "kita"
    title = "KITA country ranking (unverified layout)"

    def windows(self, start: Period, end: Period) -> list[Period]:
        return [Period.year(y) for y in range(start.start.year, end.end.year + 1)]

    def nightly_range(self, today: date) -> tuple[Period, Period]:
        return Period.month(today.year - 1, 1), Period.month(today.year - 1, 12)

    def requests(self, window: Period) -> list[Request]:
        secret_headers = {}
        if self.settings.kita_session_cookie is not None:
            secret_headers["Cookie"] = self.settings.kita_session_cookie.get_secret_value()
        return [Request(source=self.id, url=self.base_url + RANKS, params={"year": str(window.start.year)},
                        secret_headers=secret_headers, label=str(Period.year(window.start.year)))]

    def parse(self, snap: Snapshot) -> ParseResult:
        from scrapers.releases import kita as k

        period = Period.parse(snap.label) if snap.label else None
        obs, claims = k.parse_rank_table(snap.body(), period, snap.full_url)
        from dataclasses import replace

        return ParseResult(
            observations=[replace(o, snapshot_sha256=snap.sha256) for o in obs],
            rank_claims=[replace(c, snapshot_sha256=snap.sha256) for c in claims],
        )


SOURCE = Kita
