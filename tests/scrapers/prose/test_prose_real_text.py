"""Rules for real text, each on sentences of our own in the three languages (not copied from the release set),
and the issue's "done when" page from the real set."""

from __future__ import annotations

from datetime import date

from release_set import RELEASES

from scrapers.prose import extract, to_json_lines
from scrapers.prose.score import page_text
from scrapers.prose.text import sentences

PUB = date(2026, 3, 10)


def _items(text: str, lang: str, published: date = PUB) -> list[tuple]:
    out: list[tuple] = []
    for x in to_json_lines(extract(text, lang, published)):
        if x["kind"] == "figure":
            out.append(("figure", x["reporter"], x["partner"], x["flow"], x["period"], x["value_usd"], x["yoy_pct"]))
        else:
            out.append(("rank", x["reporter"], x["partner"], x["flow"], x["period"], x["rank"]))
    return out


def _figures(text: str, lang: str, published: date = PUB) -> set[tuple]:
    return {i[1:6] for i in _items(text, lang, published) if i[0] == "figure"}


def _ranks(text: str, lang: str, published: date = PUB) -> set[tuple]:
    return {i[1:] for i in _items(text, lang, published) if i[0] == "rank"}


# --- segmentation ---------------------------------------------------------------------------------------------


def test_sentences_glued_without_a_space_are_split():
    ko = "올해 1분기 대베트남 수출은 150억달러로 3.1% 늘었다.같은 기간 수입은 80억달러였다."
    assert [s.text for s in sentences(ko)] == [
        "올해 1분기 대베트남 수출은 150억달러로 3.1% 늘었다.",
        "같은 기간 수입은 80억달러였다.",
    ]
    en = "Exports to Vietnam grew in 2024.Imports were flat. The U.S. figure is separate."
    assert [s.text for s in sentences(en)][:2] == ["Exports to Vietnam grew in 2024.", "Imports were flat."]
    vi = "Xuất khẩu sang Hàn Quốc tăng 5,2%.Nhập khẩu giảm nhẹ."
    assert [s.text for s in sentences(vi)] == ["Xuất khẩu sang Hàn Quốc tăng 5,2%.", "Nhập khẩu giảm nhẹ."]


def test_each_glued_sentence_keeps_its_own_flow_and_quote():
    text = (
        "지난해 한국의 대베트남 수출액은 500억달러로 2.0% 증가했다.같은 기간 베트남으로부터의 수입액은 250억달러였다."
    )
    got = to_json_lines(extract(text, "ko", PUB))
    flows = {(x["flow"], x["value_usd"]) for x in got}
    assert flows == {("export", 50_000_000_000), ("import", 25_000_000_000)}
    assert all(len(x["quote"]) < 60 for x in got)


# --- a third country's figure does not lend its partner to the next sentence ---------------------------------


def test_a_market_breakdown_does_not_carry_its_partner():
    vi = (
        "Trong 2 tháng đầu năm 2025, xuất khẩu của Hàn Quốc sang Nhật Bản đạt 4,1 tỷ USD. "
        "Kim ngạch nhập khẩu của Hàn Quốc đạt 95,2 tỷ USD."
    )
    assert ("KOR", "JPN", "export", "2025-01..2025-02", 4_100_000_000) in _figures(vi, "vi")
    assert not any(f[1] == "JPN" and f[2] == "import" for f in _figures(vi, "vi"))
    en = "In 2024 Korea's exports to Japan were $29.1 billion. Imports were $47.6 billion."
    assert not any(f[1] == "JPN" and f[2] == "import" for f in _figures(en, "en"))


# --- the base of a comparison in parentheses is the year-earlier figure ---------------------------------------


def test_a_year_earlier_figure_in_parentheses():
    ko = "지난해 한국의 대베트남 수출액은 555억달러로 집계됐다. 이는 1년 전(512억달러)보다 8.4% 늘어난 수치다."
    got = _items(ko, "ko")
    assert ("figure", "KOR", "VNM", "export", "2025", 55_500_000_000, 8.4) in got
    assert ("figure", "KOR", "VNM", "export", "2024", 51_200_000_000, None) in got
    en = "Korea's exports to Vietnam reached $55.5 billion in 2025, compared with a year earlier ($51.2 billion)."
    assert ("KOR", "VNM", "export", "2024", 51_200_000_000) in _figures(en, "en")
    vi = "Năm 2025, xuất khẩu của Việt Nam sang Hàn Quốc đạt 26,4 tỷ USD, cao hơn cùng kỳ năm trước (25,1 tỷ USD)."
    assert ("VNM", "KOR", "export", "2024", 25_100_000_000) in _figures(vi, "vi")


def test_a_base_whose_flow_differs_is_not_taken():
    ko = "지난해 한국의 대베트남 수출액은 555억달러였다. 수입은 1년 전(198억달러)보다 늘었다."
    assert not any(f[3] == "2024" for f in _figures(ko, "ko"))


# --- a list of partners in a ranking: each its own figure and rank --------------------------------------------


def test_a_ranked_list_gives_each_member_its_figure_and_rank():
    ko = (
        "올해 1~6월 한국의 대베트남 교역액은 420억달러였다. "
        "이는 중국(1천300억달러), 미국(900억달러)에 이어 세 번째로 큰 교역 규모다."
    )
    figs = _figures(ko, "ko", date(2025, 7, 15))
    assert ("KOR", "CHN", "total", "2025-01..2025-06", 130_000_000_000) in figs
    assert ("KOR", "USA", "total", "2025-01..2025-06", 90_000_000_000) in figs
    ranks = _ranks(ko, "ko", date(2025, 7, 15))
    assert {("KOR", "VNM", "total", "2025-01..2025-06", 3), ("KOR", "CHN", "total", "2025-01..2025-06", 1)} <= ranks


def test_top_n_is_a_rank_only_after_the_list_before_it():
    assert ("KOR", "VNM", "total", "2025", 3) in _ranks(
        "지난해 베트남은 중국, 미국에 이어 한국의 3대 교역국이었다.", "ko"
    )
    assert not _ranks("지난해 베트남은 한국의 3대 교역국 중 하나였다.", "ko")


def test_the_ranked_country_after_the_rank():
    ko = "지난해 우리나라의 수출 상대국 1위는 중국으로 1천330억달러를 기록했다."
    assert ("KOR", "CHN", "export", "2025", 1) in _ranks(ko, "ko")
    assert ("KOR", "VNM", "export", "2025", 1) not in _ranks(ko, "ko")


def test_a_surplus_ranking_is_a_balance_rank_with_the_paragraph_as_subject():
    ko = "지난해 한국의 대베트남 무역수지는 280억달러 흑자였다. 이는 미국(450억달러)에 이어 두 번째로 큰 흑자국이다."
    assert ("KOR", "VNM", "balance", "2025", 2) in _ranks(ko, "ko")
    assert ("KOR", "USA", "balance", "2025", 1) in _ranks(ko, "ko")
    assert ("KOR", "USA", "balance", "2025", 45_000_000_000) in _figures(ko, "ko")
    assert ("KOR", "VNM", "balance", "2025", 45_000_000_000) not in _figures(ko, "ko")


# --- a commodity that is the sentence's subject --------------------------------------------------------------


def test_a_commodity_subject_keeps_the_sentence_out_of_the_totals():
    ko = "반도체는 한국의 대베트남 최대 수출 품목으로, 지난해 수출액은 200억달러였다."
    assert not _figures(ko, "ko")
    en = "Semiconductors were the largest item; in 2025 exports to Vietnam were $20 billion of them."
    assert not _figures(en, "en")
    vi = "Điện thoại là mặt hàng chủ lực, năm 2025 xuất khẩu sang Hàn Quốc đạt 5,5 tỷ USD."
    assert not _figures(vi, "vi")


# --- Korean year-to-date "as of the end of" ------------------------------------------------------------------


def test_korean_as_of_the_end_of_a_month_is_year_to_date():
    ko = "한국의 대베트남 수출은 올 9월말 기준 410억2000만달러로 집계됐다."
    assert ("KOR", "VNM", "export", "2025-01..2025-09", 41_020_000_000) in _figures(ko, "ko", date(2025, 10, 20))


def test_a_country_of_the_clause_is_not_replaced_by_the_context():
    ko = "올해 한국의 대베트남 수출은 300억달러였다. 같은 기간 수출 1~2위는 중국 700억달러, 미국 500억달러였다."
    figs = _figures(ko, "ko", date(2025, 12, 31))
    assert all(f[1] == "VNM" for f in figs if f[1] != "WLD")
    assert not any(f[4] in (70_000_000_000, 50_000_000_000) and f[1] == "VNM" for f in figs)


# --- the page -------------------------------------------------------------------------------------------


