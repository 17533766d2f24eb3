"""Warnings, who must reach them, the attempts made, and who read their personal data."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CommunityKey, UserLink, UTCDateTime, utcnow
from app.enums import AttemptMethod, AttemptOutcome, RiskLevel, WarningStatus


class EarlyWarning(Base):
    """One resident to reach face to face before ``due_at`` (a station's 预警, or a report)."""

    __tablename__ = "warnings"
    __table_args__ = (
        UniqueConstraint("community_id", "source_ref"),
        CheckConstraint("escalation_level BETWEEN 0 AND 2", name="escalation_level_range"),
        CheckConstraint("due_at >= received_at", name="due_after_received"),
        Index("ix_warnings_community_status_due", "community_id", "status", "due_at"),
        Index("ix_warnings_status_due", "status", "escalation_level", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[CommunityKey]
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("households.id", ondelete="SET NULL"), index=True
    )
    # The address as the station wrote it, when it matched no household.
    address: Mapped[str | None] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual, import, report
    # The station's own number for the warning (or a digest of the row): re-imports skip it.
    source_ref: Mapped[str | None] = mapped_column(String(64))
    risk_level: Mapped[RiskLevel] = mapped_column(Enum(RiskLevel, native_enum=False, length=8))
    fraud_type: Mapped[str | None] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # due_at plus the same span again: when a still-open warning goes to the managers.
    second_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[WarningStatus] = mapped_column(
        Enum(WarningStatus, native_enum=False, length=16), default=WarningStatus.open
    )
    escalation_level: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reached_in_time: Mapped[bool | None]
    minutes_to_reach: Mapped[int | None]
    # Set when the warning is reached or closed; personal data goes 30 days later.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    close_reason: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    person_name: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    personal_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class WarningAssignee(UserLink, Base):
    """A member who must reach the warned resident (the building's owners, or officers)."""

    __tablename__ = "warning_assignees"

    warning_id: Mapped[int] = mapped_column(
        ForeignKey("warnings.id", ondelete="CASCADE"), primary_key=True
    )


class WarningAttempt(Base):
    """One attempt to reach the resident; the client's UUID makes retries idempotent."""

    __tablename__ = "warning_attempts"
    __table_args__ = (
        CheckConstraint("money_lost IS NULL OR money_lost >= 0", name="money_nonnegative"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    warning_id: Mapped[int] = mapped_column(
        ForeignKey("warnings.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[CommunityKey]
    method: Mapped[AttemptMethod] = mapped_column(Enum(AttemptMethod, native_enum=False, length=8))
    outcome: Mapped[AttemptOutcome] = mapped_column(
        Enum(AttemptOutcome, native_enum=False, length=16)
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    utc_offset_minutes: Mapped[int] = mapped_column(default=0)
    dissuaded: Mapped[bool] = mapped_column(default=False)
    money_lost: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    notes: Mapped[str | None] = mapped_column(Text)
    body_hash: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WarningAccess(Base):
    """One read of a warning's personal data (name, phone): who, when, through what."""

    __tablename__ = "warning_accesses"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(
        ForeignKey("warnings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    via: Mapped[str] = mapped_column(String(16))  # detail, list, export


class ReportToken(Base):
    """The unguessable token of a campaign's flyer QR code (/r/{token})."""

    __tablename__ = "report_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    community_id: Mapped[CommunityKey]
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportReceipt(Base):
    """A public report as received: what the throttle counts (per address and per token)."""

    __tablename__ = "report_receipts"
    __table_args__ = (
        Index("ix_report_receipts_client_at", "client_key", "received_at"),
        Index("ix_report_receipts_token_at", "token", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64))
    client_key: Mapped[str] = mapped_column(String(64))  # a digest of the client's address
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
