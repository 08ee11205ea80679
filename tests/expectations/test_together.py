"""validate_together: several batches, one Great Expectations run, the verdicts of one at a time.

Each batch is judged against the database plus what the batches before it will
store; a check that finds fault names the batch whose rows it found, and only that
batch (which the caller then validates alone).
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from batchgen import TODAY, Economy, months, set_export, value_of

from db.store import store_batch
from expectations import Batch, validate_batch
from expectations.validate import validate_together

WINDOWS = [("2023-01", "2023-12"), ("2024-01", "2024-12"), ("2025-01", "2025-12")]


def batch(obs, first, last, kind="all_partners"):
    return Batch(source="kcs", key=f"kcs {first}..{last}", kind=kind, observations=obs, today=TODAY)


def test_windows_validated_together_are_judged_as_one_at_a_time(db, settings):
    economy = Economy(seed=5, n_partners=205)
    batches = [batch(economy.observations(months(a, b)), a, b) for a, b in WINDOWS]
    with db.session() as s:
        together = validate_together(s, batches, settings)
    assert all(r is not None and r.success for r in together)

    # one at a time: validate, store, next (what the pipeline did before)
    alone = []
    for b in batches:
        with db.session() as s:
            alone.append(validate_batch(s, b, settings, data_docs=False))
        with db.transaction() as s:
            store_batch(s, b.observations)
    assert all(r.success for r in alone)
    for t, a in zip(together, alone, strict=True):
        assert t is not None
        # the same history behind every row: the same rows checked, with the same depth of history
        assert t.statistics["baseline"] == a.statistics["baseline"]
        assert t.statistics["completeness"] == a.statistics["completeness"]
        assert t.n_rows == a.n_rows
        assert [c["name"] for c in t.checks] == [c["name"] for c in a.checks]
        assert t.statistics["validated_together"]["batches"] == 3
    # the later windows had history: the batches before them, not yet stored when validated
    assert together[1].statistics["baseline"]["rows_no_history"] > 0  # a year earlier, no changes yet
    assert together[2].statistics["baseline"]["rows_short_history"] > 0  # twelve changes


def test_only_the_window_with_the_bad_rows_is_sent_back(history_db, economy, settings):
    new = [("2025-11", "2026-01"), ("2026-02", "2026-04"), ("2026-05", "2026-07")]
    obs = [economy.observations(months(a, b)) for a, b in new]
    old = value_of(obs[1], "VNM", "export", "2026-03")
    obs[1] = set_export(obs[1], "VNM", "2026-03", old * 10)
    batches = [batch(o, a, b) for o, (a, b) in zip(obs, new, strict=True)]
    with history_db.session() as s:
        reports = validate_together(s, batches, settings)
        assert reports[0] is not None and reports[0].success
        assert reports[1] is None
        # validated alone, the batch names its failure (the window third is judged at its turn)
        alone = validate_batch(s, batches[1], settings, data_docs=False)
    assert not alone.success
    assert [f.name for f in alone.failed] == ["baseline: yoy log change within band"]
    assert alone.failed[0].sample_rows[0]["partner"] == "VNM"


def test_a_check_of_the_whole_table_sends_back_every_batch(history_db, economy, settings):
    new = [("2025-11", "2025-12"), ("2026-01", "2026-02")]
    obs = [economy.observations(months(a, b)) for a, b in new]
    broken = list(obs[1])
    broken[0] = replace(broken[0], value_usd=None)  # type: ignore[arg-type]
    batches = [batch(obs[0], *new[0]), batch(broken, *new[1])]
    with history_db.session() as s:
        reports = validate_together(s, batches, settings)
        # the column's type is the frame's, not a row's: nobody can be cleared
        assert reports == [None, None]
        assert validate_batch(s, batches[0], settings, data_docs=False).success
        assert not validate_batch(s, batches[1], settings, data_docs=False).success


def test_batches_that_read_other_sources_are_refused(history_db, economy, settings):
    obs = economy.observations(months("2025-11", "2025-11"))
    with history_db.session() as s, pytest.raises(ValueError, match="kinds"):
        validate_together(s, [batch(obs, "a", "b"), batch(obs, "c", "d", kind="release")], settings)


def test_batches_of_two_kinds_get_one_run_per_kind(history_db, economy, settings):
    total = economy.observations(months("2025-11", "2025-12"))
    chips = [replace(o, commodity="8542") for o in total if o.partner in ("VNM", "CHN")]
    batches = [
        batch(total, "2025-11", "2025-12"),
        Batch(source="kcs", key="kcs 2025-11..2025-12 HS8542", kind="structured", observations=chips, today=TODAY),
        batch(economy.observations(months("2026-01", "2026-02")), "2026-01", "2026-02"),
    ]
    with history_db.session() as s:
        reports = validate_together(s, batches, settings)
    assert all(r is not None and r.success for r in reports)
    assert [r.kind for r in reports if r] == ["all_partners", "structured", "all_partners"]
    together = [r.statistics["validated_together"] for r in reports if r]
    assert [t["batches"] for t in together] == [2, 1, 2]
    # each kind was checked by its own suite: no completeness for the HS batch
    assert any(c["name"].startswith("completeness") for c in reports[0].checks)  # type: ignore[union-attr]
    assert not any(c["name"].startswith("completeness") for c in reports[1].checks)  # type: ignore[union-attr]


def test_history_read_once_is_what_each_batch_would_read(history_db, economy, settings):
    """``StoredRows`` (one read for several batches, filtered per batch) gives each batch the rows its own query
    gives: the same months back, the same partners (a batch of few partners: only theirs), the same source."""
    from expectations.frame import add_identity_columns, add_value_columns, build_frame
    from expectations.validate import StoredRows, _load_stored, _stored_query

    def frame(obs):
        df = build_frame(obs)
        add_identity_columns(df)
        add_value_columns(df)
        return df

    some = economy.partners[:12]
    frames = [
        frame(economy.observations(months("2025-01", "2025-06"))),  # every partner
        frame([o for o in economy.observations(months("2025-07", "2025-12")) if o.partner in some]),  # 12 partners
        frame(economy.observations(months("2025-01", "2025-03"), source="other")),  # a source with no history
    ]
    with history_db.session() as s:
        read = StoredRows(s, [_stored_query(df, settings) for df in frames])
        for df in frames:
            alone = _load_stored(s, df, settings)
            shared = _load_stored(s, df, settings, read=read)
            rows = sorted(zip(*(alone[c] for c in sorted(alone)), strict=True))
            assert sorted(zip(*(shared[c] for c in sorted(shared)), strict=True)) == rows
            assert sorted(shared) == sorted(alone)
    assert rows == []  # the last batch's source has no history
    with history_db.session() as s:
        first = _load_stored(s, frames[0], settings, read=read)
        partial = _load_stored(s, frames[1], settings, read=read)
    assert len(first["value_usd"]) > len(partial["value_usd"]) > 0
    assert set(partial["partner"]) <= set(some)
