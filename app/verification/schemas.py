"""Bodies for drawing the verification sample, recording call-backs, and its figures."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from app.contacts.schemas import Notes, OccurredAt
from app.schemas import MAX_ID, Id, PageParams, ReadSchema, Schema
from app.verification.models import VerificationMethod, VerificationOutcome

MAX_SAMPLE = 5000
MAX_SEED = 2**63 - 1


class SampleCreate(Schema):
    """Draw a sample (``POST /campaigns/{id}/verifications``).

    ``size``: how many households; left out, Doorstep suggests enough for a ±5-point 95%
    interval. ``seed`` makes the draw reproducible. ``assignee_ids`` narrows who may be given
    call-backs (default: every active member of the community).
    """

    size: Annotated[int, Field(ge=1, le=MAX_SAMPLE)] | None = None
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = None
    assignee_ids: Annotated[list[Id], Field(min_length=1, max_length=500)] | None = None


class VerificationUpdate(Schema):
    """Give a call-back to someone else (officers and managers)."""

    assignee_id: Id


class ResultCreate(Schema):
    """One call-back attempt; ``id`` is a UUID the client makes (idempotent like contacts)."""

    id: uuid.UUID
    outcome: VerificationOutcome
    method: VerificationMethod
    occurred_at: OccurredAt
    notes: Notes | None = None

    def body_hash(self, verification_id: int) -> str:
        """SHA-256 of the body (time in UTC) and the verification it is about."""
        body = self.model_dump(mode="json")
        body["occurred_at"] = self.occurred_at.astimezone(UTC).isoformat()
        body["verification_id"] = verification_id
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class ResultRead(ReadSchema):
    """A stored call-back attempt, its time at the offset it was given with."""

    id: uuid.UUID
    verification_id: int
    outcome: VerificationOutcome
    method: VerificationMethod
    occurred_at: datetime
    notes: str | None
    recorded_by: int | None
    recorded_at: datetime


class VerificationRead(ReadSchema):
    """One sampled household and where its call-back stands.

    ``status`` is ``pending`` until someone tries, then the standing outcome. ``recorder_id``
    and ``recorder_name`` (who ticked the visit) are left out for staff, so that the call-back
    is blind. ``contact_voided``: the officer has since voided the visit.
    """

    id: int
    campaign_id: int
    community_id: int
    household_id: int
    household_code: str
    building_code: str
    unit: str
    floor: int
    room: str
    contact_phone: str | None = None
    contact_id: uuid.UUID
    contact_occurred_at: datetime
    contact_voided: bool
    recorder_id: int | None
    recorder_name: str | None
    assignee_id: int | None
    assignee_name: str | None
    drawn_at: datetime
    status: str
    outcome: VerificationOutcome | None
    method: VerificationMethod | None
    occurred_at: datetime | None
    attempts: int


class SampleRead(BaseModel):
    """What a draw did: how many households could be drawn, the suggestion, the new items."""

    population: int
    suggested_size: int
    size: int
    seed: int
    items: list[VerificationRead]
    total: int


class RecorderFigures(BaseModel):
    """One recorder's call-backs; ``flagged`` when their denials are improbable.

    ``p_value`` = P(X ≥ denied) for X ~ Binomial(confirmed + denied, ``expected_denial_rate``),
    the denial rate of everyone else in the campaign (one denial and one confirmation added, so
    that one denial where nobody else had any is not a flag); flagged below 0.01.
    """

    recorder_id: int | None
    recorder_name: str | None
    sampled: int
    confirmed: int
    denied: int
    unreachable: int
    confirmed_rate: float | None
    expected_denial_rate: float
    p_value: float | None
    flagged: bool


class Interval(BaseModel):
    """A 95% interval."""

    low: float | None
    high: float | None


class VerificationFigures(BaseModel):
    """``verification`` in the coverage answer: how true the claimed coverage is.

    ``confirmed_rate`` = confirmed ÷ (confirmed + denied); ``verified_coverage`` is its 95%
    Wilson interval times the claimed coverage. Unreachable (and pending) call-backs are
    neither confirmed nor denied: they are counted and shown, and left out of the rate, which
    assumes that the households nobody could reach were visited as often as those who
    answered. Denials stay in the rate after the officer voids the visit: they are evidence
    about the households nobody called back.
    """

    sampled: int = 0
    pending: int = 0
    confirmed: int = 0
    denied: int = 0
    unreachable: int = 0
    confirmed_rate: float | None = None
    claimed_coverage: float | None = None
    verified_coverage: Interval = Field(default_factory=lambda: Interval(low=None, high=None))
    population: int = 0
    suggested_size: int = 0
    denial_rate: float | None = None
    flag_threshold: float = 0.01
    by_recorder: list[RecorderFigures] = Field(default_factory=list)


CallBackStatus = Literal["pending", "confirmed", "denied", "unreachable"]
StatusQuery = Annotated[CallBackStatus | None, Query(alias="status")]


@dataclass(frozen=True)
class VerificationQuery(PageParams):
    """A call-back list's query: where it stands (``pending``: still open) and its assignee."""

    status: StatusQuery = None
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None


VerificationQueryDep = Annotated[VerificationQuery, Depends()]
