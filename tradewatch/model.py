"""The shared vocabulary: Flow, Period, Observation, RankClaim and the country registry.

Everything that moves between a source, the validator, the store and the alert
rules is one of these. They are plain frozen dataclasses: cheap to build by the
hundred thousand, hashable, and free of any I/O.
"""

from __future__ import annotations

import calendar
import csv
import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from tradewatch.errors import InvalidPeriod, UnknownCountry

__all__ = [
    "TOTAL",
    "WORLD",
    "Country",
    "CountryRegistry",
    "Flow",
    "Observation",
    "Period",
    "PeriodKind",
    "RankClaim",
    "countries",
    "month_windows",
]


def utcnow() -> datetime:
    """Now, timezone-aware UTC: the one clock every record is stamped with."""
    return datetime.now(UTC)


WORLD = "WLD"
TOTAL = "TOTAL"


class Flow(str, enum.Enum):
    EXPORT = "export"
    IMPORT = "import"
    BALANCE = "balance"
    TOTAL = "total"

    def __str__(self) -> str:
        return self.value


class PeriodKind(str, enum.Enum):
    MONTH = "month"  # 2024-10
    YEAR = "year"  # 2023
    MONTHS = "months"  # 2025-01..2025-08 (cumulative, e.g. year to date)
    DAYS = "days"  # 2025-10-01..2025-10-10 (customs 10/20-day preliminaries)

    def __str__(self) -> str:
        return self.value


_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR_RE = re.compile(r"^(\d{4})$")
_DAY_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    idx = y * 12 + (m - 1) + n
    return idx // 12, idx % 12 + 1


def _shift_day(d: date, years: int = 0, months: int = 0) -> date:
    y, m = _add_months(d.year, d.month, years * 12 + months)
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


