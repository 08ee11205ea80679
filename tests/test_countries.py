"""The shipped country registry (tradewatch/data/countries.csv): codes, names in three languages, aggregates."""

from __future__ import annotations

import csv
from collections import defaultdict
from importlib import resources

import pytest

from tradewatch.errors import UnknownCountry
from tradewatch.model import CountryRegistry, countries, normalize_name

# A Korea Customs Service-like partner list: what `nationtrade` with no cntyCd can return
# in a month (every inhabited ISO 3166-1 code plus KCS's Kosovo code). 237 codes.
KCS_CODES = [
    "AD",
    "AE",
    "AF",
    "AG",
    "AI",
    "AL",
    "AM",
    "AO",
    "AR",
    "AS",
    "AT",
    "AU",
    "AW",
    "AX",
    "AZ",
    "BA",
    "BB",
    "BD",
    "BE",
    "BF",
    "BG",
    "BH",
    "BI",
    "BJ",
    "BL",
    "BM",
    "BN",
    "BO",
    "BQ",
    "BR",
    "BS",
    "BT",
    "BW",
    "BY",
    "BZ",
    "CA",
    "CD",
    "CF",
    "CG",
    "CH",
    "CI",
    "CK",
    "CL",
    "CM",
    "CN",
    "CO",
    "CR",
    "CU",
    "CV",
    "CW",
    "CY",
    "CZ",
    "DE",
    "DJ",
    "DK",
    "DM",
    "DO",
    "DZ",
    "EC",
    "EE",
    "EG",
    "EH",
    "ER",
    "ES",
    "ET",
    "FI",
    "FJ",
    "FK",
    "FM",
    "FO",
    "FR",
    "GA",
    "GB",
    "GD",
    "GE",
    "GF",
    "GG",
    "GH",
    "GI",
    "GL",
    "GM",
    "GN",
    "GP",
    "GQ",
    "GR",
    "GT",
    "GU",
    "GW",
    "GY",
    "HK",
    "HN",
    "HR",
    "HT",
    "HU",
    "ID",
    "IE",
    "IL",
    "IM",
    "IN",
    "IQ",
    "IR",
    "IS",
    "IT",
    "JE",
    "JM",
    "JO",
    "JP",
    "KE",
    "KG",
    "KH",
    "KI",
    "KM",
    "KN",
    "KP",
    "KR",
    "KW",
    "KY",
    "KZ",
    "LA",
    "LB",
    "LC",
    "LI",
    "LK",
    "LR",
    "LS",
    "LT",
    "LU",
    "LV",
    "LY",
    "MA",
    "MC",
    "MD",
    "ME",
    "MF",
    "MG",
    "MH",
    "MK",
    "ML",
    "MM",
    "MN",
    "MO",
    "MP",
    "MQ",
    "MR",
    "MS",
    "MT",
    "MU",
    "MV",
    "MW",
    "MX",
    "MY",
    "MZ",
    "NA",
    "NC",
    "NE",
    "NG",
    "NI",
    "NL",
    "NO",
    "NP",
    "NR",
    "NU",
    "NZ",
    "OM",
    "PA",
    "PE",
    "PF",
    "PG",
    "PH",
    "PK",
    "PL",
    "PM",
    "PR",
    "PS",
    "PT",
    "PW",
    "PY",
    "QA",
    "RE",
    "RO",
    "RS",
    "RU",
    "RW",
    "SA",
    "SB",
    "SC",
    "SD",
    "SE",
    "SG",
    "SH",
    "SI",
    "SK",
    "SL",
    "SM",
    "SN",
    "SO",
    "SR",
    "SS",
    "ST",
    "SV",
    "SX",
    "SY",
    "SZ",
    "TC",
    "TD",
    "TG",
    "TH",
    "TJ",
    "TL",
    "TM",
    "TN",
    "TO",
    "TR",
    "TT",
    "TV",
    "TW",
    "TZ",
    "UA",
    "UG",
    "US",
    "UY",
    "UZ",
    "VA",
    "VC",
    "VE",
    "VG",
    "VI",
    "VN",
    "VU",
    "WF",
    "WS",
    "YE",
    "YT",
    "ZA",
    "ZM",
    "ZW",
    "XK",
]

