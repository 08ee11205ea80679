"""Source health: a source failing (or returning nothing) N runs in a row.

Operational alerts are not data alerts: they have their own rule names and their
own threshold. The finding is made from ``source_runs`` (see
``tradewatch.db.queries.source_health``): alerted once when the streak reaches
``source_failure_threshold``, reminded every ``source_failure_remind_every`` runs
after that, and reset by a good run (which says so once, if the streak had been
alerted). The dedup key names the streak (the run it started in) and its length,
so the same streak is never alerted twice for the same count.
"""

from __future__ import annotations

from datetime import datetime

from tradewatch.alerts.model import Alert
from tradewatch.alerts.render import one_line, render_message


def health_alerts_for(
    source: str,
    *,
    consecutive_failures: int,
    streak_started_run_id: str | None,
    streak_started_at: datetime | None,
    last_status: str | None,
    last_success_at: datetime | None,
    recovered_after: int,
    recovered_streak_run_id: str | None,
    last_errors: list,
    threshold: int,
    remind_every: int,
) -> list[Alert]:
    n = consecutive_failures
    if n >= threshold and ((n - threshold) == 0 or (remind_every > 0 and (n - threshold) % remind_every == 0)):
        reminder = n > threshold
        err = _error_text(last_errors[0]) if last_errors else None
        what = "returned nothing" if last_status == "empty" else "failed"
        fields = {
            "source": source, "count": n, "what": what, "reminder": reminder,
            "since": streak_started_at.strftime("%Y-%m-%d %H:%M UTC") if streak_started_at else "?",
            "last_error": one_line(err, 300) if err else None,
            "last_success": last_success_at.strftime("%Y-%m-%d %H:%M UTC") if last_success_at else None,
        }
        return [Alert(
            rule="health.failing", severity="critical" if reminder else "warning",
            title=f"Source {source} has {what} {n} runs in a row",
            message=render_message("health.failing", **fields),
            dedup_key=f"health.failing:{source}:{streak_started_run_id}:{n}"[:255],
            source=source, figures={"consecutive runs failed": str(n)},
            fields=fields,
        )]
    if recovered_after >= threshold and last_status not in ("failed", "empty"):
        fields = {"source": source, "count": recovered_after, "status": last_status}
        return [Alert(
            rule="health.recovered", severity="info",
            title=f"Source {source} is working again after {recovered_after} failed runs",
            message=render_message("health.recovered", **fields),
            dedup_key=f"health.recovered:{source}:{recovered_streak_run_id}"[:255],
            source=source, fields=fields,
        )]
    return []


def _error_text(e) -> str:
    if isinstance(e, dict):
        return str(e.get("message") or e.get("error") or e)
    return str(e)
