"""The reads the rules and the CLI share: rankings, series, the outbox view, source health."""

from __future__ import annotations

from datetime import timedelta

from alerts import quality_alert
from db.models import SourceRunRow
from db.outbox import write_alerts
from db.queries import alerts_with_deliveries, figure, ranking, ranking_source, series, source_health
from db.store import store_batch_atomic
from tests.alerts.conftest import BN, SEPTEMBER, T0, month_batch, pair_batch
from tradewatch.model import Flow, Observation, Period


def test_ranking_from_all_partner_figures_without_aggregates(alert_db, registry):
    store_batch_atomic(alert_db, month_batch("2026-09", SEPTEMBER), now=T0)
    # a release naming three partners, and a source with fewer partners: not chosen
    store_batch_atomic(
        alert_db, month_batch("2026-09", {"VNM": (9.0, 9.0), "JPN": (1, 1)}, source="releases:motie"), now=T0
    )
    with alert_db.session() as s:
        assert ranking_source(s, "KOR", "2026-09") == ("kcs", 17)
        total = ranking(s, "KOR", Flow.TOTAL, "2026-09", registry=registry)
        assert total[:4] == [
            (1, "CHN", 25 * BN),
            (2, "USA", 20 * BN),
            (3, "VNM", 6_880_000_000),
            (4, "JPN", 6_100_000_000),
        ]
        assert {p for _, p, _ in total} & {"WLD", "ASN"} == set() and len(total) == 15
        exports = ranking(s, "KOR", "export", "2026-09", registry=registry)
        assert exports[2] == (3, "VNM", 4_500_000_000)
        assert ranking(s, "KOR", "total", "2026-09", source="releases:motie", registry=registry)[0] == (
            1,
            "VNM",
            18 * BN,
        )
        assert ranking(s, "KOR", "total", "2026-08", registry=registry) == []


def test_years_and_year_to_date_are_summed_only_when_complete(alert_db, registry):
    batch = []
    for m in range(1, 12):
        batch += pair_batch({f"2025-{m:02d}": (1.0, 0.5)})
    store_batch_atomic(alert_db, batch, now=T0)
    with alert_db.session() as s:
        ytd = figure(s, "KOR", "VNM", "balance", Period.year_to_date(2025, 11), "kcs")
        assert ytd.value_usd == 11 * 500_000_000 and ytd.months == 11
        assert figure(s, "KOR", "VNM", "total", "2025", "kcs") is None  # 11 months are not a year
    store_batch_atomic(alert_db, pair_batch({"2025-12": (1.0, 0.5)}), now=T0)
    with alert_db.session() as s:
        assert figure(s, "KOR", "VNM", "total", "2025", "kcs").value_usd == 18 * BN
        months = series(s, "KOR", "VNM", "balance", "month")
        assert len(months) == 12 and months[0][0] == Period.parse("2025-01") and months[0][1].value_usd == 500_000_000
        assert [(str(p), f.value_usd) for p, f in series(s, "KOR", "VNM", "export", "year")] == [("2025", 12 * BN)]


def test_stored_balance_wins_over_the_derived_one(alert_db):
    store_batch_atomic(
        alert_db,
        [
            *pair_batch({"2026-01": (1.0, 0.5)}),
            Observation("KOR", "VNM", Flow.BALANCE, Period.parse("2026-01"), 480000000, "kcs"),
        ],
        now=T0,
    )
    with alert_db.session() as s:
        assert figure(s, "KOR", "VNM", "balance", "2026-01", "kcs").value_usd == 480_000_000
        assert figure(s, "KOR", "VNM", "total", "2026-01", "kcs").value_usd == 1_500_000_000


def test_alerts_with_deliveries_is_what_the_cli_prints(alert_db):
    with alert_db.transaction() as s:
        write_alerts(
            s,
            [quality_alert("kcs", "kcs 2026-10", ["values_in_range"], "dd.html")],
            ["slack", "email"],
            "run-1",
            now=T0,
        )
        write_alerts(
            s,
            [quality_alert("kcs", "kcs 2026-11", ["values_in_range"], None)],
            ["slack"],
            "run-2",
            suppressed=True,
            now=T0 + timedelta(days=1),
        )
    with alert_db.session() as s:
        newest, oldest = alerts_with_deliveries(s, 10)
    assert newest["deliveries"] == {"slack": "suppressed"} and newest["suppressed"] is True
    assert oldest["deliveries"] == {"email": "pending", "slack": "pending"}
    for k in ("rule", "severity", "reporter", "partner", "flow", "period", "message", "dedup_key", "deliveries"):
        assert k in oldest
    assert oldest["rule"] == "quality.quarantine" and oldest["delivery_details"][0]["attempts"] == 0


def test_source_health_counts_the_failing_streak(alert_db):
    statuses = ["ok", "failed", "ok", "failed", "empty", "failed"]
    with alert_db.transaction() as s:
        for i, st in enumerate(statuses):
            s.add(
                SourceRunRow(
                    run_id=f"run-{i}",
                    source="kcs",
                    started_at=T0 + timedelta(days=i),
                    status=st,
                    errors=[{"message": f"error {i}"}] if st == "failed" else [],
                )
            )
    with alert_db.session() as s:
        h = source_health(s, "kcs")
    assert (h.consecutive_failures, h.streak_started_run_id, h.last_status) == (3, "run-3", "failed")
    assert h.last_success_at == T0 + timedelta(days=2) and h.last_errors == [{"message": "error 5"}]
    with alert_db.transaction() as s:
        s.add(SourceRunRow(run_id="run-6", source="kcs", started_at=T0 + timedelta(days=6), status="ok", errors=[]))
    with alert_db.session() as s:
        h = source_health(s, "kcs")
        assert (h.consecutive_failures, h.recovered_after, h.recovered_streak_run_id) == (0, 3, "run-3")
        assert source_health(s, "comtrade").runs == 0
