"""Queries for notifications and the webhook outbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.db import paginate
from app.notifications.models import Notification, OutboxMessage


def insert_ignoring_duplicates(
    session: Session,
    model: type[Notification] | type[OutboxMessage],
    rows: Sequence[Mapping[str, Any]],
) -> int:
    """Insert rows whose ``key`` is not stored yet; returns how many were new."""
    if not rows:
        return 0
    table: Any = model.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=["key"])
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["key"])
    result = session.execute(stmt.returning(table.c.id), list(rows))
    return len(result.all())


def list_for_user(
    session: Session,
    user_id: int,
    *,
    communities: Sequence[int] | None,
    unread: bool,
    limit: int,
    offset: int,
) -> tuple[Sequence[Notification], int]:
    """A member's notifications, newest first (only from communities they still belong to)."""
    stmt = select(Notification).where(Notification.user_id == user_id)
    if communities is not None:
        stmt = stmt.where(Notification.community_id.in_(communities))
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    return paginate(
        session,
        stmt.order_by(Notification.created_at.desc(), Notification.id.desc()),
        limit=limit,
        offset=offset,
    )


def mark_read(session: Session, user_id: int, ids: Sequence[int], now: datetime) -> int:
    """Mark some of a member's notifications read."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.id.in_(ids),
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def due_messages(session: Session, now: datetime, *, limit: int) -> list[int]:
    """Pending outbox rows whose time has come and that no live worker holds."""
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status == "pending",
                OutboxMessage.next_attempt_at <= now,
                or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until < now),
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def claim(session: Session, message_id: int, now: datetime, lease_until: datetime) -> bool:
    """Take a message for one delivery attempt; False if another worker has it or it is done."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.leased_until.is_(None), OutboxMessage.leased_until < now),
        )
        .values(leased_until=lease_until, attempts=OutboxMessage.attempts + 1)
    )
    return bool(getattr(result, "rowcount", 0))


def next_wakeup(session: Session) -> datetime | None:
    """The earliest moment a pending message may be tried: its retry time or its lease's end."""
    wake = case(
        (
            and_(
                OutboxMessage.leased_until.is_not(None),
                OutboxMessage.leased_until > OutboxMessage.next_attempt_at,
            ),
            OutboxMessage.leased_until,
        ),
        else_=OutboxMessage.next_attempt_at,
    )
    found: datetime | None = session.scalar(
        select(func.min(wake)).where(OutboxMessage.status == "pending")
    )
    if found is None:
        return None
    if isinstance(found, str):  # SQLite answers a computed column as text
        found = datetime.fromisoformat(found)
    return found if found.tzinfo else found.replace(tzinfo=UTC)
