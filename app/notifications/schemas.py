"""Bodies for the in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field

from app.schemas import Id, ReadSchema, Schema


class NotificationRead(ReadSchema):
    """One notification to you."""

    id: int
    community_id: int
    kind: str
    warning_id: int | None
    incident_id: int | None
    text: str
    created_at: datetime
    read_at: datetime | None


class MarkRead(Schema):
    """Notifications to mark read."""

    ids: Annotated[list[Id], Field(min_length=1, max_length=500)]


class MarkedRead(ReadSchema):
    """How many were marked."""

    marked: int