@functools.total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A span of time a figure covers, with one canonical string form.

    ``Period.parse("2024-10")`` (month), ``"2023"`` (year), ``"2025-01..2025-08"``
    (cumulative months), ``"2025-10-01..2025-10-10"`` (days). ``str()`` gives the
    canonical form back. Periods order by start, then end.
    """

    kind: PeriodKind
    start: date
    end: date  # inclusive

    # --- construction -----------------------------------------------------------
    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not (1 <= month <= 12) or not (1000 <= year <= 9999):
            raise InvalidPeriod(f"invalid month {year}-{month:02d}")
        return cls(PeriodKind.MONTH, date(year, month, 1), _month_end(year, month))

    @classmethod
    def year(cls, year: int) -> Period:
        if not (1000 <= year <= 9999):
            raise InvalidPeriod(f"invalid year {year}")
        return cls(PeriodKind.YEAR, date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def months(cls, first: Period | str, last: Period | str) -> Period:
        """A cumulative range of whole months; a one-month range is that month."""
        a = first if isinstance(first, Period) else cls.parse(first)
        b = last if isinstance(last, Period) else cls.parse(last)
        if a.kind is not PeriodKind.MONTH or b.kind is not PeriodKind.MONTH:
            raise InvalidPeriod(f"a range of months needs two months, got {a}..{b}")
        if b.start < a.start:
            raise InvalidPeriod(f"range ends before it starts: {a}..{b}")
        if a == b:
            return a
        return cls(PeriodKind.MONTHS, a.start, b.end)

    @classmethod
    def days(cls, first: date, last: date) -> Period:
        if last < first:
            raise InvalidPeriod(f"range ends before it starts: {first}..{last}")
        return cls(PeriodKind.DAYS, first, last)

    @classmethod
    def year_to_date(cls, year: int, last_month: int) -> Period:
        return cls.months(cls.month(year, 1), cls.month(year, last_month))

    @classmethod
    def parse(cls, text: str | Period) -> Period:
        if isinstance(text, Period):
            return text
        if not isinstance(text, str):
            raise InvalidPeriod(f"not a period: {text!r}")
        s = text.strip()
        try:
            if m := _MONTH_RE.match(s):
                return cls.month(int(m[1]), int(m[2]))
            if m := _YEAR_RE.match(s):
                return cls.year(int(m[1]))
            if ".." in s:
                left, _, right = s.partition("..")
                if _MONTH_RE.match(left) and _MONTH_RE.match(right):
                    return cls.months(left, right)
                dl, dr = _DAY_RE.match(left), _DAY_RE.match(right)
                if dl and dr:
                    return cls.days(
                        date(int(dl[1]), int(dl[2]), int(dl[3])),
                        date(int(dr[1]), int(dr[2]), int(dr[3])),
                    )
        except InvalidPeriod:
            raise
        except ValueError as exc:  # date() out of range
            raise InvalidPeriod(f"malformed period {text!r}: {exc}") from None
        raise InvalidPeriod(
            f"malformed period {text!r}: expected YYYY-MM, YYYY, YYYY-MM..YYYY-MM or YYYY-MM-DD..YYYY-MM-DD"
        )

    @classmethod
    def from_date(cls, d: date) -> Period:
        return cls.month(d.year, d.month)

    # --- printing and ordering ----------------------------------------------------
    def __str__(self) -> str:
        k = self.kind
        if k is PeriodKind.MONTH:
            return f"{self.start.year:04d}-{self.start.month:02d}"
        if k is PeriodKind.YEAR:
            return f"{self.start.year:04d}"
        if k is PeriodKind.MONTHS:
            return f"{self.start.year:04d}-{self.start.month:02d}..{self.end.year:04d}-{self.end.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def __repr__(self) -> str:
        return f"Period({str(self)!r})"

    def __lt__(self, other: Period) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start, self.end) < (other.start, other.end)

    # --- arithmetic -------------------------------------------------------------
    @property
    def year_number(self) -> int:
        return self.start.year

    def n_months(self) -> int:
        """Whole months covered (0 for a day range that is not whole months)."""
        if self.kind is PeriodKind.DAYS:
            return 0
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def month_list(self) -> list[Period]:
        """The months a month, year or month range covers."""
        if self.kind is PeriodKind.DAYS:
            raise InvalidPeriod(f"{self} is a range of days, not of months")
        out = []
        y, m = self.start.year, self.start.month
        for _ in range(self.n_months()):
            out.append(Period.month(y, m))
            y, m = _add_months(y, m, 1)
        return out

    def shift(self, *, years: int = 0, months: int = 0) -> Period:
        """The same kind of period moved by whole months (days clamp to month ends)."""
        if self.kind is PeriodKind.DAYS:
            start = _shift_day(self.start, years, months)
            end = _shift_day(self.end, years, months)
            # A range that ran to a month's end still runs to the (new) month's end.
            if self.end == _month_end(self.end.year, self.end.month):
                end = _month_end(end.year, end.month)
            return Period(PeriodKind.DAYS, start, end)
        y0, m0 = _add_months(self.start.year, self.start.month, years * 12 + months)
        y1, m1 = _add_months(self.end.year, self.end.month, years * 12 + months)
        return Period(self.kind, date(y0, m0, 1), _month_end(y1, m1))

    def year_earlier(self) -> Period:
        """The same period a year before (for year-on-year comparisons)."""
        return self.shift(years=-1)

    def previous(self) -> Period:
        """The previous period of the same kind.

        A month → the month before; a year → the year before; a year-to-date range
        (starting in January) → the same range a year before is *not* it: the
        previous period of a range is the range of the same length just before it,
        except that a cumulative range starting in January steps back one month
        (Jan–Aug → Jan–Jul), which is what a cumulative release published a month
        earlier covers. A day range starting on the 1st → the same days of the
        previous month (1–10 Oct → 1–10 Sep); other day ranges step back by their length.
        """
        k = self.kind
        if k is PeriodKind.MONTH:
            return self.shift(months=-1)
        if k is PeriodKind.YEAR:
            return self.shift(years=-1)
        if k is PeriodKind.MONTHS:
            if self.start.month == 1 and self.start.year == self.end.year:
                y, m = _add_months(self.end.year, self.end.month, -1)
                if y < self.start.year:  # Jan..Jan cannot occur (it is a month)
                    return self.shift(years=-1)
                return Period.months(Period.month(self.start.year, 1), Period.month(y, m))
            return self.shift(months=-self.n_months())
        if self.start.day == 1:
            return self.shift(months=-1)
        length = (self.end - self.start).days + 1
        return Period.days(self.start - timedelta(days=length), self.end - timedelta(days=length))

    def contains(self, other: Period) -> bool:
        return self.start <= other.start and other.end <= self.end

    def __contains__(self, other: Period) -> bool:
        return self.contains(other)

    def is_complete(self, today: date) -> bool:
        """True once the period has ended (its last day is before ``today``)."""
        return self.end < today


def month_windows(first: Period, last: Period, size: int = 12) -> list[Period]:
    """Split ``first..last`` (months) into consecutive windows of at most ``size`` months."""
    if first.kind is not PeriodKind.MONTH or last.kind is not PeriodKind.MONTH:
        raise InvalidPeriod(f"windows need months, got {first} and {last}")
    if last < first:
        raise InvalidPeriod(f"range ends before it starts: {first}..{last}")
    months = Period.months(first, last).month_list()
    return [Period.months(chunk[0], chunk[-1]) for chunk in (months[i : i + size] for i in range(0, len(months), size))]


# --- figures ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observation:
    """One published figure, in the reporter's view.

    ``value_usd`` is an integer number of US dollars; ``precision_usd`` is the
    rounding it was published with (1 for an exact API value, 10,000,000 for
    "25.61 billion"), so figures written with different roundings compare as equal.
    """

    reporter: str
    partner: str
    flow: Flow
    period: Period
    value_usd: int
    source: str
    commodity: str = TOTAL
    precision_usd: int = 1
    source_url: str | None = None
    snapshot_sha256: str | None = None
    published_at: datetime | None = None
    approximate: bool = False
    yoy_pct: float | None = None
    maturity: str | None = None  # "preliminary" | "provisional" | "final"
    quote: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str, str, str]:
        """The series key: one current value per key in the store."""
        return (self.reporter, self.partner, self.flow.value, str(self.period), self.commodity, self.source)

    def same_figure(self, value_usd: int, precision_usd: int = 1) -> bool:
        """True if ``value_usd`` (published with ``precision_usd``) is this figure rounded again."""
        tol = max(self.precision_usd, precision_usd, 1) / 2
        return abs(self.value_usd - value_usd) <= tol


@dataclass(frozen=True, slots=True)
class RankClaim:
    """A release's statement such as "Vietnam is the RoK's third-largest trading partner"."""

    reporter: str
    partner: str
    flow: Flow
    period: Period
    rank: int
    source: str
    source_url: str | None = None
    snapshot_sha256: str | None = None
    published_at: datetime | None = None
    quote: str | None = None
    basis: str | None = None  # a balance ranking's: "surplus" (largest surplus partner) or "deficit"

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.reporter, self.partner, self.flow.value, str(self.period), self.source)


