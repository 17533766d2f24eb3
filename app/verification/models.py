"""The verification sample (抽查回访): households drawn for a call-back, and the results."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CommunityKey, UTCDateTime, utcnow

# Word lists as in app.enums: StrEnums whose values are their members' names.
VerificationOutcome = StrEnum("VerificationOutcome", "confirmed denied unreachable")
VerificationOutcome.__doc__ = (
    "What the call-back found: the resident confirms the visit, denies it, or nobody answered."
)
VerificationMethod = StrEnum("VerificationMethod", "phone door")
VerificationMethod.__doc__ = "How the call-back was made."


class Verification(Base):
    """One household of a campaign drawn for a call-back, given to someone who did not visit it.

    ``contact_id`` is the door contact that counts the household as reached; ``outcome`` is the
    call-back's standing result (None while nobody has tried, ``unreachable`` until someone gets
    an answer; ``confirmed`` and ``denied`` are final).
    """

    __tablename__ = "verifications"
    __table_args__ = (
        UniqueConstraint("campaign_id", "household_id"),
        Index("ix_verifications_campaign_assignee", "campaign_id", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    community_id: Mapped[CommunityKey]
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id", ondelete="CASCADE"))
    contact_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("contacts.id", ondelete="CASCADE")
    )
    recorder_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    drawn_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seed: Mapped[int | None] = mapped_column(BigInteger)
    outcome: Mapped[VerificationOutcome | None] = mapped_column(
        Enum(VerificationOutcome, native_enum=False, length=16)
    )
    method: Mapped[VerificationMethod | None] = mapped_column(
        Enum(VerificationMethod, native_enum=False, length=16)
    )
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class VerificationResult(Base):
    """One call-back attempt; the primary key is the client's UUID, so retries are idempotent."""

    __tablename__ = "verification_results"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    verification_id: Mapped[int] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), index=True
    )
    community_id: Mapped[CommunityKey]
    outcome: Mapped[VerificationOutcome] = mapped_column(
        Enum(VerificationOutcome, native_enum=False, length=16)
    )
    method: Mapped[VerificationMethod] = mapped_column(
        Enum(VerificationMethod, native_enum=False, length=16)
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    utc_offset_minutes: Mapped[int] = mapped_column(default=0)
    notes: Mapped[str | None] = mapped_column(Text)
    # SHA-256 of the canonical body and its verification: another body under this id is a 409.
    body_hash: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