# KCS statCd -> statCdCntnKor1 as the API writes it
KCS_KOREAN = {
    "US": "미국",
    "VN": "베트남",
    "CN": "중국",
    "JP": "일본",
    "HK": "홍콩",
    "TW": "대만",
    "DE": "독일",
    "IN": "인도",
    "AU": "호주",
    "SG": "싱가포르",
    "MX": "멕시코",
    "SA": "사우디아라비아",
    "AE": "아랍에미리트 연합",
    "ID": "인도네시아",
    "MY": "말레이시아",
    "TH": "태국",
    "PH": "필리핀",
}


def csv_rows() -> list[dict[str, str]]:
    text = resources.files("tradewatch.data").joinpath("countries.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


@pytest.fixture(scope="module")
def reg() -> CountryRegistry:
    return countries()


def test_registry_loads_every_iso_entry_and_the_extras(reg):
    assert len(reg) >= 249 + 4
    iso_like = [c for c in reg if c.alpha2 and not c.aggregate]
    assert len(iso_like) >= 249
    for c in reg:
        assert len(c.alpha3) == 3 and c.alpha3 == c.alpha3.upper(), c
        assert c.name.strip(), c


@pytest.mark.parametrize(
    "code, alpha3",
    [
        ("XK", "XKX"),
        ("TW", "TWN"),
        ("HK", "HKG"),
        ("MO", "MAC"),
        ("PS", "PSE"),
        ("VA", "VAT"),
        ("KR", "KOR"),
        ("KP", "PRK"),
        ("VN", "VNM"),
        ("SS", "SSD"),
        ("CW", "CUW"),
        ("SX", "SXM"),
        ("BQ", "BES"),
        ("AX", "ALA"),
        ("EH", "ESH"),
        ("CD", "COD"),
        ("CG", "COG"),
        ("GB", "GBR"),
        ("AN", "ANT"),
        ("NA", "NAM"),
    ],
)
def test_tricky_alpha2_codes(reg, code, alpha3):
    assert reg.by_alpha2(code).alpha3 == alpha3


def test_alpha2_codes_are_unique_and_two_uppercase_letters():
    codes = [r["alpha2"] for r in csv_rows() if r["alpha2"]]
    assert len(codes) == len(set(codes))
    assert all(len(c) == 2 and c.isalpha() and c.isupper() for c in codes)
    assert len(codes) >= 250  # 249 ISO + customs codes (XK, AN...)


def test_every_kcs_partner_code_resolves_to_a_rankable_country(reg):
    assert len(KCS_CODES) == len(set(KCS_CODES)) == 237
    for code in KCS_CODES:
        c = reg.by_alpha2(code, where="kcs nationtrade")
        assert reg.rankable(c.alpha3), code


@pytest.mark.parametrize("code, korean", sorted(KCS_KOREAN.items()))
def test_kcs_korean_names_are_the_first_korean_alias(reg, code, korean):
    c = reg.by_alpha2(code)
    ko = [n for lang, n in c.names if lang == "ko"]
    assert ko[0] == korean
    assert reg.lookup(korean) is c


def test_every_iso_row_has_a_korean_name():
    missing = [r["alpha3"] for r in csv_rows() if r["aggregate"] != "1" and not r["names_ko"].strip()]
    assert not missing


def test_many_main_partners_have_vietnamese_names():
    with_vi = [r for r in csv_rows() if r["aggregate"] != "1" and r["names_vi"].strip()]
    assert len(with_vi) >= 60


@pytest.mark.parametrize(
    "alpha3, names",
    [
        (
            "KOR",
            [
                "RoK",
                "ROK",
                "South Korea",
                "Republic of Korea",
                "Korea",
                "Korea, Rep.",
                "Rep. of Korea",
                "Hàn Quốc",
                "Đại Hàn Dân Quốc",
                "한국",
                "대한민국",
                "KOREA, REPUBLIC OF",
            ],
        ),
        ("VNM", ["Viet Nam", "Vietnam", "Việt Nam", "베트남", "Socialist Republic of Vietnam", "viet nam."]),
        (
            "USA",
            [
                "the US",
                "U.S.",
                "US",
                "USA",
                "United States",
                "United States of America",
                "America",
                "Hoa Kỳ",
                "Mỹ",
                "미국",
                "The United States",
            ],
        ),
        ("CHN", ["China", "Mainland China", "PRC", "중국", "Trung Quốc"]),
        ("JPN", ["Japan", "일본", "Nhật Bản"]),
        ("HKG", ["Hong Kong", "Hong Kong SAR", "China, Hong Kong SAR", "홍콩", "Hồng Kông"]),
        ("TWN", ["Taiwan", "Chinese Taipei", "Taiwan, Province of China", "대만", "Đài Loan"]),
        ("IND", ["India", "인도", "Ấn Độ"]),
        ("SGP", ["Singapore", "싱가포르"]),
        ("DEU", ["Germany", "독일", "Đức"]),
        ("AUS", ["Australia", "호주", "Úc"]),
        ("MEX", ["Mexico", "멕시코"]),
        ("SAU", ["Saudi Arabia", "사우디아라비아", "Ả Rập Xê Út"]),
        ("IDN", ["Indonesia", "인도네시아"]),
        ("MYS", ["Malaysia", "말레이시아"]),
        ("THA", ["Thailand", "태국", "Thái Lan"]),
        ("PHL", ["the Philippines", "필리핀", "Philippines"]),
        ("RUS", ["Russia", "Russian Federation", "Nga", "러시아"]),
        ("GBR", ["UK", "United Kingdom", "Anh", "영국"]),
        ("KHM", ["Campuchia", "캄보디아"]),
        ("LAO", ["Lào", "Laos", "라오스"]),
        ("ARE", ["UAE", "아랍에미리트", "United Arab Emirates"]),
    ],
)
def test_names_in_three_languages_resolve(reg, alpha3, names):
    for n in names:
        assert reg.lookup(n).alpha3 == alpha3, n


def test_vietnamese_names_resolve_in_decomposed_unicode_too(reg):
    import unicodedata

    assert reg.lookup(unicodedata.normalize("NFD", "Hàn Quốc")).alpha3 == "KOR"
    assert reg.lookup(unicodedata.normalize("NFD", "Việt Nam")).alpha3 == "VNM"


def test_north_korea_names_never_resolve_to_south_korea(reg):
    prk = reg.get("PRK")
    for n in [
        "North Korea",
        "DPRK",
        "Triều Tiên",
        "Bắc Triều Tiên",
        "조선",
        "북한",
        "Democratic People's Republic of Korea",
        "Dem. People's Rep. of Korea",
    ]:
        assert reg.lookup(n) is prk, n
    for _lang, n in prk.names:
        assert reg.lookup(n).alpha3 == "PRK", n
    # and no South Korea name is claimed by the North
    for _lang, n in reg.get("KOR").names:
        assert reg.lookup(n).alpha3 == "KOR", n


@pytest.mark.parametrize(
    "name, alpha3",
    [
        ("World", "WLD"),
        ("the world", "WLD"),
        ("세계", "WLD"),
        ("전세계", "WLD"),
        ("총계", "WLD"),
        ("thế giới", "WLD"),
        ("ASEAN", "ASN"),
        ("아세안", "ASN"),
        ("European Union", "EUU"),
        ("EU", "EUU"),
        ("유럽연합", "EUU"),
        ("Liên minh châu Âu", "EUU"),
        ("중남미", "LAC"),
        ("중동", "MEA"),
        ("CIS", "CIS"),
        ("Other Asia, nes", "S19"),
        ("Areas, nes", "XNA"),
    ],
)
def test_aggregates_are_flagged_and_never_rankable(reg, name, alpha3):
    c = reg.lookup(name)
    assert c.alpha3 == alpha3
    assert c.aggregate
    assert reg.is_aggregate(alpha3)
    assert not reg.rankable(alpha3)


def test_real_countries_are_rankable(reg):
    for a3 in ("KOR", "VNM", "CHN", "USA", "JPN", "HKG", "TWN", "XKX"):
        assert reg.rankable(a3) and not reg.is_aggregate(a3)


def test_m49_codes(reg):
    assert reg.by_m49(410).alpha3 == "KOR"
    assert reg.by_m49("704").alpha3 == "VNM"
    assert reg.by_m49(0).alpha3 == "WLD"
    assert reg.by_m49(490).alpha3 == "S19"  # Comtrade's "Other Asia, nes" stays an aggregate, not TWN
    assert reg.by_m49(158).alpha3 == "TWN"
    assert reg.by_m49(899).aggregate


def test_m49_codes_are_unique():
    codes = [int(r["m49"]) for r in csv_rows() if r["m49"].strip()]
    assert len(codes) == len(set(codes))


def test_no_name_maps_to_two_countries():
    owner: dict[str, set[str]] = defaultdict(set)
    for r in csv_rows():
        names = [r["name"]]
        for lang in ("en", "ko", "vi"):
            names += [n for n in r[f"names_{lang}"].split("|") if n.strip()]
        for n in names:
            owner[normalize_name(n)].add(r["alpha3"])
    clashes = {k: v for k, v in owner.items() if len(v) > 1}
    assert not clashes
    assert owner[normalize_name("Korea")] == {"KOR"}
    assert owner[normalize_name("Guinea")] == {"GIN"}
    assert owner[normalize_name("Congo")] == {"COG"}


def test_alpha3_codes_are_unique():
    codes = [r["alpha3"] for r in csv_rows()]
    assert len(codes) == len(set(codes))


def test_codes_resolve_by_code_even_when_a_name_looks_like_a_code(reg):
    # "Nga" is Vietnamese for Russia; the code NGA is Nigeria: resolve codes with get(), not lookup()
    assert reg.get("NGA").name == "Nigeria"
    assert reg.lookup("Nga").alpha3 == "RUS"


@pytest.mark.parametrize(
    "call, value",
    [
        ("get", "QQQ"),
        ("by_alpha2", "QQ"),
        ("by_m49", 999),
        ("lookup", "Atlantis"),
    ],
)
def test_unknown_codes_raise_unknown_country_naming_the_code(reg, call, value):
    with pytest.raises(UnknownCountry) as exc:
        getattr(reg, call)(value, where="test source")
    assert exc.value.value == str(value)
    assert str(value) in str(exc.value)
    assert "test source" in str(exc.value)


def test_lowercase_alpha2_is_not_silently_accepted(reg):
    # KCS itself rejects lowercase codes; the registry must not paper over that
    with pytest.raises(UnknownCountry):
        reg.by_alpha2("vn")


def test_aliases_are_listed_longest_first_with_language(reg):
    al = reg.aliases()
    assert [len(a[0]) for a in al] == sorted((len(a[0]) for a in al), reverse=True)
    assert ("Hàn Quốc", "KOR", "vi") in reg.aliases("vi")
    assert ("베트남", "VNM", "ko") in reg.aliases("ko")


def test_every_country_name_of_the_real_vietnam_customs_bulletin_maps(reg):
    # The names as the English by-country bulletin (5x, June 2026) prints them; the list is the
    # parser tests' transcription of every country row of the real file.
    from pathlib import Path

    path = Path(__file__).parent / "scrapers" / "data" / "vn_customs_2026-t6-5x_ta-sb.country_rows.csv"
    rows = list(csv.DictReader(line for line in path.read_text(encoding="utf-8").splitlines() if line[:1] != "#"))
    assert len(rows) == 85
    for row in rows:
        c = reg.lookup(row["name"])
        assert c.alpha3 == row["partner"] and not c.aggregate, row["name"]
    for name, alpha3 in [
        ("Korea (Republic)", "KOR"),
        ("HongKong", "HKG"),
        ("Myanmar (Burma)", "MMR"),
        ("Slovakia (Slovak Rep.)", "SVK"),
        ("Cote DIvoire (Ivory Coast)", "CIV"),
        ("Tanzania (United Rep.)", "TZA"),
        ("Croatia (Hrvatska)", "HRV"),
    ]:
        assert reg.lookup(name).alpha3 == alpha3
