"""Smoke test of the benchmark's KCS stand-in: one window, no latency, parsed by tradewatch."""

from __future__ import annotations

import httpx

from bench.kcs_server import KcsServer, partners
from scrapers.archive import Archive
from scrapers.http import Fetcher
from scrapers.kcs import KcsNationTrade
from tradewatch.config import load_settings
from tradewatch.model import WORLD, Period


def test_one_window_parses_every_partner_and_the_world(tmp_path):
    with KcsServer(latency=0) as srv:
        settings = load_settings(data_dir=tmp_path, kcs_base_url=srv.base_url, sources=["kcs"], hs_codes=[])
        src = KcsNationTrade(settings)
        window = Period.months("2010-01", "2010-12")
        with Fetcher(Archive(tmp_path / "archive"), max_retries=0) as fetcher:
            snaps = fetcher.fetch_many(src.requests(window))
        parsed = [src.parse(s) for s in snaps]
        # nationtrade: every partner x 12 months x 4 flows; Newtrade: the world x 12 x 4
        assert len(parsed[0].observations) == len(partners()) * 12 * 4
        assert len(parsed[1].observations) == 12 * 4
        assert {o.partner for o in parsed[1].observations} == {WORLD}
        # the world total is the sum of the partners, as the server computes it
        exp = sum(
            o.value_usd for o in parsed[0].observations if o.flow.value == "export" and str(o.period) == "2010-03"
        )
        world = next(o for o in parsed[1].observations if o.flow.value == "export" and str(o.period) == "2010-03")
        assert world.value_usd == exp
        # a 13-month window is the service's error 99, as KCS answers it
        r = httpx.get(
            f"{srv.base_url}/nationtrade/getNationtradeList", params={"strtYymm": "201001", "endYymm": "201101"}
        )
        assert r.status_code == 200 and "<resultCode>99</resultCode>" in r.text
        assert srv.requests == {"nationtrade": 2, "Newtrade": 1}
