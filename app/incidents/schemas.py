"""Bodies for suspected-scam reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import Depends, Query
from pydantic import AfterValidator, Field, PlainSerializer

from app.campaigns.catalogue import FRAUD_TYPE_CODES
from app.enums import IncidentStatus
from app.schemas import AwareDatetime, Id, PageParams, ReadSchema, Schema


def _known(code: str) -> str:
    if code not in FRAUD_TYPE_CODES:
        raise ValueError(f"unknown fraud type {code!r}; see GET /api/v1/fraud-types")
    return code


FraudCode = Annotated[str, AfterValidator(_known)]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1e11"), max_digits=14, decimal_places=2)]
MoneyOut = Annotated[
    Decimal | None,
    PlainSerializer(lambda v: float(v) if v is not None else None, return_type=float | None),
]
Text = Annotated[str, Field(min_length=1, max_length=4000)]


class IncidentCreate(Schema):
    """A resident's report of a suspected scam."""

    occurred_at: AwareDatetime
    fraud_type: FraudCode
    channel: Annotated[str, Field(min_length=1, max_length=100)]
    summary: Text
    household_id: Id | None = None
    campaign_id: Id | None = None
    amount_lost: Money | None = None
    amount_prevented: Money | None = None
    status: IncidentStatus = IncidentStatus.reported
    escalated_to: Annotated[str | None, Field(max_length=100)] = None
    follow_up: Annotated[str | None, Field(max_length=4000)] = None


class IncidentUpdate(Schema):
    """Changes to a report; each change is kept in its history."""

    occurred_at: AwareDatetime | None = None
    fraud_type: FraudCode | None = None
    channel: Annotated[str | None, Field(min_length=1, max_length=100)] = None
    summary: Text | None = None
    household_id: Id | None = None
    amount_lost: Money | None = None
    amount_prevented: Money | None = None
    status: IncidentStatus | None = None
    escalated_to: Annotated[str | None, Field(max_length=100)] = None
    follow_up: Annotated[str | None, Field(max_length=4000)] = None
    note: Annotated[str | None, Field(max_length=2000)] = None


class IncidentRead(ReadSchema):
    """A suspected-scam report."""

    id: int
    community_id: int
    campaign_id: int | None
    occurred_at: datetime
    fraud_type: str
    channel: str
    summary: str
    household_id: int | None
    amount_lost: MoneyOut
    amount_prevented: MoneyOut
    status: IncidentStatus
    escalated_to: str | None
    follow_up: str | None
    reported_by: int | None
    created_at: datetime
    updated_at: datetime


class IncidentChangeRead(ReadSchema):
    """One entry of a report's history."""

    id: int
    changed_by: int | None
    changed_at: datetime
    changes: dict[str, Any]
    note: str | None


@dataclass(frozen=True)
class IncidentQuery(PageParams):
    """The report list's query: status, fraud type, campaign, and ``from``/``to`` of occurrence."""

    status: IncidentStatus | None = None
    fraud_type: Annotated[str | None, Query(max_length=64)] = None
    campaign_id: Id | None = None
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None


IncidentQueryDep = Annotated[IncidentQuery, Depends()]
