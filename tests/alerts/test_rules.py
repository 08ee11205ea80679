"""Balance, revision, health, target and quality rules on plain data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from alerts import quality_alert
from alerts.balance import BalancePoint, balance_alerts
from alerts.health import health_alerts_for
from alerts.revisions import RevisionFact, revision_alerts
from alerts.target import target_alert
from tradewatch.model import Period

M = 1_000_000


def pt(period, value_m, **kw):
    return BalancePoint(
        Period.parse(period), int(value_m * M), "kcs", "final", f"https://x.example/{period}", "aa" * 32, **kw
    )


def bal(cur, prev=None, ye=None, history=(), registry=None, **kw):
    return balance_alerts(
        "KOR",
        "VNM",
        "month",
        cur,
        prev,
        ye,
        list(history),
        move_pct=kw.get("pct", 10.0),
        move_min_usd=kw.get("min_usd", 100 * M),
        registry=registry,
    )


def test_sign_flip_both_ways_and_zero_flips_nothing(registry):
    assert [a.dedup_key for a in bal(pt("2026-10", -300), pt("2026-09", 500), registry=registry)] == [
        "balance.sign:KOR-VNM:month:2026-10:deficit"
    ]
    back = bal(pt("2026-10", 40), pt("2026-09", -500), registry=registry)
    assert [a.dedup_key for a in back] == ["balance.sign:KOR-VNM:month:2026-10:surplus"]
    assert "swung from a deficit to a surplus" in back[0].message
    assert bal(pt("2026-10", 0), pt("2026-09", 500), registry=registry) == []
    assert bal(pt("2026-10", 300), pt("2026-09", 0), registry=registry) == []


@pytest.mark.parametrize(
    "now,before,fires,words",
    [
        (2640, 3000, True, "Korea's trade surplus with Vietnam fell 12.0 % year on year"),
        (2730, 3000, False, None),  # -9 %: under the percentage threshold
        (3300, 3000, False, None),  # +10 % exactly is not beyond 10 %
        (176, 160, False, None),  # +10 % but only $16 m
        (3400, 3000, True, "Korea's trade surplus with Vietnam rose 13.3 %"),
        (-1400, -1200, True, "Korea's trade deficit with Vietnam widened 16.7 %"),
        (-200, 1200, True, "Korea's trade balance with Vietnam moved down 116.7 %"),
    ],
)
def test_year_on_year_move_needs_both_thresholds(registry, now, before, fires, words):
    out = [
        a for a in bal(pt("2026-10", now), None, pt("2025-10", before), registry=registry) if a.rule == "balance.yoy"
    ]
    assert bool(out) is fires
    if fires:
        assert out[0].message.startswith(words)
        assert out[0].previous_period == "2025-10" and out[0].previous == {"balance": int(before * M)}


def test_record_high_and_low_need_24_months_of_history(registry):
    months = [Period.parse("2024-01").shift(months=i) for i in range(30)]
    history = [pt(str(p), 1000 + (i % 5) * 100) for i, p in enumerate(months)]  # 1.0 .. 1.4 bn
    cur = pt("2026-07", 1500)
    out = bal(cur, pt("2026-06", 1400), None, history, registry=registry)
    assert [a.dedup_key for a in out] == ["balance.record:KOR-VNM:month:2026-07:high"]
    assert (
        "hit a record high of $1.50 bn in 2026-07" in out[0].message
        and "the highest in 30 months since 2024-01" in out[0].message
    )
    low = bal(pt("2026-07", 900), None, None, history, registry=registry)
    assert [a.dedup_key for a in low] == ["balance.record:KOR-VNM:month:2026-07:low"]
    assert bal(cur, None, None, history[:23], registry=registry) == []  # 23 months: too short for a record


def test_revisions_beyond_tolerance_on_watched_series_only(registry):
    facts = [
        RevisionFact("KOR", "VNM", "export", "2026-08", "TOTAL", "kcs", 5_000 * M, 5_600 * M, "final"),  # +12 %
        RevisionFact("KOR", "VNM", "import", "2026-08", "TOTAL", "kcs", 3_000 * M, 3_090 * M),  # +3 %: within tolerance
        RevisionFact("KOR", "THA", "export", "2026-08", "TOTAL", "kcs", 100 * M, 200 * M),  # not watched
        RevisionFact("KOR", "WLD", "import", "2026-08", "TOTAL", "kcs", 50_000 * M, 44_000 * M),  # the world total
    ]
    out = revision_alerts(
        facts, tolerance_pct=5.0, reporters=["KOR", "VNM"], watched_partners=["VNM", "JPN"], registry=registry
    )
    assert [a.dedup_key for a in out] == [
        "revision:kcs:KOR:VNM:export:2026-08:TOTAL:5600000000",
        "revision:kcs:KOR:WLD:import:2026-08:TOTAL:44000000000",
    ]
    assert (
        out[0].message
        == "kcs revised Korea's exports with Vietnam for 2026-08 by +12.0 %: $5.60 bn, previously $5.00 bn (now final)."
    )


def _health(n, **kw):
    t = datetime(2026, 11, 1, 2, tzinfo=UTC)
    args = dict(
        consecutive_failures=n,
        streak_started_run_id="run-a",
        streak_started_at=t,
        last_status="failed",
        last_success_at=None,
        recovered_after=0,
        recovered_streak_run_id=None,
        last_errors=[{"message": "kcs: gateway error 30 SERVICE_KEY_IS_NOT_REGISTERED_ERROR"}],
        threshold=3,
        remind_every=7,
    )
    args.update(kw)
    return health_alerts_for("kcs", **args)


def test_health_alerts_once_at_threshold_then_reminds_every_k_runs():
    fired = {n: [a.dedup_key for a in _health(n)] for n in range(1, 19)}
    assert {n for n, v in fired.items() if v} == {3, 10, 17}
    assert fired[3] == ["health.failing:kcs:run-a:3"]
    first, reminder = _health(3)[0], _health(10)[0]
    assert first.severity == "warning" and reminder.severity == "critical"
    assert first.message.startswith(
        "source kcs has failed 3 runs in a row (since 2026-11-01 02:00 UTC); last error: kcs: gateway error 30"
    )
    assert reminder.message.startswith("Still failing: source kcs has failed 10 runs")
    assert "returned nothing" in _health(3, last_status="empty")[0].message


def test_health_recovery_is_said_once_and_only_after_an_alerted_streak():
    ok = _health(0, last_status="ok", recovered_after=4, recovered_streak_run_id="run-a")
    assert [a.dedup_key for a in ok] == ["health.recovered:kcs:run-a"] and ok[0].severity == "info"
    assert _health(0, last_status="ok", recovered_after=2, recovered_streak_run_id="run-a") == []  # never alerted
    assert _health(0, last_status="ok") == []


def test_target_progress(registry):
    a = target_alert(
        "KOR",
        "VNM",
        2025,
        88_000 * M,
        target_usd=150_000 * M,
        target_year=2030,
        previous_total_usd=80_000 * M,
        maturity="final",
        source="kcs",
        registry=registry,
    )
    assert a.dedup_key == "target.progress:KOR-VNM:total:2025"
    assert a.message.startswith(
        "Korea–Vietnam trade reached $88.00 bn in 2025 (final), 58.7 % of the $150.00 bn target for 2030 "
        "(+10.0 % on 2024). Reaching it needs +11.3 % a year over the 5 years left."
    )
    met = target_alert("KOR", "VNM", 2030, 151_000 * M, target_usd=150_000 * M, target_year=2030, registry=registry)
    assert "The target is met." in met.message
    assert target_alert("KOR", "VNM", 2031, 1, target_usd=150_000 * M, target_year=2030) is None


def test_quality_alert_key_is_the_finding_not_the_run():
    a = quality_alert(
        "kcs", "kcs 2026-01..2026-10", ["values_in_range", "identity_total"], "data/data_docs/v1.html", "run-1"
    )
    b = quality_alert(
        "kcs", "kcs 2026-01..2026-10", ["identity_total", "values_in_range"], "data/data_docs/v2.html", "run-2"
    )
    c = quality_alert("kcs", "kcs 2026-01..2026-10", ["values_in_range"], None, "run-3")
    assert a.dedup_key == b.dedup_key != c.dedup_key and "run-1" not in a.dedup_key
    assert a.message == (
        "A kcs batch (kcs 2026-01..2026-10) failed validation and was quarantined, not stored: 2 checks failed "
        "(identity_total, values_in_range). Review it and accept or reject it. Validation report: data/data_docs/v1.html"
    )


# --- a source silent past its release day --------------------------------------------------------


def test_expected_month_follows_the_release_day_and_the_grace():
    from alerts.health import expected_month

    # KCS: month M out around the 15th of M+1; with 5 days' grace, due on the 20th.
    assert str(expected_month(date(2026, 10, 19), 15, 5)) == "2026-08"
    assert str(expected_month(date(2026, 10, 20), 15, 5)) == "2026-09"
    assert str(expected_month(date(2026, 1, 25), 15, 5)) == "2025-12"
    # MOTIE: the 1st, no grace: October is due on 1 November.
    assert str(expected_month(date(2026, 10, 31), 1, 0)) == "2026-09"
    assert str(expected_month(date(2026, 11, 1), 1, 0)) == "2026-10"
    with pytest.raises(ValueError, match="release_day"):
        expected_month(date(2026, 11, 1), 31, 0)


def _silent(today, latest_end, **kw):
    from alerts.health import silence_alerts_for

    args = dict(
        release_day=15,
        grace_days=5,
        latest_end=latest_end,
        latest_period=f"{latest_end:%Y-%m}" if latest_end else None,
        today=today,
        last_status="ok",
    )
    args.update(kw)
    return silence_alerts_for("kcs", **args)


def test_a_source_is_silent_only_once_its_month_is_overdue():
    aug_end, sep_end = date(2026, 8, 31), date(2026, 9, 30)
    assert _silent(date(2026, 10, 19), aug_end) == []  # September not due yet
    [a] = _silent(date(2026, 10, 20), aug_end)
    assert (a.rule, a.severity, a.period, a.dedup_key) == (
        "health.silent",
        "warning",
        "2026-09",
        "health.silent:kcs:2026-09",
    )
    assert a.title == "Source kcs has not published 2026-09 (due around 20 Oct 2026)"
    assert "newest figure stored is for 2026-08" in a.message and "tonight's run was ok" in a.message
    # Every night until September arrives finds the same missing month: one dedup key.
    assert {x.dedup_key for d in range(20, 32) for x in _silent(date(2026, 10, d), aug_end)} == {
        "health.silent:kcs:2026-09"
    }
    assert _silent(date(2026, 10, 25), sep_end) == []  # September arrived
    # Still nothing by 20 November: October is now the missing month, a new finding.
    assert _silent(date(2026, 11, 20), sep_end)[0].dedup_key == "health.silent:kcs:2026-10"


def test_silence_needs_a_rhythm_and_something_stored():
    assert _silent(date(2026, 12, 30), date(2026, 1, 31), release_day=None) == []
    assert _silent(date(2026, 12, 30), None) == []  # never stored anything: the failing rule's business
    # A year-to-date figure covering September counts as September being out.
    assert _silent(date(2026, 10, 25), date(2026, 9, 30), latest_period="2026-01..2026-09") == []
