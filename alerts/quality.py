"""Data quality: a batch that failed validation and was quarantined instead of stored."""

from __future__ import annotations

import hashlib

from alerts.model import Alert
from alerts.render import one_line, render_message


def quality_alert(
    source: str, batch_key: str, failed_checks: list[str], data_docs_path: str | None, run_id: str | None = None
) -> Alert:
    """One alert for a quarantined batch.

    The dedup key is the source, the batch and *which* checks failed (not the run):
    the same window failing the same way again tomorrow is the same finding.
    ``run_id`` is kept in the alert's fields only, for the record.
    """
    checks = sorted({one_line(c, 200) for c in failed_checks}) or ["(unnamed check)"]
    digest = hashlib.sha256("\n".join(checks).encode()).hexdigest()[:16]
    shown = ", ".join(checks[:6]) + (f" and {len(checks) - 6} more" if len(checks) > 6 else "")
    fields = {
        "source": source,
        "batch_key": one_line(batch_key, 200),
        "n_failed": len(checks),
        "failed_list": shown,
        "data_docs": str(data_docs_path) if data_docs_path else None,
        "run_id": run_id,
    }
    return Alert(
        rule="quality.quarantine",
        severity="warning",
        title=f"{source}: batch {one_line(batch_key, 80)} quarantined ({len(checks)} failed check{'s' if len(checks) != 1 else ''})",
        message=render_message("quality.quarantine", **fields),
        dedup_key=f"quality.quarantine:{source}:{one_line(batch_key, 120)}:{digest}"[:255],
        source=source,
        source_url=str(data_docs_path) if data_docs_path else None,
        figures={"failed checks": shown},
        fields=fields,
    )
