"""rank_claims.basis: whether a balance ranking orders surpluses or deficits

Revision ID: 0004
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rank_claims") as batch:
        batch.add_column(sa.Column("basis", sa.String(8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("rank_claims") as batch:
        batch.drop_column("basis")
