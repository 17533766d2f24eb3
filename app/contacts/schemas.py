"""Bodies for recording, batching and voiding contacts."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field

from app.enums import Channel, Outcome
from app.schemas import AwareDatetime, Id, ReadSchema, Schema

MAX_BATCH = 500


class ContactCreate(Schema):
    """One attempt to reach one household; ``id`` is a UUID the client makes."""

    id: uuid.UUID
    campaign_id: Id
    household_id: Id
    channel: Channel
    outcome: Outcome
    occurred_at: AwareDatetime
    round_id: Id | None = None
    event_id: Id | None = None
    flyer_given: bool = False
    app_installed: bool = False
    pledge_signed: bool = False
    residents_reached: Annotated[int, Field(ge=0, le=50)] = 0
    notes: Annotated[str | None, Field(max_length=2000)] = None


class ContactBatch(Schema):
    """Up to 500 contacts, each validated on its own (``POST /contacts/batch``)."""

    contacts: Annotated[list[dict[str, Any]], Field(max_length=MAX_BATCH)]


class BatchItemResult(ReadSchema):
    """What one batch item got: the HTTP status it would have had alone."""

    id: str | None
    status: int
    error: dict[str, Any] | None = None


class BatchResult(ReadSchema):
    """One result per item, in order."""

    results: list[BatchItemResult]


class ContactVoid(Schema):
    """Why a contact is being undone."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class ContactRead(ReadSchema):
    """A stored contact, with its time at the offset it was given with."""

    id: uuid.UUID
    campaign_id: int
    community_id: int
    household_id: int
    channel: Channel
    outcome: Outcome
    occurred_at: datetime
    local_date: date
    round_id: int | None
    event_id: int | None
    flyer_given: bool
    app_installed: bool
    pledge_signed: bool
    residents_reached: int
    notes: str | None
    recorded_by: int | None
    recorded_at: datetime
    voided_at: datetime | None
    voided_by: int | None
    void_reason: str | None