def test_the_imaeil_page_gives_exactly_its_figures_and_ranks():
    path = RELEASES / "ko" / "116_imaeil-2026-vietnam-third-partner-2025.txt"
    out = to_json_lines(extract(page_text(path.read_text(encoding="utf-8")), None, date(2026, 1, 26)))
    figs = {
        (x["reporter"], x["partner"], x["flow"], x["period"], x["value_usd"], x["yoy_pct"])
        for x in out
        if x["kind"] == "figure"
    }
    # the page's 2022 surplus ("2022년 한국에 342억달러 흑자를 안기며") is annotated too; the list leaves it out
    assert figs - {("KOR", "VNM", "balance", "2022", 34_200_000_000, None)} == {
        ("KOR", "VNM", "export", "2025", 62_800_000_000, 7.6),
        ("KOR", "VNM", "import", "2025", 31_800_000_000, 11.7),
        ("KOR", "VNM", "total", "2025", 94_500_000_000, 9.0),
        ("KOR", "VNM", "total", "2024", 86_800_000_000, None),
        ("KOR", "VNM", "balance", "2025", 31_000_000_000, None),
        ("KOR", "VNM", "balance", "2024", 29_900_000_000, None),
        ("KOR", "CHN", "total", "2025", 272_700_000_000, None),
        ("KOR", "USA", "total", "2025", 196_200_000_000, None),
        ("KOR", "USA", "balance", "2025", 49_500_000_000, None),
    }
    ranks = {(x["reporter"], x["partner"], x["flow"], x["period"], x["rank"]) for x in out if x["kind"] == "rank"}
    assert {
        ("KOR", "VNM", "total", "2025", 3),
        ("KOR", "CHN", "total", "2025", 1),
        ("KOR", "USA", "total", "2025", 2),
        ("KOR", "VNM", "balance", "2025", 2),
        ("KOR", "USA", "balance", "2025", 1),
    } <= ranks
    assert ranks <= {
        ("KOR", "VNM", "total", "2025", 3),
        ("KOR", "CHN", "total", "2025", 1),
        ("KOR", "USA", "total", "2025", 2),
        ("KOR", "VNM", "balance", "2025", 2),
        ("KOR", "USA", "balance", "2025", 1),
        ("KOR", "VNM", "balance", "2022", 1),
        ("KOR", "VNM", "total", "2022", 3),
    }
    for x in out:  # each with its own sentence as the quote, short enough for an alert
        assert len(x["quote"]) <= 300 and "\n" not in x["quote"]
        assert "반도체" not in x["quote"] or x["kind"] == "rank"


# --- tradewatch extract --explain -------------------------------------------------------------------------------


def test_extract_explain_lists_what_was_left_out_and_why(tmp_path):
    import json

    from typer.testing import CliRunner

    from tradewatch.cli import app

    page = tmp_path / "release_synthetic.txt"  # our own sentences, imitating a Korean news release
    page.write_text(
        "지난해 한국의 대베트남 수출액은 500억달러로 집계됐다.\n"
        "양국은 2030년까지 교역액 1천500억달러 달성을 목표로 하고 있다.\n"
        "반도체는 최대 수출 품목으로, 지난해 수출액은 200억달러였다.\n",
        encoding="utf-8",
    )
    plain = CliRunner().invoke(app, ["extract", str(page), "--published", "2026-02-01", "--json"])
    assert plain.exit_code == 0, plain.output
    assert not [line for line in plain.output.splitlines() if '"skipped"' in line]
    res = CliRunner().invoke(app, ["extract", str(page), "--published", "2026-02-01", "--json", "--explain"])
    assert res.exit_code == 0, res.output
    items = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert [(x["flow"], x["value_usd"]) for x in items if x["kind"] == "figure"] == [("export", 50_000_000_000)]
    skipped = {x["reason"].split(":")[0]: x["quote"] for x in items if x["kind"] == "skipped"}
    assert skipped["a target"].startswith("양국은 2030년까지")
    assert any(r.startswith("a commodity") and q.startswith("반도체는") for r, q in skipped.items())
    table = CliRunner().invoke(app, ["extract", str(page), "--published", "2026-02-01", "--explain"])
    assert "skipped: a target" in table.output and "“양국은 2030년까지" in table.output


def test_a_quote_is_the_clause_when_the_sentence_runs_on():
    filler = "bảng số liệu tham khảo được cập nhật hằng tuần, theo dõi diễn biến thị trường, " * 5
    vi = f"Năm 2025, {filler}xuất khẩu của Việt Nam sang Hàn Quốc đạt 26,4 tỷ USD, {filler}kết thúc."
    out = to_json_lines(extract(vi, "vi", PUB))
    assert [x["value_usd"] for x in out] == [26_400_000_000]
    assert len(out[0]["quote"]) <= 301 and "26,4 tỷ USD" in out[0]["quote"]


# --- changes, averages, periods relative to another ------------------------------------------------------------


def test_respectively_pairs_amounts_and_changes_in_order():
    ko = "올해 1~9월 한국의 대베트남 수출은 400억달러, 수입은 150억달러로, 각각 전년 동기 대비 3.5%, 12.0% 늘었다."
    got = {(f[3], f[5], f[6]) for f in _items(ko, "ko", date(2025, 10, 15)) if f[0] == "figure"}
    assert got == {("export", 40_000_000_000, 3.5), ("import", 15_000_000_000, 12.0)}
    en = "In 2024 Korea's exports to Vietnam and imports from Vietnam were $56.1 billion and $25.3 billion, up 4.2% and 6.1% respectively."
    got = {(f[3], f[5], f[6]) for f in _items(en, "en") if f[0] == "figure"}
    assert got == {("export", 56_100_000_000, 4.2), ("import", 25_300_000_000, 6.1)}


def test_the_year_on_year_change_is_the_marked_one():
    ko = "지난해 한국의 대베트남 수출은 520억 달러로 전월 대비 2.0% 감소했지만 전년 동기 대비 5.5% 증가했다."
    assert _items(ko, "ko")[0][6] == 5.5
    vi = "Năm 2025, xuất khẩu của Việt Nam sang Hàn Quốc đạt 26,4 tỷ USD, giảm 1,1% so với tháng trước, tăng 5,0% so với cùng kỳ."
    assert _items(vi, "vi")[0][6] == 5.0


def test_an_average_per_day_is_no_figure():
    assert not _figures("Average daily exports to Vietnam in 2025 were $0.2 billion.", "en")
    assert not _figures("Năm 2025, xuất khẩu bình quân theo ngày sang Việt Nam là 0,2 tỷ USD.", "vi")
    assert not _figures("지난해 대베트남 일평균 수출액은 2억 달러였다.", "ko")


def test_an_absolute_change_after_a_verb_is_no_level():
    en = "In 2025 Korea's trade surplus with Vietnam widened $2.1 billion to $31.0 billion."
    assert _figures(en, "en") == {("KOR", "VNM", "balance", "2025", 31_000_000_000)}


def test_the_same_period_last_year_is_a_year_before_the_sentence_period():
    ko = "올해 1~5월 베트남의 대한국 무역적자는 108억 달러로, 지난해 같은 기간 적자액 179억 달러보다 줄었다."
    figs = _figures(ko, "ko", date(2025, 6, 10))
    assert ("VNM", "KOR", "balance", "2024-01..2024-05", -17_900_000_000) in figs or not any(
        f[3] != "2025-01..2025-05" for f in figs
    )
    en = "Korea's exports to Vietnam in January-May 2025 were $24.1 billion, against $22.9 billion in the same period last year."
    assert ("KOR", "VNM", "export", "2025-01..2025-05", 24_100_000_000) in _figures(en, "en")
    assert not any(f[3] == "2025-01..2025-05" and f[4] == 22_900_000_000 for f in _figures(en, "en"))


def test_korean_from_a_month_to_last_month():
    ko = "지난 1월부터 지난달까지 한국과 베트남의 교역액은 310억 달러를 기록했다."
    assert {f[3] for f in _figures(ko, "ko", date(2025, 6, 8))} == {"2025-01..2025-05"}


def test_since_an_event_gives_no_period_to_a_rank_claim_but_since_a_year_does():
    en = "Korea has been Vietnam's second-largest trading partner since diplomatic ties were set up in 1992."
    assert not any(r[3] == "1992" for r in _ranks(en, "en"))
    en2 = "Vietnam has been Korea's third-largest trading partner since 2022."
    assert ("KOR", "VNM", "total", "2022", 3) in _ranks(en2, "en")


def test_the_change_in_money_beside_a_percentage_is_no_level():
    en = "Korea's exports to Vietnam in 2025 were $60.2 billion, up 4.1% ($2.4 billion) from a year earlier."
    assert _figures(en, "en") == {("KOR", "VNM", "export", "2025", 60_200_000_000)}
    ko = "지난해 대베트남 수출은 602억 달러로 전년 동기 대비 4.1%(24억 달러) 증가했다."
    assert _items(ko, "ko") == [("figure", "KOR", "VNM", "export", "2025", 60_200_000_000, 4.1)]


def test_korean_flow_noun_after_the_amount_and_toward():
    ko = "지난해 한국은 베트남과의 교역에서 250억달러의 흑자를 냈다."
    assert _figures(ko, "ko") == {("KOR", "VNM", "balance", "2025", 25_000_000_000)}
    ko2 = "지난해 베트남을 향한 우리나라의 수출은 560억달러였다."
    assert _figures(ko2, "ko") == {("KOR", "VNM", "export", "2025", 56_000_000_000)}


