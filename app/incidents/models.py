"""Suspected-scam reports from residents, and the history of their follow-up."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CommunityKey, UTCDateTime, utcnow
from app.enums import IncidentStatus


class Incident(Base):
    """One suspected scam: what happened, what it cost or what was kept safe."""

    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint("amount_lost IS NULL OR amount_lost >= 0", name="lost_nonnegative"),
        CheckConstraint(
            "amount_prevented IS NULL OR amount_prevented >= 0", name="prevented_nonnegative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[CommunityKey]
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    utc_offset_minutes: Mapped[int] = mapped_column(default=0)
    fraud_type: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(100))
    summary: Mapped[str] = mapped_column(Text)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL")
    )
    amount_lost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    amount_prevented: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    status: Mapped[IncidentStatus] = mapped_column(
        Enum(IncidentStatus, native_enum=False, length=16), default=IncidentStatus.reported
    )
    escalated_to: Mapped[str | None] = mapped_column(String(100))
    follow_up: Mapped[str | None] = mapped_column(Text)
    reported_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class IncidentChange(Base):
    """One change to an incident: who, when, and the fields before and after."""

    __tablename__ = "incident_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
