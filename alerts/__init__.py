"""Change detection and alert delivery.

The rules (``ranking``, ``balance``, ``revisions``, ``health``, ``quality``,
``target``) are pure functions of plain data. ``detect_after_store`` reads what
they need after a store (through ``db.queries``) and returns alerts;
``db.outbox.write_alerts`` records them in the same transaction, and
``alerts.deliver.deliver_pending`` sends them, exactly once.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from alerts.model import Alert
from alerts.quality import quality_alert

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

__all__ = ["Alert", "detect_after_store", "health_alerts", "quality_alert", "silence_alerts"]


def detect_after_store(
    session: Session, settings: Any, store_result: Any, *, today: date, registry=None
) -> list[Alert]:
    """The alerts a stored batch gives rise to: ranking, balance, revisions, target."""
    from alerts.detect import detect_after_store as _detect

    return _detect(session, settings, store_result, today=today, registry=registry)


def health_alerts(session: Session, settings: Any, source: str, run_status: str | None = None) -> list[Alert]:
    """Source-health alerts after this run's ``source_runs`` row is written (and flushed).

    ``run_status`` is this run's status for the source; it is only a check: the
    record in ``source_runs`` is what counts.
    """
    from alerts.health import health_alerts_for
    from db.queries import source_health

    h = source_health(session, source)
    return health_alerts_for(
        source,
        consecutive_failures=h.consecutive_failures,
        streak_started_run_id=h.streak_started_run_id,
        streak_started_at=h.streak_started_at,
        last_status=h.last_status,
        last_success_at=h.last_success_at,
        recovered_after=h.recovered_after,
        recovered_streak_run_id=h.recovered_streak_run_id,
        last_errors=h.last_errors,
        threshold=settings.source_failure_threshold,
        remind_every=settings.source_failure_remind_every,
    )


def silence_alerts(
    session: Session, settings: Any, source: Any, today: date, run_status: str | None = None
) -> list[Alert]:
    """A "source silent" alert when the month ``source`` should have published by ``today`` is not stored."""
    from alerts.health import silence_alerts_for
    from db.queries import latest_stored

    end, period = latest_stored(session, source.source_name)
    return silence_alerts_for(
        source.id,
        release_day=source.release_day,
        grace_days=settings.source_silence_grace_days,
        latest_end=end,
        latest_period=period,
        today=today,
        last_status=run_status,
    )