def test_days_of_this_month_and_up_to_a_day():
    en = "Korea's exports on the 1st to 20th of this month were $35.1 billion."
    assert {f[3] for f in _figures(en, "en", date(2025, 9, 21))} == {"2025-09-01..2025-09-20"}
    vi = (
        "Tính đến ngày 20/9, cán cân thương mại của Hàn Quốc thâm hụt 1,2 tỷ USD, "
        "con số này trong năm ngoái là thâm hụt 0,8 tỷ USD."
    )
    figs = _figures(vi, "vi", date(2025, 9, 21))
    assert ("KOR", "WLD", "balance", "2025-09-01..2025-09-20", -1_200_000_000) in figs
    assert ("KOR", "WLD", "balance", "2024-09-01..2024-09-20", -800_000_000) in figs


def test_a_trade_ministry_is_no_trade_flow():
    en = "Korea's trade ministry said on Monday the country had shipped $55.9 billion of goods to Vietnam in 2025."
    assert not any(f[2] == "total" for f in _figures(en, "en"))


def test_countries_listed_before_amounts_take_them_in_order():
    vi = "Năm 2025, xuất khẩu của Việt Nam sang Nhật Bản và Hàn Quốc lần lượt là 26,1 tỷ USD và 27,3 tỷ USD."
    assert _figures(vi, "vi") == {
        ("VNM", "JPN", "export", "2025", 26_100_000_000),
        ("VNM", "KOR", "export", "2025", 27_300_000_000),
    }


def test_a_change_with_its_subject_left_out_or_pointed_back_to():
    ko = "지난해 한국의 베트남 수출은 580억달러였다. 전년 대비 5.1% 증가했다."
    assert _items(ko, "ko") == [("figure", "KOR", "VNM", "export", "2025", 58_000_000_000, 5.1)]
    ko2 = "지난해 한국과 베트남의 교역액은 880억 달러를 기록했다.\n이는 전년 같은 기간 810억 달러보다 70억 달러(8.6%) 늘어난 것이다."
    got = _items(ko2, "ko")
    assert ("figure", "KOR", "VNM", "total", "2025", 88_000_000_000, 8.6) in got
    assert ("figure", "KOR", "VNM", "total", "2024", 81_000_000_000, None) in got
    assert not any(f[5] == 7_000_000_000 for f in got)


def test_korean_last_month_and_a_starting_point():
    ko = "베트남 산업통상부에 따르면 지난달 베트남의 수출은 350억달러로 재작년 4월 이후 가장 많았다."
    assert _figures(ko, "ko", date(2025, 2, 14)) == {("VNM", "WLD", "export", "2025-01", 35_000_000_000)}


def test_both_countries_is_the_pair_never_the_world():
    ko = "베트남 통계총국에 따르면 올해 1~9월 한국과 베트남 양국의 교역액은 650억달러였다."
    assert _figures(ko, "ko", date(2025, 10, 20)) == {("VNM", "KOR", "total", "2025-01..2025-09", 65_000_000_000)}
    # with the pair left unnamed, "양국" is no figure at all, and never one against the world
    unnamed = "베트남 통계총국에 따르면 올해 1~9월 양국의 교역액은 650억달러였다."
    assert not any(f[1] == "WLD" for f in _figures(unnamed, "ko", date(2025, 10, 20)))


def test_a_korean_event_date_is_no_period_for_what_follows():
    ko = (
        "올해 1~11월 한국의 대베트남 수출은 480억 달러였다. "
        "양국 교역은 2015년 12월 FTA가 발효된 이후 계속 늘어, 베트남은 우리나라의 3위 교역국으로 부상했다."
    )
    ranks = _ranks(ko, "ko", date(2025, 12, 15))
    assert not any(r[3].startswith("2015") for r in ranks)


# --- bare Korean ranks and ranked lists ------------------------------------------------------------------------


def test_a_ranked_list_in_korean_gives_members_their_ranks_and_figures():
    ko = (
        "관세청에 따르면 지난해 우리나라 10대 무역흑자 국가는 '미국'이 400억달러로 1위에 올랐다. "
        "2위는 '베트남' 300억달러, 3위는 '홍콩' 250억달러였다."
    )
    ranks = _ranks(ko, "ko")
    assert {("KOR", "USA", "balance", "2025", 1), ("KOR", "VNM", "balance", "2025", 2)} <= ranks
    assert ("KOR", "HKG", "balance", "2025", 3) in ranks
    figs = _figures(ko, "ko")
    assert ("KOR", "VNM", "balance", "2025", 30_000_000_000) in figs
    assert ("KOR", "USA", "balance", "2025", 40_000_000_000) in figs


def test_a_deficit_ranking_gives_negative_balances():
    ko = "지난해 우리나라 10대 무역적자 국가는 '일본'이 200억달러로 1위에 올랐다. 2위는 '호주' 150억달러였다."
    figs = _figures(ko, "ko")
    assert {
        ("KOR", "JPN", "balance", "2025", -20_000_000_000),
        ("KOR", "AUS", "balance", "2025", -15_000_000_000),
    } <= figs
    assert ("KOR", "JPN", "balance", "2025", 1) in _ranks(ko, "ko")


def test_bare_ranks_by_growth_share_or_investment_or_over_runs_of_years_are_not_claims():
    assert not _ranks("지난해 국가별 수출 증가율에서 베트남은 한국의 2위였다.", "ko")
    assert not _ranks("한국은 베트남의 누적 투자액 1위 국가다.", "ko")
    assert not _ranks("지난해 한국의 대베트남 수출은 600억달러였다. 베트남은 5년 연속 2위를 지켰다.", "ko")


def test_each_flow_its_own_bare_rank():
    ko = "올해 1~9월 베트남은 한국의 수출은 3위, 수입은 6위 국가가 되었다."
    assert _ranks(ko, "ko", date(2025, 10, 15)) == {
        ("KOR", "VNM", "export", "2025-01..2025-09", 3),
        ("KOR", "VNM", "import", "2025-01..2025-09", 6),
    }


def test_a_paragraph_with_two_periods_leaves_a_figure_without_its_own_unsettled():
    ko = (
        "올해 10월까지 베트남의 수출은 3000억 달러였다. 10월 수출은 300억 달러로 집계됐다. "
        "수입액은 2800억 달러를 기록했다."
    )
    figs = _figures(ko, "ko", date(2025, 11, 12))
    assert not any(f[4] == 280_000_000_000 for f in figs)


def test_from_x_to_y_gives_both_periods():
    en = "Bilateral trade between Korea and Vietnam rose from $0.5 billion in 1992 to $86.8 billion in 2024, KITA said."
    assert {("KOR", "VNM", "total", "1992", 500_000_000), ("KOR", "VNM", "total", "2024", 86_800_000_000)} <= _figures(
        en, "en"
    )
    vi = "Kim ngạch thương mại Việt Nam – Hàn Quốc tăng từ 0,5 tỷ USD năm 1992 lên 86,8 tỷ USD năm 2024."
    assert {("VNM", "KOR", "total", "1992", 500_000_000), ("VNM", "KOR", "total", "2024", 86_800_000_000)} <= _figures(
        vi, "vi"
    )
    ko = "한국과 베트남의 교역액은 1992년 5억달러에서 2024년 868억달러로 늘었다."
    assert {("KOR", "VNM", "total", "1992", 500_000_000), ("KOR", "VNM", "total", "2024", 86_800_000_000)} <= _figures(
        ko, "ko"
    )


def test_an_up_from_change_is_still_no_level():
    en = "Korea's exports to Vietnam rose by $3.1 billion from 2024 to $58.9 billion in 2025."
    figs = _figures(en, "en")
    assert ("KOR", "VNM", "export", "2025", 58_900_000_000) in figs
    assert not any(f[4] == 3_100_000_000 for f in figs)


def test_bilateral_trade_on_a_korea_vietnam_page():
    vi = "Hàn Quốc là đối tác quan trọng của Việt Nam.\\nNăm 2024, thương mại hai chiều đạt 86,8 tỷ USD."
    assert ("VNM", "KOR", "total", "2024", 86_800_000_000) in _figures(vi, "vi")
    vi2 = "Năm 2024, thương mại hai chiều đạt 86,8 tỷ USD."  # no pair named anywhere: no figure
    assert not _figures(vi2, "vi")


def test_a_run_of_ranks_by_year():
    en = (
        "Korea's trade surplus with Vietnam kept growing. Vietnam brought a rising surplus for Korea, ranking sixth in 2015, "
        "third in 2018 and second in 2021, before finishing first last year."
    )
    assert {
        ("KOR", "VNM", "balance", "2015", 6),
        ("KOR", "VNM", "balance", "2018", 3),
        ("KOR", "VNM", "balance", "2021", 2),
        ("KOR", "VNM", "balance", "2025", 1),
    } <= _ranks(en, "en")


def test_it_is_the_country_the_previous_sentence_spoke_of():
    en = "Vietnam has become a key partner for Korea. It became Korea's third-largest trading partner in 2024."
    assert ("KOR", "VNM", "total", "2024", 3) in _ranks(en, "en")


