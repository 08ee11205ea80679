"""SQLAlchemy models. Alembic (``db/migrations``) owns the schema; these mirror it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC in Python; naive UTC in the database (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class SnapshotRow(Base):
    __tablename__ = "snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(48))
    method: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    request_key: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[int] = mapped_column(Integer)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    label: Mapped[str | None] = mapped_column(String(64))
    sample: Mapped[bool] = mapped_column(Boolean, default=False)
    __table_args__ = (UniqueConstraint("request_key", "sha256", "fetched_at", name="uq_snapshots_fetch"),)


class ObservationRow(Base):
    __tablename__ = "observations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter: Mapped[str] = mapped_column(String(8))
    partner: Mapped[str] = mapped_column(String(8))
    flow: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(32))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    commodity: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(48))
    value_usd: Mapped[int] = mapped_column(BigInteger)
    precision_usd: Mapped[int] = mapped_column(BigInteger, default=1)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    yoy_pct: Mapped[float | None] = mapped_column(Float)
    maturity: Mapped[str | None] = mapped_column(String(16))
    source_url: Mapped[str | None] = mapped_column(Text)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quote: Mapped[str | None] = mapped_column(Text)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    supersedes_id: Mapped[int | None] = mapped_column(Integer)
    run_id: Mapped[str | None] = mapped_column(String(64))
    __table_args__ = (
        # One current value per series: enforced by the database, so two runs at
        # the same moment cannot both store a figure.
        Index(
            "uq_observations_current",
            "reporter",
            "partner",
            "flow",
            "period",
            "commodity",
            "source",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_observations_series", "reporter", "partner", "flow", "commodity", "period_kind", "period_start"),
        Index("ix_observations_source_period", "source", "period_start"),
        Index("ix_observations_source_period_str", "source", "period"),
        Index("ix_observations_reporter_flow_period", "reporter", "flow", "period"),
    )


class RankClaimRow(Base):
    __tablename__ = "rank_claims"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter: Mapped[str] = mapped_column(String(8))
    partner: Mapped[str] = mapped_column(String(8))
    flow: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(32))
    rank: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(48))
    source_url: Mapped[str | None] = mapped_column(Text)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quote: Mapped[str | None] = mapped_column(Text)
    basis: Mapped[str | None] = mapped_column(String(8))  # a balance ranking's: surplus / deficit
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("reporter", "partner", "flow", "period", "source", "rank", name="uq_rank_claims"),
    )


class RunRow(Base):
    __tablename__ = "runs"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class SourceRunRow(Base):
    """What one source did in one run: the source-health record."""

    __tablename__ = "source_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(48))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))  # ok | empty | failed | partial
    requested: Mapped[int] = mapped_column(Integer, default=0)
    fetched: Mapped[int] = mapped_column(Integer, default=0)
    not_modified: Mapped[int] = mapped_column(Integer, default=0)
    parsed: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    revised: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[Any]] = mapped_column(JSON)
    __table_args__ = (Index("ix_source_runs_source_started", "source", "started_at"),)


class ValidationRunRow(Base):
    __tablename__ = "validation_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(48))
    batch_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    success: Mapped[bool] = mapped_column(Boolean)
    n_rows: Mapped[int] = mapped_column(Integer)
    failed: Mapped[list[Any]] = mapped_column(JSON)  # names of failed expectations + details
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    data_docs: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[float | None] = mapped_column(Float)


class QuarantineRow(Base):
    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    validation_run_id: Mapped[int | None] = mapped_column(ForeignKey("validation_runs.id"))
    run_id: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(48))
    batch_key: Mapped[str] = mapped_column(String(128))
    batch_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))  # pending | accepted | rejected
    n_rows: Mapped[int] = mapped_column(Integer)
    rows: Mapped[list[Any]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (UniqueConstraint("source", "batch_sha256", name="uq_quarantine_batch"),)


class AlertRow(Base):
    """The outbox: one row per alert, unique on what it means."""

    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    rule: Mapped[str] = mapped_column(String(48))
    severity: Mapped[str] = mapped_column(String(16))
    reporter: Mapped[str | None] = mapped_column(String(8))
    partner: Mapped[str | None] = mapped_column(String(8))
    flow: Mapped[str | None] = mapped_column(String(8))
    period: Mapped[str | None] = mapped_column(String(32))
    maturity: Mapped[str | None] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str | None] = mapped_column(String(48))
    source_url: Mapped[str | None] = mapped_column(Text)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run_id: Mapped[str | None] = mapped_column(String(64))
    suppressed: Mapped[bool] = mapped_column(Boolean, default=False)


class DeliveryRow(Base):
    __tablename__ = "deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"))
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))  # pending | sending | sent | failed | suppressed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint("alert_id", "channel", name="uq_deliveries_alert_channel"),
        Index("ix_deliveries_state", "state"),
    )


class CorroborationRow(Base):
    """A release figure that agreed with the official figure of the same key.

    The official figure stays the figure of record (in ``observations``); the release
    figure is kept here, with where it was read, instead of as a second series.
    """

    __tablename__ = "corroborations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reporter: Mapped[str] = mapped_column(String(8))
    partner: Mapped[str] = mapped_column(String(8))
    flow: Mapped[str] = mapped_column(String(8))
    period: Mapped[str] = mapped_column(String(32))
    commodity: Mapped[str] = mapped_column(String(16))
    reference_source: Mapped[str] = mapped_column(String(48))
    reference_value_usd: Mapped[int] = mapped_column(BigInteger)
    reference_basis: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(48))  # the release's
    value_usd: Mapped[int] = mapped_column(BigInteger)
    precision_usd: Mapped[int] = mapped_column(BigInteger, default=1)
    approximate: Mapped[bool] = mapped_column(Boolean, default=False)
    difference_usd: Mapped[int] = mapped_column(BigInteger)
    tolerance_usd: Mapped[int] = mapped_column(BigInteger)
    source_url: Mapped[str | None] = mapped_column(Text)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quote: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (
        UniqueConstraint(
            "reporter", "partner", "flow", "period", "commodity", "source", "value_usd", name="uq_corroborations_figure"
        ),
    )
