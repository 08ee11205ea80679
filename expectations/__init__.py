"""Validation of every new batch before it is stored: Great Expectations suites built in
code, checked against the series' own stored history.

``import expectations`` is cheap: pandas and Great Expectations are
imported by the first ``validate_batch`` call (``gx.py`` is the only module that
imports ``great_expectations``).

    from expectations import Batch, validate_batch, record_validation
    report = validate_batch(session, Batch("kcs", "kcs nationtrade 2025-11..2026-10", "all_partners", obs), settings)
    if not report.success:
        ...  # quarantine: db.quarantine.quarantine_batch(session, batch, report, run_id)
"""

from __future__ import annotations

from typing import Any

from expectations.report import KINDS, Batch, FailedCheck, ValidationReport

__all__ = ["KINDS", "Batch", "FailedCheck", "ValidationReport", "record_validation", "validate_batch"]


def validate_batch(
    session, batch: Batch, settings, *, run_id: str | None = None, data_docs: bool = True
) -> ValidationReport:
    """Validate ``batch`` against the stored baseline (see ``expectations.validate``)."""
    from expectations.validate import validate_batch as _validate

    return _validate(session, batch, settings, run_id=run_id, data_docs=data_docs)


def record_validation(session, batch: Batch, report: ValidationReport, run_id: str | None) -> Any:
    """Write ``report`` to ``validation_runs``; returns the ``ValidationRunRow`` (id set)."""
    from expectations.validate import record_validation as _record

    return _record(session, batch, report, run_id)