def test_an_apposition_and_a_possessor_shared_by_two_ranks():
    vi = "Tháng 2/2025, xuất khẩu của Hàn Quốc sang Mỹ, thị trường xuất khẩu lớn thứ hai, tăng 3%."
    assert ("KOR", "USA", "export", "2025-02", 2) in _ranks(vi, "vi")
    vi2 = "Năm 2024, Hàn Quốc là thị trường xuất khẩu lớn thứ ba và thị trường nhập khẩu lớn thứ hai của Việt Nam."
    assert {("VNM", "KOR", "export", "2024", 3), ("VNM", "KOR", "import", "2024", 2)} <= _ranks(vi2, "vi")


def test_a_paragraph_that_goes_on_keeps_the_period():
    en = (
        "In 2024 Korea's exports to Vietnam reached $55.9 billion, according to the trade ministry in Seoul, "
        "which also said that shipments of machinery rose.\\nMoreover, Vietnam was Korea's third-largest trading partner."
    )
    assert ("KOR", "VNM", "total", "2024", 3) in _ranks(en, "en")


def test_a_korean_range_of_ranks_over_a_list_and_a_rank_in_parentheses():
    ko = (
        "한국무역협회에 따르면 올해 1~6월 수출 1~3위는 중국 600억달러, 미국 500억달러, 베트남 300억달러였다. "
        "일본은 250억달러(4위)였다."
    )
    ranks = _ranks(ko, "ko", date(2025, 7, 20))
    assert {
        ("KOR", "CHN", "export", "2025-01..2025-06", 1),
        ("KOR", "USA", "export", "2025-01..2025-06", 2),
        ("KOR", "VNM", "export", "2025-01..2025-06", 3),
    } <= ranks
    figs = _figures(ko, "ko", date(2025, 7, 20))
    assert ("KOR", "VNM", "export", "2025-01..2025-06", 30_000_000_000) in figs
    assert ("KOR", "CHN", "export", "2025-01..2025-06", 60_000_000_000) in figs
    # a range whose list does not fit is no claim
    assert not _ranks("한국무역협회에 따르면 올해 1~6월 수출 1~3위는 중국, 미국이었다.", "ko", date(2025, 7, 20))


def test_amounts_listed_with_their_markets():
    en = "In the first five months of 2025, Vietnamese exports reached $20.1 billion in China, $9.2 billion in Japan, and $10.3 billion in South Korea."
    assert _figures(en, "en", date(2025, 6, 10)) == {
        ("VNM", "CHN", "export", "2025-01..2025-05", 20_100_000_000),
        ("VNM", "JPN", "export", "2025-01..2025-05", 9_200_000_000),
        ("VNM", "KOR", "export", "2025-01..2025-05", 10_300_000_000),
    }


def test_turnover_is_no_comparison_word_and_export_and_import_is_a_total():
    en = "Viet Nam's total export and import turnover in the first five months was US$310.2 billion."
    assert _figures(en, "en", date(2025, 6, 10)) == {("VNM", "WLD", "total", "2025-01..2025-05", 310_200_000_000)}


def test_a_rank_over_a_run_of_years_is_claimed_for_each_year():
    ko = (
        "지난해 한국의 대베트남 무역수지는 300억달러 흑자였다. 베트남은 2021~2023년 중국을 제치고 2위 무역흑자국이었다."
    )
    assert {
        ("KOR", "VNM", "balance", "2021", 2),
        ("KOR", "VNM", "balance", "2022", 2),
        ("KOR", "VNM", "balance", "2023", 2),
    } <= _ranks(ko, "ko")


def test_crawl_glued_words_are_set_apart():
    en = "In 2025 export value from Vietnam to theRoK stood at 26.4 billion USD, and the tradedeficitwith the RoK was 30.1 billion USD."
    figs = _figures(en, "en")
    assert ("VNM", "KOR", "export", "2025", 26_400_000_000) in figs
    assert ("VNM", "KOR", "balance", "2025", -30_100_000_000) in figs


def test_the_flow_noun_after_an_amount_names_flow_and_sign():
    en = "In 2024 Vietnam had a $5 billion trade deficit with South Korea and a $10 billion trade surplus with Japan."
    assert _figures(en, "en") == {
        ("VNM", "KOR", "balance", "2024", -5_000_000_000),
        ("VNM", "JPN", "balance", "2024", 10_000_000_000),
    }


def test_a_country_that_owns_a_speaker_is_not_the_figure_s_side():
    en = (
        "Vietnam is Korea's third-largest trading partner. South Korea's trade ministry said the Southeast Asian "
        "nation had a $30 billion trade deficit with South Korea in 2024."
    )
    assert ("VNM", "KOR", "balance", "2024", -30_000_000_000) in _figures(en, "en")
    assert not any(f[0] == "KOR" and f[2] == "balance" for f in _figures(en, "en"))


def test_a_vietnamese_bare_rank_in_the_paragraph_s_ranking():
    vi = (
        "Năm 2024, Trung Quốc là thị trường nhập khẩu lớn nhất của Việt Nam với 144 tỷ USD. "
        "Đứng thứ 2 là Hàn Quốc với 55,9 tỷ USD, tăng 6%."
    )
    assert {("VNM", "CHN", "import", "2024", 1), ("VNM", "KOR", "import", "2024", 2)} <= _ranks(vi, "vi")
    assert ("VNM", "KOR", "import", "2024", 55_900_000_000) in _figures(vi, "vi")


def test_a_plain_comparison_base_is_the_year_earlier_figure():
    vi = (
        "Năm 2025, xuất khẩu từ Hàn Quốc sang Việt Nam đạt 61,0 tỷ USD, tăng 4,6% so với mức 58,3 tỷ USD của năm trước."
    )
    assert ("KOR", "VNM", "export", "2024", 58_300_000_000) in _figures(vi, "vi")
    en = "Korea's exports to Vietnam were $61.0 billion in 2025, compared with $58.3 billion a year earlier."
    assert ("KOR", "VNM", "export", "2024", 58_300_000_000) in _figures(en, "en")


def test_a_commodity_figure_needs_its_own_partner():
    vi = "Năm 2025, xuất khẩu của Hàn Quốc sang Việt Nam đạt 61 tỷ USD. Xuất khẩu chip bán dẫn của Hàn Quốc đạt 170 tỷ USD."
    got = to_json_lines(extract(vi, "vi", PUB))
    assert not any(x.get("commodity") not in (None, "TOTAL") and x["partner"] == "VNM" for x in got)


def test_a_climb_through_ranks_by_year():
    en = "Vietnam kept climbing among South Korea's export destinations, up from 18th in 2001 to 9th in 2008 and to third in 2017."
    assert _ranks(en, "en") == {
        ("KOR", "VNM", "export", "2001", 18),
        ("KOR", "VNM", "export", "2008", 9),
        ("KOR", "VNM", "export", "2017", 3),
    }


def test_a_bare_korean_rank_after_a_list_ranks_the_country_just_spoken_of():
    ko = (
        "한국무역협회에 따르면 베트남이 지난해 한국의 주요 교역국으로 자리잡았다. "
        "지난해 중국과 미국에 이어 3위를 기록한 것이다."
    )
    ranks = _ranks(ko, "ko")
    assert {("KOR", "VNM", "total", "2025", 3), ("KOR", "CHN", "total", "2025", 1)} <= ranks


def test_a_series_by_year_continues_flow_sides_and_sign():
    ko = "한국과의 교역에서 베트남의 무역적자 규모는 2022년 378억 달러, 2023년 300억 달러, 지난해 290억 달러 등 3년간 968억 달러였다."
    assert _figures(ko, "ko") == {
        ("VNM", "KOR", "balance", "2022", -37_800_000_000),
        ("VNM", "KOR", "balance", "2023", -30_000_000_000),
        ("VNM", "KOR", "balance", "2025", -29_000_000_000),
    }
    en = "Korea's exports to Vietnam were $48.6 billion in 2018, $48.5 billion in 2019 and $48.5 billion in 2020."
    assert {(f[3], f[4]) for f in _figures(en, "en")} == {
        ("2018", 48_600_000_000),
        ("2019", 48_500_000_000),
        ("2020", 48_500_000_000),
    }


def test_vietnamese_short_pair_names_and_up_to_a_month():
    vi = "Tính tới tháng 9/2025, quy mô thương mại Việt - Hàn đạt 65,2 tỷ USD."
    figs = _figures(vi, "vi", date(2025, 10, 20))
    assert {(f[2], f[3], f[4]) for f in figs} == {("total", "2025-01..2025-09", 65_200_000_000)}
    assert {frozenset(f[:2]) for f in figs} == {frozenset({"KOR", "VNM"})}


def test_what_had_happened_by_a_year_is_no_target():
    vi = "Năm 1992, quy mô thương mại Hàn - Việt đạt 500 triệu USD, đến năm 2021 đã tăng gấp 161 lần."
    assert {(f[3], f[4]) for f in _figures(vi, "vi")} == {("1992", 500_000_000)}
    vi2 = "Hai nước đặt mục tiêu thương mại Hàn - Việt đạt 150 tỷ USD đến năm 2030."
    assert not _figures(vi2, "vi")


