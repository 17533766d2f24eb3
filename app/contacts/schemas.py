"""Bodies for recording, batching, listing and voiding contacts."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import AfterValidator, Field

from app.contacts.models import Contact
from app.enums import Channel, Outcome
from app.schemas import MAX_ID, AwareDatetime, Id, PageParams, ReadSchema, Schema, with_offset

MAX_BATCH = 500
MAX_RESIDENTS = 50
MAX_NOTES = 2000
FUTURE_SLACK = timedelta(days=1)
"""How far ahead of the server's clock a contact may be dated (phones' clocks drift)."""
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def _plausible_time(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError as exc:
        raise ValueError("the time is out of range") from exc
    if utc < EARLIEST:
        raise ValueError("the time is before 2000-01-01")
    if utc > datetime.now(UTC) + FUTURE_SLACK:
        raise ValueError("the time is more than a day in the future")
    return value


OccurredAt = Annotated[AwareDatetime, AfterValidator(_plausible_time)]


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold U+0000; refuse it here rather than fail on insert.
    if "\x00" in value:
        raise ValueError("the text contains a NUL character")
    return value


Notes = Annotated[str, Field(max_length=MAX_NOTES), AfterValidator(_no_nul)]


class ContactCreate(Schema):
    """One attempt to reach one household; ``id`` is a UUID the client makes.

    ``occurred_at`` needs a UTC offset (``2026-12-02T09:30:00+08:00``) and is answered back with
    the same offset. Event attendance and walk-ins are always ``reached``.
    """

    id: uuid.UUID
    campaign_id: Id
    household_id: Id
    channel: Channel
    outcome: Outcome
    occurred_at: OccurredAt
    round_id: Id | None = None
    event_id: Id | None = None
    flyer_given: bool = False
    app_installed: bool = False
    pledge_signed: bool = False
    residents_reached: Annotated[int, Field(ge=0, le=MAX_RESIDENTS)] = 0
    notes: Notes | None = None

    def body_hash(self) -> str:
        """SHA-256 of the canonical body: defaults filled in, the time in UTC.

        ``…T09:30:00+08:00`` and ``…T01:30:00Z`` are the same instant and hash alike, so a retry
        from a phone that changed time zone is still the same contact.
        """
        body = self.model_dump(mode="json")
        body["occurred_at"] = self.occurred_at.astimezone(UTC).isoformat()
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class ContactBatch(Schema):
    """Up to 500 contacts (``POST /contacts/batch``); each item is checked on its own."""

    contacts: Annotated[list[Any], Field(max_length=MAX_BATCH)]


class ItemError(ReadSchema):
    """Why one batch item was not stored, as its own request would have been told."""

    title: str
    detail: str
    errors: list[dict[str, Any]] | None = None


class BatchItemResult(ReadSchema):
    """What one batch item got: the HTTP status it would have had alone."""

    id: str | None
    status: int
    error: ItemError | None = None


class BatchResult(ReadSchema):
    """One result per item, in the order sent."""

    results: list[BatchItemResult]


class ContactVoid(Schema):
    """Why a contact is being undone."""

    reason: Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_no_nul)]


class ContactRead(ReadSchema):
    """A stored contact, its time at the offset it was given with."""

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

    @classmethod
    def of(cls, contact: Contact) -> ContactRead:
        """The representation of a stored contact."""
        read = cls.model_validate(contact)
        read.occurred_at = with_offset(contact.occurred_at, contact.utc_offset_minutes)
        return read


@dataclass(frozen=True)
class ContactQuery(PageParams):
    """The contact list's query: household, round, channel, and whether voided ones count."""

    household_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
    round_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
    channel: Channel | None = None
    include_voided: bool = True


ContactQueryDep = Annotated[ContactQuery, Depends()]
