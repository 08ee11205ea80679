"""The official figure a release figure is compared with (expectations.crosssource.find_references).

Stored rows are written as their sources store them (``db.store.store_batch``); the release figures
are Observations as the prose extractor builds them.
"""

from __future__ import annotations

from db import store as dbstore
from expectations.crosssource import figure_row, find_references
from tradewatch.model import Flow, Observation, Period


def _obs(rep, par, flow, period, value, source, precision=1, approximate=False):
    return Observation(
        rep, par, flow, Period.parse(period), value, source, precision_usd=precision, approximate=approximate
    )


def _store(db, rows):
    with db.transaction() as s:
        dbstore.store_batch(s, rows, run_id="fixture")


def _refs(db, figures):
    with db.reading() as s:
        return find_references(s, [figure_row(o) for o in figures])


def test_a_year_is_the_sum_of_every_stored_kcs_month_and_a_missing_month_leaves_it_uncorroborated(db):
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    _store(db, [_obs("KOR", "VNM", Flow.EXPORT, m, 5_000_000_000 + i, "kcs") for i, m in enumerate(months)])
    _store(db, [_obs("KOR", "VNM", Flow.IMPORT, m, 2_500_000_000, "kcs") for m in months[:11]])  # December missing
    total = sum(5_000_000_000 + i for i in range(12))
    year_export = _obs("KOR", "VNM", Flow.EXPORT, "2025", 60_000_000_000, "releases:motie", precision=100_000_000)
    year_import = _obs("KOR", "VNM", Flow.IMPORT, "2025", 30_000_000_000, "releases:motie", precision=100_000_000)
    refs, notes = _refs(db, [year_export, year_import])
    ref = refs[0]
    assert ref is not None and (ref.source, ref.value_usd, ref.precision_usd) == ("kcs", total, 12)
    assert ref.basis == "the sum of 12 stored months 2025-01..2025-12"
    assert ref.tolerance_usd == (100_000_000 + 12) / 2 and ref.difference_usd == 60_000_000_000 - total
    assert ref.agrees  # 66 dollars off, within half of 0.1 bn
    assert refs[1] is None
    assert notes == ["cross-source: no stored kcs figure for KOR import VNM 2025; not compared (uncorroborated)"]


def test_vietnam_reads_the_bulletins_exact_span_first_then_the_headline_table(db):
    _store(
        db,
        [
            _obs("VNM", "KOR", Flow.EXPORT, "2026-01..2026-06", 15_862_169_347, "vn_customs"),
            _obs("VNM", "KOR", Flow.EXPORT, "2026-06", 2_686_575_961, "vn_customs"),
        ],
    )
    _store(
        db,
        [
            _obs("VNM", "WLD", Flow.EXPORT, "2026-06", 39_000_000_000, "vn_customs_headline", precision=10_000_000),
            _obs("VNM", "WLD", Flow.EXPORT, "2026-01..2026-12", 450_120_000_000, "vn_customs_headline", 10_000_000),
        ],
    )
    figures = [
        _obs("VNM", "KOR", Flow.EXPORT, "2026-01..2026-06", 16_200_000_000, "releases", precision=100_000_000),
        _obs("VNM", "KOR", Flow.EXPORT, "2026-06", 2_690_000_000, "releases", precision=10_000_000),
        # "about $39.6 bn" to the billion: half a rounding step more, so 0.6 bn off still agrees
        _obs("VNM", "WLD", Flow.EXPORT, "2026-06", 39_600_000_000, "releases", 1_000_000_000, approximate=True),
        # a year and the headline table's Jan–Dec range are the same span
        _obs("VNM", "WLD", Flow.EXPORT, "2026", 450_100_000_000, "releases", precision=100_000_000),
        # the official sources themselves are not compared
        _obs("VNM", "KOR", Flow.EXPORT, "2026-06", 2_686_575_961, "vn_customs"),
    ]
    refs, notes = _refs(db, figures)
    h1, june, world, year, official = refs
    assert h1 is not None and (h1.source, h1.value_usd, h1.basis) == (
        "vn_customs",
        15_862_169_347,
        "the stored 2026-01..2026-06 figure",
    )
    assert not h1.agrees and h1.difference_usd == 337_830_653
    assert june is not None and june.agrees and june.source == "vn_customs"
    assert world is not None and world.source == "vn_customs_headline" and world.agrees
    assert world.tolerance_usd == (1_000_000_000 + 10_000_000) / 2 + 500_000_000
    assert year is not None and year.basis == "the stored 2026-01..2026-12 figure" and year.agrees
    assert official is None and notes == []


def test_a_reporter_without_an_official_source_is_not_compared(db):
    refs, notes = _refs(db, [_obs("USA", "VNM", Flow.EXPORT, "2026-06", 1_000_000_000, "releases", 10_000_000)])
    assert refs == [None] and notes == []
