"""The UN Comtrade source: requests per endpoint, the C00/0/0 filter, the error envelopes."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import SecretStr

from scrapers.archive import Archive
from scrapers.comtrade import GET_PATH, PREVIEW_PATH, Comtrade
from scrapers.http import Fetcher
from tests.fixtures.kcs_server import archive_server
from tests.scrapers.conftest import data
from tradewatch.errors import FetchError, LayoutChanged, ParseError, QueryError, ServiceError, UnknownCountry
from tradewatch.model import Flow, Period
from tradewatch.samples import NIGHT1, SAMPLE_ARCHIVE
from tradewatch.samples.generate import _ct_record

BASE = "https://comtradeapi.un.org"
PREVIEW = BASE + PREVIEW_PATH
PARAMS = {"reporterCode": "704", "period": "2023", "cmdCode": "TOTAL", "flowCode": "X,M"}


@pytest.fixture
def ct(settings):
    return Comtrade(settings)


def snap_of(make_snap, body, status=200, url=PREVIEW, params=PARAMS):
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    return make_snap(body, source="comtrade", url=url, params=params, status=status)


def values(result):
    return {(o.reporter, o.partner, o.flow, str(o.period)): o.value_usd for o in result.observations}


def test_only_the_totals_are_kept(ct, make_snap):
    result = ct.parse(snap_of(make_snap, data("comtrade_preview_VNM_2023_synthetic.json")))
    v = values(result)
    assert v[("VNM", "KOR", Flow.EXPORT, "2023")] == 23_470_000_000  # not + C01 + C02 + partner2 rows
    assert v[("VNM", "KOR", Flow.IMPORT, "2023")] == 52_500_000_000  # not + sea + air
    assert v[("VNM", "KOR", Flow.BALANCE, "2023")] == 23_470_000_000 - 52_500_000_000
    assert v[("VNM", "KOR", Flow.TOTAL, "2023")] == 75_970_000_000
    assert v[("VNM", "WLD", Flow.TOTAL, "2023")] == 354_700_000_000 + 326_400_000_000
    # Japan has exports only: no derived balance or total
    assert ("VNM", "JPN", Flow.EXPORT, "2023") in v and ("VNM", "JPN", Flow.BALANCE, "2023") not in v
    assert len(v) == 4 + 4 + 1
    o = result.observations[0]
    assert o.source == "comtrade" and o.maturity == "final" and o.precision_usd == 1 and o.commodity == "TOTAL"
    assert "6 non-total rows skipped" in result.notes[0]


def test_monthly_records_read_as_months(ct, make_snap):
    rec = _ct_record(410, 2024, "X", 704, "VNM", "Viet Nam", 5_000_000_000)
    rec.update(freqCode="M", refMonth=3, period="202403")
    v = values(ct.parse(snap_of(make_snap, {"count": 1, "data": [rec], "error": ""})))
    assert v == {("KOR", "VNM", Flow.EXPORT, "2024-03"): 5_000_000_000}


@pytest.mark.parametrize(
    "body, code, words",
    [
        (
            {"statusCode": 401, "message": "Access denied due to invalid subscription key."},
            "401",
            "invalid subscription key",
        ),
        ({"statusCode": 429, "message": "Rate limit is exceeded. Try again in 3 seconds."}, "429", "Rate limit"),
        (
            {"elapsedTime": "0.1 secs", "count": 0, "data": [], "error": "Invalid reporterCode 999"},
            "error",
            "Invalid reporterCode",
        ),
    ],
)
def test_error_envelopes(ct, make_snap, body, code, words):
    with pytest.raises(ServiceError) as ei:
        ct.parse(snap_of(make_snap, body, status=200 if code == "error" else int(code)))
    assert ei.value.code == code and words in str(ei.value)


def test_empty_data_means_not_published(ct, make_snap):
    result = ct.parse(snap_of(make_snap, {"elapsedTime": "0.1 secs", "count": 0, "data": [], "error": ""}))
    assert result.published_nothing and not result.observations


def test_unknown_m49_code_is_named(ct, make_snap):
    rec = _ct_record(704, 2023, "X", 999, "XXX", "Nowhere", 1)
    with pytest.raises(UnknownCountry) as ei:
        ct.parse(snap_of(make_snap, {"count": 1, "data": [rec], "error": ""}))
    assert "'999'" in str(ei.value) and "record 1" in str(ei.value)


def test_comtrade_codes_that_are_not_iso_numbers(ct, make_snap):
    # Comtrade numbers the United States 842 (ISO: 840) and Taiwan "Other Asia, nes" 490
    # (ISO: 158): the ISO field decides, and without one the Comtrade code is still known.
    usa = _ct_record(410, 2024, "X", 842, "USA", "USA", 127_800_000_000)
    twn = _ct_record(410, 2024, "X", 490, "S19", "Other Asia, nes", 20_000_000_000)  # not an alpha-3 a country has
    ind = _ct_record(410, 2024, "X", 699, "IND", "India", 18_000_000_000)
    del ind["partnerISO"]
    v = values(ct.parse(snap_of(make_snap, {"count": 3, "data": [usa, twn, ind], "error": ""})))
    assert v[("KOR", "USA", Flow.EXPORT, "2024")] == 127_800_000_000
    assert v[("KOR", "TWN", Flow.EXPORT, "2024")] == 20_000_000_000
    assert v[("KOR", "IND", Flow.EXPORT, "2024")] == 18_000_000_000


def test_missing_field_is_a_layout_change(ct, make_snap):
    rec = _ct_record(704, 2023, "X", 410, "KOR", "Rep. of Korea", 1)
    rec["primaryVal"] = rec.pop("primaryValue")
    with pytest.raises(LayoutChanged) as ei:
        ct.parse(snap_of(make_snap, {"count": 1, "data": [rec], "error": ""}))
    assert ei.value.missing == ["primaryValue"]


def test_no_total_rows_at_all_is_a_layout_change(ct, make_snap):
    rec = _ct_record(704, 2023, "X", 410, "KOR", "Rep. of Korea", 1)
    rec["customsCode"] = "C01"
    with pytest.raises(LayoutChanged, match="none is a total"):
        ct.parse(snap_of(make_snap, {"count": 1, "data": [rec], "error": ""}))


def test_a_second_total_for_the_same_key_is_refused(ct, make_snap):
    rec = _ct_record(704, 2023, "X", 410, "KOR", "Rep. of Korea", 1)
    with pytest.raises(LayoutChanged, match="double-count"):
        ct.parse(snap_of(make_snap, {"count": 2, "data": [rec, dict(rec)], "error": ""}))


def test_preview_cap_reached_is_an_incomplete_answer(ct, make_snap):
    recs = [_ct_record(704, 2023, "X", 410, "KOR", "Rep. of Korea", i) for i in range(500)]
    with pytest.raises(ParseError, match="cap of 500"):
        ct.parse(snap_of(make_snap, {"count": 500, "data": recs, "error": ""}))


def test_html_body_is_a_layout_change_or_fetch_error(ct, make_snap):
    html = b"<!DOCTYPE html><html><body>maintenance</body></html>"
    with pytest.raises(LayoutChanged):
        ct.parse(snap_of(make_snap, html))
    with pytest.raises(FetchError):
        ct.parse(snap_of(make_snap, html, status=503))


def test_broken_json_is_a_parse_error(ct, make_snap):
    with pytest.raises(ParseError):
        ct.parse(snap_of(make_snap, b'{"count": 3, "data": [{"refYear": 2023'))


# --- requests ---------------------------------------------------------------------------------------


def test_preview_requests_one_year_per_call_without_a_key(ct):
    windows = ct.windows(Period.parse("2019-01"), Period.parse("2026-09"))
    assert [str(w) for w in windows] == [str(y) for y in range(2019, 2026)]  # 2026 is not complete
    reqs = ct.requests(windows[0])
    assert [r.params["reporterCode"] for r in reqs] == ["410", "704"]
    r = reqs[0]
    assert r.url == PREVIEW and r.secret_headers == {}
    assert r.params == {
        "reporterCode": "410",
        "period": "2019",
        "cmdCode": "TOTAL",
        "flowCode": "X,M",
        "customsCode": "C00",
        "motCode": "0",
        "partner2Code": "0",
        "includeDesc": "true",
    }
    assert "partnerCode" not in r.params  # every partner


def test_keyed_requests_use_the_data_endpoint_and_a_secret_header(settings):
    settings.comtrade_api_key = SecretStr("k" * 32)
    ct = Comtrade(settings)
    windows = ct.windows(Period.parse("2010-01"), Period.parse("2025-12"))
    assert [str(w) for w in windows] == ["2010-01..2021-12", "2022-01..2025-12"]
    reqs = ct.requests(windows[0])
    assert len(reqs) == 2 and all(r.url == BASE + GET_PATH for r in reqs)
    assert reqs[0].params["period"] == ",".join(str(y) for y in range(2010, 2022))
    assert reqs[0].secret_headers == {"Ocp-Apim-Subscription-Key": "k" * 32}
    assert "k" * 32 not in reqs[0].display_url()


def test_more_than_12_years_is_refused(ct):
    with pytest.raises(QueryError, match="at most 12"):
        ct.requests(Period.months("2010-01", "2022-12"))


def test_nightly_range_is_the_last_three_complete_years(ct):
    first, last = ct.nightly_range(date(2026, 11, 16))
    assert (str(first), str(last)) == ("2023-01", "2025-12")
    assert [str(w) for w in ct.windows(first, last)] == ["2023", "2024", "2025"]


def test_fetcher_against_the_fixture_server(settings, tmp_path):
    with archive_server(SAMPLE_ARCHIVE, as_of=NIGHT1) as server:
        settings.comtrade_base_url = server.url
        ct = Comtrade(settings)
        with Fetcher(Archive(tmp_path / "a"), max_retries=0) as f:
            snaps = f.fetch_many(ct.requests(Period.year(2024)))
    v = {}
    for s in snaps:
        assert not isinstance(s, Exception), s
        v.update(values(ct.parse(s)))
    assert abs(v[("VNM", "KOR", Flow.EXPORT, "2024")] - 25.6e9) <= 0.005 * 25.6e9
    assert abs(v[("VNM", "KOR", Flow.IMPORT, "2024")] - 55.9e9) <= 0.005 * 55.9e9
    assert ("KOR", "VNM", Flow.BALANCE, "2024") in v and ("KOR", "WLD", Flow.TOTAL, "2024") in v


# --- the real preview payload (USA reporting Japan, 2023, TOTAL, both flows) --------------------------
REAL = "uncomtrade_preview_C_A_HS_usa-jpn_TOTAL_2023_MX.json"
REAL_PARAMS = {
    "cmdCode": "TOTAL",
    "flowCode": "M,X",
    "reporterCode": "842",
    "period": "2023",
    "partnerCode": "392",
    "includeDesc": "true",
}


def test_the_real_preview_payload(ct, make_snap):
    body = data(REAL)
    doc = json.loads(body)
    assert doc["elapsedTime"] == "2.16 secs" and doc["data"][1]["cifvalue"] is None  # as recorded
    result = ct.parse(snap_of(make_snap, body, params=REAL_PARAMS))
    v = values(result)
    assert v == {
        # imports: primaryValue is the CIF value (the FOB value beside it is not the figure)
        ("USA", "JPN", Flow.IMPORT, "2023"): 151_580_564_290,
        ("USA", "JPN", Flow.EXPORT, "2023"): 76_154_045_176,
        ("USA", "JPN", Flow.BALANCE, "2023"): 76_154_045_176 - 151_580_564_290,
        ("USA", "JPN", Flow.TOTAL, "2023"): 76_154_045_176 + 151_580_564_290,
    }
    assert all(o.precision_usd == 1 and o.maturity == "final" for o in result.observations)
    assert "0 non-total rows skipped" in result.notes[0]


def test_the_real_payload_without_descriptions(ct, make_snap):
    # without includeDesc=true every *Desc field is null: nothing the parser needs
    doc = json.loads(data(REAL))
    for rec in doc["data"]:
        for k in list(rec):
            if k.endswith("Desc"):
                rec[k] = None
    v = values(ct.parse(snap_of(make_snap, doc, params={**REAL_PARAMS, "includeDesc": "false"})))
    assert v[("USA", "JPN", Flow.IMPORT, "2023")] == 151_580_564_290


def test_the_real_records_with_breakdowns_keep_only_the_totals(ct, make_snap):
    # the same records as a keyed data/v1/get answer (same envelope, per the API's documentation),
    # with the breakdown rows such a query can return: customs procedure, transport mode, second partner
    doc = json.loads(data(REAL))
    total = doc["data"][0]
    extra = [
        {**total, "customsCode": "C01", "primaryValue": 1},
        {**total, "motCode": 1000, "mosCode": "0", "primaryValue": 2},
        {**total, "motCode": "9100", "primaryValue": 3},  # codes as strings too
        {**total, "partner2Code": 156, "partner2ISO": "CHN", "primaryValue": 4},
    ]
    doc["data"] = doc["data"] + extra
    doc["count"] = len(doc["data"])
    result = ct.parse(snap_of(make_snap, doc, url=BASE + GET_PATH, params={"reporterCode": "842", "period": "2023"}))
    assert values(result)[("USA", "JPN", Flow.IMPORT, "2023")] == 151_580_564_290
    assert "4 non-total rows skipped" in result.notes[0]


def test_a_total_row_without_a_value_is_a_named_error(ct, make_snap):
    doc = json.loads(data(REAL))
    doc["data"][0]["primaryValue"] = None
    with pytest.raises(LayoutChanged) as e:
        ct.parse(snap_of(make_snap, doc, params=REAL_PARAMS))
    assert "primaryValue None" in str(e.value)
