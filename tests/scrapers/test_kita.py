"""KITA's K-stat ranking table (scrapers.kita), from bytes in the documented layout."""

from __future__ import annotations

import pytest

import scrapers.kita as kita
from tradewatch.errors import LayoutChanged
from tradewatch.model import Flow, Period


def test_kita_rank_table(data_bytes):
    obs, ranks = kita.parse_rank_table(
        data_bytes("kita_ranks_euckr_synthetic.html"), Period.year(2023), "https://stat.kita.net/x"
    )
    got = {(o.partner, o.flow): o.value_usd for o in obs}
    assert got[("VNM", Flow.EXPORT)] == 53_490_011_000 and got[("VNM", Flow.TOTAL)] == 79_430_216_000
    assert got[("CHN", Flow.BALANCE)] == -18_039_738_000
    assert all(o.reporter == "KOR" and o.precision_usd == 1000 for o in obs)
    assert not any(p == "ASN" for p, _ in got)
    assert {(r.partner, r.rank, r.flow) for r in ranks} == {
        ("CHN", 1, Flow.TOTAL),
        ("USA", 2, Flow.TOTAL),
        ("VNM", 3, Flow.TOTAL),
        ("JPN", 4, Flow.TOTAL),
    }


def test_kita_unknown_layout_names_headers():
    html = "<table><tr><th>국가명</th><th>수출금액</th><th>환율</th></tr><tr><td>베트남</td><td>1</td><td>2</td></tr></table>".encode()
    with pytest.raises(LayoutChanged) as e:
        kita.parse_rank_table(html, Period.year(2023))
    assert "환율" in str(e.value)


def test_kita_unsorted_table_makes_no_rank_claims():
    html = (
        "<table><tr><th>순위</th><th>국가명</th><th>수출금액</th></tr>"
        "<tr><td>1</td><td>베트남</td><td>10</td></tr><tr><td>2</td><td>일본</td><td>20</td></tr></table>"
    ).encode()
    obs, ranks = kita.parse_rank_table(html, Period.year(2023))
    assert len(obs) == 2 and ranks == []
