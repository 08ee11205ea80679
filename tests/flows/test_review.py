"""The review of a quarantined batch without Prefect: its markdown, the one decision path, the run's story."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from db.quarantine import QuarantineError, decide, get_quarantine, quarantine_batch
from db.store import store_batch
from flows.artifacts import run_title, summary_markdown
from flows.pipeline import RunSummary, SourceOutcome
from flows.review import ReviewDecision, review_markdown
from tradewatch.model import Flow, Observation, Period

PUB = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass
class _Batch:
    source: str
    key: str
    observations: list
    rank_claims: list = field(default_factory=list)


@dataclass
class _Failure:
    expectation: str
    details: str = ""


@dataclass
class _Report:
    failed: list
    validation_run_id: int | None = None


def _obs(partner: str, value: int, period: str = "2026-10") -> Observation:
    return Observation(
        reporter="KOR",
        partner=partner,
        flow=Flow("export"),
        period=Period.parse(period),
        value_usd=value,
        source="kcs",
        published_at=PUB,
    )


def _quarantined(db) -> int:
    with db.transaction() as s:
        store_batch(s, [_obs("VNM", 5_000_000_000), _obs("JPN", 2_500_000_000)], run_id="before")
    batch = _Batch(
        "kcs", "kcs 2025-11..2026-10", [_obs("VNM", 50_000_000_000), _obs("JPN", 2_500_000_000), _obs("CHN", 1)]
    )
    report = _Report([_Failure("revision within tolerance", "VNM export 2026-10 changed by +900.0%")])
    with db.transaction() as s:
        return quarantine_batch(s, batch, report, "nightly-1").id


def test_the_review_shows_what_failed_and_what_would_be_replaced(db):
    qid = _quarantined(db)
    with db.session() as s:
        md = review_markdown(s, get_quarantine(s, qid))
    assert f"# Quarantined batch #{qid}: `kcs 2025-11..2026-10`" in md
    assert "revision within tolerance" in md and "+900.0%" in md
    assert "1 would replace a stored value, 1 are new, 1 equal what is stored" in md
    lines = md.splitlines()
    vnm = next(i for i, line in enumerate(lines) if "| KOR | VNM |" in line)
    chn = next(i for i, line in enumerate(lines) if "| KOR | CHN |" in line)
    assert vnm < chn  # the replaced value first
    assert "| 5,000,000,000 | 50,000,000,000 | +900.0% |" in lines[vnm]
    assert "| – | 1 | new |" in lines[chn]
    assert f"tradewatch quarantine accept {qid}" in md


def test_one_decision_path_and_a_decided_batch_is_closed(db):
    qid = _quarantined(db)
    with db.transaction() as s, pytest.raises(QuarantineError, match="unknown decision"):
        decide(s, qid, "maybe", "analyst", "?")
    with db.transaction() as s:
        row = decide(s, qid, "accept", "analyst", "confirmed by phone")
        assert (row.state, row.decided_by) == ("accepted", "analyst")
    with db.transaction() as s, pytest.raises(QuarantineError, match="already accepted by analyst"):
        decide(s, qid, "reject", "someone else", "too late")


def test_the_form_the_ui_shows():
    schema = ReviewDecision.model_json_schema()
    assert schema["properties"]["decision"]["enum"] == ["accept", "reject"]
    assert set(schema["required"]) == {"decision", "reason", "reviewer"}
    assert all(schema["properties"][k].get("description") for k in ("decision", "reason", "reviewer"))


def test_the_run_name_and_summary_tell_the_story():
    summary = RunSummary(run_id="r1", flow="nightly", params={"sources": ["kcs"]})
    summary.sources["kcs"] = SourceOutcome("kcs", parsed=957, stored=956)
    summary.quarantined = [{"id": 7, "source": "kcs", "batch": "kcs 2026-10", "failed": ["range"], "data_docs": None}]
    summary.alerts = [{"severity": "info", "title": f"a{i}"} for i in range(3)]
    assert run_title(summary) == "nightly kcs: 956 new, 1 quarantined, 3 alerts"
    md = summary_markdown(summary, {7: "0b7e"})
    assert "review run" in md and "0b7e" in md and "tradewatch quarantine accept|reject 7" in md
    assert "## Report" in md
