"""Fixtures for the alert tests: a country registry of our own, settings, data builders, receivers.

The database fixtures (``db``: the same test on SQLite and, when
``TRADEWATCH_TEST_POSTGRES_URL`` is set, on a fresh PostgreSQL schema that is
dropped afterwards; skipped with the reason when unset, failing when
``TRADEWATCH_REQUIRE_POSTGRES=1`` and the server is unreachable) come from
``tests/conftest.py``; ``alert_db`` below is the name these tests use for it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tradewatch.model import CountryRegistry, Flow, Observation, Period

COUNTRIES_CSV = """alpha3,alpha2,m49,name,aggregate,names_en,names_ko,names_vi
KOR,KR,410,Korea,,Republic of Korea|South Korea,한국,Hàn Quốc
VNM,VN,704,Vietnam,,Viet Nam,베트남,Việt Nam
JPN,JP,392,Japan,,,일본,Nhật Bản
CHN,CN,156,China,,,중국,Trung Quốc
USA,US,842,United States,,,미국,Hoa Kỳ
TWN,TW,490,Taiwan,,,대만,Đài Loan
HKG,HK,344,Hong Kong,,,홍콩,Hồng Kông
AUS,AU,36,Australia,,,호주,Úc
DEU,DE,276,Germany,,,독일,Đức
SAU,SA,682,Saudi Arabia,,,사우디아라비아,Ả Rập Xê Út
IND,IN,699,India,,,인도,Ấn Độ
SGP,SG,702,Singapore,,,싱가포르,Singapore
MYS,MY,458,Malaysia,,,말레이시아,Malaysia
IDN,ID,360,Indonesia,,,인도네시아,Indonesia
MEX,MX,484,Mexico,,,멕시코,Mexico
THA,TH,764,Thailand,,,태국,Thái Lan
WLD,,0,World,1,,세계,Thế giới
ASN,,,ASEAN,1,,아세안,ASEAN
"""

BN = 1_000_000_000
T0 = datetime(2026, 11, 16, 3, 0, tzinfo=UTC)
TODAY = date(2026, 11, 16)

# Korea's trade by partner (export, import) in USD bn: September, and October where Japan
# overtakes Vietnam in total trade only (export and import rankings keep their order).
SEPTEMBER = {
    "CHN": (15.0, 10.0),
    "USA": (12.0, 8.0),
    "VNM": (4.5, 2.38),
    "JPN": (2.5, 3.6),
    "TWN": (3.0, 2.0),
    "HKG": (1.75, 1.75),
    "AUS": (1.3, 1.9),
    "DEU": (1.4, 1.5),
    "SAU": (0.4, 1.95),
    "IND": (1.5, 0.7),
    "SGP": (1.1, 0.9),
    "MYS": (0.9, 0.9),
    "IDN": (0.8, 0.8),
    "MEX": (1.0, 0.4),
    "THA": (0.7, 0.5),
    "WLD": (55.0, 52.0),
    "ASN": (9.0, 6.0),
}
OCTOBER = {**SEPTEMBER, "VNM": (4.3, 2.12), "JPN": (2.6, 3.91)}


@pytest.fixture(scope="session")
def registry() -> CountryRegistry:
    return CountryRegistry.from_csv(COUNTRIES_CSV)


@pytest.fixture
def alert_db(db):
    return db


def month_batch(
    period: str,
    table: dict[str, tuple[float, float]],
    *,
    reporter="KOR",
    source="kcs",
    maturity="provisional",
    url="https://apis.data.go.kr/1220000/nationtrade/getNationtradeList",
    sha="ab" * 32,
):
    out = []
    for partner, (e, i) in table.items():
        for flow, v in ((Flow.EXPORT, e), (Flow.IMPORT, i)):
            out.append(
                Observation(
                    reporter,
                    partner,
                    flow,
                    Period.parse(period),
                    int(round(v * BN)),
                    source,
                    maturity=maturity,
                    source_url=url,
                    snapshot_sha256=sha,
                )
            )
    return out


def pair_batch(
    values: dict[str, tuple[float, float]], *, reporter="KOR", partner="VNM", source="kcs", scale=BN, maturity="final"
):
    """One pair's export and import for several periods: {period: (export, import)}."""
    out = []
    for period, (e, i) in values.items():
        for flow, v in ((Flow.EXPORT, e), (Flow.IMPORT, i)):
            out.append(
                Observation(
                    reporter,
                    partner,
                    flow,
                    Period.parse(period),
                    int(round(v * scale)),
                    source,
                    maturity=maturity,
                    source_url=f"https://example.test/{source}/{period}",
                    snapshot_sha256="cd" * 32,
                )
            )
    return out


@pytest.fixture
def make_settings(settings, tmp_path):
    """Settings with overrides (the root ``settings`` fixture has already cleared the environment)."""
    from tradewatch.config import load_settings

    def make(**overrides):
        return load_settings(data_dir=tmp_path / "data", **overrides)

    return make


@pytest.fixture
def http_receiver():
    from tests.fixtures.receivers import HttpReceiver

    with HttpReceiver() as r:
        yield r


@pytest.fixture
def smtp_receiver():
    from tests.fixtures.receivers import SmtpReceiver

    r = SmtpReceiver(credentials=("alerts", "s3cr3t-Pa55word!"))
    r.start()
    yield r
    r.stop()
