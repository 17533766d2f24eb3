"""Campaigns and what they schedule: visit rounds and convenience-service events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, Enum, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.db import Base, CommunityKey, UserLink, UTCDateTime, utcnow
from app.enums import CampaignStatus, EventStatus, RoundStatus


class Campaign(Base):
    """A publicity drive in one community over a date range."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("target_coverage > 0 AND target_coverage <= 1", name="target_range"),
        CheckConstraint("ends_on >= starts_on", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[CommunityKey]
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    target_coverage: Mapped[float] = mapped_column(Float, default=0.95)
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[CampaignStatus] = mapped_column(
        Enum(CampaignStatus, native_enum=False, length=16), default=CampaignStatus.draft
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class _Slot:
    """What a visit round and a service event share: a campaign's time slot in its community.

    Each has its buildings and assignees in two link tables, and obeys the same scheduling
    rules (app/campaigns/service.py); ``status`` is each one's own type.
    """

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[CheckConstraint, ...]:
        return (CheckConstraint("ends_at > starts_at", name="times_ordered"),)

    # The keys first and created_at last in the table, as the tables were first made.
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True, sort_order=-1
    )
    community_id: Mapped[CommunityKey] = mapped_column(sort_order=-1)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, sort_order=1)


class Round(_Slot, Base):
    """A scheduled door-to-door visit of one or more buildings."""

    __tablename__ = "rounds"

    status: Mapped[RoundStatus] = mapped_column(
        Enum(RoundStatus, native_enum=False, length=16), default=RoundStatus.planned
    )
    # Optional restriction to some units, e.g. {"12": ["1", "2"]} (building id → unit labels);
    # None means every household of the round's buildings.
    units: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)
    notes: Mapped[str | None] = mapped_column(Text)


class _BuildingLink:
    """A building that a round or an event visits (the owner column is the class's own)."""

    building_id: Mapped[int] = mapped_column(
        ForeignKey("buildings.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class RoundBuilding(_BuildingLink, Base):
    """A building visited by a round."""

    __tablename__ = "round_buildings"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )


class RoundAssignee(UserLink, Base):
    """A member assigned to a round."""

    __tablename__ = "round_assignees"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )


class Event(_Slot, Base):
    """A convenience-service event with an anti-fraud table."""

    __tablename__ = "events"

    title: Mapped[str] = mapped_column(String(200))
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[str | None] = mapped_column(String(200))
    # Stored as the same words as a round's status (VARCHAR(16)); its own type all the same.
    status: Mapped[EventStatus] = mapped_column(
        Enum(EventStatus, native_enum=False, length=16), default=EventStatus.planned
    )


class EventBuilding(_BuildingLink, Base):
    """A building an event targets."""

    __tablename__ = "event_buildings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )


class EventAssignee(UserLink, Base):
    """A member assigned to an event."""

    __tablename__ = "event_assignees"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
