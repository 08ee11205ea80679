"""The customs 10-day and 20-day preliminaries (scrapers.kcs_releases), from the board's patterns."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl

import pytest

import scrapers.kcs_releases as kr
from scrapers import get_source
from tests.fixtures.scripted import scripted_server
from tradewatch.config import load_settings
from tradewatch.errors import LayoutChanged
from tradewatch.model import Flow, Period, PeriodKind

LIST = "https://www.customs.go.kr/kcs/na/ntt/selectNttList.do?mi=2891&bbsId=1362"


@pytest.mark.parametrize(
    "title, period, maturity",
    [
        ("2026년 8월 1일 ~ 8월 10일 수출입 현황 [잠정치]", "2026-08-01..2026-08-10", "provisional"),
        ("2026년 8월 1일~20일 수출입 현황 [잠정치]", "2026-08-01..2026-08-20", "provisional"),
        ("2026년 6월 월간 수출입 현황 [확정치]", "2026-06", "final"),
    ],
)
def test_titles_state_their_periods(title, period, maturity):
    assert kr.title_period(title) == (Period.parse(period), maturity)
    assert kr.is_trade_release(title)


def test_other_titles_are_not_releases():
    assert not kr.is_trade_release("관세청, 여름 휴가철 여행자 휴대품 집중 단속")
    assert kr.title_period("2026년 2월 1일 ~ 2월 30일 수출입 현황") is None  # no such day


def test_board_rows(data_bytes):
    items = kr.parse_listing(data_bytes("kcs_releases_board_synthetic.html"), LIST)
    assert [i.url.rsplit("nttSn=", 1)[1] for i in items] == ["10170123", "10170101", "10169987", "10169950"]
    assert items[0].url == "https://www.customs.go.kr/kcs/na/ntt/selectNttInfo.do?mi=2891&bbsId=1362&nttSn=10170123"
    assert kr.parse_listing(data_bytes("kcs_releases_board_synthetic.html"), LIST.split("?")[0])[0].url == items[0].url
    assert items[0].title == "2026년 8월 1일 ~ 8월 10일 수출입 현황 [잠정치]" and items[0].published == date(
        2026, 8, 11
    )
    assert [kr.is_trade_release(i.title) for i in items] == [True, False, True, True]


def test_a_board_without_release_rows_is_a_layout_change():
    with pytest.raises(LayoutChanged) as e:
        kr.parse_listing(b'<html><body><a href="/x">x</a></body></html>', LIST)
    assert "nttInfoBtn" in str(e.value)


def test_board_to_provisional_figures(fetcher, data_bytes):
    board = data_bytes("kcs_releases_board_synthetic.html")
    article = data_bytes("kcs_releases_article_synthetic.html")
    html = {"Content-Type": "text/html; charset=UTF-8"}
    with scripted_server() as srv:
        srv.on(kr.BOARD, {"body": board, "headers": html})
        srv.on(kr.DETAIL, {"body": article, "headers": html})
        src = get_source("kcs_releases", load_settings(kcs_releases_base_url=srv.url))
        (window,) = src.windows(Period.parse("2026-08"), Period.parse("2026-08"))
        snaps = src.collect(fetcher, window)
        # published in August: the 1~10 release and July's final month (the 1~20 of July is outside the window)
        assert [s.label for s in snaps] == ["article", "article"]
        asked = sorted(tuple(sorted(parse_qsl(r["query"]))) for r in srv.requests if r["path"] == kr.DETAIL)
        assert asked == [(("bbsId", "1362"), ("mi", "2891"), ("nttSn", n)) for n in ("10169987", "10170123")]
        result = src.parse(snaps[0])
    got = {(o.partner, o.flow, str(o.period)): o for o in result.observations}
    assert set(got) == {("WLD", Flow.EXPORT, "2026-08-01..2026-08-10"), ("VNM", Flow.EXPORT, "2026-08-01..2026-08-10")}
    vnm = got[("VNM", Flow.EXPORT, "2026-08-01..2026-08-10")]
    assert vnm.value_usd == 1_800_000_000 and vnm.reporter == "KOR" and vnm.maturity == "provisional"
    assert vnm.source == "releases:kcs_releases" and vnm.period.kind is PeriodKind.DAYS
    # the month's figure in the body is not this release's: left out, never stored as the 10-day figure
    assert any("2026-07 is not the release's 2026-08-01..2026-08-10" in n for n in result.notes)
    # a provisional range and the month are different series: never compared as one
    assert vnm.key != vnm.__class__(**{**_fields(vnm), "period": Period.parse("2026-08")}).key


def _fields(o):
    return {f: getattr(o, f) for f in o.__slots__}
