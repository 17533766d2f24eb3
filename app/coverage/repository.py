"""The coverage rules of DESIGN.md as SQL, identical on SQLite and PostgreSQL.

Three layers of common table expressions, each a grouped query:

1. ``contact_days``: per household and local day, what its non-voided contacts did (best
   outcome, latest and first times, channels that reached it, extras).
2. ``household_contacts``: the same rolled up per household, plus the day it was first reached.
3. ``household_state``: every household in scope (never visited ones too), with whether it is
   excluded from the denominator and its best outcome as a rank.

Every figure of the coverage endpoint and of the ledger is then a count with a filter over
these, all answered by one statement (a ``UNION ALL`` of the groupings), so the contacts are
read once. Nothing here loops over households or contacts in Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Date,
    Executable,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.campaigns.models import Campaign
from app.communities.models import Building, Community, Household, HouseholdFlag
from app.contacts.models import Contact
from app.enums import Channel, IncidentStatus, Occupancy, Outcome
from app.incidents.models import Incident

REACHED = 4
STATUS_BY_RANK = {4: "reached", 3: "refused", 2: "materials_left", 1: "not_home", 0: "vacant"}
"""A household's best outcome as a rank; -1 means no contact at all (``unvisited``)."""
CHANNELS = tuple(Channel)
ALWAYS_REACHED = (Channel.event, Channel.walk_in)
EXTRAS = ("app_installs", "pledges_signed", "flyers_given")


