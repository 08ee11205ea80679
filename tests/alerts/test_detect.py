"""detect_after_store on a real database: which periods it examines and what it finds there."""

from __future__ import annotations

from datetime import date

from alerts import detect_after_store
from db.store import StoreResult, store_batch
from tests.alerts.conftest import OCTOBER, SEPTEMBER, T0, TODAY, month_batch, pair_batch
from tradewatch.model import Flow, Observation, Period


def store_and_detect(db, settings, batch, registry, today=TODAY):
    with db.transaction() as s:
        r = store_batch(s, batch, now=T0)
        return detect_after_store(s, settings, r, today=today, registry=registry)


def months(year, first, last, table, **kw):
    out = []
    for m in range(first, last + 1):
        out += month_batch(f"{year}-{m:02d}", table, **kw)
    return out


def test_a_quiet_night_examines_nothing(alert_db, make_settings, registry):
    st = make_settings()
    store_and_detect(alert_db, st, month_batch("2026-09", SEPTEMBER), registry)
    assert store_and_detect(alert_db, st, month_batch("2026-09", SEPTEMBER), registry) == []
    with alert_db.session() as s:
        assert detect_after_store(s, st, StoreResult(), today=TODAY, registry=registry) == []


def test_year_to_date_compares_with_one_month_less(alert_db, make_settings, registry):
    st = make_settings()
    store_and_detect(alert_db, st, months(2026, 1, 9, SEPTEMBER), registry)
    # October: Japan's imports jump; its cumulative trade since January passes Vietnam's.
    october = {**OCTOBER, "JPN": (2.6, 12.0)}
    alerts = store_and_detect(alert_db, st, month_batch("2026-10", october), registry)
    by_key = {a.dedup_key: a for a in alerts}
    assert "ranking.overtake:KOR:total:month:2026-10:JPN>VNM" in by_key
    ytd = by_key["ranking.overtake:KOR:total:ytd:2026-01..2026-10:JPN>VNM"]
    assert ytd.previous_period == "2026-01..2026-09"
    assert ytd.figures["JPN"] == {"rank": 3, "value_usd": 69_500_000_000}
    assert ytd.previous["VNM"] == {"rank": 3, "value_usd": 61_920_000_000}
    assert "(year to date, provisional)" in ytd.message


def test_complete_year_ranking_target_and_no_ytd_for_december(alert_db, make_settings, registry):
    st = make_settings()
    today = date(2026, 1, 20)
    y2024 = {
        a.dedup_key
        for a in store_and_detect(alert_db, st, months(2024, 1, 12, SEPTEMBER, maturity="final"), registry, today)
    }
    assert "target.progress:KOR-VNM:total:2024" in y2024
    assert not any(":year:" in k for k in y2024)  # no 2023 to compare the year with
    first = store_and_detect(alert_db, st, months(2025, 1, 11, OCTOBER), registry, today)
    keys = {a.dedup_key for a in first}
    assert "ranking.overtake:KOR:total:month:2025-01:JPN>VNM" in keys
    assert not any(":year:" in k for k in keys)  # 2025 is not complete yet
    assert not any(k.startswith("target.") and k.endswith("2025") for k in keys)

    december = {
        a.dedup_key: a for a in store_and_detect(alert_db, st, month_batch("2025-12", OCTOBER), registry, today)
    }
    assert "ranking.overtake:KOR:total:year:2025:JPN>VNM" in december
    assert not any(":ytd:" in k for k in december)  # Jan..Dec is the year
    target = december["target.progress:KOR-VNM:total:2025"]
    assert target.figures == {"total": 77_040_000_000, "target": 150_000_000_000}
    assert target.previous == {"total": 82_560_000_000}
    assert target.message.startswith(
        "Korea–Vietnam trade reached $77.04 bn in 2025 (provisional), 51.4 % of the $150.00 bn target for 2030 (-6.7 % on 2024)."
    )


def test_a_handful_of_partners_is_no_ranking(alert_db, make_settings, registry):
    st = make_settings()
    few = {k: SEPTEMBER[k] for k in ("VNM", "JPN", "CHN")}
    store_and_detect(alert_db, st, month_batch("2026-09", few, source="releases:motie"), registry)
    swapped = {**few, "JPN": (9.0, 9.0)}
    alerts = store_and_detect(alert_db, st, month_batch("2026-10", swapped, source="releases:motie"), registry)
    assert [a for a in alerts if a.rule.startswith("ranking.")] == []


def test_revision_beyond_tolerance_carries_its_provenance(alert_db, make_settings, registry):
    st = make_settings()
    store_and_detect(alert_db, st, pair_batch({"2026-08": (5.0, 3.0)}), registry)
    revised = [
        Observation(
            "KOR",
            "VNM",
            Flow.EXPORT,
            Period.parse("2026-08"),
            5_600_000_000,
            "kcs",
            maturity="final",
            source_url="https://example.test/kcs/2026-08?rev=2",
            snapshot_sha256="99" * 32,
        )
    ]
    alerts = store_and_detect(alert_db, st, revised, registry)
    rev = [a for a in alerts if a.rule == "revision"]
    assert [a.dedup_key for a in rev] == ["revision:kcs:KOR:VNM:export:2026-08:TOTAL:5600000000"]
    assert rev[0].source_url == "https://example.test/kcs/2026-08?rev=2" and rev[0].snapshot_sha256 == "99" * 32
    # the same figure written again within its rounding: no revision, no alert
    same = [
        Observation("KOR", "VNM", Flow.EXPORT, Period.parse("2026-08"), 5_604_000_000, "kcs", precision_usd=10_000_000)
    ]
    assert store_and_detect(alert_db, st, same, registry) == []