# --- "the two countries" is whichever pair the text named ---------------------------------------------------


def test_the_two_countries_take_the_pair_the_text_named_never_a_fixed_one():
    # "양국" (the two countries) is Korea–Vietnam only where the text is about Korea and Vietnam.
    about_japan = "한국과 일본의 교역이 늘었다. 지난해 양국 교역액은 780억 달러로 집계됐다."
    assert not any(f[1] == "VNM" for f in _figures(about_japan, "ko"))
    about_vietnam = "한국과 베트남의 교역이 늘었다. 지난해 양국 교역액은 780억 달러로 집계됐다."
    assert _figures(about_vietnam, "ko") == {("KOR", "VNM", "total", "2025", 78_000_000_000)}
    en = "Korea and Japan held talks on Monday. Trade between the two countries reached US$78 billion last year."
    assert not any(f[1] == "VNM" for f in _figures(en, "en"))


# --- a page that has stated one trade period goes on about it ------------------------------------------------


def test_a_later_paragraph_takes_the_page_s_one_period():
    en = (
        "In the first quarter of 2025, Vietnam's exports rose 9.0% to $95.0 billion, according to the customs office.\n"
        "Korean firms expanded their production lines in the northern provinces, officials told reporters at a briefing held on Tuesday.\n"
        "Among its markets, Vietnam's exports to South Korea were $6.2 billion in the period.\n"
    )
    assert ("VNM", "KOR", "export", "2025-01..2025-03", 6_200_000_000) in _figures(en, "en")
    # two periods stated before: the later paragraph's figure without a period of its own is not emitted
    two = (
        "In the first quarter of 2025, Vietnam's exports rose 9.0% to $95.0 billion, according to the customs office.\n"
        "In March alone, Vietnam's exports were $35.1 billion, the office said in a statement issued to reporters on Tuesday.\n"
        "Among its markets, Vietnam's exports to South Korea were $6.2 billion.\n"
    )
    assert not any(f[1] == "KOR" for f in _figures(two, "en"))


def test_a_sector_of_the_economy_is_not_the_country():
    en = (
        "In the first half of 2025, Vietnam posted a trade surplus of $7.6 billion. "
        "The domestic sector ran a deficit of $9.1 billion while the foreign-invested sector had a surplus of "
        "$16.7 billion."
    )
    got = _figures(en, "en")
    assert ("VNM", "WLD", "balance", "2025-01..2025-06", 7_600_000_000) in got
    assert {f[4] for f in got} == {7_600_000_000}
    vi = "Trong 6 tháng đầu năm 2025, Việt Nam xuất siêu 7,6 tỷ USD. Khu vực kinh tế trong nước nhập siêu 9,1 tỷ USD."
    assert {f[4] for f in _figures(vi, "vi")} == {7_600_000_000}


def test_the_general_department_of_statistics_speaks_for_vietnam():
    en = (
        "In the first quarter, total export turnover was $88.4 billion, up 6.1 per cent year-on-year, "
        "according to the General Department of Statistics."
    )
    assert _figures(en, "en", date(2025, 4, 6)) == {("VNM", "WLD", "export", "2025-01..2025-03", 88_400_000_000)}
    # the agency settles no side a sentence names itself: a third pair stays that pair's, never Vietnam's
    other = "According to the General Department of Statistics, in March Japan's exports to China were $12.0 billion."
    assert not any(f[0] == "VNM" for f in _figures(other, "en", date(2025, 4, 6)))


def test_the_largest_buyer_of_a_country_s_goods_is_its_export_market():
    en = "In the first five months of 2025, the U.S. was the largest importer of Vietnamese goods with US$60.1 billion."
    got = _items(en, "en", date(2025, 6, 10))
    assert ("rank", "VNM", "USA", "export", "2025-01..2025-05", 1) in got
    assert ("figure", "VNM", "USA", "export", "2025-01..2025-05", 60_100_000_000, None) in got
    # the buyer of one commodity ranks that commodity's trade, not the country's
    rice = "In the first five months of 2025, the Philippines was the largest importer of Vietnamese rice with $1.2 billion."
    assert not _items(rice, "en", date(2025, 6, 10))


def test_followed_by_ranks_the_next_member_and_gives_each_member_its_figure():
    en = (
        "In the first half of 2025, China was Vietnam's largest import market with $60.2 billion, up 12.0 percent. "
        "It was followed by South Korea with $27.3 billion, up 5.5 percent, the ASEAN bloc with $22.0 billion, "
        "and Japan with $11.9 billion."
    )
    got = _items(en, "en", date(2025, 7, 10))
    assert ("rank", "VNM", "CHN", "import", "2025-01..2025-06", 1) in got
    assert ("rank", "VNM", "KOR", "import", "2025-01..2025-06", 2) in got
    assert ("figure", "VNM", "KOR", "import", "2025-01..2025-06", 27_300_000_000, 5.5) in got
    assert ("figure", "VNM", "JPN", "import", "2025-01..2025-06", 11_900_000_000, None) in got
    # a bloc is no partner, and after it no member's rank is claimed (only the first follower's)
    assert not any(x[2] in ("ASEAN", "JPN") for x in got if x[0] == "rank")
    assert not any(x[5] == 22_000_000_000 for x in got if x[0] == "figure")
    vi = (
        "Trong 6 tháng đầu năm 2025, Trung Quốc là thị trường nhập khẩu lớn nhất của Việt Nam với 60,2 tỷ USD, "
        "tiếp theo là Hàn Quốc với 27,3 tỷ USD."
    )
    assert ("VNM", "KOR", "import", "2025-01..2025-06", 27_300_000_000) in _figures(vi, "vi", date(2025, 7, 10))


def test_followed_by_without_a_ranking_or_of_commodities_gives_nothing():
    items = (
        "In the first half of 2025, phones were Vietnam's largest export item with $27.1 billion, "
        "followed by textiles with $17.2 billion and Japan with $1.0 billion."
    )
    assert not _items(items, "en", date(2025, 7, 10))
    plain = (
        "In the first half of 2025, Vietnam's exports to China rose 9.0 percent, followed by Japan with $11.9 billion."
    )
    assert not any(f[1] == "JPN" for f in _figures(plain, "en", date(2025, 7, 10)))


def test_a_vietnamese_ranking_run_on_with_semicolons():
    vi = (
        "Trong 6 tháng đầu năm 2025, Trung Quốc là thị trường xuất khẩu lớn thứ hai của Việt Nam với 31,0 tỷ USD, "
        "tăng 8,0%; khu vực EU đạt 25,1 tỷ USD, tăng 9,2%; Hàn Quốc đạt 12,4 tỷ USD, tăng 6,3%."
    )
    got = _items(vi, "vi", date(2025, 7, 10))
    assert ("figure", "VNM", "CHN", "export", "2025-01..2025-06", 31_000_000_000, 8.0) in got
    assert ("figure", "VNM", "KOR", "export", "2025-01..2025-06", 12_400_000_000, 6.3) in got
    assert not any(x[0] == "figure" and x[5] == 25_100_000_000 for x in got)  # a bloc
    assert not any(x[0] == "rank" and x[2] == "KOR" for x in got)  # a member's place is not stated
    # without a ranking before it, "Hàn Quốc đạt …" in a semicolon list settles no flow
    plain = "Trong 6 tháng đầu năm 2025, giá cà phê tăng 8,0%; Hàn Quốc đạt 12,4 tỷ USD."
    assert not _figures(plain, "vi", date(2025, 7, 10))


def test_a_contrasting_clause_keeps_its_own_period_and_shares_the_first_clause_s_sides():
    # "whereas last year …" dates the contrasted clause, not the figure before it
    en = "Vietnam's trade deficit with Japan widened to $230 million, whereas last year Vietnam had a surplus with it."
    assert not any(f[4] == -230_000_000 and f[3] == "2025" for f in _figures(en, "en"))
    # "whereas exports stood at …": the same two countries as the first clause, even when its amount is no figure
    sides = (
        "In the first eleven months of 2015, Vietnam's imports from China topped $44.99 billion, "
        "whereas exports stood at $15.5 billion."
    )
    assert _figures(sides, "en", date(2015, 12, 10)) == {("VNM", "CHN", "export", "2015-01..2015-11", 15_500_000_000)}
    # … but a clause that names its own side is its own
    own = (
        "In the first eleven months of 2015, Vietnam's imports from China topped $44.99 billion, "
        "whereas Japan's exports stood at $15.5 billion."
    )
    assert not any(f[0] == "VNM" and f[4] == 15_500_000_000 for f in _figures(own, "en", date(2015, 12, 10)))


def test_a_forecast_s_year_is_no_page_period():
    en = (
        "Vietnam is forecast to post a $30 billion trade deficit with China in 2025, according to the latest report "
        "of Vietnam Customs.\n"
        "In the first ten months of 2025, Vietnam's trade deficit with South Korea was $24.1 billion, according to the "
        "customs office data.\n"
        "Korean firms expanded their production lines in the northern provinces, officials told reporters at a briefing "
        "held on Tuesday.\n"
        "The deficit with Thailand in ten months was $3.9 billion.\n"
    )
    got = _figures(en, "en", date(2025, 11, 10))
    assert ("VNM", "THA", "balance", "2025-01..2025-10", -3_900_000_000) in got
    assert not any(f[4] == -30_000_000_000 for f in got)  # the forecast itself stays out


