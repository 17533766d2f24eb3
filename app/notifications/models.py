"""Notifications shown in the app, and the outbox the webhook is delivered from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CommunityKey, UTCDateTime, utcnow


class Notification(Base):
    """One message to one member: a new, escalated or reached warning, a resident report."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # kind:subject:step:user — the same event never notifies the same person twice.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    community_id: Mapped[CommunityKey]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    warning_id: Mapped[int | None] = mapped_column(
        ForeignKey("warnings.id", ondelete="CASCADE"), index=True
    )
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A webhook post waiting to be delivered; written in the transaction that caused it.

    The job queue only carries "deliver message N now"; this row is the durable truth, so a
    worker killed mid-delivery, a lost queue entry or a failing receiver never loses a message:
    the periodic sweep finds every row still pending and past its ``next_attempt_at``.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # the payload's idempotency key
    community_id: Mapped[CommunityKey]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
