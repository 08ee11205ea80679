"""indexes on observations by period: the reads of validation, detection and rankings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_observations_source_period_str", "observations", ["source", "period"])
    op.create_index("ix_observations_reporter_flow_period", "observations", ["reporter", "flow", "period"])


def downgrade() -> None:
    op.drop_index("ix_observations_reporter_flow_period", table_name="observations")
    op.drop_index("ix_observations_source_period_str", table_name="observations")
