"""Queries for contacts: lookups for validating a batch in a few queries, inserts, lists."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Integer, Select, Table, bindparam, exists, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from app.campaigns import repository as campaigns_repo
from app.campaigns.models import (
    Campaign,
    Event,
    EventAssignee,
    Round,
    RoundAssignee,
    RoundBuilding,
)
from app.communities import importer as roster
from app.communities.models import Community, Household
from app.contacts.models import Contact
from app.contacts.schemas import ContactQuery
from app.coverage import state as coverage_state
from app.db import paginate, rows_for_ids, where_given
from app.enums import Channel, Outcome


def get(session: Session, contact_id: uuid.UUID, *, lock: bool = False) -> Contact | None:
    """A contact by its client-made id; with ``lock``, locked until the transaction ends
    (PostgreSQL; SQLite locks anyway)."""
    return session.get(Contact, contact_id, with_for_update=lock)


def mark_voided(
    session: Session, contact: Contact, *, voided_by: int, reason: str | None, at: datetime
) -> None:
    """Store who voided the (locked) contact, when and why; the object shows it at once."""
    values = {"voided_at": at, "voided_by": voided_by, "void_reason": reason}
    session.execute(update(Contact).where(Contact.id == contact.id).values(values))
    for name, value in values.items():
        set_committed_value(contact, name, value)


def by_ids(session: Session, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Contact]:
    """The stored contacts among these ids."""
    return {c.id: c for (c,) in rows_for_ids(session, select(Contact), Contact.id, ids)}


def campaign_places(session: Session, ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """Campaign id → (its community id, the community's time zone)."""
    places = select(Campaign.id, Campaign.community_id, Community.timezone).join(
        Community, Community.id == Campaign.community_id
    )
    rows = rows_for_ids(session, places, Campaign.id, ids)
    return {cid: (community_id, tz) for cid, community_id, tz in rows}


@dataclass(frozen=True)
class OnePlace:
    """What one new contact refers to, as found in one query (None: no such row)."""

    community_id: int
    timezone: str
    household: tuple[int, int] | None  # community id, building id
    round_campaign_id: int | None
    household_in_round: bool
    event_campaign_id: int | None


@cache
def _places_of_one() -> Select[int, str, int, int, int, bool, int]:
    """``places_of_one``'s query, built once with bound parameters (the hot path: building it
    cost a tenth of the request). A NULL round or event id matches no row."""
    round_id, event_id = bindparam("round_id", type_=Integer), bindparam("event_id", type_=Integer)
    in_round = exists().where(
        RoundBuilding.round_id == round_id, RoundBuilding.building_id == Household.building_id
    )
    return (
        select(
            Campaign.community_id,
            Community.timezone,
            Household.community_id.label("household_community_id"),
            Household.building_id,
            Round.campaign_id.label("round_campaign_id"),
            in_round.label("in_round"),
            Event.campaign_id.label("event_campaign_id"),
        )
        .select_from(Campaign)
        .join(Community, Community.id == Campaign.community_id)
        .outerjoin(Household, Household.id == bindparam("household_id"))
        .outerjoin(Round, Round.id == round_id)
        .outerjoin(Event, Event.id == event_id)
        .where(Campaign.id == bindparam("campaign_id"))
    )


def places_of_one(
    session: Session,
    *,
    campaign_id: int,
    household_id: int,
    round_id: int | None,
    event_id: int | None,
) -> OnePlace | None:
    """The campaign, household, round and event of one contact in one round trip.

    None when the campaign does not exist. (A lone contact is the common case: a phone
    online sends them one by one, so this path is kept to a single query.)
    """
    params = {
        "campaign_id": campaign_id,
        "household_id": household_id,
        "round_id": round_id,
        "event_id": event_id,
    }
    row = session.execute(_places_of_one(), params).one_or_none()
    if row is None:
        return None
    household = None
    if row.household_community_id is not None:
        household = (row.household_community_id, row.building_id)
    return OnePlace(
        community_id=row.community_id,
        timezone=row.timezone,
        household=household,
        round_campaign_id=row.round_campaign_id,
        household_in_round=bool(row.in_round),
        event_campaign_id=row.event_campaign_id,
    )


def household_places(session: Session, ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Household id → (community id, building id)."""
    places = select(Household.id, Household.community_id, Household.building_id)
    rows = rows_for_ids(session, places, Household.id, ids)
    return {hid: (community_id, building_id) for hid, community_id, building_id in rows}


def rounds_with_buildings(session: Session, ids: Iterable[int]) -> dict[int, tuple[int, set[int]]]:
    """Round id → (campaign id, the ids of its buildings)."""
    found: dict[int, tuple[int, set[int]]] = {}
    links = select(Round.id, Round.campaign_id, RoundBuilding.building_id).outerjoin(
        RoundBuilding, RoundBuilding.round_id == Round.id
    )
    for round_id, campaign_id, building_id in rows_for_ids(session, links, Round.id, ids):
        entry = found.setdefault(round_id, (campaign_id, set()))
        if building_id is not None:
            entry[1].add(building_id)
    return found


def event_campaigns(session: Session, ids: Iterable[int]) -> dict[int, int]:
    """Event id → its campaign id."""
    rows = rows_for_ids(session, select(Event.id, Event.campaign_id), Event.id, ids)
    return {event.id: event.campaign_id for event in rows}


def assigned(
    session: Session, kind: campaigns_repo.SlotKind[Any], user_id: int, ids: Iterable[int]
) -> set[int]:
    """Which of these rounds (or events) the member is assigned to."""
    owner = kind.assignee_owner()
    theirs = select(owner).where(kind.assignees.user_id == user_id)
    return {slot_id for (slot_id,) in rows_for_ids(session, theirs, owner, ids)}


def _new_contacts(dialect: str, values: Any) -> Select[Any]:
    """One statement: INSERT the contacts (skipping stored ids), add them to the state and
    move their rounds on.

    PostgreSQL only: the insert is a data-modifying CTE whose RETURNING feeds the two
    upserts of ``app.coverage.state`` and the rounds' UPDATE (``campaigns.repository.
    advancing``), so a contact, its household's state and its round are written in one round
    trip, and the state and the rounds only ever see contacts that were really inserted.
    """
    table = cast(Table, Contact.__table__)
    inserted = (
        postgresql.insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(*table.c)
        .cte("inserted")
    )
    states, days = coverage_state.recording_ctes(dialect, inserted)
    in_rounds = select(inserted.c.round_id).where(inserted.c.round_id.is_not(None))
    advanced = campaigns_repo.advancing(dialect, in_rounds, just_added=inserted).cte(
        "advanced_rounds"
    )
    return select(inserted.c.id).add_cte(states, days, advanced, nest_here=True)


ONE_ROW_PREFIX = "new_"
"""The bound parameters of ``_one_row`` are the contact's columns with this prefix: named as
the columns, they would also be taken as values to SET by the rounds' UPDATE in the same
statement (a DML statement's execution parameters name the columns it writes)."""


@cache
def _one_row(dialect: str) -> Select[Any]:
    """``_new_contacts`` for one row of bound parameters, built once per dialect (the hot
    path)."""
    table = cast(Table, Contact.__table__)
    values = {c.name: bindparam(ONE_ROW_PREFIX + c.name, type_=c.type) for c in table.c}
    return _new_contacts(dialect, values)


def insert_new(session: Session, rows: Sequence[Mapping[str, Any]]) -> set[uuid.UUID]:
    """Insert contacts whose id is not stored yet, add them to the coverage state and move
    their rounds on (``campaigns.repository.advancing``).

    Returns the ids actually inserted. An id another transaction stored meanwhile is skipped,
    not an error: the caller compares bodies. On PostgreSQL a concurrent insert of the same
    id waits for the other transaction. Rows go in id order, so that two batches never lock
    the same ids in opposite orders.
    """
    if not rows:
        return set()
    ordered = sorted(rows, key=lambda row: row["id"])
    dialect = session.get_bind().dialect.name
    round_ids = {r for row in ordered if (r := row["round_id"]) is not None}
    if dialect == "postgresql":
        if len(ordered) == 1:
            params = {ONE_ROW_PREFIX + k: v for k, v in ordered[0].items()}
            found = set(session.scalars(_one_row(dialect), params))
        else:
            found = set(session.scalars(_new_contacts(dialect, [dict(r) for r in ordered])))
        campaigns_repo.expire_rounds(session, round_ids)
        return found
    if dialect != "sqlite":
        raise NotImplementedError(f"contacts cannot be recorded on {dialect}")
    table = cast(Table, Contact.__table__)
    insert = sqlite.insert(table).on_conflict_do_nothing(index_elements=["id"])
    inserted = set(session.execute(insert.returning(table.c.id), list(ordered)).scalars())
    coverage_state.add_contacts(session, inserted)
    added_rounds = {row["round_id"] for row in ordered if row["id"] in inserted} & round_ids
    campaigns_repo.advance_rounds(session, sorted(added_rounds))
    return inserted


def _visible_to_staff(user_id: int) -> Any:
    return or_(
        Contact.recorded_by == user_id,
        Contact.round_id.in_(
            select(RoundAssignee.round_id).where(RoundAssignee.user_id == user_id)
        ),
        Contact.event_id.in_(
            select(EventAssignee.event_id).where(EventAssignee.user_id == user_id)
        ),
    )


def list_for_campaign(
    session: Session, campaign_id: int, query: ContactQuery, *, only_for_staff: int | None
) -> tuple[Sequence[Contact], int]:
    """A page of a campaign's contacts, newest first."""
    stmt = where_given(
        select(Contact).where(Contact.campaign_id == campaign_id),
        (Contact.household_id, query.household_id),
        (Contact.round_id, query.round_id),
        (Contact.channel, query.channel),
    )
    if not query.include_voided:
        stmt = stmt.where(Contact.voided_at.is_(None))
    if only_for_staff is not None:
        stmt = stmt.where(_visible_to_staff(only_for_staff))
    return paginate(
        session,
        stmt.order_by(Contact.occurred_at.desc(), Contact.recorded_at.desc(), Contact.id),
        limit=query.limit,
        offset=query.offset,
    )


def reached_in_campaigns(session: Session, community_id: int) -> dict[int, list[str]]:
    """Household id → the names of the campaigns that count it as reached.

    The coverage rule: a non-voided contact with outcome ``reached``, or any event attendance
    or walk-in.
    """
    rows = session.execute(
        select(Contact.household_id, Campaign.name)
        .join(Campaign, Campaign.id == Contact.campaign_id)
        .where(
            Contact.community_id == community_id,
            Contact.voided_at.is_(None),
            or_(
                Contact.outcome == Outcome.reached,
                Contact.channel.in_((Channel.event, Channel.walk_in)),
            ),
        )
        .distinct()
        .order_by(Contact.household_id, Campaign.name)
    )
    result: dict[int, list[str]] = defaultdict(list)
    for household_id, name in rows:
        result[household_id].append(name)
    return result


# The roster import asks this before turning a reached household vacant (see its docstring).
roster.reached_lookup.provide(reached_in_campaigns)
