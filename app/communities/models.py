"""Community → building → household: the registry coverage is measured against."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, CommunityKey, UserLink, UTCDateTime, utcnow
from app.enums import Occupancy


class Community(Base):
    """One compound: the tenant boundary."""

    __tablename__ = "communities"
    __table_args__ = (
        CheckConstraint(
            "warning_high_minutes > 0 AND warning_medium_minutes > 0 AND warning_low_minutes > 0",
            name="warning_deadlines_positive",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str | None] = mapped_column(String(80))
    city: Mapped[str | None] = mapped_column(String(100))
    district: Mapped[str | None] = mapped_column(String(100))
    address: Mapped[str | None] = mapped_column(String(300))
    service_centre_phone: Mapped[str | None] = mapped_column(String(40))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    contact_consent_recorded: Mapped[bool] = mapped_column(default=False)
    # Minutes from a warning's receipt to its due time, per risk level (DESIGN §8).
    warning_high_minutes: Mapped[int] = mapped_column(default=120, server_default="120")
    warning_medium_minutes: Mapped[int] = mapped_column(default=1440, server_default="1440")
    warning_low_minutes: Mapped[int] = mapped_column(default=4320, server_default="4320")
    notify_webhook_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def community_id(self) -> int:
        """A community is its own community: it loads like every resource (app.loaders)."""
        return self.id

    @property
    def warning_deadlines(self) -> dict[str, int]:
        """Risk level → minutes allowed to reach the resident."""
        return {
            "high": self.warning_high_minutes,
            "medium": self.warning_medium_minutes,
            "low": self.warning_low_minutes,
        }


class Building(Base):
    """幢/栋: a building of one community."""

    __tablename__ = "buildings"
    __table_args__ = (
        UniqueConstraint("community_id", "code"),
        CheckConstraint("units IS NULL OR units > 0", name="units_positive"),
        CheckConstraint("floors IS NULL OR floors > 0", name="floors_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[CommunityKey]
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str | None] = mapped_column(String(100))
    units: Mapped[int | None]
    floors: Mapped[int | None]
    grid_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class BuildingOwner(UserLink, Base):
    """包片: a member who owns a building's follow-ups (warnings, resident reports)."""

    __tablename__ = "building_owners"

    building_id: Mapped[int] = mapped_column(
        ForeignKey("buildings.id", ondelete="CASCADE"), primary_key=True
    )


class Household(Base):
    """户: one dwelling. Personal data is minimal; a contact needs recorded consent."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("community_id", "code"),
        Index("ix_households_building_unit_floor", "building_id", "unit", "floor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[CommunityKey]
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"))
    unit: Mapped[str] = mapped_column(String(16))
    floor: Mapped[int]
    room: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    occupancy: Mapped[Occupancy] = mapped_column(
        Enum(Occupancy, native_enum=False, length=16), default=Occupancy.unknown
    )
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_consent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class HouseholdFlag(Base):
    """One priority flag of a household (elderly_alone, previous_victim, …)."""

    __tablename__ = "household_flags"

    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), primary_key=True
    )
    flag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
