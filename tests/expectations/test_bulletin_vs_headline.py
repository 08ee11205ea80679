"""The by-country bulletin's month sums against Vietnam's world figure: a note, never a failure."""

from __future__ import annotations

from db.store import store_batch_atomic
from expectations.frame import build_frame
from expectations.vn_customs import bulletin_vs_headline
from tradewatch.model import Flow, Observation, Period


def _obs(partner, value, source="vn_customs", precision=1, period="2026-06"):
    return Observation("VNM", partner, Flow.EXPORT, Period.parse(period), value, source, precision_usd=precision)


def test_bulletin_sum_is_reported_against_the_headline(db):
    # the world figure as the headline table would give it (synthetic value, rounded to USD 10 m)
    store_batch_atomic(db, [_obs("WLD", 40_000_000_000, "vn_customs_headline", 10_000_000)])
    batch = [_obs("KOR", 2_686_575_961), _obs("USA", 16_936_383_998), _obs("CHN", 7_814_362_724)]
    with db.session() as s:
        notes = bulletin_vs_headline(build_frame(batch), s)
    assert notes == [
        "vn_customs bulletin export 2026-06: 3 partners sum to 27,437,322,683 USD, "
        "68.6% of the world figure 40,000,000,000 (vn_customs_headline)"
    ]


def test_a_bulletin_sum_above_the_world_figure_is_flagged_not_failed(db):
    store_batch_atomic(db, [_obs("WLD", 10_000_000_000, "vn_customs_headline", 10_000_000)])
    with db.session() as s:
        notes = bulletin_vs_headline(build_frame([_obs("KOR", 12_000_000_000)]), s)
    assert len(notes) == 1 and "MORE than the world figure" in notes[0]


def test_no_world_figure_stored(db):
    with db.session() as s:
        notes = bulletin_vs_headline(build_frame([_obs("KOR", 1, period="2026-01..2026-06")]), s)
    assert notes == ["vn_customs bulletin export 2026-01..2026-06: 1 partners sum to 1 USD; no world figure stored"]
