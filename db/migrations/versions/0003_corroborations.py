"""corroborations: release figures that agreed with the official figure of the same key

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corroborations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reporter", sa.String(8), nullable=False),
        sa.Column("partner", sa.String(8), nullable=False),
        sa.Column("flow", sa.String(8), nullable=False),
        sa.Column("period", sa.String(32), nullable=False),
        sa.Column("commodity", sa.String(16), nullable=False),
        sa.Column("reference_source", sa.String(48), nullable=False),
        sa.Column("reference_value_usd", sa.BigInteger, nullable=False),
        sa.Column("reference_basis", sa.Text, nullable=False),
        sa.Column("source", sa.String(48), nullable=False),
        sa.Column("value_usd", sa.BigInteger, nullable=False),
        sa.Column("precision_usd", sa.BigInteger, nullable=False, server_default="1"),
        sa.Column("approximate", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("difference_usd", sa.BigInteger, nullable=False),
        sa.Column("tolerance_usd", sa.BigInteger, nullable=False),
        sa.Column("source_url", sa.Text),
        sa.Column("snapshot_sha256", sa.String(64)),
        sa.Column("published_at", sa.DateTime()),
        sa.Column("quote", sa.Text),
        sa.Column("run_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint(
            "reporter", "partner", "flow", "period", "commodity", "source", "value_usd", name="uq_corroborations_figure"
        ),
    )


def downgrade() -> None:
    op.drop_table("corroborations")