def test_a_web_address_line_is_no_text():
    en = (
        "URL: https://news.example.org/2024/05/vietnam-trade-deficit-with-china\n\n"
        "Korean firms expanded their production lines in the northern provinces, officials told reporters at a briefing "
        "held on Tuesday.\n"
        "Vietnam's trade deficit with Thailand was $3.9 billion, the General Statistics Office said.\n"
    )
    assert not any(f[3] == "2024" for f in _figures(en, "en", date(2025, 11, 10)))
    assert [p for p in sentences(en) if "example.org" in p.text] == []


# --- issue 14, figure recall: lists, back-looking sentences, N-month periods, comparisons ----------------------------
# Each rule on sentences of our own: a case where it must fire and one where it must not.


def test_a_sentence_looking_back_to_an_earlier_year_lends_no_page_period():
    page = (
        "Vietnam's exports in the first four months of 2024 were $120.5 billion, according to the statistics office.\n"
        "Last year, Japan recorded one of the fastest growth rates among Vietnam's export markets, with a 12 per cent "
        "increase compared to 2022.\n"
        "Vietnamese exports reached $20.1 billion in the United States, $6.2 billion in Japan, and $5.3 billion in "
        "South Korea.\n"
    )
    got = _figures(page, "en", date(2024, 5, 10))
    assert ("VNM", "KOR", "export", "2024-01..2024-04", 5_300_000_000) in got
    assert ("VNM", "JPN", "export", "2024-01..2024-04", 6_200_000_000) in got
    # a sentence about a later month is no look back: the page has stated two periods, the list settles none
    later = page.replace("Last year, Japan", "In April, Japan").replace(
        " compared to 2022", " on the month before, according to the report released by the ministry on Tuesday"
    )
    assert not any(f[4] == 5_300_000_000 for f in _figures(later, "en", date(2024, 5, 10)))


def test_a_ranked_list_without_a_rank_word_gives_each_member_its_flow_and_owner():
    en = (
        "In the first half of 2024, China remained Vietnam's main import market, with $60.2 billion, up 12 percent, "
        "followed by South Korea with $30.1 billion and Japan with $12.4 billion."
    )
    got = _figures(en, "en", date(2024, 7, 5))
    assert {
        ("VNM", "CHN", "import", "2024-01..2024-06", 60_200_000_000),
        ("VNM", "KOR", "import", "2024-01..2024-06", 30_100_000_000),
        ("VNM", "JPN", "import", "2024-01..2024-06", 12_400_000_000),
    } <= got
    # the list's first member must be a country opening the sentence
    goods = (
        "In the first half of 2024, electronics remained Vietnam's main import items, with $60.2 billion, "
        "followed by machinery with $30.1 billion."
    )
    assert _figures(goods, "en", date(2024, 7, 5)) == set()


def test_korean_n_months_is_the_year_to_date_but_not_the_first_rise_in_n_months():
    ko = "베트남의 대미 수출은 10개월 동안 전년 대비 10% 증가한 900억 달러를 기록했다."
    assert _figures(ko, "ko", date(2025, 11, 12)) == {("VNM", "USA", "export", "2025-01..2025-10", 90_000_000_000)}
    rebound = "대베트남 수출은 10월 50억 달러로 14개월 만에 반등했다."
    assert _figures(rebound, "ko", date(2025, 11, 12)) == {("KOR", "VNM", "export", "2025-10", 5_000_000_000)}
    first_rise = "대베트남 수출은 50억 달러로 10개월 만에 증가했다."
    assert not any(f[3] == "2025-01..2025-10" for f in _figures(first_rise, "ko", date(2025, 11, 12)))


def test_a_list_without_a_flow_word_takes_the_previous_sentence_s_one_period():
    head = "올해 10월까지 베트남의 수출은 3000억 달러였다. 10월 수출은 300억 달러로 집계됐다. "
    ko = (
        head
        + "수출시장 국가별로 보면 1위는 미국이다. 베트남의 대미 수출은 10개월 동안 900억 달러였다. 2위 중국은 500억 달러로 집계됐다."
    )
    got = _figures(ko, "ko", date(2025, 11, 12))
    assert ("VNM", "CHN", "export", "2025-01..2025-10", 50_000_000_000) in got
    # a sentence that names its own flow must settle its own period
    own = head + "베트남의 대미 수출은 10개월 동안 900억 달러였다. 수입액은 2800억 달러를 기록했다."
    assert not any(f[4] == 280_000_000_000 for f in _figures(own, "ko", date(2025, 11, 12)))


def test_a_list_of_markets_hands_on_no_subject_pair():
    ko = (
        "수출시장 국가별로 보면 1위는 미국이다. 올해 10월까지 베트남의 대미 수출은 900억 달러였다. "
        "2위 중국은 500억 달러, 3위 한국이 160억 달러 순이었다. "
        "지난달 베트남의 수입액은 245억 달러로 집계됐다."
    )
    got = _figures(ko, "ko", date(2025, 11, 12))
    assert ("VNM", "KOR", "export", "2025-01..2025-10", 16_000_000_000) in got
    assert not any(f[:3] == ("VNM", "KOR", "import") for f in got)
    # a sentence about Korea–Vietnam alone still hands its pair on
    pair = "지난달 한국의 대베트남 수출은 50억 달러였다. 수입은 20억 달러였다."
    assert ("KOR", "VNM", "import", "2025-10", 2_000_000_000) in _figures(pair, "ko", date(2025, 11, 12))


def test_korean_last_year_words_resolve():
    ko = "작년 한해 대베트남 수출은 500억달러로 집계됐다."
    assert _figures(ko, "ko", date(2025, 3, 2)) == {("KOR", "VNM", "export", "2024", 50_000_000_000)}
    this_year = "금년 대베트남 수출은 500억달러를 기록했다."  # a year not yet over: no figure for it
    assert _figures(this_year, "ko", date(2025, 3, 2)) == set()


def test_korean_country_compared_by_the_same_measure():
    ko = "지난해 대베트남 수출은 500억달러(3위)로 일본 300억달러(5위)보다 200억달러 많았다."
    got = _figures(ko, "ko", date(2025, 3, 2))
    assert ("KOR", "JPN", "export", "2024", 30_000_000_000) in got
    assert not any(f[4] == 20_000_000_000 for f in got)
    target = "지난해 대베트남 수출은 500억달러로 목표치 600억달러보다 적었다."
    assert not any(f[4] == 60_000_000_000 for f in _figures(target, "ko", date(2025, 3, 2)))


def test_korean_deficit_after_an_amount_is_a_balance_not_a_change():
    ko = "관세청에 따르면 이달 1일부터 10일까지 무역수지는 15억 달러 적자를 나타냈다."
    assert _figures(ko, "ko", date(2025, 12, 11)) == {
        ("KOR", "WLD", "balance", "2025-12-01..2025-12-10", -1_500_000_000)
    }
    less = "관세청에 따르면 이달 1일부터 10일까지 대베트남 수출은 전년 동기보다 15억 달러 적었다."
    assert not any(f[4] == 1_500_000_000 for f in _figures(less, "ko", date(2025, 12, 11)))


def test_korean_flow_after_a_parenthesised_conversion():
    ko = "베트남 통계청에 따르면 베트남은 올해 10월까지 187억 달러(약 25조원)의 무역흑자를 기록했다."
    got = _figures(ko, "ko", date(2025, 11, 12))
    assert ("VNM", "WLD", "balance", "2025-01..2025-10", 18_700_000_000) in got
    invest = "베트남 통계청에 따르면 올해 10월까지 한국은 베트남에 187억 달러(약 25조원)의 투자를 했다."
    assert _figures(invest, "ko", date(2025, 11, 12)) == set()


def test_korean_countries_before_next_are_compared_with_not_the_sides():
    ko = "한국의 대베트남 무역흑자는 올해 1~11월 300억 달러로 중국과 홍콩 다음으로 많았다."
    got = _figures(ko, "ko", date(2025, 12, 10))
    assert ("KOR", "VNM", "balance", "2025-01..2025-11", 30_000_000_000) in got
    # without "다음으로" the two countries are the pair the clause speaks of
    pair = "중국과 홍콩의 교역액은 올해 1~11월 300억 달러였다."
    assert not any(f[:2] in (("KOR", "VNM"), ("VNM", "KOR")) for f in _figures(pair, "ko", date(2025, 12, 10)))