# --- countries -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    alpha3: str
    alpha2: str | None
    m49: int | None
    name: str
    aggregate: bool = False
    names: tuple[tuple[str, str], ...] = field(default=())  # (lang, name)


_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})


def normalize_name(text: str) -> str:
    """The form names are compared in: NFC, casefolded, straight apostrophes, one space."""
    s = unicodedata.normalize("NFC", text).translate(_APOSTROPHES).casefold()
    s = re.sub(r"[\s\u00a0]+", " ", s).strip(" .,;:")
    if s.startswith("the "):
        s = s[4:]
    return s


class CountryRegistry:
    """Countries and aggregates, by ISO alpha-3, alpha-2 (KCS), M49 (Comtrade) and name.

    Loaded from ``tradewatch/data/countries.csv``: the names the sources write, in
    English, Korean and Vietnamese, live there, not in code.
    """

    def __init__(self, rows: Iterable[Country]):
        self._by3: dict[str, Country] = {}
        self._by2: dict[str, Country] = {}
        self._bym49: dict[int, Country] = {}
        self._byname: dict[str, Country] = {}
        self._aliases: list[tuple[str, str, str]] = []
        for c in rows:
            if c.alpha3 in self._by3:
                raise ValueError(f"duplicate alpha-3 {c.alpha3} in the country registry")
            self._by3[c.alpha3] = c
            if c.alpha2:
                self._by2.setdefault(c.alpha2, c)
            if c.m49 is not None:
                self._bym49.setdefault(c.m49, c)
            for lang, name in (("en", c.name), *c.names):
                key = normalize_name(name)
                if key and key not in self._byname:
                    self._byname[key] = c
                    self._aliases.append((name, c.alpha3, lang))
        self._aliases.sort(key=lambda a: -len(a[0]))

    @classmethod
    def from_csv(cls, text: str) -> CountryRegistry:
        rows = []
        for r in csv.DictReader(line for line in text.splitlines() if not line.startswith("#")):
            names: list[tuple[str, str]] = []
            for lang in ("en", "ko", "vi"):
                for n in (r.get(f"names_{lang}") or "").split("|"):
                    if n.strip():
                        names.append((lang, n.strip()))
            rows.append(
                Country(
                    alpha3=r["alpha3"].strip(),
                    alpha2=(r.get("alpha2") or "").strip() or None,
                    m49=int(r["m49"]) if (r.get("m49") or "").strip() else None,
                    name=r["name"].strip(),
                    aggregate=(r.get("aggregate") or "").strip().lower() in ("1", "true", "yes"),
                    names=tuple(names),
                )
            )
        return cls(rows)

    def __iter__(self) -> Iterator[Country]:
        return iter(self._by3.values())

    def __len__(self) -> int:
        return len(self._by3)

    def __contains__(self, alpha3: str) -> bool:
        return alpha3 in self._by3

    def get(self, alpha3: str, where: str | None = None) -> Country:
        try:
            return self._by3[alpha3]
        except KeyError:
            raise UnknownCountry(alpha3, "alpha-3 code", where) from None

    def by_alpha2(self, code: str, where: str | None = None) -> Country:
        try:
            return self._by2[code]
        except KeyError:
            raise UnknownCountry(code, "alpha-2 code", where) from None

    def by_m49(self, code: int | str, where: str | None = None) -> Country:
        try:
            return self._bym49[int(code)]
        except (KeyError, ValueError):
            raise UnknownCountry(str(code), "M49 code", where) from None

    def lookup(self, name: str, where: str | None = None) -> Country:
        """A country by any name a source writes ("RoK", "베트남", "Hàn Quốc", "the US")."""
        stripped = name.strip()
        # An upper-case alpha-3 code is a code ("NGA" is Nigeria, though "Nga" is Russia in Vietnamese).
        c = self._by3.get(stripped) if len(stripped) == 3 and stripped.isupper() else None
        if c is None:
            c = self._byname.get(normalize_name(name))
        if c is None:
            raise UnknownCountry(name, "name", where)
        return c

    def find(self, name: str) -> Country | None:
        try:
            return self.lookup(name)
        except UnknownCountry:
            return None

    def aliases(self, lang: str | None = None) -> list[tuple[str, str, str]]:
        """(name, alpha3, lang) for every known name, longest first (for text matching)."""
        return [a for a in self._aliases if lang is None or a[2] == lang]

    def is_aggregate(self, alpha3: str) -> bool:
        c = self._by3.get(alpha3)
        return bool(c and c.aggregate)

    def rankable(self, alpha3: str) -> bool:
        """A partner that takes part in a ranking: a known country or territory, not an aggregate."""
        c = self._by3.get(alpha3)
        return bool(c and not c.aggregate)


@functools.cache
def countries() -> CountryRegistry:
    """The registry shipped with tradewatch (loaded once)."""
    text = resources.files("tradewatch.data").joinpath("countries.csv").read_text(encoding="utf-8")
    return CountryRegistry.from_csv(text)


def rank_partners(values: dict[str, int], *, registry: CountryRegistry | None = None) -> list[tuple[int, str, int]]:
    """Rank partners by value, largest first: ``[(rank, alpha3, value), ...]``.

    Aggregates (world, ASEAN, EU...) and unknown codes never rank. Ties share a rank
    and the next rank is skipped (1, 2, 2, 4); within a tie partners are listed by code
    so the order is stable.
    """
    reg = registry or countries()
    items = sorted(((v, p) for p, v in values.items() if reg.rankable(p)), key=lambda t: (-t[0], t[1]))
    out: list[tuple[int, str, int]] = []
    prev_value, prev_rank = None, 0
    for i, (v, p) in enumerate(items, start=1):
        rank = prev_rank if v == prev_value else i
        out.append((rank, p, v))
        prev_value, prev_rank = v, rank
    return out
