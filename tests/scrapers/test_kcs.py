"""The KCS source: query rules, requests, and the parse of real and generated responses."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from scrapers.archive import Archive
from scrapers.http import Fetcher, Request
from scrapers.kcs import KcsNationTrade, KcsQuery, maturity_for
from tests.fixtures.kcs_server import archive_server, gateway_xml
from tests.scrapers.conftest import KCS, KST, data
from tradewatch.errors import (
    FetchError,
    GatewayError,
    LayoutChanged,
    ParseError,
    QueryError,
    ServiceError,
    UnknownCountry,
    UnsafeXML,
)
from tradewatch.model import Flow, Period
from tradewatch.samples import NIGHT1, NIGHT2, SAMPLE_ARCHIVE

NATION = f"{KCS}/nationtrade/getNationtradeList"
NITEM = f"{KCS}/nitemtrade/getNitemtradeList"
NEW = f"{KCS}/Newtrade/getNewtradeList"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response><header><resultCode>00</resultCode><resultMsg>정상서비스.</resultMsg></header><body><items>'
TAIL = "</items></body></response>"


def nation_item(cd="VN", name="베트남", year="2026.01", exp=5_000_000_000, imp=2_000_000_000, bal=None, rename=None):
    fields = {
        "balPayments": exp - imp if bal is None else bal,
        "expCnt": 1000,
        "expDlr": exp,
        "impCnt": 2000,
        "impDlr": imp,
        "statCd": cd,
        "statCdCntnKor1": name,
        "year": year,
    }
    if rename:
        old, new = rename
        fields[new] = fields.pop(old)
    return "<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in sorted(fields.items())) + "</item>"


def doc(*items: str) -> bytes:
    return (HEAD + "".join(items) + TAIL).encode("utf-8")


@pytest.fixture
def kcs(settings):
    return KcsNationTrade(settings)


def by_key(obs):
    return {(o.partner, o.flow, str(o.period), o.commodity): o.value_usd for o in obs}


# --- the real recorded responses -------------------------------------------------------


def test_real_us_rows_parse_to_exact_usd(kcs, make_snap):
    snap = make_snap(
        data("kcs_nationtrade_US_202601-03.xml"), params={"strtYymm": "202601", "endYymm": "202603", "cntyCd": "US"}
    )
    result = kcs.parse(snap)
    assert len(result.observations) == 12 and not result.published_nothing
    v = by_key(result.observations)
    assert v[("USA", Flow.EXPORT, "2026-01", "TOTAL")] == 12006733027
    assert v[("USA", Flow.IMPORT, "2026-02", "TOTAL")] == 5759988642
    assert v[("USA", Flow.BALANCE, "2026-03", "TOTAL")] == 9183418291
    assert v[("USA", Flow.TOTAL, "2026-03", "TOTAL")] == 16420151742 + 7236733451
    o = result.observations[0]
    assert o.reporter == "KOR" and o.source == "kcs" and o.precision_usd == 1
    assert o.snapshot_sha256 == snap.sha256
    assert o.source_url == snap.full_url and "serviceKey" not in o.source_url and "cntyCd=US" in o.source_url
    assert o.maturity == "provisional"  # fetched 2026-10-16: 2026-01 is within the last 12 months


def test_maturity_rule():
    fetched = datetime(2026, 10, 16, 3, 0, tzinfo=KST)
    assert maturity_for(Period.parse("2026-09"), fetched) == "provisional"
    assert maturity_for(Period.parse("2025-10"), fetched) == "provisional"
    assert maturity_for(Period.parse("2025-09"), fetched) == "final"
    assert maturity_for(Period.parse("2019-01"), fetched) == "final"


def test_real_nitemtrade_rows_are_summed_to_the_requested_code_and_the_total_row_is_left_out(kcs, make_snap):
    snap = make_snap(
        data("kcs_nitemtrade_CN_8542_excerpt.xml"),
        url=NITEM,
        params={"strtYymm": "202601", "endYymm": "202606", "cntyCd": "CN", "hsSgn": "8542"},
    )
    result = kcs.parse(snap)
    v = by_key(result.observations)
    assert set(v) == {("CHN", f, "2026-01", "8542") for f in Flow}
    assert v[("CHN", Flow.EXPORT, "2026-01", "8542")] == 915255303 + 4934026496 + 645873
    assert v[("CHN", Flow.IMPORT, "2026-01", "8542")] == 177345167 + 2026883877 + 5767244
    # the 총계 row (53.2 bn) never becomes a figure
    assert all(o.value_usd < 53169766562 for o in result.observations)


def test_generated_item_rows_with_total_first_and_ten_digit_codes(kcs, make_snap):
    snap = make_snap(
        data("kcs_nitemtrade_VN_8542_10digit_generated.xml"),
        url=NITEM,
        params={"strtYymm": "202601", "endYymm": "202602", "cntyCd": "VN", "hsSgn": "8542"},
    )
    v = by_key(kcs.parse(snap).observations)
    assert v[("VNM", Flow.EXPORT, "2026-01", "8542")] == 120_000_000 + 80_000_000 + 2_500_000_000 + 15_000_000
    assert v[("VNM", Flow.IMPORT, "2026-01", "8542")] == 30_000_000 + 10_000_000 + 900_000_000 + 40_000_000
    assert v[("VNM", Flow.BALANCE, "2026-02", "8542")] == 2_400_000_000 - 950_000_000
    assert len(v) == 8


def test_item_row_outside_the_requested_code_is_a_layout_change(kcs, make_snap):
    body = data("kcs_nitemtrade_CN_8542_excerpt.xml").replace(b"<hsCd>854233</hsCd>", b"<hsCd>850440</hsCd>")
    snap = make_snap(
        body, url=NITEM, params={"strtYymm": "202601", "endYymm": "202606", "cntyCd": "CN", "hsSgn": "8542"}
    )
    with pytest.raises(LayoutChanged, match="850440"):
        kcs.parse(snap)


def test_all_partner_month(kcs, make_snap):
    snap = make_snap(
        data("kcs_nationtrade_all_202609_generated.xml"), params={"strtYymm": "202609", "endYymm": "202609"}
    )
    result = kcs.parse(snap)
    partners = {o.partner for o in result.observations}
    assert len(partners) >= 200
    assert {"VNM", "CHN", "USA", "JPN"} <= partners and "WLD" not in partners
    assert len(result.observations) == 4 * len(partners)
    assert any("2026-09: " in n and "partners" in n for n in result.notes)


def test_newtrade_world_total_skips_the_total_row(kcs, make_snap):
    snap = make_snap(data("kcs_newtrade_202601-03_generated.xml"), url=NEW)
    obs = kcs.parse(snap).observations
    assert {o.partner for o in obs} == {"WLD"}
    assert sorted({str(o.period) for o in obs}) == ["2026-01", "2026-02", "2026-03"]
    assert len(obs) == 12


def test_empty_items_means_not_published(kcs, make_snap):
    result = kcs.parse(make_snap(data("kcs_empty_items.xml")))
    assert result.published_nothing and result.observations == []


def test_a_response_with_only_the_total_row_has_nothing_published(kcs, make_snap):
    body = data("kcs_nitemtrade_CN_8542_excerpt.xml")
    total = body[body.rindex(b"<item>") : body.rindex(b"</items>")]
    snap = make_snap(
        HEAD.encode() + total + TAIL.encode(),
        url=NITEM,
        params={"strtYymm": "202601", "endYymm": "202606", "cntyCd": "CN", "hsSgn": "8542"},
    )
    result = kcs.parse(snap)
    assert result.published_nothing and not result.observations


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, status, code, words",
    [
        ("datagokr_gateway_error_30.xml", 403, "30", "not registered for this API"),
        ("datagokr_gateway_error_12.xml", 400, "12", "no such OpenAPI service"),
        ("datagokr_gateway_error_04_type_json.json", 200, "04", "_type=json"),
    ],
)
def test_real_gateway_errors(kcs, make_snap, name, status, code, words):
    with pytest.raises(GatewayError) as ei:
        kcs.parse(make_snap(data(name), status=status))
    assert ei.value.code == code and words in str(ei.value)
    assert ei.value.url and "nationtrade" in ei.value.url


@pytest.mark.parametrize(
    "code, err, status, words",
    [
        ("20", "SERVICE_KEY_IS_NULL", 401, "key is missing"),
        ("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR", 429, "daily request quota"),
        ("31", "DEADLINE_HAS_EXPIRED_ERROR", 403, "expired"),
        ("32", "UNREGISTERED_IP_ERROR", 403, "IP address"),
        ("10", "INVALID_REQUEST_PARAMETER_ERROR", 400, "invalid request parameter"),
        ("99", "UNKNOWN_ERROR", 500, "unknown gateway error"),
    ],
)
def test_each_gateway_code_is_explained(kcs, make_snap, code, err, status, words):
    with pytest.raises(GatewayError) as ei:
        kcs.parse(make_snap(gateway_xml(code, err, "msg"), status=status))
    assert ei.value.code == code and ei.value.err_msg == err and words in str(ei.value)


def test_service_error_carries_the_korean_message_and_tolerates_no_body(kcs, make_snap):
    with pytest.raises(ServiceError) as ei:
        kcs.parse(make_snap(data("kcs_service_error_99_period.xml")))
    assert ei.value.code == "99"
    assert ei.value.result_msg == "시작과 종료의 조회기간은 1년이내 기간만 가능합니다."
    assert "1년이내" in str(ei.value)


def test_unknown_country_code_is_named(kcs, make_snap):
    snap = make_snap(doc(nation_item(), nation_item(cd="QQ", name="없는나라")))
    with pytest.raises(UnknownCountry) as ei:
        kcs.parse(snap)
    assert "'QQ'" in str(ei.value) and snap.full_url in str(ei.value) and "row 2" in str(ei.value)


def test_renamed_element_names_missing_and_found(kcs, make_snap):
    with pytest.raises(LayoutChanged) as ei:
        kcs.parse(make_snap(doc(nation_item(rename=("expDlr", "expUsd")))))
    assert ei.value.missing == ["expDlr"] and ei.value.found == ["expUsd"]


def test_balance_mismatch_names_the_row(kcs, make_snap):
    with pytest.raises(LayoutChanged) as ei:
        kcs.parse(make_snap(doc(nation_item(), nation_item(cd="JP", name="일본", bal=123))))
    assert "row 2" in str(ei.value) and "'JP'" in str(ei.value) and "balPayments 123" in str(ei.value)


def test_html_page_with_200_is_a_layout_change(kcs, make_snap):
    html = b"<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Service unavailable</h1></body></html>"
    with pytest.raises(LayoutChanged) as ei:
        kcs.parse(make_snap(html))
    assert "HTML" in str(ei.value) and ei.value.found == ["html"]


def test_html_page_with_500_is_a_fetch_error(kcs, make_snap):
    with pytest.raises(FetchError) as ei:
        kcs.parse(make_snap(b"<html><body>Internal error</body></html>", status=502))
    assert ei.value.status == 502


def test_unexpected_root_is_a_layout_change(kcs, make_snap):
    with pytest.raises(LayoutChanged, match="<result>"):
        kcs.parse(make_snap(b'<?xml version="1.0"?><result><code>00</code></result>'))


def test_success_without_body_is_a_layout_change(kcs, make_snap):
    body = b'<?xml version="1.0"?><response><header><resultCode>00</resultCode><resultMsg>ok</resultMsg></header></response>'
    with pytest.raises(LayoutChanged) as ei:
        kcs.parse(make_snap(body))
    assert ei.value.missing == ["body"]


def test_truncated_xml_is_a_parse_error(kcs, make_snap):
    body = data("kcs_nationtrade_US_202601-03.xml")[:500]
    with pytest.raises(ParseError, match="truncated"):
        kcs.parse(make_snap(body))


def test_euc_kr_declared_utf8_is_a_parse_error(kcs, make_snap):
    body = data("kcs_nationtrade_US_202601-03.xml").decode("utf-8").encode("euc-kr")
    with pytest.raises(ParseError, match="encoding"):
        kcs.parse(make_snap(body))


def test_billion_laughs_is_rejected(kcs, make_snap):
    body = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><response><header><resultCode>&b;</resultCode></header></response>'
    with pytest.raises(UnsafeXML):
        kcs.parse(make_snap(body))


def test_row_outside_the_window_is_a_layout_change(kcs, make_snap):
    with pytest.raises(LayoutChanged, match="outside the requested window"):
        kcs.parse(make_snap(doc(nation_item(year="2025.12"))))


def test_duplicate_partner_month_is_a_layout_change(kcs, make_snap):
    with pytest.raises(LayoutChanged, match="second row"):
        kcs.parse(make_snap(doc(nation_item(), nation_item())))


def test_non_integer_amount_is_a_layout_change(kcs, make_snap):
    body = doc(nation_item()).replace(b"<expDlr>5000000000</expDlr>", b"<expDlr>5,000,000</expDlr>")
    with pytest.raises(LayoutChanged, match="expDlr"):
        kcs.parse(make_snap(body))


# --- query rules and requests -------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw, words",
    [
        (dict(service="nationtrade", start="202501", end="202601"), "at most 12 months"),
        (dict(service="nationtrade", start="2026-01", end="202603"), "YYYYMM"),
        (dict(service="nationtrade", start="202613", end="202612"), "YYYYMM"),
        (dict(service="nationtrade", start="202603", end="202601"), "ends before it starts"),
        (dict(service="nationtrade", start="202601", end="202603", cnty="vn"), "upper-case"),
        (dict(service="nationtrade", start="202601", end="202603", cnty="VNM"), "upper-case"),
        (dict(service="nitemtrade", start="202601", end="202603", cnty="VN", hs="854"), "2, 4, 6 or 10"),
        (dict(service="nitemtrade", start="202601", end="202603", cnty="VN", hs="85423"), "2, 4, 6 or 10"),
        (dict(service="nitemtrade", start="202601", end="202603", cnty="VN", hs="85A2"), "2, 4, 6 or 10"),
        (dict(service="nationtrade", start="202601", end="202603", hs="8542"), "nitemtrade"),
        (dict(service="itemtrade", start="202601", end="202603"), "unknown KCS service"),
    ],
)
def test_query_rules(kw, words):
    with pytest.raises(QueryError, match=words):
        KcsQuery(**kw)


def test_valid_queries():
    q = KcsQuery("nitemtrade", "202507", "202606", cnty="VN", hs="8542")
    assert q.params() == {"strtYymm": "202507", "endYymm": "202606", "cntyCd": "VN", "hsSgn": "8542"}
    for hs in ("85", "854232", "8542321010"):
        KcsQuery("nitemtrade", "202601", "202601", hs=hs)


def test_a_13_month_window_is_refused_before_any_request(kcs):
    with pytest.raises(QueryError):
        kcs.requests(Period.months("2025-01", "2026-01"))


def test_requests_for_a_window(kcs):
    reqs = kcs.requests(Period.months("2026-01", "2026-09"))
    by_path = {}
    for r in reqs:
        by_path.setdefault(r.url.rsplit("/", 2)[-2], []).append(r)
    assert [r.params for r in by_path["nationtrade"]] == [{"strtYymm": "202601", "endYymm": "202609"}]
    assert [r.params for r in by_path["Newtrade"]] == [{"strtYymm": "202601", "endYymm": "202609"}]
    assert sorted(r.params["cntyCd"] for r in by_path["nitemtrade"]) == ["CN", "HK", "JP", "TW", "US", "VN"]
    assert {r.params["hsSgn"] for r in by_path["nitemtrade"]} == {"8542"}
    assert all(r.source == "kcs" and r.url.startswith("https://apis.data.go.kr/1220000/") for r in reqs)
    assert all(r.secret_params == {} and "serviceKey" not in r.params for r in reqs)  # no key configured
    assert len({r.key for r in reqs}) == len(reqs)


def test_the_service_key_travels_as_a_secret_param(settings):
    from pydantic import SecretStr

    settings.kcs_service_key = SecretStr("0123abcd" * 8)
    reqs = KcsNationTrade(settings).requests(Period.parse("2026-09"))
    assert all(r.secret_params == {"serviceKey": "0123abcd" * 8} for r in reqs)
    assert all("0123abcd" not in r.display_url() for r in reqs)


def test_a_live_run_without_a_key_is_a_config_error(settings):
    from pydantic import SecretStr

    from tradewatch.errors import ConfigError

    with pytest.raises(ConfigError, match="TRADEWATCH_KCS_SERVICE_KEY"):
        KcsNationTrade(settings).check_live()
    settings.kcs_base_url = "http://127.0.0.1:9"
    KcsNationTrade(settings).check_live()  # a mirror or fixture server needs no key
    settings.kcs_base_url = "https://apis.data.go.kr/1220000"
    settings.kcs_service_key = SecretStr("a" * 64)
    KcsNationTrade(settings).check_live()


def test_nightly_range_is_the_last_12_months(kcs):
    first, last = kcs.nightly_range(date(2026, 11, 16))
    assert (str(first), str(last)) == ("2025-11", "2026-10")
    assert [str(w) for w in kcs.windows(first, last)] == ["2025-11..2026-10"]


# --- against the fixture server ------------------------------------------------------------------


def parse_all(source, snaps):
    out = {}
    for s in snaps:
        assert not isinstance(s, Exception), s
        for o in source.parse(s).observations:
            out[o.key] = o.value_usd
    return out


def test_fetcher_against_the_fixture_server_matches_the_archive(settings, tmp_path):
    window = Period.months("2026-01", "2026-09")
    direct = KcsNationTrade(settings)
    expected = parse_all(direct, [Archive(SAMPLE_ARCHIVE).latest(r.key, NIGHT1) for r in direct.requests(window)])
    with archive_server(SAMPLE_ARCHIVE, as_of=NIGHT1) as server:
        settings.kcs_base_url = server.url
        live = KcsNationTrade(settings)
        with Fetcher(Archive(tmp_path / "fetched"), max_retries=0) as fetcher:
            snaps = fetcher.fetch_many(live.requests(window))
        got = parse_all(live, snaps)
    assert got == expected and len(got) > 8_000
    assert got[("KOR", "USA", "export", "2026-01", "TOTAL", "kcs")] == 12006733027
    assert {r["path"] for r in server.requests} == {
        "/nationtrade/getNationtradeList",
        "/nitemtrade/getNitemtradeList",
        "/Newtrade/getNewtradeList",
    }


def test_fixture_server_serves_the_revision_of_night_two(settings, tmp_path):
    with archive_server(SAMPLE_ARCHIVE, as_of=NIGHT2) as server:
        settings.kcs_base_url = server.url
        src = KcsNationTrade(settings)
        with Fetcher(Archive(tmp_path / "n2"), max_retries=0) as f:
            snaps = f.fetch_many(src.requests(Period.months("2025-11", "2026-10")))
        night2 = parse_all(src, snaps)
        server.as_of = NIGHT1
        with Fetcher(Archive(tmp_path / "n1"), max_retries=0) as f:
            snaps = f.fetch_many(src.requests(Period.months("2026-01", "2026-09")))
        night1 = parse_all(src, snaps)
    key = ("KOR", "USA", "export", "2026-09", "TOTAL", "kcs")
    assert night1[key] != night2[key] and abs(night2[key] / night1[key] - 1) <= 0.03
    assert ("KOR", "VNM", "total", "2026-10", "TOTAL", "kcs") in night2
    assert not any(k[3] == "2026-10" for k in night1)


def test_fixture_server_wrong_key_is_gateway_error_30(settings, tmp_path):
    from pydantic import SecretStr

    with archive_server(SAMPLE_ARCHIVE, as_of=NIGHT1, service_key="right-key-123") as server:
        settings.kcs_base_url = server.url
        settings.kcs_service_key = SecretStr("wrong-key-456")
        src = KcsNationTrade(settings)
        with Fetcher(Archive(tmp_path / "a"), max_retries=0, secrets=["wrong-key-456"]) as f:
            snap = f.fetch(src.requests(Period.parse("2026-09"))[0])
    assert snap.status == 403
    with pytest.raises(GatewayError) as ei:
        src.parse(snap)
    assert ei.value.code == "30" and "wrong-key-456" not in str(ei.value)


def test_fixture_server_answers_a_13_month_window_with_service_error_99(settings, tmp_path):
    with archive_server(SAMPLE_ARCHIVE, as_of=NIGHT1) as server:
        settings.kcs_base_url = server.url
        src = KcsNationTrade(settings)
        req = Request(
            source="kcs",
            url=f"{server.url}/nationtrade/getNationtradeList",
            params={"strtYymm": "202501", "endYymm": "202601"},
        )
        with Fetcher(Archive(tmp_path / "a"), max_retries=0) as f:
            snap = f.fetch(req)
    assert snap.status == 200
    with pytest.raises(ServiceError) as ei:
        src.parse(snap)
    assert ei.value.code == "99" and "1년이내" in ei.value.result_msg
