"""Queries for communities, buildings and households (the caller commits).

Two queries belong to the layers above the registry and are handed in by them: the staff
scope (``staff_scope``, from the rounds) and the import's reached check
(``app.communities.importer.reached_lookup``, from the contacts); see ``app.handoff``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.communities.models import Building, BuildingOwner, Community, Household, HouseholdFlag
from app.communities.schemas import HouseholdQuery
from app.db import paginate, replace_user_links, where_given
from app.enums import Occupancy
from app.handoff import HandedIn

K = TypeVar("K")
V = TypeVar("V")


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
    return paginate(session, stmt.order_by(Community.id), limit=limit, offset=offset)


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


def _grouped(
    session: Session,
    key: InstrumentedAttribute[K],
    value: InstrumentedAttribute[V],
    keys: Sequence[K],
) -> dict[K, list[V]]:
    """Key → its values in ascending order, for rows whose ``key`` is among ``keys`` (asked in
    chunks of 900, under SQLite's limit of bound parameters)."""
    result: dict[K, list[V]] = defaultdict(list)
    for start in range(0, len(keys), 900):
        rows = session.execute(
            select(key, value).where(key.in_(keys[start : start + 900])).order_by(key, value)
        ).all()
        for k, v in rows:
            result[k].append(v)
    return result


def owners_of(session: Session, building_ids: Sequence[int]) -> dict[int, list[int]]:
    """Building id → the user ids of its grid owners, ascending."""
    return _grouped(session, BuildingOwner.building_id, BuildingOwner.user_id, building_ids)


def set_owners(session: Session, building_id: int, user_ids: Sequence[int]) -> None:
    """Replace a building's grid owners."""
    replace_user_links(session, BuildingOwner.building_id, building_id, user_ids)


StaffScope = Callable[[int], Select[int]]
"""user id → a query of the ids of the buildings the staff member's rounds cover."""

staff_scope: HandedIn[StaffScope] = HandedIn(
    "staff scope of buildings", provider="app.campaigns.repository"
)
"""Rounds, which assign staff to buildings, sit above the registry in the layers, so
``app.campaigns.repository`` provides this query when it is imported (the app imports it)."""


def staff_building_ids(user_id: int) -> Select[int]:
    """The buildings of the rounds a staff member is assigned to (a query to select from)."""
    return staff_scope.get()(user_id)


def list_buildings(
    session: Session, community_id: int, *, only_for_staff: int | None, limit: int, offset: int
) -> tuple[Sequence[Building], int]:
    """A page of a community's buildings by code."""
    stmt = select(Building).where(Building.community_id == community_id)
    if only_for_staff is not None:
        stmt = stmt.where(Building.id.in_(staff_building_ids(only_for_staff)))
    return paginate(
        session,
        stmt.order_by(func.length(Building.code), Building.code),
        limit=limit,
        offset=offset,
    )


def get_household(session: Session, household_id: int) -> Household | None:
    """A household by id."""
    return session.get(Household, household_id)


def get_household_by_code(session: Session, community_id: int, code: str) -> Household | None:
    """A household by its code in a community."""
    return session.scalars(
        select(Household).where(Household.community_id == community_id, Household.code == code)
    ).one_or_none()


def list_households(
    session: Session, community_id: int, query: HouseholdQuery, *, only_for_staff: int | None = None
) -> tuple[Sequence[Household], int]:
    """A page of a community's households, filtered, in building/unit/floor/room order."""
    stmt = where_given(
        select(Household).where(Household.community_id == community_id),
        (Household.building_id, query.building_id),
        (Household.occupancy, query.occupancy),
        (Household.code, query.code),
    )
    if query.flag is not None:
        flagged = select(HouseholdFlag.household_id).where(HouseholdFlag.flag == query.flag)
        stmt = stmt.where(Household.id.in_(flagged))
    if only_for_staff is not None:
        stmt = stmt.where(Household.building_id.in_(staff_building_ids(only_for_staff)))
    return paginate(
        session,
        stmt.order_by(Household.building_id, Household.unit, Household.floor, Household.room),
        limit=query.limit,
        offset=query.offset,
    )


def flags_of(session: Session, household_ids: Sequence[int]) -> dict[int, list[str]]:
    """Household id → its sorted flags."""
    return _grouped(session, HouseholdFlag.household_id, HouseholdFlag.flag, household_ids)


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


# --- the roster import ------------------------------------------------------------------------


class HouseholdFields(NamedTuple):
    """The fields of a stored household an import compares a roster row with."""

    id: int
    code: str
    building_id: int
    unit: str
    floor: int
    room: str
    occupancy: Occupancy
    contact_name: str | None
    contact_phone: str | None


def building_ids_by_code(session: Session, community_id: int) -> dict[str, int]:
    """Building code → id, for every building of a community."""
    rows = session.execute(
        select(Building.code, Building.id).where(Building.community_id == community_id)
    )
    return dict(rows.all())


def insert_buildings(session: Session, community_id: int, codes: Sequence[str]) -> None:
    """Add buildings by code, named ``{code}幢``."""
    if codes:
        session.execute(
            insert(Building),
            [{"community_id": community_id, "code": c, "name": f"{c}幢"} for c in codes],
        )


def household_fields(session: Session, community_id: int) -> dict[str, HouseholdFields]:
    """Household code → its importable fields, for every household of a community."""
    rows = session.execute(
        select(
            Household.id,
            Household.code,
            Household.building_id,
            Household.unit,
            Household.floor,
            Household.room,
            Household.occupancy,
            Household.contact_name,
            Household.contact_phone,
        ).where(Household.community_id == community_id)
    )
    return {row.code: HouseholdFields(*row) for row in rows}


def flags_in_community(session: Session, community_id: int) -> dict[int, set[str]]:
    """Household id → its flags, for every flagged household of a community."""
    result: dict[int, set[str]] = defaultdict(set)
    rows = session.execute(
        select(HouseholdFlag.household_id, HouseholdFlag.flag)
        .join(Household, Household.id == HouseholdFlag.household_id)
        .where(Household.community_id == community_id)
    )
    for household_id, flag in rows:
        result[household_id].add(flag)
    return result


def insert_households(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Add households in bulk."""
    for start in range(0, len(rows), 2000):
        session.execute(insert(Household), list(rows[start : start + 2000]))


def update_households(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Change households in bulk; each row carries its ``id`` and the same set of fields."""
    if rows:
        session.execute(update(Household), list(rows))


def replace_flag_sets(session: Session, flag_sets: Mapping[int, set[str]]) -> None:
    """Give each household exactly these flags."""
    ids = list(flag_sets)
    for start in range(0, len(ids), 900):
        session.execute(
            delete(HouseholdFlag).where(HouseholdFlag.household_id.in_(ids[start : start + 900]))
        )
    flag_rows = [{"household_id": hid, "flag": f} for hid, fs in flag_sets.items() for f in fs]
    for start in range(0, len(flag_rows), 2000):
        session.execute(insert(HouseholdFlag), flag_rows[start : start + 2000])
