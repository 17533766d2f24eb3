"""Bodies for campaigns, rounds, events and the fraud-type catalogue."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from app.campaigns.catalogue import FRAUD_TYPE_CODES
from app.communities.schemas import HouseholdRead
from app.enums import CampaignStatus, Channel, EventStatus, RoundStatus
from app.schemas import AwareDatetime, Id, IsoDate, ReadSchema, Schema, TimeSpan


def _known_topics(value: list[str]) -> list[str]:
    unknown = sorted(set(value) - FRAUD_TYPE_CODES)
    if unknown:
        raise ValueError(f"unknown fraud types {unknown}; see GET /api/v1/fraud-types")
    if len(set(value)) != len(value):
        raise ValueError("a topic is listed twice")
    return value


Topics = Annotated[list[str], Field(max_length=20), AfterValidator(_known_topics)]
Ids = Annotated[list[Id], Field(max_length=200)]
UnitLabels = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=16)]], Field(min_length=1, max_length=100)
]
Units = Annotated[dict[str, UnitLabels], Field(max_length=200)]
"""Building id (as a string, JSON keys being strings) → the unit labels a round visits there."""


class FraudTypeRead(ReadSchema):
    """One entry of the catalogue."""

    code: str
    name_zh: str
    name_en: str
    summary_zh: str
    summary_en: str
    advice_zh: str
    advice_en: str


MAX_CAMPAIGN_DAYS = 731
"""A campaign lasts at most two years: its days are planned one by one."""


def _plausible_date(value: date) -> date:
    if not 2000 <= value.year <= 2100:
        raise ValueError("the date is out of range (years 2000–2100)")
    return value


CampaignDate = Annotated[IsoDate, AfterValidator(_plausible_date)]


def check_campaign_span(starts_on: date, ends_on: date) -> str | None:
    """Why these dates cannot hold a campaign, or None."""
    if ends_on < starts_on:
        return "ends_on is before starts_on"
    if (ends_on - starts_on).days + 1 > MAX_CAMPAIGN_DAYS:
        return f"a campaign lasts at most {MAX_CAMPAIGN_DAYS} days (two years)"
    return None


class CampaignCreate(Schema):
    """A new campaign, of at most two years."""

    name: Annotated[str, Field(min_length=1, max_length=200)]
    starts_on: CampaignDate
    ends_on: CampaignDate
    target_coverage: Annotated[float, Field(gt=0, le=1)] = 0.95
    topics: Topics = Field(default_factory=list)
    status: CampaignStatus = CampaignStatus.active

    @model_validator(mode="after")
    def _ordered(self) -> CampaignCreate:
        problem = check_campaign_span(self.starts_on, self.ends_on)
        if problem is not None:
            raise ValueError(problem)
        return self


class CampaignUpdate(Schema):
    """Changes to a campaign."""

    name: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    starts_on: CampaignDate | None = None
    ends_on: CampaignDate | None = None
    target_coverage: Annotated[float | None, Field(gt=0, le=1)] = None
    topics: Topics | None = None
    status: CampaignStatus | None = None


class CampaignRead(ReadSchema):
    """A campaign."""

    id: int
    community_id: int
    name: str
    starts_on: date
    ends_on: date
    target_coverage: float
    topics: list[str]
    status: CampaignStatus
    created_at: datetime


class RoundCreate(TimeSpan):
    """A new visit round: buildings, a time slot, assignees."""

    building_ids: Annotated[Ids, Field(min_length=1)]
    assignee_ids: Ids = Field(default_factory=list)
    units: Units | None = None
    notes: Annotated[str | None, Field(max_length=2000)] = None


class RoundUpdate(Schema):
    """Changes to a round."""

    building_ids: Annotated[Ids | None, Field(min_length=1)] = None
    assignee_ids: Ids | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    status: RoundStatus | None = None
    units: Units | None = None
    notes: Annotated[str | None, Field(max_length=2000)] = None


class RoundRead(ReadSchema):
    """A visit round."""

    id: int
    campaign_id: int
    community_id: int
    building_ids: list[int]
    assignee_ids: list[int]
    starts_at: datetime
    ends_at: datetime
    status: RoundStatus
    units: Units | None
    notes: str | None
    created_at: datetime


class EventCreate(TimeSpan):
    """A new convenience-service event."""

    title: Annotated[str, Field(min_length=1, max_length=200)]
    services: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=30)] = Field(
        default_factory=list
    )
    location: Annotated[str | None, Field(max_length=200)] = None
    building_ids: Ids = Field(default_factory=list)
    assignee_ids: Ids = Field(default_factory=list)


class EventUpdate(Schema):
    """Changes to an event."""

    title: Annotated[str | None, Field(min_length=1, max_length=200)] = None
    services: Annotated[
        list[Annotated[str, Field(max_length=100)]] | None, Field(max_length=30)
    ] = None
    location: Annotated[str | None, Field(max_length=200)] = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    building_ids: Ids | None = None
    assignee_ids: Ids | None = None
    status: EventStatus | None = None


class EventRead(ReadSchema):
    """A convenience-service event."""

    id: int
    campaign_id: int
    community_id: int
    title: str
    services: list[str]
    location: str | None
    starts_at: datetime
    ends_at: datetime
    status: EventStatus
    building_ids: list[int]
    assignee_ids: list[int]
    created_at: datetime


class ChecklistItem(HouseholdRead):
    """A household of a round with its current campaign status."""

    building_code: str
    status: str
    excluded: bool
    contacts: int
    last_contact_at: datetime | None
    last_channel: Channel | None


class ScheduleItem(ReadSchema):
    """One of the current user's rounds or events."""

    kind: str  # round | event
    id: int
    campaign_id: int
    campaign_name: str
    community_id: int
    community_name: str
    title: str
    starts_at: datetime
    ends_at: datetime
    status: RoundStatus
    building_ids: list[int]
    building_codes: list[str]
