"""The ``Alert`` record and the small vocabulary every rule shares (severity, labels, money).

An alert is a finished sentence plus the figures behind it. Its ``dedup_key`` is
built from what it *means* (rule, series, period, new state), never from a time
or a run id, so the same finding made twice (a re-run, a duplicate Prefect run,
a re-ingest) is one row in the outbox.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from tradewatch.model import CountryRegistry, Period, PeriodKind, countries

SEVERITIES = ("info", "warning", "critical")
MATURITY_ORDER = ("preliminary", "provisional", "final")


def severity_rank(severity: str) -> int:
    """0 for info, 1 for warning, 2 for critical; unknown severities rank as info."""
    try:
        return SEVERITIES.index(severity)
    except ValueError:
        return 0


def severity_at_least(severity: str, minimum: str) -> bool:
    return severity_rank(severity) >= severity_rank(minimum)


@dataclass(frozen=True)
class Alert:
    """One finding, ready for the outbox and any channel.

    ``figures`` holds the new values and ``previous`` the ones they are compared
    with; a value is either a number of USD or a dict such as
    ``{"rank": 3, "value_usd": 6_510_000_000}``. ``fields`` are the named fields the
    message template was rendered from (kept so channels can render richer forms).
    """

    rule: str
    severity: str
    title: str
    message: str
    dedup_key: str
    reporter: str | None = None
    partner: str | None = None
    flow: str | None = None
    period: str | None = None
    maturity: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)
    previous: dict[str, Any] = field(default_factory=dict)
    previous_period: str | None = None
    source: str | None = None
    source_url: str | None = None
    snapshot_sha256: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; expected one of {SEVERITIES}")
        if not self.dedup_key or len(self.dedup_key) > 255:
            raise ValueError(f"a dedup key must be 1..255 characters, got {len(self.dedup_key or '')}")

    def payload(self) -> dict[str, Any]:
        """What the outbox keeps beside the columns (JSON-safe)."""
        return {
            "figures": self.figures,
            "previous": self.previous,
            "previous_period": self.previous_period,
            "fields": self.fields,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Any) -> Alert:
        """Rebuild an alert from an ``AlertRow`` (for rendering at delivery time)."""
        p = row.payload or {}
        return cls(
            rule=row.rule,
            severity=row.severity,
            title=row.title,
            message=row.message,
            dedup_key=row.dedup_key,
            reporter=row.reporter,
            partner=row.partner,
            flow=row.flow,
            period=row.period,
            maturity=row.maturity,
            figures=p.get("figures") or {},
            previous=p.get("previous") or {},
            previous_period=p.get("previous_period"),
            source=row.source,
            source_url=row.source_url,
            snapshot_sha256=row.snapshot_sha256,
            fields=p.get("fields") or {},
        )

    def figure_rows(self, registry: CountryRegistry | None = None) -> list[tuple[str, str, str]]:
        """(label, new, previous) rows for a table of the alert's figures."""
        rows = []
        for key in list(self.figures) + [k for k in self.previous if k not in self.figures]:
            rows.append(
                (label_for(key, registry), fmt_figure(self.figures.get(key)), fmt_figure(self.previous.get(key)))
            )
        return rows


# --- labels ----------------------------------------------------------------------------------

KIND_LABELS = {"month": "monthly", "ytd": "year to date", "year": "annual", "months": "cumulative", "days": "days"}
FLOW_PARTNER = {"total": "trade partner", "export": "export market", "import": "import source"}
FLOW_NOUN = {"total": "trade", "export": "exports", "import": "imports", "balance": "trade balance"}


def period_kind_label(period: Period) -> str:
    """month / ytd / year / months / days: the kind used in dedup keys."""
    if period.kind is PeriodKind.MONTHS and period.start.month == 1 and period.start.year == period.end.year:
        return "ytd"
    return period.kind.value


def country_name(code: str | None, registry: CountryRegistry | None = None) -> str:
    """A country's English name, or the code itself when the registry does not know it."""
    if not code:
        return ""
    try:
        reg = registry or countries()
        return reg.get(code).name if code in reg else code
    except (OSError, FileNotFoundError):  # registry data not installed: codes still read
        return code


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def label_for(key: str, registry: CountryRegistry | None = None) -> str:
    if len(key) == 3 and key.isupper():
        return country_name(key, registry)
    return key.replace("_", " ")


# --- money -----------------------------------------------------------------------------------


def fmt_usd(value: int | float | None) -> str:
    """$6.51 bn, $850 m, -$1.20 bn, $12,345: the way analysts read dollar figures."""
    if value is None:
        return "n/a"
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 1e9:
        return f"{sign}${v / 1e9:,.2f} bn"
    if v >= 1e6:
        return f"{sign}${v / 1e6:,.0f} m" if v >= 1e8 else f"{sign}${v / 1e6:,.1f} m"
    return f"{sign}${v:,.0f}"


def fmt_pct(value: float | None, signed: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.1f} %" if signed else f"{value:.1f} %"


def fmt_figure(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, dict):
        parts = []
        if "rank" in v:
            parts.append(f"#{v['rank']}" if v["rank"] is not None else "not ranked")
        if v.get("value_usd") is not None:
            parts.append(fmt_usd(v["value_usd"]))
        if v.get("pct") is not None:
            parts.append(fmt_pct(v["pct"]))
        return ", ".join(parts) or "-"
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return fmt_usd(v)
    return str(v)


def least_mature(*maturities: str | None) -> str | None:
    """The weakest maturity of several figures (a sum is as provisional as its least final part)."""
    known = [m for m in maturities if m in MATURITY_ORDER]
    if not known:
        return None
    return min(known, key=MATURITY_ORDER.index)
