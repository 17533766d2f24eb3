"""availability patterns: weekly patterns stored as entered, expanded when planning

Revision ID: 0011
Revises: 0012
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_availability", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("patterns", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_availability", schema=None) as batch_op:
        batch_op.drop_column("patterns")
