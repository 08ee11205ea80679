"""Source health: a source failing (or returning nothing) N runs in a row.

Operational alerts are not data alerts: they have their own rule names and their
own threshold. The finding is made from ``source_runs`` (see
``db.queries.source_health``): alerted once when the streak reaches
``source_failure_threshold``, reminded every ``source_failure_remind_every`` runs
after that, and reset by a good run (which says so once, if the streak had been
alerted). The dedup key names the streak (the run it started in) and its length,
so the same streak is never alerted twice for the same count.

A source can also answer every night and still be *silent*: the month it should
have published by now is not there. ``silence_alerts_for`` compares the newest
period stored from a source with the month its release rhythm says should be out
(``release_day`` of the following month, plus a grace of a few days), and says so
once per missing month.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from alerts.model import Alert
from alerts.render import one_line, render_message
from tradewatch.model import Period


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
            "source": source,
            "count": n,
            "what": what,
            "reminder": reminder,
            "since": streak_started_at.strftime("%Y-%m-%d %H:%M UTC") if streak_started_at else "?",
            "last_error": one_line(err, 300) if err else None,
            "last_success": last_success_at.strftime("%Y-%m-%d %H:%M UTC") if last_success_at else None,
        }
        return [
            Alert(
                rule="health.failing",
                severity="critical" if reminder else "warning",
                title=f"Source {source} has {what} {n} runs in a row",
                message=render_message("health.failing", **fields),
                dedup_key=f"health.failing:{source}:{streak_started_run_id}:{n}"[:255],
                source=source,
                figures={"consecutive runs failed": str(n)},
                fields=fields,
            )
        ]
    if recovered_after >= threshold and last_status not in ("failed", "empty"):
        fields = {"source": source, "count": recovered_after, "status": last_status}
        return [
            Alert(
                rule="health.recovered",
                severity="info",
                title=f"Source {source} is working again after {recovered_after} failed runs",
                message=render_message("health.recovered", **fields),
                dedup_key=f"health.recovered:{source}:{recovered_streak_run_id}"[:255],
                source=source,
                fields=fields,
            )
        ]
    return []


def expected_month(today: date, release_day: int, grace_days: int) -> Period:
    """The newest month a source publishing on ``release_day`` of the next month should have out by ``today``.

    Month M is due on ``release_day`` of M+1, plus ``grace_days``: with the KCS rhythm
    (the 15th) and a grace of 5 days, September is due on 20 October.
    """
    if not 1 <= release_day <= 28:
        raise ValueError(f"release_day must be a day 1..28, not {release_day}")
    if grace_days < 0:
        raise ValueError(f"grace_days must not be negative, not {grace_days}")
    shifted = today - timedelta(days=grace_days)
    back = 1 if shifted.day >= release_day else 2
    return Period.from_date(shifted).shift(months=-back)


def silence_alerts_for(
    source: str,
    *,
    release_day: int | None,
    grace_days: int,
    latest_end: date | None,
    latest_period: str | None,
    today: date,
    last_status: str | None = None,
) -> list[Alert]:
    """One alert when the month ``source`` should have published by ``today`` is not stored.

    ``latest_end`` is the last day covered by the newest current figure of the
    source (``None``: nothing stored yet, which is the failing rule's business, not
    this one's). A source with no release rhythm (``release_day`` ``None``) is never
    silent. The dedup key names the missing month, so each missing month is said once.
    """
    if release_day is None or latest_end is None:
        return []
    due = expected_month(today, release_day, grace_days)
    if latest_end >= due.end:
        return []
    due_on = due.end + timedelta(days=release_day + grace_days)
    fields = {
        "source": source,
        "due_period": str(due),
        "latest_period": latest_period or str(latest_end),
        "release_day": release_day,
        "grace_days": grace_days,
        "due_on": due_on.isoformat(),
        "last_status": last_status,
    }
    return [
        Alert(
            rule="health.silent",
            severity="warning",
            title=f"Source {source} has not published {due} (due around {due_on:%d %b %Y})",
            message=render_message("health.silent", **fields),
            dedup_key=f"health.silent:{source}:{due}"[:255],
            period=str(due),
            source=source,
            figures={"newest period stored": fields["latest_period"], "expected": str(due)},
            fields=fields,
        )
    ]


def _error_text(e) -> str:
    if isinstance(e, dict):
        return str(e.get("message") or e.get("error") or e)
    return str(e)


def channel_alert(channel: str, error: str, *, pending: int, day: date, since: datetime | None = None) -> Alert:
    """A delivery channel that fails (bad webhook, unreadable Secret block, server down), said on the others.

    Sent only through the channels that work; once per channel and day (the dedup key
    names both), so a broken channel is reported every morning until it is mended, not
    once per alert it holds back.
    """
    fields = {
        "channel": channel,
        "error": one_line(error, 300),
        "pending": pending,
        "since": since.strftime("%Y-%m-%d %H:%M UTC") if since else None,
    }
    return Alert(
        rule="health.channel",
        severity="critical",
        title=f"Alert channel {channel} is failing; {pending} alert(s) held in the outbox",
        message=render_message("health.channel", **fields),
        dedup_key=f"health.channel:{channel}:{day.isoformat()}",
        figures={"alerts waiting": str(pending)},
        fields=fields,
    )


DEADMAN_REASONS = {
    "late": "its run is late or still running: is the worker, or `tradewatch serve`, up?",
    "crashed": "its run crashed or failed",
    "silent": "no nightly run completed in the expected time: is the deployment paused or its schedule off?",
}


def deadman_alert(night: date, reason: str, deadline: str, last_completed: datetime | None) -> Alert:
    """The dead man's switch: the nightly run of ``night`` did not complete in time. Once per night."""
    fields = {
        "night": night.isoformat(),
        "why": DEADMAN_REASONS.get(reason, reason),
        "deadline": deadline,
        "last_completed": last_completed.strftime("%Y-%m-%d %H:%M UTC") if last_completed else None,
    }
    return Alert(
        rule="health.deadman",
        severity="critical",
        title=f"No completed nightly run for {night.isoformat()} by {deadline}",
        message=render_message("health.deadman", **fields),
        dedup_key=f"health.deadman:nightly:{night.isoformat()}",
        fields=fields,
    )