def test_the_period_a_share_is_taken_of_and_the_change_as_a_share():
    vi = (
        "Trong 6 tháng đầu năm 2024, kim ngạch thương mại Việt Nam – Hàn Quốc đạt 40,2 tỷ USD (bằng 52% của cả năm "
        "2023 và bằng 110,5% so với cùng kỳ năm 2023)."
    )
    items = [i for i in _items(vi, "vi", date(2024, 7, 10)) if i[0] == "figure"]
    assert [(i[4], i[5], i[6]) for i in items] == [("2024-01..2024-06", 40_200_000_000, 10.5)]
    up = "Trong 6 tháng đầu năm 2024, kim ngạch thương mại Việt Nam – Hàn Quốc đạt 40,2 tỷ USD, tăng 10,5% so với cùng kỳ."
    assert [i[6] for i in _items(up, "vi", date(2024, 7, 10)) if i[0] == "figure"] == [10.5]


def test_vietnamese_from_to_reaching_a_record():
    vi = "Kim ngạch thương mại hai chiều Việt Nam – Hàn Quốc tăng từ 0,5 tỷ USD năm 1992 lên đạt mức kỷ lục 86,4 tỷ USD năm 2023."
    got = _figures(vi, "vi", date(2024, 3, 1))
    assert {f[3:] for f in got} == {("1992", 500_000_000), ("2023", 86_400_000_000)}
    change = "Kim ngạch thương mại hai chiều Việt Nam – Hàn Quốc năm 2023 tăng 5 tỷ USD lên đạt mức kỷ lục 86,4 tỷ USD."
    assert not any(f[4] == 5_000_000_000 for f in _figures(change, "vi", date(2024, 3, 1)))


def test_the_flow_s_possessor_is_its_reporter_before_the_subject():
    vi = "Năm 2024, Việt Nam chiếm khoảng 30% tổng kim ngạch thương mại của Hàn Quốc với Nhật Bản (70,1 tỷ USD)."
    got = _figures(vi, "vi", date(2025, 2, 1))
    assert ("KOR", "JPN", "total", "2024", 70_100_000_000) in got
    subj = "Năm 2024, Việt Nam xuất khẩu sang Hàn Quốc 25,3 tỷ USD."
    assert _figures(subj, "vi", date(2025, 2, 1)) == {("VNM", "KOR", "export", "2024", 25_300_000_000)}


def test_a_figure_stated_again_keeps_its_change():
    ko = (
        "지난해 대베트남 수입은 259억달러였다. 반도체 수출은 127억달러로 전년 대비 21.6% 줄었다. "
        "베트남으로부터 수입도 259억달러로 전년 대비 2.9% 줄었다."
    )
    items = [i for i in _items(ko, "ko", date(2025, 2, 1)) if i[0] == "figure" and i[5] == 25_900_000_000]
    assert [i[6] for i in items] == [-2.9]


def test_english_n_months_is_the_year_to_date_but_not_the_highest_in_n_months():
    en = "Vietnam's trade deficit with Japan in 11 months was $1.2 billion."
    assert _figures(en, "en", date(2025, 12, 10)) == {("VNM", "JPN", "balance", "2025-01..2025-11", -1_200_000_000)}
    highest = "Vietnam's exports to Japan rose to $2.1 billion in October, the highest in 11 months."
    assert not any(f[3] == "2025-01..2025-11" for f in _figures(highest, "en", date(2025, 12, 10)))


def test_figures_after_the_previous_sentence_s_amount_are_other_countries_by_its_measure():
    en = (
        "According to customs data, Korea's exports to Vietnam in the first half of 2024 were $28.4 billion.\n"
        "The amount is the third-highest after $61.2 billion for China and $60.3 billion for the United States.\n"
    )
    got = _figures(en, "en", date(2024, 7, 15))
    assert ("KOR", "CHN", "export", "2024-01..2024-06", 61_200_000_000) in got
    assert ("KOR", "USA", "export", "2024-01..2024-06", 60_300_000_000) in got
    # a sentence with a subject of its own is no such list
    own = en.replace("The amount is the third-highest after", "Samsung invested")
    assert not any(f[4] == 61_200_000_000 for f in _figures(own, "en", date(2024, 7, 15)))


def test_a_sentence_of_changes_without_amounts_gives_each_flow_its_change():
    ko = (
        "산업부에 따르면 한국은 지난해 베트남에 600억달러를 수출하고 260억달러를 수입했다.\n"
        "양국 간 교역은 꾸준히 늘고 있다. 지난해도 전년과 비교해 수출은 7.5%, 수입은 11.5% 늘었다.\n"
    )
    items = {(i[3], i[6]) for i in _items(ko, "ko", date(2025, 1, 5)) if i[0] == "figure"}
    assert items == {("export", 7.5), ("import", 11.5)}
    # without a year-on-year word the percentages may be month-on-month: no change is set
    month = ko.replace("지난해도 전년과 비교해 ", "지난해 ")
    assert {i[6] for i in _items(month, "ko", date(2025, 1, 5)) if i[0] == "figure"} == {None}


def test_a_figure_restated_without_its_period_takes_the_period_it_was_stated_with():
    ko = (
        "베트남 통계청에 따르면 올해 10월까지 베트남의 전체 수입액은 2105억 달러다.\n"
        "10월 수입액은 245억 달러로 집계됐다.\n"
        "수입액은 전년동기 대비 0.4% 증가한 2105억5000만 달러를 기록했다.\n"
    )
    got = [i for i in _items(ko, "ko", date(2025, 11, 12)) if i[0] == "figure" and i[5] > 200_000_000_000]
    assert got == [("figure", "VNM", "WLD", "import", "2025-01..2025-10", 210_550_000_000, 0.4)]
    # a value the page has not stated before stays without a period
    other = ko.replace("수입액은 전년동기 대비 0.4% 증가한 2105억5000만 달러", "수입액은 2180억 달러")
    assert not any(i[5] == 218_000_000_000 for i in _items(other, "ko", date(2025, 11, 12)))


def test_vietnamese_the_month_just_past():
    vi = (
        "Tổng kim ngạch xuất khẩu của Hàn Quốc trong tháng vừa qua đạt 50,1 tỷ USD, giảm 2,1% so với cùng kỳ năm trước."
    )
    assert _figures(vi, "vi", date(2025, 4, 2)) == {("KOR", "WLD", "export", "2025-03", 50_100_000_000)}
    # "so với tháng trước" is the base of a change, no period
    cmp = "Xuất khẩu của Hàn Quốc sang Việt Nam tháng 3 đạt 5,1 tỷ USD, tăng 3% so với tháng trước."
    assert _figures(cmp, "vi", date(2025, 4, 2)) == {("KOR", "VNM", "export", "2025-03", 5_100_000_000)}


def test_an_amount_passed_that_a_relative_clause_describes_is_a_figure():
    vi = (
        "Trong 7 tháng đầu năm 2024, xuất khẩu của Hàn Quốc sang Việt Nam đạt 32,15 tỷ USD, vượt mức 30,48 tỷ USD "
        "mà Hàn Quốc xuất sang Nhật Bản."
    )
    got = _figures(vi, "vi", date(2024, 8, 30))
    assert ("KOR", "JPN", "export", "2024-01..2024-07", 30_480_000_000) in got
    en = (
        "In the first seven months of 2024, Korea's exports to Vietnam were $32.15 billion, surpassing the $30.48 "
        "billion that Korea shipped to Japan."
    )
    assert ("KOR", "JPN", "export", "2024-01..2024-07", 30_480_000_000) in _figures(en, "en", date(2024, 8, 30))
    # a milestone without such a clause stays a bound
    bare = "Trong 7 tháng đầu năm 2024, xuất khẩu của Hàn Quốc sang Việt Nam vượt mức 30 tỷ USD."
    assert _figures(bare, "vi", date(2024, 8, 30)) == set()


def test_a_comparison_base_with_its_own_past_period_is_that_period_s_level():
    en = (
        "Vietnam and South Korea plan to lift bilateral trade to $120 billion by 2030, up from $86 billion last year, "
        "according to Vietnam Customs."
    )
    got = _figures(en, "en", date(2024, 5, 2))
    assert {f[2:] for f in got} == {("total", "2023", 86_000_000_000)}
    assert {f[:2] for f in got} <= {("VNM", "KOR"), ("KOR", "VNM")}
    # without a period of its own the base stays out
    bare = "Vietnam's exports to South Korea reached $2.1 billion in April, up from $1.9 billion."
    assert _figures(bare, "en", date(2024, 5, 2)) == {("VNM", "KOR", "export", "2024-04", 2_100_000_000)}


def test_the_figures_of_a_list_of_flows_stated_again_for_another_period():
    en = (
        "Trade between the two countries has grown fast. Ten years ago, Korea's exports to and imports from Vietnam "
        "were $8.1 billion and $2.9 billion. The figures rose to $55.6 billion and $25.3 billion last year."
    )
    got = _figures(en, "en", date(2024, 3, 1))
    assert ("KOR", "VNM", "export", "2023", 55_600_000_000) in got
    assert ("KOR", "VNM", "import", "2023", 25_300_000_000) in got
    # a sentence of its own subject after it is no such restatement
    own = en.replace("The figures rose to", "Japan's investments rose to")
    assert not any(f[4] == 55_600_000_000 for f in _figures(own, "en", date(2024, 3, 1)))


