"""Bodies for warnings, their attempts, the summary figures and resident reports."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from pydantic import AfterValidator, Field, model_validator

from app.communities.schemas import HouseholdCode, ImportRejection
from app.contacts.schemas import Notes, OccurredAt
from app.enums import AttemptMethod, AttemptOutcome, RiskLevel, WarningStatus
from app.incidents.schemas import FraudCode, Money, MoneyOut
from app.schemas import MAX_ID, AwareDatetime, Id, PageParams, ReadSchema, Schema

PersonName = Annotated[str, Field(min_length=1, max_length=100)]
Phone = Annotated[str, Field(min_length=3, max_length=40, pattern=r"^[0-9+\-() ]+$")]


class WarningCreate(Schema):
    """A warning from the station: the household (by id or code), the risk, when it came."""

    household_id: Id | None = None
    household_code: HouseholdCode | None = None
    risk_level: RiskLevel
    received_at: OccurredAt
    fraud_type: FraudCode | None = None
    person_name: PersonName | None = None
    phone: Phone | None = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _one_household(self) -> WarningCreate:
        if (self.household_id is None) == (self.household_code is None):
            raise ValueError("give exactly one of household_id or household_code")
        return self


class WarningUpdate(Schema):
    """Reassign a warning, or close it with a reason (officers and managers)."""

    assignee_ids: Annotated[list[Id] | None, Field(max_length=50)] = None
    status: Literal["closed"] | None = None
    close_reason: Annotated[str | None, Field(min_length=1, max_length=1000)] = None
    notes: Notes | None = None

    @model_validator(mode="after")
    def _reason_to_close(self) -> WarningUpdate:
        if self.status == "closed" and not self.close_reason:
            raise ValueError("closing a warning needs a close_reason")
        return self


class WarningRead(ReadSchema):
    """A warning; ``person_name`` and ``phone`` are masked unless you may see them."""

    id: int
    community_id: int
    household_id: int | None
    household_code: str | None = None
    address: str | None
    source: str
    risk_level: RiskLevel
    fraud_type: str | None
    received_at: datetime
    due_at: datetime
    status: WarningStatus
    escalation_level: int
    escalated_at: datetime | None
    assignee_ids: list[int]
    reached_at: datetime | None
    reached_in_time: bool | None
    minutes_to_reach: int | None
    closed_at: datetime | None
    close_reason: str | None
    person_name: str | None
    phone: str | None
    personal_data: Literal["shown", "masked", "erased", "none"]
    notes: str | None
    incident_id: int | None
    attempts: int = 0
    created_at: datetime


class AttemptCreate(Schema):
    """One attempt to reach the resident; ``id`` is a UUID the client makes (like contacts)."""

    id: uuid.UUID
    method: AttemptMethod
    outcome: AttemptOutcome
    occurred_at: OccurredAt
    dissuaded: bool = False
    money_lost: Money | None = None
    notes: Notes | None = None

    def body_hash(self, warning_id: int) -> str:
        """SHA-256 of the canonical body and its warning; the same instant hashes alike."""
        body: dict[str, Any] = self.model_dump(mode="json")
        body["occurred_at"] = self.occurred_at.astimezone(UTC).isoformat()
        body["money_lost"] = None if self.money_lost is None else str(self.money_lost.normalize())
        body["warning_id"] = warning_id
        canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


class AttemptBatch(Schema):
    """Up to 500 attempts on any warnings (a phone flushing its queue): ``warning_id`` each."""

    attempts: Annotated[list[Any], Field(max_length=500)]


class AttemptRead(ReadSchema):
    """A stored attempt."""

    id: uuid.UUID
    warning_id: int
    method: AttemptMethod
    outcome: AttemptOutcome
    occurred_at: datetime
    dissuaded: bool
    money_lost: MoneyOut
    notes: str | None
    incident_id: int | None
    counts_as_reached: bool
    recorded_by: int | None
    recorded_at: datetime


class AttemptResult(ReadSchema):
    """The attempt and the warning as it stands after it."""

    attempt: AttemptRead
    warning: WarningRead


class Ratio(ReadSchema):
    """A figure with what it counts over."""

    numerator: int
    denominator: int
    rate: float | None


class LevelFigures(ReadSchema):
    """The figures of one risk level."""

    received: int
    reached: Ratio
    reached_in_time: Ratio
    open: Ratio
    overdue: Ratio
    unreachable: Ratio
    median_minutes_to_reach: float | None


class WarningSummary(LevelFigures):
    """Warnings received in [from, to): how many were reached, in time, and how fast."""

    start: datetime | None
    end: datetime | None
    by_level: dict[str, LevelFigures]


class PublicReportCreate(Schema):
    """A resident's report from the flyer's QR page (no login)."""

    token: Annotated[str, Field(min_length=16, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
    channel: Annotated[str, Field(min_length=1, max_length=100)]
    summary: Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(str.strip)]
    callback_phone: Phone | None = None
    household_code: HouseholdCode | None = None


class PublicReportAccepted(ReadSchema):
    """What a resident is told back: only that the report arrived, and the hotline."""

    status: Literal["received"] = "received"
    message_zh: str
    message_en: str
    hotline: str


__all__ = ["AwareDatetime"]


class WarningImportResult(ReadSchema):
    """What an import of the station's list did."""

    created: int
    unchanged: int
    matched: int
    unmatched: int
    rejected: list[ImportRejection]


@dataclass(frozen=True)
class WarningQuery(PageParams):
    """The warning list's query: status, overdue or not, assignee, risk level (all optional)."""

    status: WarningStatus | None = None
    overdue: bool | None = None
    assignee_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
    risk_level: RiskLevel | None = None


WarningQueryDep = Annotated[WarningQuery, Depends()]
