"""Queries for communities, buildings and households."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.campaigns.models import RoundAssignee, RoundBuilding
from app.communities.models import Building, BuildingOwner, Community, Household, HouseholdFlag
from app.enums import Occupancy


def get_community(session: Session, community_id: int) -> Community | None:
    """A community by id."""
    return session.get(Community, community_id)


def list_communities(
    session: Session, ids: Sequence[int] | None, *, limit: int, offset: int
) -> tuple[Sequence[Community], int]:
    """A page of communities (all of them when ``ids`` is None)."""
    stmt = select(Community)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Community.id).limit(limit).offset(offset)).all()
    return rows, total


def get_building(session: Session, building_id: int) -> Building | None:
    """A building by id."""
    return session.get(Building, building_id)


def get_building_by_code(session: Session, community_id: int, code: str) -> Building | None:
    """A building by its code in a community."""
    return session.scalars(
        select(Building).where(Building.community_id == community_id, Building.code == code)
    ).one_or_none()


def buildings_by_ids(session: Session, ids: Sequence[int]) -> list[Building]:
    """The buildings with these ids, in id order."""
    if not ids:
        return []
    return list(session.scalars(select(Building).where(Building.id.in_(ids)).order_by(Building.id)))


def owners_of(session: Session, building_ids: Sequence[int]) -> dict[int, list[int]]:
    """Building id → the user ids of its grid owners, ascending."""
    result: dict[int, list[int]] = defaultdict(list)
    if not building_ids:
        return result
    for chunk_start in range(0, len(building_ids), 900):
        chunk = building_ids[chunk_start : chunk_start + 900]
        rows = session.execute(
            select(BuildingOwner.building_id, BuildingOwner.user_id)
            .where(BuildingOwner.building_id.in_(chunk))
            .order_by(BuildingOwner.building_id, BuildingOwner.user_id)
        ).all()
        for building_id, user_id in rows:
            result[building_id].append(user_id)
    return result


def set_owners(session: Session, building_id: int, user_ids: Sequence[int]) -> None:
    """Replace a building's grid owners."""
    wanted = set(user_ids)
    current = {
        o.user_id: o
        for o in session.scalars(
            select(BuildingOwner).where(BuildingOwner.building_id == building_id)
        )
    }
    for user_id, row in current.items():
        if user_id not in wanted:
            session.delete(row)
    for user_id in sorted(wanted - set(current)):
        session.add(BuildingOwner(building_id=building_id, user_id=user_id))


def staff_building_ids(user_id: int) -> Select[int]:
    """The buildings of the rounds a staff member is assigned to."""
    return (
        select(RoundBuilding.building_id)
        .join(RoundAssignee, RoundAssignee.round_id == RoundBuilding.round_id)
        .where(RoundAssignee.user_id == user_id)
    )


def list_buildings(
    session: Session, community_id: int, *, only_for_staff: int | None, limit: int, offset: int
) -> tuple[Sequence[Building], int]:
    """A page of a community's buildings by code."""
    stmt = select(Building).where(Building.community_id == community_id)
    if only_for_staff is not None:
        stmt = stmt.where(Building.id.in_(staff_building_ids(only_for_staff)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(func.length(Building.code), Building.code).limit(limit).offset(offset)
    ).all()
    return rows, total


def get_household(session: Session, household_id: int) -> Household | None:
    """A household by id."""
    return session.get(Household, household_id)


def get_household_by_code(session: Session, community_id: int, code: str) -> Household | None:
    """A household by its code in a community."""
    return session.scalars(
        select(Household).where(Household.community_id == community_id, Household.code == code)
    ).one_or_none()


def list_households(
    session: Session,
    community_id: int,
    *,
    building_id: int | None = None,
    flag: str | None = None,
    occupancy: Occupancy | None = None,
    code: str | None = None,
    only_for_staff: int | None = None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Household], int]:
    """A page of a community's households, filtered, in building/unit/floor/room order."""
    stmt = select(Household).where(Household.community_id == community_id)
    if building_id is not None:
        stmt = stmt.where(Household.building_id == building_id)
    if flag is not None:
        stmt = stmt.where(
            Household.id.in_(select(HouseholdFlag.household_id).where(HouseholdFlag.flag == flag))
        )
    if occupancy is not None:
        stmt = stmt.where(Household.occupancy == occupancy)
    if code is not None:
        stmt = stmt.where(Household.code == code)
    if only_for_staff is not None:
        stmt = stmt.where(Household.building_id.in_(staff_building_ids(only_for_staff)))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Household.building_id, Household.unit, Household.floor, Household.room)
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total


def flags_of(session: Session, household_ids: Sequence[int]) -> dict[int, list[str]]:
    """Household id → its sorted flags."""
    result: dict[int, list[str]] = defaultdict(list)
    if not household_ids:
        return result
    for chunk_start in range(0, len(household_ids), 900):
        chunk = household_ids[chunk_start : chunk_start + 900]
        rows = session.execute(
            select(HouseholdFlag.household_id, HouseholdFlag.flag)
            .where(HouseholdFlag.household_id.in_(chunk))
            .order_by(HouseholdFlag.household_id, HouseholdFlag.flag)
        ).all()
        for household_id, flag in rows:
            result[household_id].append(flag)
    return result


def set_flags(session: Session, household: Household, flags: Sequence[str]) -> None:
    """Replace a household's flags."""
    wanted = set(flags)
    current = {
        f.flag: f
        for f in session.scalars(
            select(HouseholdFlag).where(HouseholdFlag.household_id == household.id)
        )
    }
    for flag, row in current.items():
        if flag not in wanted:
            session.delete(row)
    for flag in sorted(wanted - set(current)):
        session.add(HouseholdFlag(household_id=household.id, flag=flag))
