"""Each household's state in a campaign, read from the kept state (``coverage_states``).

The one definition of a household's campaign status (excluded from the denominator or not, its
best outcome, how it was reached) that the coverage figures, the round checklists and the
verification sample all read. It sits below ``app.campaigns`` in the layers (it reads only the
registry and the kept state), so that campaigns may ask for the status of their doors.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.communities.models import Household, HouseholdFlag
from app.coverage.models import CoverageState
from app.enums import Channel, Occupancy, OutcomeRank

REACHED = int(OutcomeRank.reached)
CHANNELS = tuple(Channel)
EXTRAS = ("app_installs", "pledges_signed", "flyers_given")
EXTRA_COLUMNS = {
    "app_installs": "app_installed",
    "pledges_signed": "pledge_signed",
    "flyers_given": "flyer_given",
}


def flag(condition: ColumnElement[bool] | InstrumentedAttribute[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


# Excluded from the denominator: registered vacant, or its latest contact found it vacant and
# none reached it. (Two contacts at the very same instant: a vacant one among them counts as
# the latest.) ``s`` is coverage_states or any selectable with its columns.


def found_vacant(s: Any) -> ColumnElement[bool]:
    """The household's contacts exclude it: the latest found it vacant and none reached it."""
    return and_(s.last_vacant_at >= s.last_at, s.best_rank < REACHED)


def excluded(s: Any) -> ColumnElement[bool]:
    """Out of the denominator (NULL, not true, for an occupied household without a state)."""
    return or_(Household.occupancy == Occupancy.vacant, found_vacant(s))


def household_state(
    campaign_id: int | BindParameter[Any], where: Iterable[ColumnElement[bool]]
) -> CTE:
    """Every household among ``where`` with its state in the campaign (none: unvisited)."""
    return household_select(campaign_id, where).cte("household_state")


def household_select(
    campaign_id: int | BindParameter[Any], where: Iterable[ColumnElement[bool]]
) -> Select[Any]:
    """``household_state`` as a SELECT, to read once without making its rows first."""
    s = CoverageState
    zero = 0
    flagged = exists().where(HouseholdFlag.household_id == Household.id).correlate(Household)
    columns: list[Any] = [
        Household.id.label("household_id"),
        Household.community_id,
        Household.building_id,
        flag(excluded(s)).label("excluded"),
        func.coalesce(s.best_rank, int(OutcomeRank.unvisited)).label("best_rank"),
        flag(s.best_rank == REACHED).label("reached"),
        func.coalesce(s.contacts, zero).label("contacts"),
        s.last_at.label("last_contact_at"),
        flag(s.first_not_home_at == s.first_at).label("first_not_home"),
        *(flag(s.__table__.c[f"via_{ch}"]).label(f"via_{ch}") for ch in CHANNELS),
        *(flag(s.__table__.c[col]).label(name) for name, col in EXTRA_COLUMNS.items()),
        func.coalesce(s.residents_reached, zero).label("residents_reached"),
        s.first_reached_on,
        flag(flagged).label("flagged"),
    ]
    return (
        select(*columns)
        .select_from(Household)
        .outerjoin(
            CoverageState,
            and_(s.household_id == Household.id, s.campaign_id == campaign_id),
        )
        .where(*where)
    )


Ids = Sequence[int] | BindParameter[Any]
"""Ids as values, or as a parameter bound when the statement runs."""


def household_rows(
    campaign_id: int | BindParameter[Any],
    community_id: int | BindParameter[Any],
    *,
    household_ids: Ids | None = None,
    building_ids: Ids | None = None,
) -> CTE:
    """One row per household in scope with its campaign state (a CTE to select from).

    Columns: ``household_id``, ``community_id``, ``building_id``, ``excluded`` (0/1),
    ``best_rank`` (an OutcomeRank, -1 unvisited), ``reached`` (0/1), ``contacts``,
    ``last_contact_at``, ``first_not_home``, ``via_<channel>``, the extras, ``first_reached_on``
    and ``flagged``.
    """
    homes: list[ColumnElement[bool]] = [Household.community_id == community_id]
    if household_ids is not None:
        homes.append(Household.id.in_(household_ids))
    if building_ids is not None:
        homes.append(Household.building_id.in_(building_ids))
    return household_state(campaign_id, homes)


@cache
def _states_statement(by_households: bool, by_buildings: bool) -> Select[Any]:
    state = household_rows(
        bindparam("campaign_id"),
        bindparam("community_id"),
        household_ids=bindparam("household_ids", expanding=True) if by_households else None,
        building_ids=bindparam("building_ids", expanding=True) if by_buildings else None,
    )
    return select(state)


@dataclass(frozen=True)
class StateRow:
    """One household's state in a campaign, as ``household_rows`` has it."""

    household_id: int
    best_rank: OutcomeRank
    excluded: bool
    contacts: int
    last_contact_at: datetime | None


def state_rows(
    session: Session,
    *,
    campaign_id: int,
    community_id: int,
    household_ids: Sequence[int] | None,
    building_ids: Sequence[int] | None,
) -> list[StateRow]:
    """The ``household_rows`` of a campaign, narrowed to households and/or buildings."""
    params: dict[str, Any] = {"campaign_id": campaign_id, "community_id": community_id}
    if household_ids is not None:
        params["household_ids"] = list(household_ids)
    if building_ids is not None:
        params["building_ids"] = list(building_ids)
    statement = _states_statement(household_ids is not None, building_ids is not None)
    return [
        StateRow(
            household_id=row.household_id,
            best_rank=OutcomeRank(int(row.best_rank)),
            excluded=bool(row.excluded),
            contacts=int(row.contacts),
            last_contact_at=row.last_contact_at,
        )
        for row in session.execute(statement, params)
    ]


class HouseholdState(BaseModel):
    """One household's campaign status, derived from its non-voided contacts."""

    household_id: int
    status: str  # reached | refused | materials_left | not_home | vacant | unvisited
    excluded: bool
    contacts: int
    last_contact_at: datetime | None
    last_channel: Channel | None = None


def household_states(
    session: Session,
    *,
    campaign_id: int,
    community_id: int,
    household_ids: Sequence[int] | None = None,
    building_ids: Sequence[int] | None = None,
) -> dict[int, HouseholdState]:
    """Household id → its status in the campaign, for every household of the community in
    scope (narrowed to ``household_ids`` and/or ``building_ids``); no permission check."""
    if household_ids is not None and not household_ids:
        return {}
    rows = state_rows(
        session,
        campaign_id=campaign_id,
        community_id=community_id,
        household_ids=household_ids,
        building_ids=building_ids,
    )
    return {
        row.household_id: HouseholdState(
            household_id=row.household_id,
            status=row.best_rank.status,
            excluded=row.excluded,
            contacts=row.contacts,
            last_contact_at=row.last_contact_at,
        )
        for row in rows
    }
