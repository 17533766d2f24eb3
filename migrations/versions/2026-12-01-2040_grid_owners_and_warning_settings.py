"""grid owners per building; warning deadlines and the notification webhook per community

Revision ID: 0012
Revises: 0001
Create Date: 2026-12-01 20:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "building_owners",
        sa.Column("building_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["building_id"],
            ["buildings.id"],
            name=op.f("fk_building_owners_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_building_owners_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("building_id", "user_id", name=op.f("pk_building_owners")),
    )
    op.create_index(
        op.f("ix_building_owners_user_id"), "building_owners", ["user_id"], unique=False
    )
    with op.batch_alter_table("communities") as batch:
        batch.add_column(
            sa.Column("warning_high_minutes", sa.Integer(), server_default="120", nullable=False)
        )
        batch.add_column(
            sa.Column(
                "warning_medium_minutes", sa.Integer(), server_default="1440", nullable=False
            )
        )
        batch.add_column(
            sa.Column("warning_low_minutes", sa.Integer(), server_default="4320", nullable=False)
        )
        batch.add_column(sa.Column("notify_webhook_url", sa.String(length=500), nullable=True))
        batch.create_check_constraint(
            op.f("ck_communities_warning_deadlines_positive"),
            "warning_high_minutes > 0 AND warning_medium_minutes > 0 AND warning_low_minutes > 0",
        )


def downgrade() -> None:
    with op.batch_alter_table("communities") as batch:
        batch.drop_constraint(op.f("ck_communities_warning_deadlines_positive"), type_="check")
        batch.drop_column("notify_webhook_url")
        batch.drop_column("warning_low_minutes")
        batch.drop_column("warning_medium_minutes")
        batch.drop_column("warning_high_minutes")
    op.drop_index(op.f("ix_building_owners_user_id"), table_name="building_owners")
    op.drop_table("building_owners")
