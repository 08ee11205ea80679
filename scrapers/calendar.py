"""Release calendars: on which days, and at which hours, each source publishes.

One place for the publication rhythm of every source. Two things read it:

* the *silence* rule (``alerts/health.py``, through ``Source.release_day``): the month a
  source should have out by now;
* the *release-day polls* (``flows/schedules.py``): cron schedules generated from the
  windows, polling the source every few minutes while a publication is expected.

A window is a range of days of the month, a range of hours in the source's own time
zone and a polling interval; ``publishes`` says which period a publication on those
days covers (``month``: the previous month; ``days``: the customs 10- and 20-day
preliminaries of the current month, ``1..10`` published on the 11th, ``1..20`` on the
21st). A calendar's ``release_day`` is the day the month usually appears, within one
of its monthly windows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from tradewatch.model import Period

KST = "Asia/Seoul"
ICT = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class ReleaseWindow:
    """Days ``first_day..last_day`` of each month, ``start``..``end`` local time, polled every ``every_minutes``."""

    first_day: int
    last_day: int
    start: time
    end: time
    every_minutes: int
    timezone: str
    publishes: Literal["month", "days"] = "month"
    label: str = ""

    def __post_init__(self) -> None:
        if not 1 <= self.first_day <= self.last_day <= 28:
            raise ValueError(f"a release window's days must be within 1..28, not {self.first_day}..{self.last_day}")
        if not self.start < self.end:
            raise ValueError(f"a release window must end after it starts ({self.start}..{self.end})")
        if self.every_minutes not in (5, 10, 15, 20, 30, 60):
            raise ValueError(f"poll every 5, 10, 15, 20, 30 or 60 minutes, not {self.every_minutes}")
        if self.publishes == "days" and self.first_day not in (11, 21):
            raise ValueError("a 10/20-day preliminary is published on the 11th or the 21st")

    def cron(self) -> str:
        """The cron line (in ``timezone``) that polls through the window: ``*/15 9-11 1 * *``.

        Polls run from ``start`` up to, not including, ``end`` (09:00–12:00 every 15
        minutes is 09:00, 09:15 … 11:45).
        """
        if self.start.minute or self.end.minute:
            raise ValueError("release windows start and end on the hour")
        minutes = "0" if self.every_minutes == 60 else f"*/{self.every_minutes}"
        hours = (
            f"{self.start.hour}-{self.end.hour - 1}" if self.end.hour - 1 > self.start.hour else str(self.start.hour)
        )
        days = str(self.first_day) if self.first_day == self.last_day else f"{self.first_day}-{self.last_day}"
        return f"{minutes} {hours} {days} * *"

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(ZoneInfo(self.timezone))
        return self.first_day <= local.day <= self.last_day and self.start <= local.time() < self.end

    def due_period(self, day: date) -> Period:
        """The period a publication on ``day`` (within the window's days) covers."""
        if self.publishes == "days":
            start = day.replace(day=1)
            return Period.parse(f"{start.isoformat()}..{(day.replace(day=self.first_day - 1)).isoformat()}")
        return Period.from_date(day).shift(months=-1)


@dataclass(frozen=True)
class ReleaseCalendar:
    """A source's publication windows, and the day a month usually appears (the silence rule's day)."""

    release_day: int
    windows: tuple[ReleaseWindow, ...]

    def __post_init__(self) -> None:
        if not any(w.publishes == "month" and w.first_day <= self.release_day <= w.last_day for w in self.windows):
            raise ValueError(f"release day {self.release_day} is in none of the calendar's monthly windows")

    def window_at(self, moment: datetime) -> ReleaseWindow | None:
        """The window ``moment`` falls in, if any."""
        return next((w for w in self.windows if w.contains(moment)), None)

    def window_on(self, day: date) -> ReleaseWindow | None:
        """The window whose days include ``day`` (whatever the hour)."""
        return next((w for w in self.windows if w.first_day <= day.day <= w.last_day), None)

    def next_opening(self, after: datetime) -> datetime:
        """When the next window opens after ``after`` (for the UI and the docs)."""
        best: datetime | None = None
        for w in self.windows:
            tz = ZoneInfo(w.timezone)
            local = after.astimezone(tz)
            for months_ahead in (0, 1, 2):
                y, m = local.year + (local.month - 1 + months_ahead) // 12, (local.month - 1 + months_ahead) % 12 + 1
                opening = datetime.combine(date(y, m, w.first_day), w.start, tz)
                if opening > after:
                    best = opening if best is None or opening < best else best
                    break
        assert best is not None
        return best


def _every(first: int, last: int, start: int, end: int, minutes: int, tz: str, **kw) -> ReleaseWindow:
    return ReleaseWindow(first, last, time(start), time(end), minutes, tz, **kw)


# The calendars, by source id. Sources without one have no rhythm to poll or to be held to.
CALENDARS: dict[str, ReleaseCalendar] = {
    # MOTIR's monthly export-import release on the 1st, around 09:00 KST.
    "motie": ReleaseCalendar(1, (_every(1, 1, 9, 12, 15, KST, label="monthly export-import release"),)),
    # The Korea Customs Service's monthly figures (the open API) around the 15th.
    "kcs": ReleaseCalendar(15, (_every(14, 16, 9, 18, 30, KST, label="monthly figures"),)),
    # The customs service's own board (``kcs_releases``): the 10- and 20-day preliminaries
    # on the 11th and the 21st, the month's final release with the API's figures.
    "kcs_releases": ReleaseCalendar(
        15,
        (
            _every(11, 11, 9, 12, 15, KST, publishes="days", label="10-day preliminary"),
            _every(14, 16, 9, 18, 30, KST, label="monthly release"),
            _every(21, 21, 9, 12, 15, KST, publishes="days", label="20-day preliminary"),
        ),
    ),
    # Vietnam customs' by-country bulletins, between the 4th and the 12th, Hanoi time.
    "vn_customs": ReleaseCalendar(10, (_every(4, 12, 8, 18, 30, ICT, label="by-country bulletin"),)),
}


def calendar_for(source_id: str) -> ReleaseCalendar | None:
    return CALENDARS.get(source_id)


def poll_interval(source_id: str) -> timedelta | None:
    cal = calendar_for(source_id)
    return timedelta(minutes=min(w.every_minutes for w in cal.windows)) if cal else None
