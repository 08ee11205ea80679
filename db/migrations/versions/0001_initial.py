"""initial schema: snapshots, observations with history, rank claims, runs, validation, quarantine, outbox

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime()


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("source", sa.String(48), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("request_key", sa.String(32), nullable=False, index=True),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("fetched_at", TS, nullable=False),
        sa.Column("label", sa.String(64)),
        sa.Column("sample", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.UniqueConstraint("request_key", "sha256", "fetched_at", name="uq_snapshots_fetch"),
    )
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reporter", sa.String(8), nullable=False),
        sa.Column("partner", sa.String(8), nullable=False),
        sa.Column("flow", sa.String(8), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("period_kind", sa.String(8), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("commodity", sa.String(16), nullable=False),
        sa.Column("source", sa.String(48), nullable=False),
        sa.Column("value_usd", sa.BigInteger, nullable=False),
        sa.Column("precision_usd", sa.BigInteger, nullable=False, server_default="1"),
        sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("yoy_pct", sa.Float),
        sa.Column("maturity", sa.String(16)),
        sa.Column("source_url", sa.Text),
        sa.Column("snapshot_sha256", sa.String(64)),
        sa.Column("published_at", TS),
        sa.Column("fetched_at", TS),
        sa.Column("quote", sa.Text),
        sa.Column("valid_from", TS, nullable=False),
        sa.Column("valid_to", TS),
        sa.Column("is_current", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("supersedes_id", sa.Integer),
        sa.Column("run_id", sa.String(64)),
    )
    op.create_index(
        "uq_observations_current",
        "observations",
        ["reporter", "partner", "flow", "period", "commodity", "source"],
        unique=True,
        sqlite_where=sa.text("is_current"),
        postgresql_where=sa.text("is_current"),
    )
    op.create_index(
        "ix_observations_series",
        "observations",
        ["reporter", "partner", "flow", "commodity", "period_kind", "period_start"],
    )
    op.create_index("ix_observations_source_period", "observations", ["source", "period_start"])
    op.create_table(
        "rank_claims",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reporter", sa.String(8), nullable=False),
        sa.Column("partner", sa.String(8), nullable=False),
        sa.Column("flow", sa.String(8), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("rank", sa.Integer, nullable=False),
        sa.Column("source", sa.String(48), nullable=False),
        sa.Column("source_url", sa.Text),
        sa.Column("snapshot_sha256", sa.String(64)),
        sa.Column("published_at", TS),
        sa.Column("quote", sa.Text),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("reporter", "partner", "flow", "period", "source", "rank", name="uq_rank_claims"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("flow", sa.String(32), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON),
    )
    op.create_table(
        "source_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.String(64), nullable=False, index=True),
        sa.Column("source", sa.String(48), nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("requested", sa.Integer, nullable=False, server_default="0"),
        sa.Column("fetched", sa.Integer, nullable=False, server_default="0"),
        sa.Column("not_modified", sa.Integer, nullable=False, server_default="0"),
        sa.Column("parsed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stored", sa.Integer, nullable=False, server_default="0"),
        sa.Column("revised", sa.Integer, nullable=False, server_default="0"),
        sa.Column("quarantined", sa.Integer, nullable=False, server_default="0"),
        sa.Column("errors", sa.JSON, nullable=False),
    )
    op.create_index("ix_source_runs_source_started", "source_runs", ["source", "started_at"])
    op.create_table(
        "validation_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.String(64)),
        sa.Column("source", sa.String(48), nullable=False),
        sa.Column("batch_key", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("success", sa.Boolean, nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("failed", sa.JSON, nullable=False),
        sa.Column("report", sa.JSON, nullable=False),
        sa.Column("data_docs", sa.Text),
        sa.Column("seconds", sa.Float),
    )
    op.create_table(
        "quarantine",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("validation_run_id", sa.Integer, sa.ForeignKey("validation_runs.id")),
        sa.Column("run_id", sa.String(64)),
        sa.Column("source", sa.String(48), nullable=False),
        sa.Column("batch_key", sa.String(128), nullable=False),
        sa.Column("batch_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("rows", sa.JSON, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("decided_by", sa.String(128)),
        sa.Column("decided_at", TS),
        sa.Column("decision_note", sa.Text),
        sa.UniqueConstraint("source", "batch_sha256", name="uq_quarantine_batch"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dedup_key", sa.String(255), nullable=False, unique=True),
        sa.Column("rule", sa.String(48), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("reporter", sa.String(8)),
        sa.Column("partner", sa.String(8)),
        sa.Column("flow", sa.String(8)),
        sa.Column("period", sa.String(32)),
        sa.Column("maturity", sa.String(16)),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("source", sa.String(48)),
        sa.Column("source_url", sa.Text),
        sa.Column("snapshot_sha256", sa.String(64)),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("run_id", sa.String(64)),
        sa.Column("suppressed", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", TS),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_at", TS),
        sa.Column("sent_at", TS),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("alert_id", "channel", name="uq_deliveries_alert_channel"),
    )
    op.create_index("ix_deliveries_state", "deliveries", ["state"])


def downgrade() -> None:
    for table in (
        "deliveries",
        "alerts",
        "quarantine",
        "validation_runs",
        "source_runs",
        "runs",
        "rank_claims",
        "observations",
        "snapshots",
    ):
        op.drop_table(table)
