"""Login throttles per key instead of one row per failed attempt; inactive users' tokens revoked

Failed logins were rows counted per username, checked before the insert (a race on
PostgreSQL) and refusing even the right password. They become one row per key (a keyed digest
of a username or a client address) that each attempt locks. The old rows only throttled, so
they are dropped rather than carried over.

Deactivating a user now revokes their tokens, so that reactivating them brings none back: the
tokens of users who are inactive today are revoked here for the same reason.

Revision ID: 0009
Revises: 0011
Create Date: 2026-12-01 20:43:00.833829
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = '0009'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('blocked_until', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('failures >= 0', name=op.f('ck_login_throttles_failures_not_negative')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles'))
    )
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_throttles_last_failure_at'), ['last_failure_at'], unique=False)

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_index('ix_login_attempts_username_at')

    op.drop_table('login_attempts')

    users = sa.table('users', sa.column('id', sa.Integer()), sa.column('is_active', sa.Boolean()))
    tokens = sa.table(
        'access_tokens',
        sa.column('user_id', sa.Integer()),
        sa.column('revoked_at', app.db.UTCDateTime(timezone=True)),
    )
    inactive = sa.select(users.c.id).where(users.c.is_active.is_(False))
    op.execute(
        tokens.update()
        .where(tokens.c.user_id.in_(inactive), tokens.c.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )


def downgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('attempted_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_login_attempts_username_at', ['username', 'attempted_at'], unique=False)

    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_throttles_last_failure_at'))

    op.drop_table('login_throttles')
