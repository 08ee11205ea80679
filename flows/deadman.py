"""The dead man's switch: say so when the nightly did not complete, through our own channels.

Prefect notices the absence (``flows/automations.py``: automations on the nightly
deployment's events) and runs the ``dead-mans-switch`` deployment; this flow checks
what tradewatch itself recorded and, when no nightly completed in the window, writes a
``health.deadman`` alert to the outbox and delivers it by Slack and email like any
other. Its dedup key names the night, so however many times the automations fire for
one missed night (late, crashed, silent), one message goes out.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger
from pydantic import Field
from sqlalchemy import select

from db import Database
from db.models import RunRow
from tradewatch.config import Settings
from tradewatch.model import utcnow

KST = ZoneInfo("Asia/Seoul")
Reason = Literal["late", "crashed", "silent"]


def the_night(settings: Settings, now: datetime | None = None) -> date:
    """Which night is missing: the run's "today" when set, else the date in Seoul."""
    if settings.today is not None:
        return settings.today
    return (now or utcnow()).astimezone(KST).date()


def last_completed_nightly(db: Database) -> datetime | None:
    with db.session() as s:
        return s.execute(
            select(RunRow.finished_at)
            .where(RunRow.flow == "nightly", RunRow.status.in_(("ok", "degraded")), RunRow.finished_at.is_not(None))
            .order_by(RunRow.finished_at.desc())
            .limit(1)
        ).scalar()


def check_nightly(settings: Settings, reason: str, *, db: Database | None = None, now: datetime | None = None):
    """Write (and deliver) the dead-man alert unless a nightly completed within the last day; what was done."""
    from alerts.deliver import configured_channels, deliver_pending
    from alerts.health import deadman_alert
    from db.outbox import write_alerts

    db = db or Database(settings.database_url)
    now = now or utcnow()
    last = last_completed_nightly(db)
    if last is not None and now - last < timedelta(hours=24):
        return {"alert": None, "last_completed": last.isoformat()}
    alert = deadman_alert(the_night(settings, now), reason, f"{settings.deadman_deadline} KST", last)
    with db.transaction() as s:
        new = write_alerts(s, [alert], configured_channels(settings), run_id=None)
    report = deliver_pending(db, settings) if new else None
    return {
        "alert": alert.dedup_key,
        "new": bool(new),
        "delivered": report.by_channel if report is not None else {},
        "last_completed": last.isoformat() if last else None,
    }


@flow(
    name="dead-mans-switch",
    flow_run_name="dead man's switch: nightly {reason}",
    log_prints=True,
    description="Run by the tradewatch automations when the nightly did not complete: alert once per night.",
)
def dead_mans_switch(
    reason: Reason = Field("late", description="Why the automation fired: late, crashed or silent."),
) -> dict[str, Any]:
    from flows.secrets import run_settings

    out = check_nightly(run_settings(), reason)
    get_run_logger().info("dead man's switch (%s): %s", reason, out)
    return out