def test_during_the_same_period_is_the_period_just_stated():
    en = (
        "In 2023, Korea's exports to Vietnam were $53.5 billion. In the first ten months of 2024, Korea's trade surplus "
        "with Vietnam was $24.3 billion. Korea's trade surplus with China was $1.2 billion during the same period."
    )
    got = _figures(en, "en", date(2024, 11, 20))
    assert ("KOR", "CHN", "balance", "2024-01..2024-10", 1_200_000_000) in got
    # "the same month of last year" is a comparison base, no such pointer
    cmp = (
        "In the first ten months of 2024, Korea's trade surplus with Vietnam was $24.3 billion. In October, Korea's "
        "exports to Vietnam were $5.1 billion. Korea's trade surplus with China was $1.2 billion against the same "
        "month of last year."
    )
    assert not any(f[1] == "CHN" for f in _figures(cmp, "en", date(2024, 11, 20)))


def test_a_sentence_that_goes_on_takes_the_previous_sentence_s_flow_and_pair():
    ko = (
        "한·베트남 교역액은 2005년에 처음으로 50억달러를 넘었다. 이후 2011년 200억달러를 넘어선 뒤 2013년 283억달러를 "
        "기록했다."
    )
    got = _figures(ko, "ko", date(2016, 3, 2))
    assert {f[2:] for f in got} == {("total", "2013", 28_300_000_000)}
    # a previous sentence about another pair lends nothing
    other = ko.replace("한·베트남", "한·일")
    assert _figures(other, "ko", date(2016, 3, 2)) == set()


def test_a_paragraph_gone_forward_in_time_settles_a_figure_without_its_period():
    ko = (
        "한·베트남 교역액은 2013년 283억달러를 기록했다. 지난해 한국의 베트남 수출은 278억달러였다. "
        "수입은 98억달러였다."
    )
    assert ("KOR", "VNM", "import", "2015", 9_800_000_000) in _figures(ko, "ko", date(2016, 3, 2))
    # gone back in time, the paragraph leaves it unsettled
    back = (
        "지난해 한국의 베트남 수출은 278억달러였다. 한·베트남 교역액은 2013년 283억달러를 기록했다. "
        "수입은 98억달러였다."
    )
    assert not any(f[4] == 9_800_000_000 for f in _figures(back, "ko", date(2016, 3, 2)))


def test_the_level_a_figure_grew_to_in_its_own_period():
    vi = "Năm 2000, kim ngạch thương mại Hàn - Việt đạt 2,1 tỷ USD, đến năm 2023 đã tăng gấp 38 lần lên 79,4 tỷ USD."
    got = _figures(vi, "vi", date(2024, 3, 1))
    assert {f[2:] for f in got} == {("total", "2000", 2_100_000_000), ("total", "2023", 79_400_000_000)}
    # an amount the clause names as a change is no level
    change = "Năm 2000, kim ngạch thương mại Hàn - Việt đạt 2,1 tỷ USD, đến năm 2023 đã tăng thêm 77,3 tỷ USD."
    assert {f[3] for f in _figures(change, "vi", date(2024, 3, 1))} == {"2000"}


def test_goods_that_led_a_total_are_not_its_commodity():
    ko = "산업부에 따르면 올해 1~10월 베트남으로부터의 수입은 의류, 신발 등을 중심으로 전년 대비 9.1% 증가한 210억 달러를 기록했다."
    assert _figures(ko, "ko", date(2025, 11, 20)) == {("KOR", "VNM", "import", "2025-01..2025-10", 21_000_000_000)}
    en = "Vietnam's exports to Korea rose 9.1% to $21 billion in 2024, led by textiles and footwear."
    assert _figures(en, "en", date(2025, 2, 1)) == {("VNM", "KOR", "export", "2024", 21_000_000_000)}
    # the commodity as the figure's own subject still keeps it out
    own = "산업부에 따르면 올해 1~10월 베트남으로부터의 의류 수입은 전년 대비 9.1% 증가한 21억 달러를 기록했다."
    assert _figures(own, "ko", date(2025, 11, 20)) == set()


def test_a_market_share_s_date_lends_no_period():
    ko = (
        "산업부는 올해 1~11월 베트남과의 교역 규모가 585억 달러라고 밝혔다.\n"
        "한국의 베트남 수입시장 점유율도 올해 10월 기준 22.3%를 기록했다.\n"
        "베트남으로부터의 수입은 전년 대비 29.2% 증가한 148억 달러를 기록했다.\n"
    )
    got = _figures(ko, "ko", date(2025, 12, 19))
    assert ("KOR", "VNM", "import", "2025-01..2025-11", 14_800_000_000) in got
    # a trade sentence with its own month does set the period
    month = ko.replace(
        "한국의 베트남 수입시장 점유율도 올해 10월 기준 22.3%를 기록했다.", "대베트남 수출은 올해 10월 크게 늘었다."
    )
    assert not any(
        f[3] == "2025-01..2025-11" and f[4] == 14_800_000_000 for f in _figures(month, "ko", date(2025, 12, 19))
    )


def test_vietnamese_goods_of_a_country_brought_into_another_and_n_months():
    vi = "Cụ thể, nhập khẩu Hàn Quốc vào Việt Nam 10 tháng là 40,2 tỷ USD, xuất khẩu là 20,5 tỷ USD."
    got = _figures(vi, "vi", date(2025, 11, 12))
    assert got == {
        ("VNM", "KOR", "import", "2025-01..2025-10", 40_200_000_000),
        ("VNM", "KOR", "export", "2025-01..2025-10", 20_500_000_000),
    }
    # "3 tháng liên tiếp" (three months running) is no period
    run = "Xuất khẩu của Việt Nam sang Hàn Quốc tăng 3 tháng liên tiếp, đạt 2,1 tỷ USD."
    assert _figures(run, "vi", date(2025, 11, 12)) == set()


def test_a_comparison_with_the_same_period_last_year_picks_the_span_not_the_month():
    head = "올해 10월까지 베트남의 수입은 3000억 달러였다. 10월 수입은 300억 달러로 집계됐다. "
    ko = head + "베트남의 대중국 수입액은 700억 달러로 작년 같은 기간에 비해 6.2% 증가했다."
    got = _figures(ko, "ko", date(2025, 11, 12))
    assert ("VNM", "CHN", "import", "2025-01..2025-10", 70_000_000_000) in got
    # compared with the same month, or with nothing, it stays unsettled
    month = head + "베트남의 대중국 수입액은 70억 달러로 전년 동월에 비해 6.2% 증가했다."
    assert not any(f[1] == "CHN" for f in _figures(month, "ko", date(2025, 11, 12)))


def test_a_year_before_1950_is_a_typo_not_a_period():
    vi = "Kim ngạch thương mại hai chiều Việt Nam – Hàn Quốc tăng từ 0,5 tỷ USD năm 1922 lên 86,4 tỷ USD năm 2023."
    got = _figures(vi, "vi", date(2024, 3, 1))
    assert {f[3:] for f in got} == {("2023", 86_400_000_000)}
    # a real starting year keeps both ends
    real = vi.replace("1922", "1992")
    assert {f[3:] for f in _figures(real, "vi", date(2024, 3, 1))} == {("1992", 500_000_000), ("2023", 86_400_000_000)}


def test_a_year_contrasted_with_part_of_the_next_is_left_out():
    en = (
        "Vietnam's deficit with Japan in 11 months widened to $230 million, whereas last year Vietnam enjoyed a "
        "surplus of $2.1 billion with Japan."
    )
    got = _figures(en, "en", date(2025, 12, 10))
    assert got == {("VNM", "JPN", "balance", "2025-01..2025-11", -230_000_000)}
    # a contrast between two whole years keeps both
    years = (
        "Vietnam's deficit with Japan in 2024 widened to $230 million, whereas in 2023 Vietnam enjoyed a "
        "surplus of $2.1 billion with Japan."
    )
    assert ("VNM", "JPN", "balance", "2023", 2_100_000_000) in _figures(years, "en", date(2025, 12, 10))


def test_a_subject_pointing_back_at_a_flow_takes_its_change_before_its_own_amounts():
    en = (
        "In the first half of 2024, Vietnam's imports from South Korea were $28.1 billion, according to customs.\n"
        "That import value with growth of 12.4 percent year-on-year lifted Vietnam's trade deficit with South Korea "
        "to $15.2 billion.\n"
    )
    items = [i for i in _items(en, "en", date(2024, 7, 10)) if i[0] == "figure" and i[3] == "import"]
    assert [i[6] for i in items] == [12.4]
    # a subject naming another flow leaves the figure's change open
    other = en.replace("That import value", "That export value")
    items = [i for i in _items(other, "en", date(2024, 7, 10)) if i[0] == "figure" and i[3] == "import"]
    assert [i[6] for i in items] == [None]


def test_n_months_is_the_year_to_date_only_when_they_end_at_publication():
    ko = "산업부에 따르면 지난 6개월 동안 대베트남 수출은 300억 달러였다."
    assert _figures(ko, "ko", date(2025, 7, 2)) == {("KOR", "VNM", "export", "2025-01..2025-06", 30_000_000_000)}
    # published in November, "the past six months" run from May: no year to date
    assert _figures(ko, "ko", date(2025, 11, 3)) == set()
