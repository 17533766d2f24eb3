"""The coverage rules as SQL: one row per household of the scope, aggregated by the database.

``household_rows`` is the heart: for every household in scope it derives, from the campaign's
non-voided contacts, the best outcome, whether it is excluded, which channels reached it and
what the visits achieved. Every figure of the coverage endpoint is a grouped count over it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    and_,
    case,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from app.communities.models import Building, Household, HouseholdFlag
from app.contacts.models import Contact
from app.enums import Channel, Occupancy, Outcome
from app.incidents.models import Incident

STATUS_BY_RANK = {4: "reached", 3: "refused", 2: "materials_left", 1: "not_home", 0: "vacant"}


def _flag(condition: Any) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _rank(c: Any) -> ColumnElement[int]:
    """reached > refused > materials_left > not_home > vacant; events and walk-ins reach."""
    return case(
        (or_(c.outcome == Outcome.reached, c.channel.in_([Channel.event, Channel.walk_in])), 4),
        (c.outcome == Outcome.refused, 3),
        (c.outcome == Outcome.materials_left, 2),
        (c.outcome == Outcome.not_home, 1),
        else_=0,
    )


def household_rows(
    campaign_id: int,
    community_id: int,
    *,
    household_ids: Sequence[int] | None = None,
    building_ids: Sequence[int] | None = None,
) -> CTE:
    """One row per household in scope with its derived campaign state (a CTE)."""
    ordered = (
        select(
            Contact.household_id,
            Contact.channel,
            Contact.outcome,
            Contact.occurred_at,
            Contact.flyer_given,
            Contact.app_installed,
            Contact.pledge_signed,
            Contact.residents_reached,
            func.row_number()
            .over(
                partition_by=Contact.household_id,
                order_by=(Contact.occurred_at.desc(), Contact.recorded_at.desc()),
            )
            .label("newest"),
            func.row_number()
            .over(
                partition_by=Contact.household_id,
                order_by=(Contact.occurred_at.asc(), Contact.recorded_at.asc()),
            )
            .label("oldest"),
        )
        .where(Contact.campaign_id == campaign_id, Contact.voided_at.is_(None))
        .cte("ordered")
    )
    c = ordered.c
    reached = c.outcome == Outcome.reached
    reached_any = or_(reached, c.channel.in_([Channel.event, Channel.walk_in]))
    per_household = (
        select(
            c.household_id,
            func.max(_rank(c)).label("best_rank"),
            func.max(_flag(reached_any)).label("reached"),
            func.max(_flag(and_(c.newest == 1, c.outcome == Outcome.vacant))).label(
                "latest_vacant"
            ),
            func.max(_flag(and_(c.oldest == 1, c.outcome == Outcome.not_home))).label(
                "first_not_home"
            ),
            func.max(_flag(and_(c.channel == Channel.door, reached))).label("via_door"),
            func.max(_flag(c.channel == Channel.event)).label("via_event"),
            func.max(_flag(c.channel == Channel.walk_in)).label("via_walk_in"),
            func.max(_flag(and_(c.channel == Channel.phone, reached))).label("via_phone"),
            func.max(_flag(c.app_installed)).label("app_installed"),
            func.max(_flag(c.pledge_signed)).label("pledge_signed"),
            func.max(_flag(c.flyer_given)).label("flyer_given"),
            func.max(c.residents_reached).label("residents_reached"),
            func.count().label("contacts"),
            func.max(c.occurred_at).label("last_contact_at"),
        )
        .group_by(c.household_id)
        .cte("per_household")
    )
    p = per_household.c
    excluded = or_(
        Household.occupancy == Occupancy.vacant,
        and_(func.coalesce(p.latest_vacant, 0) == 1, func.coalesce(p.reached, 0) == 0),
    )
    stmt = (
        select(
            Household.id.label("household_id"),
            Household.building_id,
            _flag(excluded).label("excluded"),
            func.coalesce(p.best_rank, -1).label("best_rank"),
            func.coalesce(p.reached, 0).label("reached"),
            func.coalesce(p.first_not_home, 0).label("first_not_home"),
            func.coalesce(p.via_door, 0).label("via_door"),
            func.coalesce(p.via_event, 0).label("via_event"),
            func.coalesce(p.via_walk_in, 0).label("via_walk_in"),
            func.coalesce(p.via_phone, 0).label("via_phone"),
            func.coalesce(p.app_installed, 0).label("app_installed"),
            func.coalesce(p.pledge_signed, 0).label("pledge_signed"),
            func.coalesce(p.flyer_given, 0).label("flyer_given"),
            func.coalesce(p.residents_reached, 0).label("residents_reached"),
            func.coalesce(p.contacts, 0).label("contacts"),
            p.last_contact_at,
        )
        .select_from(Household)
        .outerjoin(per_household, p.household_id == Household.id)
        .where(Household.community_id == community_id)
    )
    if household_ids is not None:
        stmt = stmt.where(Household.id.in_(household_ids))
    if building_ids is not None:
        stmt = stmt.where(Household.building_id.in_(building_ids))
    return stmt.cte("household_state")


def _eligible_sum(h: Any, condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.sum(_flag(and_(h.excluded == 0, condition)))


def _figures(h: Any) -> list[Any]:
    """Grouped counts over household_state rows (labels are the schema's names)."""
    return [
        func.count().label("households"),
        func.sum(h.excluded).label("excluded"),
        _eligible_sum(h, h.best_rank == 4).label("reached"),
        _eligible_sum(h, h.best_rank == 3).label("refused"),
        _eligible_sum(h, h.best_rank == 2).label("materials_left"),
        _eligible_sum(h, h.best_rank == 1).label("not_home"),
        _eligible_sum(h, h.best_rank <= 0).label("unvisited"),
        _eligible_sum(h, h.via_door == 1).label("door"),
        _eligible_sum(h, h.via_event == 1).label("event"),
        _eligible_sum(h, h.via_walk_in == 1).label("walk_in"),
        _eligible_sum(h, h.via_phone == 1).label("phone"),
        func.sum(h.app_installed).label("app_installs"),
        func.sum(h.pledge_signed).label("pledges_signed"),
        func.sum(h.flyer_given).label("flyers_given"),
        func.sum(h.residents_reached).label("residents_reached"),
        func.sum(h.contacts).label("contacts"),
        func.sum(h.first_not_home).label("first_not_home"),
        func.sum(_flag(and_(h.first_not_home == 1, h.contacts > 1))).label("revisited"),
        func.sum(_flag(and_(h.first_not_home == 1, h.reached == 1))).label("reached_since"),
        _eligible_sum(h, h.best_rank == -1).label("never_visited"),
    ]


def by_building(session: Session, state: CTE) -> list[dict[str, Any]]:
    """The figures per building, with the building's code and name, in code order."""
    h = state.c
    stmt = (
        select(Building.id.label("building_id"), Building.code, Building.name, *_figures(h))
        .join(Building, Building.id == h.building_id)
        .group_by(Building.id, Building.code, Building.name)
        .order_by(func.length(Building.code), Building.code)
    )
    return [dict(row._mapping) for row in session.execute(stmt)]


def by_flag(session: Session, state: CTE) -> list[dict[str, Any]]:
    """The figures per household flag, and for households with any flag (flag None)."""
    h = state.c
    flagged = select(HouseholdFlag.household_id, HouseholdFlag.flag).cte("flagged")
    per_flag = (
        select(flagged.c.flag, *_figures(h))
        .join(flagged, flagged.c.household_id == h.household_id)
        .group_by(flagged.c.flag)
    )
    any_flag = select(literal(None).label("flag"), *_figures(h)).where(
        h.household_id.in_(select(flagged.c.household_id))
    )
    return [dict(r._mapping) for r in session.execute(per_flag)] + [
        dict(r._mapping) for r in session.execute(any_flag)
    ]


def by_day(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    """The daily ledger: per local date, contacts and households, each counted once a day."""
    valid = and_(Contact.campaign_id == campaign_id, Contact.voided_at.is_(None))
    reached = or_(
        Contact.outcome == Outcome.reached, Contact.channel.in_([Channel.event, Channel.walk_in])
    )
    daily = (
        select(
            Contact.local_date,
            Contact.household_id,
            func.count().label("contacts"),
            func.max(_flag(reached)).label("reached"),
            func.max(_flag(Contact.app_installed)).label("app_installed"),
            func.max(_flag(Contact.pledge_signed)).label("pledge_signed"),
            func.max(_flag(Contact.flyer_given)).label("flyer_given"),
            func.max(Contact.residents_reached).label("residents_reached"),
        )
        .join(Household, Household.id == Contact.household_id)
        .where(valid, Household.occupancy != Occupancy.vacant)
        .group_by(Contact.local_date, Contact.household_id)
        .cte("daily")
    )
    d = daily.c
    first_reach = (
        select(Contact.household_id, func.min(Contact.local_date).label("first_day"))
        .join(Household, Household.id == Contact.household_id)
        .where(valid, reached, Household.occupancy != Occupancy.vacant)
        .group_by(Contact.household_id)
        .cte("first_reach")
    )
    newly = (
        select(first_reach.c.first_day, func.count().label("newly_reached"))
        .group_by(first_reach.c.first_day)
        .cte("newly")
    )
    stmt = (
        select(
            d.local_date.label("date"),
            func.sum(d.contacts).label("contacts"),
            func.count().label("visited"),
            func.sum(d.reached).label("reached"),
            func.sum(d.app_installed).label("app_installs"),
            func.sum(d.pledge_signed).label("pledges_signed"),
            func.sum(d.flyer_given).label("flyers_given"),
            func.sum(d.residents_reached).label("residents_reached"),
            func.max(func.coalesce(newly.c.newly_reached, 0)).label("newly_reached"),
        )
        .outerjoin(newly, newly.c.first_day == d.local_date)
        .group_by(d.local_date)
        .order_by(d.local_date)
    )
    return [dict(r._mapping) for r in session.execute(stmt)]


def incident_figures(
    session: Session, community_id: int, start: datetime, end: datetime
) -> dict[str, Any]:
    """Scam reports of the community in [start, end): dissuaded means no money moved."""
    no_loss = func.coalesce(Incident.amount_lost, 0) == 0
    row = session.execute(
        select(
            func.count().label("total"),
            func.sum(_flag(no_loss)).label("dissuaded"),
            func.coalesce(func.sum(Incident.amount_lost), 0).label("amount_lost"),
            func.coalesce(func.sum(Incident.amount_prevented), 0).label("amount_prevented"),
        ).where(
            Incident.community_id == community_id,
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
        )
    ).one()
    return dict(row._mapping)


def states(session: Session, state: CTE) -> list[dict[str, Any]]:
    """The per-household rows themselves (for checklists, walk sheets and exports)."""
    h = state.c
    return [dict(r._mapping) for r in session.execute(select(state))]
