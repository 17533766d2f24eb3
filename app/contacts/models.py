"""Contacts: append-only facts of one attempt to reach one household."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from itertools import chain
from typing import Any

from sqlalchemy import CheckConstraint, Date, Enum, ForeignKey, Index, String, Text, Uuid, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.db import Base, CommunityKey, UTCDateTime, utcnow
from app.enums import Channel, Outcome


class Contact(Base):
    """One attempt; the primary key is the client's UUID, which makes retries idempotent."""

    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("residents_reached >= 0", name="residents_nonnegative"),
        Index("ix_contacts_campaign_household", "campaign_id", "household_id"),
        Index("ix_contacts_campaign_local_date", "campaign_id", "local_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    community_id: Mapped[CommunityKey]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[Channel] = mapped_column(Enum(Channel, native_enum=False, length=16))
    outcome: Mapped[Outcome] = mapped_column(Enum(Outcome, native_enum=False, length=16))
    # Stored in UTC; the client's offset is kept so the time is returned as it was given.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    utc_offset_minutes: Mapped[int] = mapped_column(default=0)
    # The community's local date of occurred_at: the day of the daily ledger.
    local_date: Mapped[date] = mapped_column(Date)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    flyer_given: Mapped[bool] = mapped_column(default=False)
    app_installed: Mapped[bool] = mapped_column(default=False)
    pledge_signed: Mapped[bool] = mapped_column(default=False)
    residents_reached: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    # SHA-256 of the canonical request body: a retry with another body is a conflict.
    body_hash: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    void_reason: Mapped[str | None] = mapped_column(Text)


@event.listens_for(Session, "after_flush")
def _keep_coverage_state(session: Session, _context: Any) -> None:
    """Contacts written through the ORM (the demo, fixtures, scripts) keep the state right too.

    The recording path inserts with Core and adds to the state itself; this catches every
    other writer by recomputing the households whose contacts were flushed, in the same
    transaction.
    """
    touched = {
        (obj.campaign_id, obj.household_id)
        for obj in chain(session.new, session.dirty, session.deleted)
        if isinstance(obj, Contact)
    }
    if touched:
        from app.coverage import state

        state.recompute(session, touched)
