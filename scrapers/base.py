"""The shape every source has: what to request for a window, and a pure parse of bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import ClassVar

from scrapers.archive import Snapshot
from scrapers.calendar import ReleaseCalendar, calendar_for
from scrapers.http import Fetcher, Request
from tradewatch.errors import TradewatchError
from tradewatch.model import Observation, Period, RankClaim, month_windows


@dataclass
class ParseResult:
    """What one snapshot holds. ``published_nothing`` is an explicit "not published yet"."""

    observations: list[Observation] = field(default_factory=list)
    rank_claims: list[RankClaim] = field(default_factory=list)
    published_nothing: bool = False
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.observations) + len(self.rank_claims)


class Source:
    """Base of every source. Subclasses set ``id`` and implement ``requests`` and ``parse``."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    window_months: ClassVar[int] = 12  # the most months one request may cover
    # Day of the following month on which a month's figures usually appear (``None``:
    # no rhythm to hold the source to). Drives the "source silent" alert. A source with a
    # release calendar (scrapers/calendar.py) takes it from there: the silence rule and the
    # release-day polls read the same calendar, and a module that says otherwise fails to import.
    release_day: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cal = calendar_for(cls.id) if cls.id else None
        if cal is None:
            return
        declared = cls.__dict__.get("release_day")
        if declared is not None and declared != cal.release_day:
            raise TypeError(
                f"{cls.__name__}.release_day = {declared} disagrees with its release calendar "
                f"(day {cal.release_day}, scrapers/calendar.py)"
            )
        cls.release_day = cal.release_day

    @classmethod
    def release_calendar(cls) -> ReleaseCalendar | None:
        """When this source publishes (``None``: no rhythm; not polled on release days)."""
        return calendar_for(cls.id)

    def __init__(self, settings):
        self.settings = settings

    @property
    def source_name(self) -> str:
        """The ``source`` its figures are stored under (release sources prefix theirs)."""
        return self.id

    @property
    def base_url(self) -> str:
        return self.settings.base_url(self.id)

    # --- planning ------------------------------------------------------------------
    def windows(self, start: Period, end: Period) -> list[Period]:
        return month_windows(start, end, self.window_months)

    def nightly_range(self, today: date) -> tuple[Period, Period]:
        """The months a nightly run re-pulls: the last N complete months."""
        last = Period.from_date(today).shift(months=-1)
        first = last.shift(months=-(self.settings.nightly_months - 1))
        return first, last

    def requests(self, window: Period) -> list[Request]:
        raise NotImplementedError

    # --- fetching --------------------------------------------------------------------
    def collect(self, fetcher: Fetcher, window: Period) -> list[Snapshot | TradewatchError]:
        """Fetch what a window needs. Discovery-based sources override this."""
        return fetcher.fetch_many(self.requests(window))

    # --- parsing ---------------------------------------------------------------------
    def parse(self, snap: Snapshot) -> ParseResult:
        raise NotImplementedError
