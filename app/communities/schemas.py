"""Bodies for communities, buildings and households."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, Query
from pydantic import AfterValidator, Field

from app.enums import Occupancy
from app.schemas import MAX_ID, Id, PageParams, ReadSchema, Schema, Text


def _valid_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)"
        ) from exc
    return value


TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_valid_timezone)]
Code = Annotated[Text, Field(min_length=1, max_length=32, pattern=r"^[^\s/\\]+$")]
HouseholdCode = Annotated[Text, Field(min_length=1, max_length=64, pattern=r"^[^\s/\\]+$")]
Label = Annotated[Text, Field(min_length=1, max_length=16, pattern=r"^[^\s/\\-]+$")]
Flag = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
ShortText = Annotated[Text, Field(max_length=300)]


class CommunityCreate(Schema):
    """A new community."""

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    slug: Annotated[str | None, Field(max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")] = None
    city: Annotated[Text | None, Field(max_length=100)] = None
    district: Annotated[Text | None, Field(max_length=100)] = None
    address: ShortText | None = None
    service_centre_phone: Annotated[Text | None, Field(max_length=40)] = None
    timezone: TimeZoneName = "Asia/Shanghai"
    contact_consent_recorded: bool = False


DeadlineMinutes = Annotated[int, Field(ge=1, le=30 * 24 * 60)]


class WarningDeadlines(Schema):
    """Minutes allowed to reach a warned resident, per risk level (only those sent change)."""

    high: DeadlineMinutes | None = None
    medium: DeadlineMinutes | None = None
    low: DeadlineMinutes | None = None


class CommunityUpdate(Schema):
    """Changes to a community (only the fields sent change)."""

    name: Annotated[Text | None, Field(min_length=1, max_length=200)] = None
    slug: Annotated[str | None, Field(max_length=80, pattern=r"^[a-z0-9][a-z0-9-]*$")] = None
    city: Annotated[Text | None, Field(max_length=100)] = None
    district: Annotated[Text | None, Field(max_length=100)] = None
    address: ShortText | None = None
    service_centre_phone: Annotated[Text | None, Field(max_length=40)] = None
    timezone: TimeZoneName | None = None
    contact_consent_recorded: bool | None = None
    warning_deadlines: WarningDeadlines | None = None
    notify_webhook_url: Annotated[str | None, Field(max_length=500)] = None


class CommunityRead(ReadSchema):
    """A community."""

    id: int
    name: str
    slug: str | None
    city: str | None
    district: str | None
    address: str | None
    service_centre_phone: str | None
    timezone: str
    contact_consent_recorded: bool
    warning_deadlines: dict[str, int]
    notify_webhook_url: str | None = None
    created_at: datetime


class BuildingCreate(Schema):
    """A new building; ``code`` is unique in the community."""

    code: Code
    name: Annotated[Text | None, Field(max_length=100)] = None
    units: Annotated[int | None, Field(ge=1, le=100)] = None
    floors: Annotated[int | None, Field(ge=1, le=200)] = None
    grid_officer_id: Id | None = None


class BuildingUpdate(Schema):
    """Changes to a building."""

    code: Code | None = None
    name: Annotated[Text | None, Field(max_length=100)] = None
    units: Annotated[int | None, Field(ge=1, le=100)] = None
    floors: Annotated[int | None, Field(ge=1, le=200)] = None
    grid_officer_id: Id | None = None
    owner_ids: Annotated[list[Id] | None, Field(max_length=50)] = None


class BuildingRead(ReadSchema):
    """A building with its grid owners (包片)."""

    id: int
    community_id: int
    code: str
    name: str | None
    units: int | None
    floors: int | None
    grid_officer_id: Id | None
    owner_ids: list[int] = Field(default_factory=list)


class HouseholdCreate(Schema):
    """A new household; ``code`` defaults to building-unit-room (``3-2-1502``)."""

    building_id: Id
    unit: Label
    floor: Annotated[int, Field(ge=-5, le=200)]
    room: Label
    code: HouseholdCode | None = None
    occupancy: Occupancy = Occupancy.unknown
    flags: Annotated[list[Flag], Field(max_length=20, default_factory=list)]
    contact_name: Annotated[Text | None, Field(max_length=100)] = None
    contact_phone: Annotated[Text | None, Field(max_length=40)] = None
    contact_consent: bool = False


class HouseholdUpdate(Schema):
    """Changes to a household."""

    unit: Label | None = None
    floor: Annotated[int | None, Field(ge=-5, le=200)] = None
    room: Label | None = None
    code: HouseholdCode | None = None
    occupancy: Occupancy | None = None
    flags: Annotated[list[Flag] | None, Field(max_length=20)] = None
    contact_name: Annotated[Text | None, Field(max_length=100)] = None
    contact_phone: Annotated[Text | None, Field(max_length=40)] = None
    contact_consent: bool | None = None


class HouseholdRead(ReadSchema):
    """A household; its contact appears only with consent, and masked to staff."""

    id: int
    community_id: int
    building_id: Id
    unit: str
    floor: int
    room: str
    code: str
    occupancy: Occupancy
    flags: list[str]
    contact_name: str | None = None
    contact_phone: str | None = None
    contact_consent: bool


class ImportRejection(ReadSchema):
    """A row the import refused: its spreadsheet row number and why."""

    row: int
    reason: str


ChangeValue = str | int | list[str] | None


class ImportChange(ReadSchema):
    """One field of one household an import changes (or would change), with both values."""

    row: int
    code: str
    field: str
    old: ChangeValue
    new: ChangeValue


class ImportNew(ReadSchema):
    """A household an import creates (or would create)."""

    row: int
    code: str


class ImportResult(ReadSchema):
    """What an import did, or with ``dry_run`` what it would do (nothing is stored then).

    ``changes`` lists every changed field of an existing household; ``needs_confirmation``
    lists the changes refused until confirmed (a household counted as reached turned vacant:
    send ``confirm_vacant=true``); those rows are also in ``rejected``.
    """

    created: int
    updated: int
    unchanged: int
    rejected: list[ImportRejection]
    changes: list[ImportChange] = Field(default_factory=list)
    created_households: list[ImportNew] = Field(default_factory=list)
    needs_confirmation: list[ImportChange] = Field(default_factory=list)
    dry_run: bool = False


@dataclass(frozen=True)
class HouseholdQuery(PageParams):
    """The household list's query: by building, flag, occupancy or exact code (all optional)."""

    building_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None
    flag: Annotated[Text | None, Query(max_length=40)] = None
    occupancy: Occupancy | None = None
    code: Annotated[Text | None, Query(max_length=64)] = None


HouseholdQueryDep = Annotated[HouseholdQuery, Depends()]
