"""Rank-claim rules for real text, each on sentences of our own in the three languages (none copied from the release
set): a positive case and a negative one per rule, and the ``basis`` of a balance ranking from the text to storage."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from db.models import RankClaimRow
from db.quarantine import rank_claim_from_json, rank_claim_to_json
from db.store import store_batch
from scrapers.prose import extract, to_json_lines
from tradewatch.model import Flow, Period, RankClaim

PUB = date(2026, 3, 10)


def _ranks(text: str, lang: str, published: date = PUB) -> set[tuple]:
    return {
        (x["reporter"], x["partner"], x["flow"], x["period"], x["rank"])
        for x in to_json_lines(extract(text, lang, published))
        if x["kind"] == "rank"
    }


def _rank_lines(text: str, lang: str, published: date = PUB) -> list[dict]:
    return [x for x in to_json_lines(extract(text, lang, published)) if x["kind"] == "rank"]


# --- a claim with no period of its own: the page's latest data period ---------------------------------------------


def test_a_claim_without_a_period_takes_the_pages_latest_period():
    text = (
        "Thailand has become Korea's fourth-largest trade partner behind China, the United States and Japan.\n\n"
        "In the first nine months of this year, Korea's exports to Thailand reached $30.2 billion, up 4.1 percent."
    )
    got = _ranks(text, "en", date(2025, 10, 20))
    assert ("KOR", "THA", "total", "2025-01..2025-09", 4) in got
    assert ("KOR", "JPN", "total", "2025-01..2025-09", 3) in got  # the ordered list, by the same period


def test_a_claim_without_a_period_on_a_page_that_states_none_is_not_emitted():
    text = "Thailand has become Korea's fourth-largest trade partner behind China, the United States and Japan."
    assert _ranks(text, "en", date(2025, 10, 20)) == set()


def test_of_a_year_to_date_and_its_last_month_the_ranking_takes_the_year_to_date():
    text = (
        "베트남 통계청에 따르면 올해 9월까지 베트남의 수출은 2100억 달러로 3.1% 증가했다. 9월 수출은 240억 달러였다.\n\n"
        "수출시장 국가별로 보면 1위는 미국이다."
    )
    assert ("VNM", "USA", "export", "2025-01..2025-09", 1) in _ranks(text, "ko", date(2025, 10, 20))


# --- Korean -------------------------------------------------------------------------------------------------------


def test_a_share_of_a_countrys_market_ranks_that_countrys_imports():
    text = "태국의 한국 시장 점유율은 2019년 2.1%(9위)에서 올해 1~9월 2.6%(8위)로 높아졌다."
    got = _ranks(text, "ko", date(2025, 10, 20))
    assert ("KOR", "THA", "import", "2019", 9) in got
    assert ("KOR", "THA", "import", "2025-01..2025-09", 8) in got
    assert not any(r[0] == "THA" for r in got)  # never Thailand's ranking


def test_a_share_rank_without_a_country_market_is_no_import_rank():
    text = "반도체의 세계 시장 점유율은 2019년 20.1%(2위)를 기록했다."
    assert not any(r[2] == "import" for r in _ranks(text, "ko", date(2025, 10, 20)))


def test_last_year_written_jaknyeon_is_the_year_before_publication():
    text = "한국무역협회에 따르면 작년 한해 수출 상대국 1위는 중국으로 1500억달러, 2위는 미국 800억달러로 집계됐다."
    got = _ranks(text, "ko", date(2025, 8, 30))
    assert {("KOR", "CHN", "export", "2024", 1), ("KOR", "USA", "export", "2024", 2)} <= got
    assert not any(r[3] == "2025" for r in got)


def test_a_rank_in_brackets_after_a_country_and_its_amount_is_that_countrys():
    text = "지난해 우리나라의 대 태국 수출은 120억달러(9위)로 독일 150억달러(7위)보다 적었다."
    got = _ranks(text, "ko", date(2025, 8, 30))
    assert ("KOR", "DEU", "export", "2024", 7) in got
    assert ("KOR", "THA", "export", "2024", 9) in got
    assert ("KOR", "THA", "export", "2024", 7) not in got


def test_an_overtaken_object_is_not_the_ranked_country_the_flows_topic_is():
    text = "한국무역협회에 따르면 올해 들어 지난 6월까지 태국 수출액은 80억달러로 70억달러에 그친 독일(8위)을 따돌리고 수출 상대국 7위에 올랐다."
    got = _ranks(text, "ko", date(2025, 8, 30))
    assert ("KOR", "THA", "export", "2025-01..2025-06", 7) in got
    assert ("KOR", "DEU", "export", "2025-01..2025-06", 7) not in got


def test_attributive_ieotdeon_names_the_ranked_country_after_it():
    text = "한국무역협회에 따르면 2015년 이전까지 1위 흑자국이던 홍콩은 2016년 2위로 내려앉았다."
    got = _ranks(text, "ko", date(2017, 1, 20))
    assert ("KOR", "HKG", "balance", "2016", 2) in got
    assert not any(r[1] == "KOR" for r in got)


def test_a_rank_since_a_year_until_the_next_year_stated_holds_for_each_year_between():
    text = "산업통상자원부에 따르면 태국은 2015년 이후 줄곧 일본에 이어 2위 수출국을 유지하다가 2019년 1위로 올라섰다."
    got = _ranks(text, "ko", date(2020, 1, 20))
    assert {("KOR", "THA", "export", str(y), 2) for y in (2015, 2016, 2017, 2018)} <= got
    assert not any(r[1] == "JPN" for r in got)  # the list's order over a run of years is not stated


def test_a_period_before_another_rank_belongs_to_that_rank():
    text = "관세청에 따르면 2010년 이후 2018년까지 9년간 1위를 지킨 '독일'은 50억달러로 2위를 기록했다."
    got = _ranks(text, "ko", date(2020, 1, 20))
    assert not any(r[3] == "2010" for r in got)


def test_the_country_after_n_wi_reul_girokhan_is_ranked():
    text = "2019년 우리나라 10대 무역흑자 국가 중 8위를 기록한 '멕시코'는 40억달러로 새로 진입했다."
    assert ("KOR", "MEX", "balance", "2019", 8) in _ranks(text, "ko", date(2020, 1, 20))


def test_a_figure_that_is_the_next_after_an_ordered_list_ranks_its_partner():
    text = (
        "According to the Korea Customs Service, Korea's exports to India for the January-June period totaled "
        "$9.4 billion.\n\nThe total amount is fifth-highest after $60.1 billion for China, $50.2 billion for the "
        "United States, $25.3 billion for Vietnam and $12.4 billion for Japan."
    )
    got = _ranks(text, "en", date(2025, 7, 15))
    assert ("KOR", "IND", "export", "2025-01..2025-06", 5) in got
    assert ("KOR", "JPN", "export", "2025-01..2025-06", 4) in got


def test_a_figure_after_a_list_that_does_not_fit_its_rank_ranks_no_one():
    text = (
        "According to the Korea Customs Service, Korea's exports to India for the January-June period totaled "
        "$9.4 billion.\n\nThe total amount is third-highest after China, the United States and Japan."
    )
    assert _ranks(text, "en", date(2025, 7, 15)) == set()


# --- Vietnamese ---------------------------------------------------------------------------------------------------


def test_vi_market_for_a_countrys_export_goods_is_its_export_market():
    text = "Thái Lan đã trở thành thị trường lớn thứ năm đối với hàng xuất khẩu của Hàn Quốc trong 9 tháng đầu năm nay."
    assert ("KOR", "THA", "export", "2025-01..2025-09", 5) in _ranks(text, "vi", date(2025, 10, 20))


def test_vi_market_for_a_commodity_is_no_country_rank():
    text = "Thái Lan là thị trường lớn thứ năm đối với hàng dệt may của Hàn Quốc trong năm 2024."
    assert _ranks(text, "vi", date(2025, 10, 20)) == set()


def test_vi_the_country_that_brings_the_largest_surplus_is_a_surplus_ranking():
    text = "Thái Lan là quốc gia mang lại thặng dư thương mại lớn nhất cho Hàn Quốc trong năm 2024."
    lines = _rank_lines(text, "vi", date(2025, 10, 20))
    assert [(x["reporter"], x["partner"], x["flow"], x["period"], x["rank"], x.get("basis")) for x in lines] == [
        ("KOR", "THA", "balance", "2024", 1, "surplus")
    ]


def test_vi_the_country_that_brings_the_most_tourists_is_no_trade_rank():
    text = "Thái Lan là quốc gia mang lại lượng du khách lớn nhất cho Hàn Quốc trong năm 2024."
    assert _ranks(text, "vi", date(2025, 10, 20)) == set()


def test_vi_a_surplus_second_only_to_another_country_ranks_the_figures_partner():
    text = (
        "Năm 2024, cán cân thương mại giữa Hàn Quốc và Thái Lan ghi nhận thặng dư 12,5 tỷ USD cho Hàn Quốc, "
        "tăng 1,1 tỷ USD so với năm trước, trở thành mức thặng dư lớn thứ hai chỉ sau Mỹ."
    )
    lines = _rank_lines(text, "vi", date(2025, 3, 1))
    got = {(x["reporter"], x["partner"], x["flow"], x["period"], x["rank"], x.get("basis")) for x in lines}
    assert got == {("KOR", "THA", "balance", "2024", 2, "surplus"), ("KOR", "USA", "balance", "2024", 1, "surplus")}


def test_vi_highest_among_countries_ranks_the_figure_before_it_first():
    text = "Trong năm 2024, xuất khẩu của Hàn Quốc sang Mỹ đạt 140,2 tỷ USD, chiếm tỷ trọng 20,1%, cao nhất trong số các nước."
    assert ("KOR", "USA", "export", "2024", 1) in _ranks(text, "vi", date(2025, 3, 1))


def test_vi_highest_growth_among_countries_is_no_rank():
    text = "Trong năm 2024, xuất khẩu của Hàn Quốc sang Ấn Độ tăng 30,2%, cao nhất trong số các nước."
    assert _ranks(text, "vi", date(2025, 3, 1)) == set()


def test_vi_the_nth_consecutive_year_in_this_position_ranks_each_year():
    text = (
        "Năm 2024, Thái Lan tiếp tục là đối tác thương mại lớn thứ tư của Hàn Quốc.\n\n"
        "Điều này đánh dấu năm thứ ba liên tiếp Thái Lan giữ vị trí này kể từ khi vượt Đức vào năm 2022."
    )
    got = _ranks(text, "vi", date(2025, 3, 1))
    assert {("KOR", "THA", "total", str(y), 4) for y in (2022, 2023, 2024)} <= got


def test_vi_consecutive_years_of_another_country_rank_nothing_more():
    text = (
        "Năm 2024, Thái Lan tiếp tục là đối tác thương mại lớn thứ tư của Hàn Quốc.\n\n"
        "Đây là năm thứ ba liên tiếp Đức giữ vị trí này kể từ năm 2022."
    )
    assert _ranks(text, "vi", date(2025, 3, 1)) == {("KOR", "THA", "total", "2024", 4)}


# --- English ------------------------------------------------------------------------------------------------------


def test_en_the_nth_consecutive_year_since_a_year_ranks_each_year():
    text = "In 2024, Thailand was Korea's fourth-largest trading partner for the third consecutive year since 2022."
    got = _ranks(text, "en", date(2025, 3, 1))
    assert {("KOR", "THA", "total", str(y), 4) for y in (2022, 2023, 2024)} <= got


def test_en_that_country_is_the_country_just_named():
    text = (
        "In the first half of 2025, Vietnam raised its imports from Japan and that country became the "
        "second-largest goods supplier of Vietnam, after China."
    )
    got = _ranks(text, "en", date(2025, 7, 15))
    assert ("VNM", "JPN", "import", "2025-01..2025-06", 2) in got
    assert ("VNM", "CHN", "import", "2025-01..2025-06", 1) in got


def test_en_a_supplier_of_services_is_no_goods_rank():
    text = "In the first half of 2025, Japan became the second-largest supplier of services to Vietnam, after China."
    assert _ranks(text, "en", date(2025, 7, 15)) == set()


# --- basis: a balance ranking orders surpluses or deficits ----------------------------------------------------------


def test_basis_comes_from_the_rankings_words_and_only_balance_ranks_carry_it():
    text = (
        "관세청에 따르면 2019년 한국의 무역 적자국 1위는 '독일'이 차지했으며, 무역 흑자국 1위는 '멕시코'가 차지했다. "
        "태국은 2019년 한국의 5위 교역국이다."
    )
    lines = {x["partner"]: x for x in _rank_lines(text, "ko", date(2020, 2, 1))}
    assert lines["DEU"]["basis"] == "deficit" and lines["MEX"]["basis"] == "surplus"
    assert "basis" not in lines["THA"]


def test_basis_is_stored_with_the_claim_and_kept_by_quarantine(db):
    claim = RankClaim(
        "KOR", "THA", Flow.BALANCE, Period.parse("2024"), 2, "releases", quote="2위 흑자국", basis="surplus"
    )
    assert rank_claim_from_json(rank_claim_to_json(claim)) == claim
    with db.transaction() as s:
        store_batch(s, [], [claim], now=datetime(2025, 3, 1, tzinfo=UTC))
    with db.session() as s:
        assert s.execute(select(RankClaimRow.basis)).scalars().all() == ["surplus"]


# --- the top n, listed; "respectively" ranks in brackets ------------------------------------------------------------


def test_ko_the_top_n_listed_rank_in_order():
    text = "관세청에 따르면 올해 1~6월 상위 3국인 중국, 미국, 태국에 대한 수출 비중은 45.1%를 기록했다."
    got = _ranks(text, "ko", date(2025, 7, 20))
    assert got == {("KOR", c, "export", "2025-01..2025-06", r) for r, c in enumerate(("CHN", "USA", "THA"), start=1)}


def test_ko_the_top_n_with_fewer_countries_listed_ranks_no_one():
    text = "관세청에 따르면 올해 1~6월 상위 3국인 중국, 미국에 대한 수출 비중은 45.1%를 기록했다."
    assert _ranks(text, "ko", date(2025, 7, 20)) == set()


def test_en_ranks_in_brackets_go_to_the_countries_before_them_and_of_the_top_n_the_rest_to_the_other():
    text = (
        "In the first half of 2025, Korea's exports to Thailand totalled $9.1 billion, up 8.2 percent.\n"
        "Of the top four export markets for Korea, only exports to Thailand grew, with exports to China, the US and "
        "Japan (the first, second and fourth largest export markets) having fallen."
    )
    got = _ranks(text, "en", date(2025, 7, 20))
    expected = {("CHN", 1), ("USA", 2), ("THA", 3), ("JPN", 4)}
    assert got == {("KOR", c, "export", "2025-01..2025-06", r) for c, r in expected}


def test_en_ranks_in_brackets_of_investors_are_no_trade_ranks():
    text = (
        "In the first half of 2025, Korea's exports to Thailand totalled $9.1 billion, up 8.2 percent.\n"
        "Investment from China, the US and Japan (the first, second and fourth largest investors) fell."
    )
    assert _ranks(text, "en", date(2025, 7, 20)) == set()


# --- Korean: "X 시장에서" owns the ranking; an "as of" stated after a claim with no period before it ---------------


def test_ko_in_a_countrys_import_market_that_country_owns_the_ranking():
    text = (
        "베트남 관세청 통계로 보면 태국은 베트남 수입시장에서 중국에 이어 2위를 유지하고 있는데, "
        "올 6월말 현재 점유율은 12.1%다."
    )
    got = _ranks(text, "ko", date(2025, 7, 20))
    assert ("VNM", "THA", "import", "2025-01..2025-06", 2) in got
    assert ("VNM", "CHN", "import", "2025-01..2025-06", 1) in got
    assert not any(r[0] == "KOR" for r in got)


def test_ko_an_as_of_period_after_another_rank_is_not_the_claims():
    text = "태국은 베트남의 4위 수출국이며, 베트남의 태국 시장 점유율은 2019년 11위에서 올해 6월말 현재 7위로 올라섰다."
    got = _ranks(text, "ko", date(2025, 7, 20))
    assert not any(r[2] == "export" and r[4] == 4 and r[3] == "2025-01..2025-06" for r in got)


def test_en_the_head_of_a_followed_by_ranking_by_amounts_is_first():
    text = (
        "In the first half of 2025, Japan was Vietnam's export markets, with US$12.5 billion, up 3 percent, "
        "followed by Korea with US$11.2 billion, up 5 percent."
    )
    got = _ranks(text, "en", date(2025, 7, 20))
    assert ("VNM", "JPN", "export", "2025-01..2025-06", 1) in got
    assert ("VNM", "KOR", "export", "2025-01..2025-06", 2) in got


def test_en_a_followed_by_list_whose_head_is_smaller_ranks_no_one():
    text = (
        "In the first half of 2025, Japan was Vietnam's export markets, with US$9.5 billion, up 3 percent, "
        "followed by Korea with US$11.2 billion, up 5 percent."
    )
    assert _ranks(text, "en", date(2025, 7, 20)) == set()


def test_ko_a_standing_as_of_a_month_is_the_year_to_that_month():
    text = "한국의 태국 수입시장 점유율은 올해 6월 기준 15.1%를 기록해 1위인 중국과의 격차를 줄였다."
    got = _ranks(text, "ko", date(2025, 7, 20))
    assert ("THA", "CHN", "import", "2025-01..2025-06", 1) in got
    assert not any(r[3] == "2025-06" for r in got)


def test_ko_a_rank_in_a_month_not_as_of_it_stays_the_month():
    text = "관세청에 따르면 6월 수출 상대국 1위는 중국으로 100억달러였다."
    got = _ranks(text, "ko", date(2025, 7, 20))
    assert ("KOR", "CHN", "export", "2025-06", 1) in got


def test_en_a_country_that_fell_to_a_place_goes_on_the_pages_last_ranking():
    text = (
        "In the first half of 2025, Thailand was Korea's fifth-largest export market.\n\n"
        "Germany, which had long been among the top five, fell to seventh place as of June."
    )
    got = _ranks(text, "en", date(2025, 7, 20))
    assert ("KOR", "DEU", "export", "2025-01..2025-06", 7) in got


def test_en_a_country_that_fell_to_a_place_on_a_page_without_a_ranking_is_no_claim():
    text = (
        "In the first half of 2025, Korea's exports to Thailand rose 5 percent to $9.1 billion.\n\n"
        "Germany fell to seventh place as of June."
    )
    assert _ranks(text, "en", date(2025, 7, 20)) == set()


def test_a_rank_forecast_is_no_claim_and_a_stated_one_is():
    forecast = (
        "Trong 9 tháng đầu năm, kim ngạch thương mại Hàn Quốc - Thái Lan đạt 20,1 tỷ USD. Dự kiến, Thái Lan sẽ vượt "
        "Đức để trở thành đối tác thương mại lớn thứ năm của Hàn Quốc."
    )
    stated = (
        "Trong 9 tháng đầu năm, kim ngạch thương mại Hàn Quốc - Thái Lan đạt 20,1 tỷ USD. Thái Lan đã vượt "
        "Đức để trở thành đối tác thương mại lớn thứ năm của Hàn Quốc."
    )
    assert _ranks(forecast, "vi", date(2025, 10, 20)) == set()
    assert ("KOR", "THA", "total", "2025-01..2025-09", 5) in _ranks(stated, "vi", date(2025, 10, 20))


def test_the_highest_growth_after_an_amount_is_no_value_rank():
    vi = "Trong năm 2024, xuất khẩu của Hàn Quốc sang Ấn Độ đạt 5,1 tỷ USD, tăng 30,2%, cao nhất trong số các nước."
    ko = "관세청에 따르면 지난해 대인도 수출은 50억달러로 증가율은 중국에 이어 두 번째로 높았다."
    assert _ranks(vi, "vi", date(2025, 3, 1)) == set()
    assert _ranks(ko, "ko", date(2025, 3, 1)) == set()


def test_ko_a_surplus_next_after_a_list_ranks_the_figures_partner_and_the_list():
    text = (
        "산업통상자원부에 따르면 한국의 대(對)태국 무역흑자는 2023년 40억 달러, 올해 1~9월 55억 달러로 늘어 "
        "중국과 미국 다음으로 많았다."
    )
    lines = _rank_lines(text, "ko", date(2025, 10, 20))
    got = {(x["reporter"], x["partner"], x["flow"], x["period"], x["rank"], x.get("basis")) for x in lines}
    assert got == {
        ("KOR", "THA", "balance", "2025-01..2025-09", 3, "surplus"),
        ("KOR", "CHN", "balance", "2025-01..2025-09", 1, "surplus"),
        ("KOR", "USA", "balance", "2025-01..2025-09", 2, "surplus"),
    }
    figures = [x for x in to_json_lines(extract(text, "ko", date(2025, 10, 20))) if x["kind"] == "figure"]
    assert {(x["partner"], x["period"]) for x in figures} >= {("THA", "2025-01..2025-09")}  # never CHN's or USA's
    assert not any(x["partner"] in ("CHN", "USA") for x in figures)


def test_ko_a_figure_more_than_a_list_is_no_rank():
    text = "산업통상자원부에 따르면 한국의 대(對)태국 무역흑자는 올해 1~9월 55억 달러로 중국과 미국보다 많았다."
    assert _ranks(text, "ko", date(2025, 10, 20)) == set()


def test_the_n_months_leading_up_to_a_month_are_the_months_before_it():
    from scrapers.prose.periods import find_periods

    got = [(p.text, str(p.period)) for p in find_periods("for the five months leading up to June", "en", PUB)]
    assert got == [("the five months leading up to June", "2025-01..2025-05")]
    # a window that would reach into the year before is not read as a period
    assert [p.period for p in find_periods("the three months before March", "en", PUB)] == [None]


def test_en_its_largest_source_of_surplus_and_the_largest_among_its_partners():
    shared = "Korea's exports to Thailand fell 2.1% to $12.5 billion in 2024.\n\nThailand is Korea's fifth-largest "
    lines = _rank_lines(shared + "trading partner and its largest source of trade surplus.", "en", date(2025, 2, 1))
    got = {(x["partner"], x["flow"], x["period"], x["rank"], x.get("basis")) for x in lines}
    assert got == {("THA", "total", "2024", 5, None), ("THA", "balance", "2024", 1, "surplus")}
    among = "In 2024, Korea's trade surplus with Thailand was $8.5 billion, the largest among its partners."
    lines = _rank_lines(among, "en", date(2025, 2, 1))
    assert [(x["partner"], x["flow"], x["rank"], x.get("basis")) for x in lines] == [("THA", "balance", 1, "surplus")]
    smaller = (
        "In 2024, Korea's trade surplus with Thailand was $8.5 billion, up 12 percent, the largest among its partners."
    )
    assert _rank_lines(smaller, "en", date(2025, 2, 1)) == []  # the largest growth, not the largest surplus


def test_vi_a_figure_that_stands_nth_after_a_list_ranks_its_partner():
    text = "Năm 2024, xuất khẩu của Việt Nam sang Thái Lan đạt 7,6 tỷ USD, đứng thứ ba sau Mỹ và Trung Quốc."
    got = _ranks(text, "vi", date(2025, 1, 20))
    assert got == {
        ("VNM", "THA", "export", "2024", 3),
        ("VNM", "USA", "export", "2024", 1),
        ("VNM", "CHN", "export", "2024", 2),
    }
    unfit = "Năm 2024, xuất khẩu của Việt Nam sang Thái Lan đạt 7,6 tỷ USD, đứng thứ tư sau Mỹ và Trung Quốc."
    assert _ranks(unfit, "vi", date(2025, 1, 20)) == set()  # three before the fourth, two named: never Mỹ's rank


def test_ko_a_ranking_without_its_owner_is_the_cited_agencys_country():
    text = "무역협회에 따르면 태국은 지난해 미국, 중국에 이어 3대 수출국 자리를 유지했다."
    got = _ranks(text, "ko", date(2025, 1, 20))
    assert ("KOR", "THA", "export", "2024", 3) in got and ("KOR", "USA", "export", "2024", 1) in got
    assert _ranks("태국은 지난해 미국, 중국에 이어 3대 수출국 자리를 유지했다.", "ko", date(2025, 1, 20)) == set()


def test_ko_countries_named_in_order_hold_ranks_from_the_first():
    text = "관세청에 따르면 지난해 국가별 수입은 중국(1400억달러), 미국(720억달러), 일본(480억달러) 순이었다."
    got = _ranks(text, "ko", date(2025, 1, 20))
    assert got == {("KOR", c, "import", "2024", r) for r, c in enumerate(("CHN", "USA", "JPN"), start=1)}


def test_ko_a_list_in_order_with_a_bloc_or_by_growth_ranks_no_one():
    bloc = "관세청에 따르면 지난해 지역별 수출은 중국, 미국, 아세안 순으로 많았다."
    growth = "관세청에 따르면 지난해 수출 증가율은 인도, 태국, 베트남 순으로 높았다."
    assert _ranks(bloc, "ko", date(2025, 1, 20)) == set()
    assert _ranks(growth, "ko", date(2025, 1, 20)) == set()


def test_en_a_countrys_top_three_listed():
    text = "In 2024 Korea's top three export markets were China, the US and Thailand, which took 45 percent."
    got = _ranks(text, "en", date(2025, 1, 20))
    assert got == {("KOR", c, "export", "2024", r) for r, c in enumerate(("CHN", "USA", "THA"), start=1)}
    items = "In 2024 Korea's top three export items were chips, cars and petroleum products."
    assert _ranks(items, "en", date(2025, 1, 20)) == set()


def test_ko_a_commoditys_destinations_in_order_are_no_country_ranking():
    text = "관세청에 따르면 지난해 반도체 수출은 중국, 홍콩, 대만 순이었다."
    assert _ranks(text, "ko", date(2025, 1, 20)) == set()
