"""The coverage figures managers sign: every number with its numerator and denominator."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from app.coverage.households import HouseholdState as HouseholdState  # re-exported
from app.schemas import ReadSchema
from app.verification.schemas import VerificationFigures
from app.warnings.schemas import WarningSummary


class StatusCounts(BaseModel):
    """Eligible households by their campaign status."""

    reached: int = 0
    refused: int = 0
    materials_left: int = 0
    not_home: int = 0
    unvisited: int = 0


class ChannelCounts(BaseModel):
    """Households reached through each channel (one reached two ways counts in both)."""

    door: int = 0
    event: int = 0
    walk_in: int = 0
    phone: int = 0


class Ratio(BaseModel):
    """reached ÷ eligible, where eligible = households − excluded; coverage None if 0 eligible."""

    reached: int
    eligible: int
    excluded: int
    coverage: float | None


class BuildingCoverage(Ratio):
    """One building's figures."""

    building_id: int
    code: str
    name: str | None
    households: int
    by_status: StatusCounts


class Extras(BaseModel):
    """What the visits achieved beyond reaching: each counted once per household."""

    app_installs: int = 0
    pledges_signed: int = 0
    flyers_given: int = 0
    residents_reached: int = 0
    contacts: int = 0


class DayFigures(BaseModel):
    """One local day of the daily ledger (台账), each household counted once that day.

    ``visited``: households with a contact; ``reached``: households someone was told face to
    face; ``newly_reached``: eligible households reached for the first time, so that the last
    ``cumulative_reached`` is the headline ``reached``.
    """

    date: date
    contacts: int
    visited: int
    reached: int
    newly_reached: int
    cumulative_reached: int
    cumulative_coverage: float | None
    app_installs: int
    pledges_signed: int
    flyers_given: int
    residents_reached: int


class FlaggedCoverage(BaseModel):
    """Figures for flagged households: any flag, and per flag."""

    any: Ratio
    by_flag: dict[str, Ratio]


class Revisits(BaseModel):
    """Follow-up of households whose first contact found nobody home.

    ``revisited``: had another contact since; ``reached_since``: reached by one;
    ``not_yet_revisited`` = first_not_home − revisited (unlike ``never_visited``: no contact).
    """

    first_not_home: int
    revisited: int
    reached_since: int
    not_yet_revisited: int


class IncidentFigures(BaseModel):
    """Scam reports of the community during the campaign's dates (community time zone).

    ``dissuaded``: no money moved (``amount_lost`` empty or 0) and either money was kept safe
    (``amount_prevented`` > 0) or the case is ``resolved``.
    """

    total: int
    dissuaded: int
    amount_lost: float
    amount_prevented: float


class CoverageRead(Ratio):
    """``GET /campaigns/{id}/coverage``."""

    campaign_id: int
    community_id: int
    target_coverage: float
    households: int
    as_of: datetime
    by_status: StatusCounts
    by_building: list[BuildingCoverage]
    by_channel: ChannelCounts
    by_day: list[DayFigures]
    flagged: FlaggedCoverage
    revisits: Revisits
    extras: Extras
    incidents: IncidentFigures
    never_visited: int
    visited: int = 0
    verification: VerificationFigures = Field(default_factory=VerificationFigures)


class LedgerDay(BaseModel):
    """One community's local day in the ledger: households counted once each that day."""

    date: date
    contacts: int
    visited: int
    reached: int
    newly_reached: int
    app_installs: int
    pledges_signed: int
    flyers_given: int
    residents_reached: int


class LedgerRow(BaseModel):
    """One community in the rolled-up ledger over the requested dates, across its campaigns.

    ``reached`` and ``coverage`` count the households reached within the dates; ``visited``
    those with any contact; extras count once per household.
    """

    rank: int
    community_id: int
    community_name: str
    households: int
    eligible: int
    excluded: int
    visited: int
    reached: int
    coverage: float | None
    contacts: int
    app_installs: int
    pledges_signed: int
    flyers_given: int
    residents_reached: int
    incidents: int
    scams_dissuaded: int
    days: list[LedgerDay]
    # The station's warnings received on these dates: reached, in time, still open (DESIGN §8).
    warnings: WarningSummary | None = None


class LedgerRead(BaseModel):
    """``GET /ledger``: communities ranked by coverage (best first), and the sum of them all."""

    date_from: date = Field(serialization_alias="from")
    date_to: date = Field(serialization_alias="to")
    items: list[LedgerRow]
    total: int
    overall: Ratio


class NotReachedHousehold(ReadSchema):
    """A household of the campaign's community that no contact has reached yet."""

    household_id: int
    code: str
    building_id: int
    building_code: str
    unit: str
    floor: int
    room: str
    status: str  # unvisited | not_home | materials_left | refused
