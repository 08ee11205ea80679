"""A small tradewatch database for the report and status tests (SQLite).

KOR-reported monthly figures (source ``kcs``) for 15 partners and the world total,
2022-01..2025-08, every flow; VNM-reported annual figures (source ``comtrade``,
exports and imports only) for 2022..2024; two runs with their source runs (comtrade
failing twice in a row); two alerts with deliveries; quarantined batches.

In the last month Vietnam is Korea's #3 partner and Japan #4; the month before,
Japan was #3 and Vietnam #4 (the moves the tests look for).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from tradewatch.model import Flow, Observation, Period

T0 = datetime(2025, 9, 20, 3, 0, tzinfo=UTC)
FIRST, LAST = Period.month(2022, 1), Period.month(2025, 8)
MONTHS = [str(p) for p in Period.months(FIRST, LAST).month_list()]

# monthly total trade (USD bn) and the exports' share of it, Korea's view
KOR_PARTNERS = {
    "CHN": (22.0, 0.55),
    "USA": (15.0, 0.62),
    "VNM": (7.2, 0.64),
    "JPN": (6.8, 0.36),
    "TWN": (4.0, 0.45),
    "HKG": (3.0, 0.93),
    "AUS": (3.5, 0.30),
    "DEU": (2.6, 0.35),
    "SAU": (2.5, 0.15),
    "IND": (2.0, 0.78),
    "SGP": (2.2, 0.60),
    "IDN": (1.9, 0.45),
    "MYS": (1.7, 0.50),
    "MEX": (1.6, 0.80),
    "PHL": (1.2, 0.70),
    "WLD": (110.0, 0.50),  # the world total: an aggregate, never ranked
}
# the last two months for Vietnam and Japan, set exactly: (export, import) USD
OVERRIDES = {
    ("VNM", "2025-07"): (4_000_000_000, 2_400_000_000),  # 6.40 bn
    ("JPN", "2025-07"): (2_500_000_000, 4_300_000_000),  # 6.80 bn
    ("VNM", "2025-08"): (4_700_000_000, 2_500_000_000),  # 7.20 bn
    ("JPN", "2025-08"): (2_400_000_000, 4_100_000_000),  # 6.50 bn
}
# Vietnam's statistics, annual: (exports to, imports from) USD bn
VNM_PARTNERS = {
    "KOR": {2022: (24.3, 62.1), 2023: (23.5, 52.5), 2024: (25.6, 55.9)},
    "CHN": {2022: (57.7, 117.9), 2023: (61.2, 110.6), 2024: (61.2, 144.0)},
    "USA": {2022: (109.4, 14.5), 2023: (97.0, 13.8), 2024: (119.5, 15.1)},
    "JPN": {2022: (24.2, 23.4), 2023: (23.3, 21.6), 2024: (24.6, 21.6)},
    "HKG": {2022: (10.9, 1.2), 2023: (11.0, 1.3), 2024: (13.0, 1.4)},
    "THA": {2022: (7.0, 12.1), 2023: (7.1, 11.5), 2024: (7.9, 12.0)},
}

KCS_URL = "https://apis.data.go.kr/1220000/nationtrade/getNationtradeList"
COMTRADE_URL = "https://comtradeapi.un.org/data/v1/get/C/A/HS"
SECRET_KEY = "s3cr3t-service-key-value"


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def kcs_values(partner: str, i: int, month: str) -> tuple[int, int]:
    if (partner, month) in OVERRIDES:
        return OVERRIDES[(partner, month)]
    base, share = KOR_PARTNERS[partner]
    idx = list(KOR_PARTNERS).index(partner)
    wiggle = 1 + 0.02 * (((i * 7 + idx * 3) % 5) - 2)  # ±4 %
    total = int(round(base * 1e9 * (1 + 0.004 * i) * wiggle, -6))
    exp = int(round(total * share, -6))
    return exp, total - exp


def kcs_observations() -> list[Observation]:
    out = []
    for i, month in enumerate(MONTHS):
        per = Period.parse(month)
        y, m = per.start.year, per.start.month
        snap = sha(f"kcs {month}")
        published = datetime(y + (m == 12), m % 12 + 1, 15, 0, 0, tzinfo=UTC)
        url = f"{KCS_URL}?strtYymm={month.replace('-', '')}&endYymm={month.replace('-', '')}"
        if month == MONTHS[-1]:  # a key left in a stored URL must never reach the report
            url += f"&serviceKey={SECRET_KEY}"
        for partner in KOR_PARTNERS:
            exp, imp = kcs_values(partner, i, month)
            common = dict(
                reporter="KOR",
                partner=partner,
                period=per,
                source="kcs",
                source_url=url,
                snapshot_sha256=snap,
                published_at=published,
                maturity="final" if i < len(MONTHS) - 2 else "provisional",
            )
            out += [
                Observation(flow=Flow.EXPORT, value_usd=exp, **common),
                Observation(flow=Flow.IMPORT, value_usd=imp, **common),
                Observation(flow=Flow.BALANCE, value_usd=exp - imp, **common),
                Observation(flow=Flow.TOTAL, value_usd=exp + imp, **common),
            ]
    return out


def comtrade_observations() -> list[Observation]:
    out = []
    for partner, years in VNM_PARTNERS.items():
        for year, (exp, imp) in years.items():
            common = dict(
                reporter="VNM",
                partner=partner,
                period=Period.year(year),
                source="comtrade",
                source_url=f"{COMTRADE_URL}?reporterCode=704&period={year}",
                snapshot_sha256=sha(f"comtrade {year}"),
                published_at=datetime(year + 1, 6, 30, tzinfo=UTC),
                maturity="final",
            )
            out += [
                Observation(flow=Flow.EXPORT, value_usd=int(exp * 1e9), **common),
                Observation(flow=Flow.IMPORT, value_usd=int(imp * 1e9), **common),
            ]
    return out


def build_database(url: str, *, sample: bool = False):
    """Fill a fresh database at ``url``; return the ``Database``."""
    from db import Database
    from db.models import AlertRow, DeliveryRow, QuarantineRow, RunRow, SnapshotRow, SourceRunRow
    from db.store import store_batch

    db = Database(url)
    kcs, comtrade = kcs_observations(), comtrade_observations()
    fetched = {}
    with db.transaction() as s:
        for source, obs, fetched_at in (
            ("kcs", kcs, T0 - timedelta(days=1)),
            ("comtrade", comtrade, T0 - timedelta(days=40)),
        ):
            for h in sorted({o.snapshot_sha256 for o in obs}):
                fetched[h] = fetched_at
                s.add(
                    SnapshotRow(
                        sha256=h,
                        size=1234,
                        source=source,
                        method="GET",
                        url=KCS_URL if source == "kcs" else COMTRADE_URL,
                        params={},
                        request_key=h[:32],
                        status=200,
                        headers={},
                        fetched_at=fetched_at,
                        label=None,
                        sample=sample and source == "kcs",
                    )
                )
            store_batch(s, obs, run_id="run-backfill", now=fetched_at, fetched_at=fetched)

    with db.transaction() as s:
        s.add(
            RunRow(
                id="run-backfill",
                flow="backfill",
                started_at=T0 - timedelta(days=2),
                finished_at=T0 - timedelta(days=2) + timedelta(minutes=3),
                status="ok",
                params={"start": "2022-01", "end": "2025-08"},
                summary={"sample": sample},
            )
        )
        s.add(
            RunRow(
                id="run-nightly",
                flow="nightly",
                started_at=T0,
                finished_at=T0 + timedelta(minutes=2),
                status="degraded",
                params={},
                summary={"sample": sample},
            )
        )

        def srun(run_id, source, started, status, **counts):
            s.add(
                SourceRunRow(
                    run_id=run_id,
                    source=source,
                    started_at=started,
                    finished_at=started + timedelta(seconds=30),
                    status=status,
                    errors=[{"message": "HTTP 503 from comtradeapi.un.org"}] if status == "failed" else [],
                    **counts,
                )
            )

        srun("run-old", "kcs", T0 - timedelta(days=3), "ok", fetched=12, stored=700)
        srun("run-old", "comtrade", T0 - timedelta(days=3), "ok", fetched=2, stored=30)
        srun("run-backfill", "kcs", T0 - timedelta(days=2), "ok", fetched=44, stored=2816)
        srun("run-backfill", "comtrade", T0 - timedelta(days=2), "failed")
        srun("run-nightly", "kcs", T0, "ok", requested=12, fetched=12, parsed=768, stored=64, revised=3)
        srun("run-nightly", "comtrade", T0, "failed", requested=1)

        rank = AlertRow(
            dedup_key="rank:KOR:VNM:total:2025-08",
            rule="rank_change",
            severity="warning",
            reporter="KOR",
            partner="VNM",
            flow="total",
            period="2025-08",
            maturity="provisional",
            title="Vietnam back to #3",
            message="Vietnam overtook Japan as Korea's #3 trade partner in 2025-08: Vietnam $7.20 bn, Japan $6.50 bn",
            payload={},
            source="kcs",
            source_url=KCS_URL,
            created_at=T0 + timedelta(minutes=1),
            run_id="run-nightly",
        )
        bal = AlertRow(
            dedup_key="balance:KOR:VNM:2025-08",
            rule="balance_move",
            severity="info",
            reporter="KOR",
            partner="VNM",
            flow="balance",
            period="2025-08",
            maturity="provisional",
            title="Korea's surplus with Vietnam grew",
            message="Korea's trade surplus with Vietnam rose 37 % to $2.20 bn in 2025-08",
            payload={},
            source="kcs",
            source_url=KCS_URL,
            created_at=T0 + timedelta(minutes=1, seconds=1),
            run_id="run-nightly",
        )
        s.add_all([rank, bal])
        s.flush()
        for alert, channel, state, attempts in (
            (rank, "slack", "sent", 1),
            (rank, "email", "pending", 0),
            (bal, "slack", "failed", 3),
            (bal, "email", "pending", 1),
        ):
            s.add(
                DeliveryRow(
                    alert_id=alert.id,
                    channel=channel,
                    state=state,
                    attempts=attempts,
                    last_error="HTTP 500" if state == "failed" else None,
                    created_at=T0 + timedelta(minutes=1),
                )
            )
        for key, state in (("kcs 2025-07..2025-08", "pending"), ("kcs 2025-06", "accepted")):
            s.add(
                QuarantineRow(
                    run_id="run-nightly",
                    source="kcs",
                    batch_key=key,
                    batch_sha256=sha(key),
                    created_at=T0,
                    state=state,
                    n_rows=64,
                    rows=[],
                    reason="values outside the plausible range",
                )
            )
    return db


@pytest.fixture(scope="session")
def report_db(tmp_path_factory):
    db = build_database(f"sqlite:///{tmp_path_factory.mktemp('report') / 'tw.db'}")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def sample_db(tmp_path_factory):
    db = build_database(f"sqlite:///{tmp_path_factory.mktemp('report_sample') / 'tw.db'}", sample=True)
    yield db
    db.dispose()


@pytest.fixture
def empty_db(tmp_path):
    from db import Database

    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    yield db
    db.dispose()
