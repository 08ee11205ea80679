"""The ranking rule on plain data: overtakes both ways, ties, missing partners, aggregates, top N."""

from __future__ import annotations

from alerts.ranking import RankedPeriod, ranking_alerts
from tradewatch.model import Period

BN = 1_000_000_000
BASE = {
    "CHN": 25,
    "USA": 20,
    "VNM": 6.88,
    "JPN": 6.10,
    "TWN": 5,
    "HKG": 3.5,
    "AUS": 3.2,
    "DEU": 2.9,
    "SAU": 2.5,
    "IND": 2.2,
    "SGP": 2.0,
    "MYS": 1.8,
    "IDN": 1.6,
    "WLD": 120,
    "ASN": 15,
}
WATCHED = ["VNM", "KOR", "CHN", "USA", "JPN", "HKG", "TWN"]


def rp(period, values, kind="month", maturity="provisional"):
    return RankedPeriod(
        Period.parse(period),
        kind,
        "kcs",
        {p: int(v * BN) for p, v in values.items()},
        maturity,
        "https://src.example/x",
        "ef" * 32,
    )


def run(prev, cur, registry, *, kind="month", top_n=10, watched=WATCHED, pairs=(("JPN", "VNM"),)):
    p = rp("2026-09" if kind == "month" else "2025", prev, kind)
    c = rp("2026-10" if kind == "month" else "2026", cur, kind)
    return ranking_alerts(
        "KOR", "total", c, p, watched=watched, overtake_pairs=list(pairs), top_n=top_n, registry=registry
    )


def keys(alerts):
    return sorted(a.dedup_key for a in alerts)


def test_nothing_changes_nothing_alerts(registry):
    assert run(BASE, BASE, registry) == []


def test_overtake_in_both_directions(registry):
    swapped = {**BASE, "JPN": 6.51, "VNM": 6.42}
    up = run(BASE, swapped, registry)
    assert keys(up) == ["ranking.overtake:KOR:total:month:2026-10:JPN>VNM"]
    a = up[0]
    assert (a.severity, a.partner, a.period, a.previous_period, a.maturity) == (
        "warning",
        "JPN",
        "2026-10",
        "2026-09",
        "provisional",
    )
    assert a.figures == {"JPN": {"rank": 3, "value_usd": 6_510_000_000}, "VNM": {"rank": 4, "value_usd": 6_420_000_000}}
    assert a.previous == {
        "JPN": {"rank": 4, "value_usd": 6_100_000_000},
        "VNM": {"rank": 3, "value_usd": 6_880_000_000},
    }
    assert a.source_url == "https://src.example/x" and a.snapshot_sha256 == "ef" * 32
    down = run(swapped, BASE, registry)
    assert keys(down) == ["ranking.overtake:KOR:total:month:2026-10:VNM>JPN"]
    assert down[0].message.startswith(
        "Vietnam overtook Japan as Korea's #3 trade partner in 2026-10 (monthly, provisional)"
    )


def test_aggregates_never_rank(registry):
    # ASEAN and the world are far above Vietnam; they change nothing in the ranks.
    alerts = run(BASE, {**BASE, "ASN": 1, "WLD": 300}, registry)
    assert alerts == []
    alerts = run(BASE, {**BASE, "JPN": 6.51, "VNM": 6.42}, registry)
    assert "#3" in alerts[0].title  # not #5 behind the world and ASEAN


def test_a_tie_is_not_an_overtake_but_leaving_a_tie_is(registry):
    tied = {**BASE, "JPN": 6.88}
    into_tie = run(BASE, tied, registry)
    assert [a.rule for a in into_tie if a.rule == "ranking.overtake"] == []
    # Japan's own rank changed (#4 → shares #3): that is said, with the tie
    rank = [a for a in into_tie if a.partner == "JPN"]
    assert [a.dedup_key for a in rank] == ["ranking.rank:KOR:total:month:2026-10:JPN:#3"]
    assert "tied with Vietnam" in rank[0].message
    out_of_tie = run(tied, {**BASE, "JPN": 7.0}, registry)
    ov = [a for a in out_of_tie if a.rule == "ranking.overtake"]
    assert [a.dedup_key for a in ov] == ["ranking.overtake:KOR:total:month:2026-10:JPN>VNM"]
    assert "Japan moved ahead of Vietnam" in ov[0].message


def test_missing_partner_is_not_ranked_and_the_message_says_so(registry):
    cur = {k: v for k, v in BASE.items() if k != "VNM"}
    alerts = run(BASE, cur, registry)
    by_key = {a.dedup_key: a for a in alerts}
    # no overtake claimed just because Vietnam has no figure
    assert not any(a.rule == "ranking.overtake" for a in alerts)
    a = by_key["ranking.top10:KOR:total:month:2026-10:VNM:out"]
    assert "not ranked (no figure)" in a.message and a.figures == {"VNM": {"rank": None, "value_usd": None}}
    # Japan moved up to #3 because Vietnam is missing: said as a rank change
    assert "ranking.rank:KOR:total:month:2026-10:JPN:#3" in by_key
    # a watched partner outside the top N that disappears: not ranked
    small = {**BASE, "HKG": 1.0}
    gone = {k: v for k, v in small.items() if k != "HKG"}
    a = next(a for a in run(small, gone, registry) if a.partner == "HKG")
    assert a.dedup_key == "ranking.rank:KOR:total:month:2026-10:HKG:unranked"
    assert (
        "Hong Kong is not ranked among Korea's trade partners in 2026-10" in a.message
        and "missing, so not ranked" in a.message
    )


def test_entries_and_exits_of_the_top_n(registry):
    cur = {**BASE, "IDN": 2.6}  # Indonesia into the top 10, pushing Singapore (#11 → #12) and India (#10 → #11)
    alerts = run(BASE, cur, registry)
    assert keys(alerts) == [
        "ranking.top10:KOR:total:month:2026-10:IDN:in",
        "ranking.top10:KOR:total:month:2026-10:IND:out",
    ]
    entry = next(a for a in alerts if a.partner == "IDN")
    assert entry.message.startswith("Indonesia entered the top 10 of Korea's trade partners in 2026-10")
    assert "#9 ($2.60 bn)" in entry.message and "2026-09: #13 ($1.60 bn)" in entry.message


def test_watched_partner_crossing_the_line_gets_one_alert(registry):
    cur = {**BASE, "HKG": 1.0}  # Hong Kong (watched) from #6 to #13: out of the top 10
    alerts = [a for a in run(BASE, cur, registry) if a.partner == "HKG"]
    assert [a.rule for a in alerts] == ["ranking.top_n"]


def test_annual_ranking_and_rank_change(registry):
    cur = {**BASE, "TWN": 21}  # Taiwan to #2
    alerts = run(BASE, cur, registry, kind="year")
    assert keys(alerts) == [
        "ranking.rank:KOR:total:year:2026:JPN:#5",
        "ranking.rank:KOR:total:year:2026:TWN:#2",
        "ranking.rank:KOR:total:year:2026:USA:#3",
        "ranking.rank:KOR:total:year:2026:VNM:#4",
    ]
    twn = next(a for a in alerts if a.partner == "TWN")
    assert twn.message.startswith(
        "Taiwan rose to Korea's #2 trade partner in 2026 (annual, provisional): $21.00 bn; 2025: #5 ($5.00 bn)."
    )
