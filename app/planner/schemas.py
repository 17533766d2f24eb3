"""Planner request and response bodies: availability, plans, calendar feed tokens."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, model_validator

from app.schemas import AwareDatetime, EndsAfterStart, Id, Schema, TimeSpan

MAX_WINDOWS = 2000
MAX_PATTERNS = 200
MAX_VISITING_HOURS = 50


def _clock_time(value: object) -> object:
    """``"HH:MM"`` (24-hour, local to the community) → ``time``; other values pass through."""
    if isinstance(value, str):
        parts = value.split(":")
        if (
            len(parts) != 2
            or not all(p.isdigit() and len(p) == 2 for p in parts)
            or int(parts[0]) > 23
            or int(parts[1]) > 59
        ):
            raise ValueError('give a time as "HH:MM", e.g. "09:00" or "20:30"')
        return time(int(parts[0]), int(parts[1]))
    return value


ClockTime = Annotated[time, BeforeValidator(_clock_time)]


class VisitingHoursItem(Schema):
    """When visiting is acceptable on one weekday (0 = Monday … 6 = Sunday), local time."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")
    from_: ClockTime = Field(alias="from", description='"HH:MM", local to the community')
    to: ClockTime = Field(description='"HH:MM", local to the community, after "from"')

    @model_validator(mode="after")
    def _ordered(self) -> VisitingHoursItem:
        if self.to <= self.from_:
            raise ValueError('"to" must be after "from"')
        return self


class WindowItem(EndsAfterStart, Schema):
    """A span of time one member can work on the campaign."""

    user_id: Id
    starts_at: AwareDatetime
    ends_at: AwareDatetime


class PatternItem(Schema):
    """A weekly availability: these weekdays (1 = Monday … 7 = Sunday), this local time span."""

    user_id: Id
    weekdays: Annotated[
        list[Annotated[int, Field(ge=1, le=7)]], Field(min_length=1, max_length=7)
    ] = Field(description="ISO weekdays: 1 = Monday … 7 = Sunday")
    starts: ClockTime = Field(description='"HH:MM", local to the community')
    ends: ClockTime = Field(description='"HH:MM", local to the community, after "starts"')

    @model_validator(mode="after")
    def _ordered(self) -> PatternItem:
        if self.ends <= self.starts:
            raise ValueError('"ends" must be after "starts"')
        if len(set(self.weekdays)) != len(self.weekdays):
            raise ValueError("a weekday is listed twice")
        return self


class AvailabilityUpdate(Schema):
    """``PUT /campaigns/{id}/availability``: replaces the windows, patterns and settings.

    ``patterns`` are repeated over every day of the campaign in the community's time zone and
    stored beside the ``windows`` given one by one.
    """

    windows: list[WindowItem] = Field(default_factory=list, max_length=MAX_WINDOWS)
    patterns: list[PatternItem] = Field(default_factory=list, max_length=MAX_PATTERNS)
    minutes_per_door: float = Field(default=3.0, gt=0, le=60)
    minutes_per_floor: float = Field(default=1.0, ge=0, le=30)
    visiting_hours: list[VisitingHoursItem] = Field(
        default_factory=list, max_length=MAX_VISITING_HOURS
    )


class VisitingHoursRead(BaseModel):
    """Visiting hours as stored."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    weekday: int
    from_: str = Field(alias="from")
    to: str


class WindowRead(BaseModel):
    """A stored availability window."""

    user_id: int
    starts_at: datetime
    ends_at: datetime


class PatternRead(BaseModel):
    """A stored weekly pattern, as it was entered."""

    user_id: int
    weekdays: list[int]
    starts: str
    ends: str


class AvailabilityRead(BaseModel):
    """A campaign's planning inputs; defaults until someone sets them.

    ``windows`` holds every window the planner uses, the patterns' expansion included.
    """

    campaign_id: int
    configured: bool
    windows: list[WindowRead]
    patterns: list[PatternRead] = Field(default_factory=list)
    minutes_per_door: float
    minutes_per_floor: float
    visiting_hours: list[VisitingHoursRead]
    timezone: str
    updated_at: datetime | None


MAX_PLAN_ROUNDS = 500
MAX_ROUND_HOUSEHOLDS = 5000


class PreviewedRound(TimeSpan):
    """A round as a preview proposed it: its time, its people and the households it visits."""

    assignee_ids: list[Id] = Field(min_length=1, max_length=20)
    household_ids: list[Id] = Field(min_length=1, max_length=MAX_ROUND_HOUSEHOLDS)


class PlanRequest(Schema):
    """``POST /campaigns/{id}/plan``: preview (``commit`` false) or create the rounds.

    With ``commit`` and ``rounds`` (the preview's rounds, as it answered them), exactly those
    rounds are created, if they still fit everyone's time; without ``rounds`` a fresh plan is
    made and created.
    """

    commit: StrictBool = False
    rounds: list[PreviewedRound] | None = Field(default=None, max_length=MAX_PLAN_ROUNDS)

    @model_validator(mode="after")
    def _rounds_only_to_commit(self) -> PlanRequest:
        if self.rounds is not None and not self.commit:
            raise ValueError("rounds are sent back only to commit them (commit: true)")
        return self


class PlannedRoundRead(BaseModel):
    """A proposed round; ``round_id`` is set once committed."""

    building_ids: list[int]
    units: dict[str, list[str]] | None
    starts_at: datetime
    ends_at: datetime
    assignee_ids: list[int]
    household_ids: list[int]
    kind: str
    doors: int
    expected_reached: float
    notes_zh: str
    notes_en: str
    round_id: int | None = None


class DayExpectationRead(BaseModel):
    """Households expected reached by the end of a local date (cumulative)."""

    date: date
    expected_reached: float
    expected_coverage: float | None


class Confidence(BaseModel):
    """How sure the plan is: attempts succeed at random, so coverage has a spread."""

    probability_target_met: float
    coverage_low: float | None = Field(description="10th percentile of coverage")
    coverage_high: float | None = Field(description="90th percentile of coverage")


class Explanation(BaseModel):
    """The plan in plain words."""

    zh: str
    en: str


class ReachRates(BaseModel):
    """The reach model used: chance one door attempt reaches someone, per kind of time."""

    source: str  # contacts | prior
    door_attempts: int
    community: dict[str, float]
    by_building: dict[str, dict[str, float]]


class PlanRead(BaseModel):
    """The planner's proposal, and whether it was committed."""

    campaign_id: int
    committed: bool
    rounds: list[PlannedRoundRead]
    feasible: bool
    target_coverage: float
    eligible: int
    reached: int
    expected_reached: float
    expected_coverage: float | None
    expected_by_day: list[DayExpectationRead]
    shortfall_staff_hours: float | None
    confidence: Confidence
    explanation: Explanation
    reach: ReachRates
    teams: list[list[int]]
    households_planned: int
    households_not_planned: dict[str, int]
    kept_rounds: list[int]
    solver_status: str
    solve_seconds: float


class FeedTokenRead(BaseModel):
    """A calendar feed subscription: the token is shown once."""

    token: str
    url: str
