"""coverage_days by campaign and local date also carries what the figures by day read

On PostgreSQL the index includes the day's counts, so a campaign's figures by day are an
index-only scan of its own days instead of a scan of every campaign's. SQLite has no INCLUDE:
its index stays as it was.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 04:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INCLUDED = [
    "contacts",
    "best_rank",
    "app_installed",
    "pledge_signed",
    "flyer_given",
    "residents_reached",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_coverage_days_campaign_local_date", table_name="coverage_days")
    op.create_index(
        "ix_coverage_days_campaign_local_date",
        "coverage_days",
        ["campaign_id", "local_date"],
        postgresql_include=INCLUDED,
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_coverage_days_campaign_local_date", table_name="coverage_days")
    op.create_index(
        "ix_coverage_days_campaign_local_date", "coverage_days", ["campaign_id", "local_date"]
    )
