"""Who can work when, per campaign, and how long a door takes: the planner's inputs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class CampaignAvailability(Base):
    """A campaign's planning settings: minutes per door and floor, visiting hours."""

    __tablename__ = "campaign_availability"
    __table_args__ = (
        CheckConstraint("minutes_per_door > 0", name="door_positive"),
        CheckConstraint("minutes_per_floor >= 0", name="floor_nonnegative"),
    )

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    minutes_per_door: Mapped[float] = mapped_column(Float, default=3.0)
    minutes_per_floor: Mapped[float] = mapped_column(Float, default=1.0)
    # [{"weekday": 0-6 (Monday 0), "from": "09:00", "to": "20:00"}]
    visiting_hours: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"user_id": 3, "weekdays": [1, 3] (Monday 1), "starts": "09:00", "ends": "12:00"}], as
    # entered; their expansion over the campaign's days is stored as AvailabilityWindow rows.
    patterns: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class AvailabilityWindow(Base):
    """A span of time one member can work on one campaign."""

    __tablename__ = "availability_windows"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="times_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
