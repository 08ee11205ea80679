"""Validate → record → quarantine → decide, the way a nightly run and a person use them."""

from __future__ import annotations

from batchgen import TODAY, months, set_export, value_of
from sqlalchemy import func, select

from db.models import ObservationRow, QuarantineRow, ValidationRunRow
from db.quarantine import accept, get_quarantine, quarantine_batch, reject
from db.store import store_batch
from expectations import Batch, record_validation, validate_batch


def _count(db, **where) -> int:
    with db.session() as s:
        q = select(func.count()).select_from(ObservationRow)
        for k, v in where.items():
            q = q.where(getattr(ObservationRow, k) == v)
        return s.execute(q).scalar()


def _nightly(db, settings, batch):
    """What the pipeline does: validate, then record and either store or quarantine, in one transaction."""
    with db.session() as s:
        report = validate_batch(s, batch, settings, run_id="nightly-1")
    with db.transaction() as s:
        vrow = record_validation(s, batch, report, "nightly-1")
        if report.success:
            store_batch(s, batch.observations, run_id="nightly-1")
            return report, vrow.id, None
        q = quarantine_batch(s, batch, report, "nightly-1")
        return report, vrow.id, q.id


def test_a_spiked_batch_is_quarantined_then_accepted(db, settings, economy):
    with db.transaction() as s:
        # a year-earlier month is enough: with no stored changes the band is 0 ± log 6
        store_batch(s, economy.observations(months("2025-10", "2025-10")), run_id="history")
    before = _count(db)
    new = economy.observations(months("2026-10", "2026-10"))
    spiked = set_export(new, "VNM", "2026-10", value_of(new, "VNM", "export", "2026-10") * 10)
    batch = Batch("kcs", "kcs nationtrade 2026-10", "all_partners", spiked, today=TODAY)

    report, vid, qid = _nightly(db, settings, batch)
    assert not report.success and qid is not None
    assert _count(db) == before  # nothing of it stored
    with db.session() as s:
        q = get_quarantine(s, qid)
        assert q.validation_run_id == vid and q.n_rows == len(spiked)
        assert "baseline: yoy log change within band" in q.reason
        v = s.get(ValidationRunRow, vid)
        assert v.success is False and v.data_docs == report.data_docs_path
    # a re-run finds the same quarantined batch: no second row
    _, _, again = _nightly(db, settings, batch)
    assert again == qid
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(QuarantineRow)).scalar() == 1

    with db.transaction() as s:
        accept(s, qid, "analyst", "Vietnam really did spike: confirmed with KCS")
    assert _count(db) == before + len(spiked)
    assert (
        _count(
            db, partner="VNM", flow="export", period="2026-10", value_usd=value_of(spiked, "VNM", "export", "2026-10")
        )
        == 1
    )


def test_a_rejected_batch_never_reaches_the_store(db, settings, economy):
    obs = [o for o in economy.observations(months("2026-10", "2026-10")) if o.partner != "VNM"]
    report, _, qid = _nightly(db, settings, Batch("kcs", "kcs 2026-10", "all_partners", obs, today=TODAY))
    assert not report.success
    with db.transaction() as s:
        reject(s, qid, "analyst", "KCS dropped Vietnam by mistake; wait for the correction")
    assert _count(db) == 0
