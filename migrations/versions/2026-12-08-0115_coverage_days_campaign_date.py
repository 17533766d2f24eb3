"""coverage_days by campaign and local date: a campaign's first and last day for the ledger

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-08 01:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("coverage_days", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coverage_days_campaign_local_date", ["campaign_id", "local_date"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("coverage_days", schema=None) as batch_op:
        batch_op.drop_index("ix_coverage_days_campaign_local_date")
