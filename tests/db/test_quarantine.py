"""Quarantine on SQLite and PostgreSQL: held whole, accepted (stored, who/when/why) or rejected."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from db.models import ObservationRow, QuarantineRow, RankClaimRow
from db.quarantine import (
    QuarantineError,
    accept,
    get_quarantine,
    list_quarantine,
    quarantine_batch,
    reject,
    rows_to_batch,
)
from db.store import current_rows, store_batch
from tradewatch.model import Flow, Observation, Period, RankClaim

PUB = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)


@dataclass
class FakeBatch:  # the shape of expectations.Batch, without importing pandas
    source: str
    key: str
    observations: list
    rank_claims: list = field(default_factory=list)


@dataclass
class FakeFailure:
    expectation: str
    details: str = ""


@dataclass
class FakeReport:
    failed: list
    validation_run_id: int | None = None


def figures(value=6_420_000_000, period="2026-10"):
    p = Period.parse(period)
    return [
        Observation(
            "KOR",
            "VNM",
            Flow.EXPORT,
            p,
            value,
            "motie",
            precision_usd=10_000_000,
            source_url="https://www.motie.go.kr/x?id=1",
            snapshot_sha256="ab" * 32,
            published_at=PUB,
            approximate=True,
            yoy_pct=12.5,
            maturity="preliminary",
            quote="베트남 64.2억 달러",
        ),
        Observation("KOR", "VNM", Flow.IMPORT, p, 2_310_000_000, "motie", precision_usd=10_000_000, published_at=PUB),
    ]


def claims(period="2026-10"):
    return [RankClaim("KOR", "VNM", Flow.TOTAL, Period.parse(period), 3, "motie", quote="3위", published_at=PUB)]


def spike_report():
    return FakeReport(
        [FakeFailure("baseline: yoy log change within band (expect_column_values_to_be_between)", "VNM ×10")]
    )


def n_observations(db) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(ObservationRow)).scalar()


def test_a_quarantined_batch_stores_nothing_and_keeps_every_field(db):
    batch = FakeBatch("releases:motie", "motie 2026-11-01", figures(), claims())
    with db.transaction() as s:
        q = quarantine_batch(s, batch, spike_report(), "run-7")
        qid = q.id
    assert n_observations(db) == 0
    with db.session() as s:
        q = get_quarantine(s, qid)
        assert (q.state, q.source, q.batch_key, q.n_rows, q.run_id) == (
            "pending",
            "releases:motie",
            "motie 2026-11-01",
            2,
            "run-7",
        )
        assert "baseline: yoy log change within band" in q.reason and "VNM ×10" in q.reason
        assert q.decided_by is None and q.decided_at is None
        obs, cl = rows_to_batch(q.rows)
    assert obs == figures()  # every field, published_at included, comes back identical
    assert cl == claims()


def test_the_same_batch_quarantined_again_is_the_same_row(db):
    batch = FakeBatch("kcs", "kcs 2026-10", figures())
    with db.transaction() as s:
        first = quarantine_batch(s, batch, spike_report(), "run-1").id
    with db.transaction() as s:
        again = quarantine_batch(s, batch, spike_report(), "run-2").id
        other = quarantine_batch(
            s, FakeBatch("kcs", "kcs 2026-10", figures(value=6_430_000_000)), spike_report(), "run-2"
        ).id
    assert again == first and other != first
    with db.session() as s:
        assert len(list_quarantine(s)) == 2


def test_accept_stores_the_batch_and_records_who_when_why(db):
    batch = FakeBatch("releases:motie", "motie 2026-11-01", figures(), claims())
    with db.transaction() as s:
        qid = quarantine_batch(s, batch, spike_report(), "run-7").id
    with db.transaction() as s:
        _row, stored = accept(s, qid, "analyst@kita", "checked against the PDF: the figure is right")
        assert stored.inserted == 2 and stored.claims_inserted == 1
    with db.session() as s:
        q = get_quarantine(s, qid)
        assert q.state == "accepted" and q.decided_by == "analyst@kita"
        assert q.decision_note == "checked against the PDF: the figure is right"
        assert q.decided_at is not None and q.decided_at.tzinfo is not None
        rows = current_rows(s, reporter="KOR", partner="VNM", source="motie")
        assert {(r.flow, r.value_usd) for r in rows} == {("export", 6_420_000_000), ("import", 2_310_000_000)}
        exp = next(r for r in rows if r.flow == "export")
        assert (exp.quote, exp.published_at, exp.maturity, exp.run_id) == (
            "베트남 64.2억 달러",
            PUB,
            "preliminary",
            f"quarantine#{qid}",
        )
        assert s.execute(select(func.count()).select_from(RankClaimRow)).scalar() == 1
        assert [q.id for q in list_quarantine(s, "accepted")] == [qid]
        assert list_quarantine(s, "pending") == []


def test_a_decided_batch_cannot_be_decided_again(db):
    with db.transaction() as s:
        a = quarantine_batch(s, FakeBatch("kcs", "a", figures()), spike_report(), None).id
        b = quarantine_batch(s, FakeBatch("kcs", "b", figures(period="2026-09")), spike_report(), None).id
    with db.transaction() as s:
        accept(s, a, "ana", "ok")
        reject(s, b, "ben", "wrong unit")
    for fn, qid, state in ((accept, a, "accepted"), (reject, a, "accepted"), (accept, b, "rejected")):
        with pytest.raises(QuarantineError, match=rf"already {state}"), db.transaction() as s:
            fn(s, qid, "carl", "again")
    assert n_observations(db) == 2  # the accepted batch once; nothing of the rejected one


def test_reject_leaves_the_store_untouched(db):
    with db.transaction() as s:
        store_batch(s, [Observation("KOR", "CHN", Flow.EXPORT, Period.parse("2026-10"), 11_000_000_000, "kcs")])
        qid = quarantine_batch(s, FakeBatch("kcs", "kcs 2026-10", figures()), spike_report(), "run-3").id
    with db.transaction() as s:
        q = reject(s, qid, "ana", "a parser bug; fixed in the next release")
        assert q.state == "rejected"
    with db.session() as s:
        assert [(r.partner, r.value_usd) for r in current_rows(s)] == [("CHN", 11_000_000_000)]
        q = get_quarantine(s, qid)
        assert (q.state, q.decided_by, q.decision_note) == (
            "rejected",
            "ana",
            "a parser bug; fixed in the next release",
        )


def test_unknown_ids_and_states_raise_clear_errors(db):
    with db.session() as s:
        with pytest.raises(QuarantineError, match="no quarantined batch #999"):
            get_quarantine(s, 999)
        with pytest.raises(QuarantineError, match="unknown quarantine state"):
            list_quarantine(s, "maybe")
    with db.transaction() as s:
        qid = quarantine_batch(s, FakeBatch("kcs", "k", figures()), spike_report(), None).id
    with pytest.raises(QuarantineError, match="name of whoever"), db.transaction() as s:
        accept(s, qid, "  ", "no name")
    with db.session() as s:
        assert s.get(QuarantineRow, qid).state == "pending"


def test_accept_rolls_back_with_the_store(db):
    """If storing fails, the decision is not recorded either (one transaction)."""
    with db.transaction() as s:
        qid = quarantine_batch(s, FakeBatch("kcs", "k", figures()), spike_report(), None).id

    def broken_store(session, observations, rank_claims, run_id=None):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError), db.transaction() as s:
        accept(s, qid, "ana", "ok", store_fn=broken_store)
    with db.session() as s:
        assert get_quarantine(s, qid).state == "pending"
    assert n_observations(db) == 0