def _flag(condition: ColumnElement[bool] | InstrumentedAttribute[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _reaches() -> ColumnElement[bool]:
    """A contact that reached someone: outcome reached, or an event or walk-in."""
    return or_(
        Contact.outcome == Outcome.reached,
        Contact.channel.in_(ALWAYS_REACHED),
    )


def _reached_via(channel: Channel) -> ColumnElement[bool]:
    """A contact through ``channel`` that reached someone (written out: cheaper per row)."""
    if channel in ALWAYS_REACHED:
        return Contact.channel == channel
    return and_(Contact.channel == channel, Contact.outcome == Outcome.reached)


def _rank() -> ColumnElement[int]:
    """reached > refused > materials_left > not_home > vacant."""
    return case(
        (_reaches(), REACHED),
        (Contact.outcome == Outcome.refused, 3),
        (Contact.outcome == Outcome.materials_left, 2),
        (Contact.outcome == Outcome.not_home, 1),
        else_=0,
    )


def contact_days(where: Iterable[ColumnElement[bool]]) -> CTE:
    """Per household and local day: its non-voided contacts among ``where``."""
    return (
        select(
            Contact.household_id,
            Contact.local_date,
            func.count().label("contacts"),
            func.max(_rank()).label("best_rank"),
            func.max(Contact.occurred_at).label("last_at"),
            func.max(case((Contact.outcome == Outcome.vacant, Contact.occurred_at))).label(
                "last_vacant_at"
            ),
            func.min(Contact.occurred_at).label("first_at"),
            func.min(case((Contact.outcome == Outcome.not_home, Contact.occurred_at))).label(
                "first_not_home_at"
            ),
            *(
                func.max(_flag(_reached_via(channel))).label(f"via_{channel}")
                for channel in CHANNELS
            ),
            func.max(_flag(Contact.app_installed)).label("app_installs"),
            func.max(_flag(Contact.pledge_signed)).label("pledges_signed"),
            func.max(_flag(Contact.flyer_given)).label("flyers_given"),
            func.max(Contact.residents_reached).label("residents_reached"),
        )
        .where(Contact.voided_at.is_(None), *where)
        .group_by(Contact.household_id, Contact.local_date)
        .cte("contact_days")
    )


def _household_contacts(days: CTE) -> CTE:
    """``contact_days`` rolled up per household."""
    d = days.c
    return (
        select(
            d.household_id,
            func.sum(d.contacts).label("contacts"),
            func.max(d.best_rank).label("best_rank"),
            func.max(d.last_at).label("last_at"),
            func.max(d.last_vacant_at).label("last_vacant_at"),
            func.min(d.first_at).label("first_at"),
            func.min(d.first_not_home_at).label("first_not_home_at"),
            *(func.max(d[f"via_{channel}"]).label(f"via_{channel}") for channel in CHANNELS),
            *(func.max(d[name]).label(name) for name in EXTRAS),
            func.max(d.residents_reached).label("residents_reached"),
            func.min(case((d.best_rank == REACHED, d.local_date))).label("first_reached_on"),
        )
        .group_by(d.household_id)
        .cte("household_contacts")
    )


def _household_state(days: CTE, where: Iterable[ColumnElement[bool]]) -> CTE:
    """Every household among ``where`` with its state derived from ``days``."""
    per_household = _household_contacts(days)
    p = per_household.c
    # Excluded: registered vacant, or its latest contact found it vacant and none reached it.
    # (Two contacts at the very same instant: a vacant one among them counts as the latest.)
    excluded = or_(
        Household.occupancy == Occupancy.vacant,
        and_(p.last_vacant_at >= p.last_at, p.best_rank < REACHED),
    )
    first_not_home = p.first_not_home_at == p.first_at
    zero = 0
    return (
        select(
            Household.id.label("household_id"),
            Household.community_id,
            Household.building_id,
            _flag(excluded).label("excluded"),
            func.coalesce(p.best_rank, -1).label("best_rank"),
            _flag(p.best_rank == REACHED).label("reached"),
            func.coalesce(p.contacts, zero).label("contacts"),
            p.last_at.label("last_contact_at"),
            _flag(first_not_home).label("first_not_home"),
            *(func.coalesce(p[f"via_{ch}"], zero).label(f"via_{ch}") for ch in CHANNELS),
            *(func.coalesce(p[name], zero).label(name) for name in EXTRAS),
            func.coalesce(p.residents_reached, zero).label("residents_reached"),
            p.first_reached_on,
            _flag(exists().where(HouseholdFlag.household_id == Household.id)).label("flagged"),
        )
        .select_from(Household)
        .outerjoin(per_household, p.household_id == Household.id)
        .where(*where)
        .cte("household_state")
    )


Ids = Sequence[int] | BindParameter[Any]
"""Ids as values, or as a parameter bound when the statement runs."""


def _scope(
    community_id: int | BindParameter[Any], household_ids: Ids | None, building_ids: Ids | None
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    """Conditions on households, and the same pushed down to contacts."""
    homes: list[ColumnElement[bool]] = [Household.community_id == community_id]
    contacts: list[ColumnElement[bool]] = []
    if household_ids is not None:
        homes.append(Household.id.in_(household_ids))
        contacts.append(Contact.household_id.in_(household_ids))
    if building_ids is not None:
        homes.append(Household.building_id.in_(building_ids))
        contacts.append(
            Contact.household_id.in_(
                select(Household.id).where(Household.building_id.in_(building_ids))
            )
        )
    return homes, contacts


def household_rows(
    campaign_id: int | BindParameter[Any],
    community_id: int | BindParameter[Any],
    *,
    household_ids: Ids | None = None,
    building_ids: Ids | None = None,
) -> CTE:
    """One row per household in scope with its campaign state (a CTE to select from).

    Columns: ``household_id``, ``community_id``, ``building_id``, ``excluded`` (0/1),
    ``best_rank`` (see STATUS_BY_RANK, -1 unvisited), ``reached`` (0/1), ``contacts``,
    ``last_contact_at``, ``first_not_home``, ``via_<channel>``, the extras, ``first_reached_on``
    and ``flagged``.
    """
    homes, contacts = _scope(community_id, household_ids, building_ids)
    days = contact_days([Contact.campaign_id == campaign_id, *contacts])
    return _household_state(days, homes)


# --- one statement for every grouping -------------------------------------------------------

FIGURES = (
    "households",
    "excluded",
    "reached",
    "refused",
    "materials_left",
    "not_home",
    "unvisited",
    *(f"via_{channel}" for channel in CHANNELS),
    *EXTRAS,
    "residents_reached",
    "contacts",
    "visited",
    "flagged",
    "flagged_excluded",
    "flagged_reached",
    "first_not_home",
    "revisited",
    "reached_since",
    "newly_reached",
)


def _grouping(
    kind: str,
    figures: dict[str, ColumnElement[Any]],
    *,
    group_id: ColumnElement[Any] | None = None,
    day: ColumnElement[Any] | None = None,
    flag: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None,
) -> Select[Any]:
    """One branch of the union: keys and every figure, NULL where the grouping has none."""
    return select(
        literal_column(f"'{kind}'", String).label("kind"),
        (group_id if group_id is not None else cast(null(), Integer)).label("group_id"),
        (day if day is not None else cast(null(), Date)).label("day"),
        (flag if flag is not None else cast(null(), String)).label("flag"),
        *(figures.get(name, cast(null(), Integer)).label(name) for name in FIGURES),
    )


def _household_figures(h: Any) -> dict[str, ColumnElement[Any]]:
    """Counts over a group of households (labels are the FIGURES)."""
    eligible = h.excluded == 0

    def count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count().filter(and_(*conditions))

    return {
        "households": func.count(),
        "excluded": count(h.excluded == 1),
        "reached": count(eligible, h.best_rank == REACHED),
        "refused": count(eligible, h.best_rank == 3),
        "materials_left": count(eligible, h.best_rank == 2),
        "not_home": count(eligible, h.best_rank == 1),
        "unvisited": count(eligible, h.best_rank <= 0),
        **{
            f"via_{ch}": count(eligible, h.best_rank == REACHED, h[f"via_{ch}"] == 1)
            for ch in CHANNELS
        },
        **{name: func.sum(h[name]) for name in EXTRAS},
        "residents_reached": func.sum(h.residents_reached),
        "contacts": func.sum(h.contacts),
        "visited": count(h.contacts > 0),
        "flagged": count(h.flagged == 1),
        "flagged_excluded": count(h.flagged == 1, h.excluded == 1),
        "flagged_reached": count(h.flagged == 1, eligible, h.best_rank == REACHED),
        "first_not_home": count(h.first_not_home == 1),
        "revisited": count(h.first_not_home == 1, h.contacts > 1),
        "reached_since": count(h.first_not_home == 1, h.best_rank == REACHED),
    }


def _day_figures(d: Any) -> dict[str, ColumnElement[Any]]:
    """Counts over a group of household-days (each household once a day).

    What the day's work achieved: ``reached`` counts every household reached that day; only
    the newly reached (a grouping of its own) leave out excluded ones, so that the cumulative
    figure ends at the headline.
    """
    return {
        "contacts": func.sum(d.contacts),
        "visited": func.count(),
        "reached": func.count().filter(d.best_rank == REACHED),
        **{name: func.sum(d[name]) for name in EXTRAS},
        "residents_reached": func.sum(d.residents_reached),
    }


def _tuned(session: Session) -> None:
    """PostgreSQL: no JIT and room to hash in memory, for this transaction only.

    The planner cannot estimate the grouped CTEs, guesses a cost past ``jit_above_cost`` and
    then spends longer compiling than the query takes to run.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)")
        )


def _rows(session: Session, statement: Executable, params: dict[str, Any]) -> list[dict[str, Any]]:
    _tuned(session)
    return [dict(row._mapping) for row in session.execute(statement, params)]


# The statements are built once, with bound parameters: building and hashing a statement of
# this size costs more than running it on a small community.


@cache
def _campaign_statement() -> CompoundSelect[Any]:
    days = contact_days([Contact.campaign_id == bindparam("campaign_id")])
    state = _household_state(days, [Household.community_id == bindparam("community_id")])
    h, d = state.c, days.c
    return union_all(
        _grouping("building", _household_figures(h), group_id=h.building_id).group_by(
            h.building_id
        ),
        _grouping("day", _day_figures(d), day=d.local_date).group_by(d.local_date),
        _grouping("first_reached", {"newly_reached": func.count()}, day=h.first_reached_on)
        .where(h.excluded == 0, h.first_reached_on.is_not(None))
        .group_by(h.first_reached_on),
        _grouping("flag", _household_figures(h), flag=HouseholdFlag.flag)
        .select_from(state.join(HouseholdFlag, HouseholdFlag.household_id == h.household_id))
        .group_by(HouseholdFlag.flag),
    )


def campaign_figures(
    session: Session, *, campaign_id: int, community_id: int
) -> list[dict[str, Any]]:
    """Every grouping of a campaign's coverage in one statement.

    Rows by ``kind``: ``building`` (group_id = building id), ``day`` (per local date),
    ``first_reached`` (day = the date households were first reached: newly_reached), ``flag``.
    """
    params = {"campaign_id": campaign_id, "community_id": community_id}
    return _rows(session, _campaign_statement(), params)


@cache
def _ledger_statement() -> CompoundSelect[Any]:
    communities: BindParameter[list[int]] = bindparam("community_ids", expanding=True)
    days = contact_days(
        [
            Contact.community_id.in_(communities),
            Contact.local_date.between(
                bindparam("start", type_=Date), bindparam("end", type_=Date)
            ),
        ]
    )
    state = _household_state(days, [Household.community_id.in_(communities)])
    h, d = state.c, days.c
    newly = func.count().filter(and_(h.excluded == 0, h.first_reached_on == d.local_date))
    return union_all(
        _grouping("community", _household_figures(h), group_id=h.community_id).group_by(
            h.community_id
        ),
        _grouping(
            "day",
            _day_figures(d) | {"newly_reached": newly},
            group_id=h.community_id,
            day=d.local_date,
        )
        .select_from(days.join(state, h.household_id == d.household_id))
        .group_by(h.community_id, d.local_date),
    )


def ledger_figures(
    session: Session, *, community_ids: Sequence[int], start: date, end: date
) -> list[dict[str, Any]]:
    """The ledger of several communities over local dates [start, end], across campaigns.

    Rows by ``kind``: ``community`` (group_id = community id) and ``day`` (group_id and day).
    """
    params = {"community_ids": list(community_ids), "start": start, "end": end}
    return _rows(session, _ledger_statement(), params)


@cache
def _states_statement(by_households: bool, by_buildings: bool) -> Select[Any]:
    state = household_rows(
        bindparam("campaign_id"),
        bindparam("community_id"),
        household_ids=bindparam("household_ids", expanding=True) if by_households else None,
        building_ids=bindparam("building_ids", expanding=True) if by_buildings else None,
    )
    return select(state)


def household_states(
    session: Session,
    *,
    campaign_id: int,
    community_id: int,
    household_ids: Sequence[int] | None,
    building_ids: Sequence[int] | None,
) -> list[dict[str, Any]]:
    """The ``household_rows`` of a campaign, narrowed to households and/or buildings."""
    params: dict[str, Any] = {"campaign_id": campaign_id, "community_id": community_id}
    if household_ids is not None:
        params["household_ids"] = list(household_ids)
    if building_ids is not None:
        params["building_ids"] = list(building_ids)
    statement = _states_statement(household_ids is not None, building_ids is not None)
    return [dict(row._mapping) for row in session.execute(statement, params)]


# --- the rest: small lookups ----------------------------------------------------------------


def campaign_with_community(
    session: Session, campaign_id: int
) -> tuple[Campaign, Community] | None:
    """A campaign and its community."""
    row = session.execute(
        select(Campaign, Community)
        .join(Community, Community.id == Campaign.community_id)
        .where(Campaign.id == campaign_id)
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


def buildings_of(session: Session, community_id: int) -> list[Building]:
    """A community's buildings in code order (``2`` before ``10``)."""
    return list(
        session.scalars(
            select(Building)
            .where(Building.community_id == community_id)
            .order_by(func.length(Building.code), Building.code, Building.id)
        )
    )


def communities(session: Session, ids: Sequence[int] | None) -> list[Community]:
    """Communities by id (all of them when ``ids`` is None), by name."""
    stmt = select(Community).order_by(Community.name, Community.id)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    return list(session.scalars(stmt))


def _dissuaded() -> ColumnElement[bool]:
    """No money moved, and money was kept safe or the case is closed."""
    return and_(
        func.coalesce(Incident.amount_lost, 0) == 0,
        or_(Incident.amount_prevented > 0, Incident.status == IncidentStatus.resolved),
    )


def incident_figures(
    session: Session, community_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, dict[str, Any]]:
    """Per community: scam reports that happened in [start, end)."""
    rows = session.execute(
        select(
            Incident.community_id,
            func.count().label("total"),
            func.count().filter(_dissuaded()).label("dissuaded"),
            func.coalesce(func.sum(Incident.amount_lost), 0).label("amount_lost"),
            func.coalesce(func.sum(Incident.amount_prevented), 0).label("amount_prevented"),
        )
        .where(
            Incident.community_id.in_(community_ids),
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
        )
        .group_by(Incident.community_id)
    )
    return {row.community_id: dict(row._mapping) for row in rows}
