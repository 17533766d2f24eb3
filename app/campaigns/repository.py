"""Queries for campaigns, rounds and events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    FromClause,
    Select,
    Table,
    Update,
    and_,
    case,
    delete,
    exists,
    literal,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from app.auth.models import Membership, User
from app.campaigns.models import (
    Campaign,
    Event,
    EventAssignee,
    EventBuilding,
    Round,
    RoundAssignee,
    RoundBuilding,
)
from app.communities import repository as communities_repo
from app.communities.models import Building, Community, Household
from app.coverage.models import CoverageState
from app.db import paginate
from app.enums import EventStatus, Occupancy, RoundStatus


def list_campaigns(
    session: Session, community_id: int, *, limit: int, offset: int
) -> tuple[Sequence[Campaign], int]:
    """A page of a community's campaigns, newest first."""
    stmt = select(Campaign).where(Campaign.community_id == community_id)
    return paginate(
        session,
        stmt.order_by(Campaign.starts_on.desc(), Campaign.id.desc()),
        limit=limit,
        offset=offset,
    )


def _id_lists(session: Session, key: Any, value: Any, ids: Sequence[int]) -> dict[int, list[int]]:
    """owner id → sorted linked ids, for one link table (``key`` and ``value`` its columns)."""
    linked: dict[int, list[int]] = defaultdict(list)
    if ids:
        for owner, other in session.execute(select(key, value).where(key.in_(ids)).order_by(value)):
            linked[owner].append(other)
    return linked


S = TypeVar("S", Round, Event)


@dataclass(frozen=True)
class SlotKind(Generic[S]):
    """Rounds or events: the slot table, its two link tables and the links' owner column."""

    name: Literal["round", "event"]
    model: type[S]
    buildings: type[RoundBuilding] | type[EventBuilding]
    assignees: type[RoundAssignee] | type[EventAssignee]
    owner: Literal["round_id", "event_id"]
    cancelled: RoundStatus | EventStatus

    def building_owner(self) -> Any:
        """The link column naming the slot, in the buildings' link table."""
        return getattr(self.buildings, self.owner)

    def assignee_owner(self) -> Any:
        """The link column naming the slot, in the assignees' link table."""
        return getattr(self.assignees, self.owner)


ROUNDS = SlotKind("round", Round, RoundBuilding, RoundAssignee, "round_id", RoundStatus.cancelled)
EVENTS = SlotKind("event", Event, EventBuilding, EventAssignee, "event_id", EventStatus.cancelled)
SLOT_KINDS: tuple[SlotKind[Round], SlotKind[Event]] = (ROUNDS, EVENTS)


def slot_links(
    session: Session, kind: SlotKind[Any], slot_ids: Sequence[int]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Slot id → building ids, and slot id → assignee ids."""
    return (
        _id_lists(session, kind.building_owner(), kind.buildings.building_id, slot_ids),
        _id_lists(session, kind.assignee_owner(), kind.assignees.user_id, slot_ids),
    )


def round_links(
    session: Session, round_ids: Sequence[int]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Round id → building ids, and round id → assignee ids."""
    return slot_links(session, ROUNDS, round_ids)


def event_links(
    session: Session, event_ids: Sequence[int]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """Event id → building ids, and event id → assignee ids."""
    return slot_links(session, EVENTS, event_ids)


def _replace_links(
    session: Session, model: Any, owner: str, owner_id: int, other: str, ids: Sequence[int] | None
) -> None:
    if ids is None:
        return
    session.execute(delete(model).where(getattr(model, owner) == owner_id))
    session.add_all(model(**{owner: owner_id, other: i}) for i in sorted(set(ids)))


def set_slot_links(
    session: Session,
    kind: SlotKind[Any],
    slot_id: int,
    *,
    building_ids: Sequence[int] | None,
    assignee_ids: Sequence[int] | None,
) -> None:
    """Replace a slot's buildings and/or assignees (None leaves them as they are)."""
    _replace_links(session, kind.buildings, kind.owner, slot_id, "building_id", building_ids)
    _replace_links(session, kind.assignees, kind.owner, slot_id, "user_id", assignee_ids)


def list_slots(
    session: Session,
    kind: SlotKind[S],
    campaign_id: int,
    *,
    only_user: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[S], int]:
    """A page of a campaign's rounds or events in time order (only a member's own, if given)."""
    m = kind.model
    stmt = select(m).where(m.campaign_id == campaign_id)
    if only_user is not None:
        mine = select(kind.assignee_owner()).where(kind.assignees.user_id == only_user)
        stmt = stmt.where(m.id.in_(mine))
    return paginate(session, stmt.order_by(m.starts_at, m.id), limit=limit, offset=offset)


def lock_campaign(session: Session, campaign: Campaign) -> None:
    """Re-read the campaign under a row lock (PostgreSQL), so its dates and status hold until
    commit while a slot is checked against them."""
    if session.get_bind().dialect.name == "postgresql":
        session.refresh(campaign, with_for_update=True)


def lock_users(session: Session, user_ids: Sequence[int]) -> None:
    """Serialise schedule changes per assignee (PostgreSQL row locks; SQLite locks already)."""
    if user_ids and session.get_bind().dialect.name == "postgresql":
        session.execute(
            select(User.id).where(User.id.in_(user_ids)).order_by(User.id).with_for_update()
        )


def overlapping_slots(
    session: Session,
    user_ids: Sequence[int],
    starts_at: datetime,
    ends_at: datetime,
    *,
    skip: tuple[SlotKind[Any], int] | None = None,
) -> list[tuple[SlotKind[Any], int, str, int, datetime, datetime]]:
    """Rounds and events (not cancelled, any campaign) of these users that overlap the span:
    (kind, user id, user's name, slot id, starts, ends), one per user and slot.

    Slots touching end to start do not overlap; ``skip`` is a slot to leave out.
    """
    if not user_ids:
        return []
    found: list[tuple[SlotKind[Any], int, str, int, datetime, datetime]] = []
    for kind in SLOT_KINDS:
        m, a = kind.model, kind.assignees
        stmt = (
            select(User.id, User.display_name, m.id, m.starts_at, m.ends_at)
            .join(a, a.user_id == User.id)
            .join(m, m.id == kind.assignee_owner())
            .where(
                User.id.in_(user_ids),
                m.status != kind.cancelled,
                m.starts_at < ends_at,
                m.ends_at > starts_at,
            )
        )
        if skip is not None and skip[0] == kind:
            stmt = stmt.where(m.id != skip[1])
        found.extend((kind, uid, name, oid, s, e) for uid, name, oid, s, e in session.execute(stmt))
    return found


def clashes(
    session: Session,
    user_ids: Sequence[int],
    starts_at: datetime,
    ends_at: datetime,
    *,
    skip: tuple[SlotKind[Any], int] | None = None,
) -> list[dict[str, Any]]:
    """``overlapping_slots`` as clashes: each names the user, the round or event and its
    times, earliest first; ``skip`` is the slot being changed."""
    found = [
        {
            "user_id": uid,
            "display_name": name,
            "kind": kind.name,
            "id": oid,
            "starts_at": s,
            "ends_at": e,
        }
        for kind, uid, name, oid, s, e in overlapping_slots(
            session, user_ids, starts_at, ends_at, skip=skip
        )
    ]
    found.sort(key=lambda c: (c["starts_at"], c["user_id"], c["kind"], c["id"]))
    return found


def campaign_slots(session: Session, campaign_id: int) -> list[tuple[str, int, datetime, datetime]]:
    """The campaign's rounds and events that still count (not cancelled): kind, id, times."""
    return [
        (kind.name, oid, s, e)
        for kind in SLOT_KINDS
        for oid, s, e in session.execute(
            select(kind.model.id, kind.model.starts_at, kind.model.ends_at).where(
                kind.model.campaign_id == campaign_id, kind.model.status != kind.cancelled
            )
        )
    ]


def active_members(session: Session, community_id: int, user_ids: Sequence[int]) -> set[int]:
    """Which of these users are active members of the community."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(
                Membership.community_id == community_id,
                Membership.user_id.in_(user_ids),
                User.is_active.is_(True),
            )
        )
    )


def building_codes(session: Session, building_ids: Sequence[int]) -> dict[int, str]:
    """Building id → its code."""
    if not building_ids:
        return {}
    stmt = select(Building.id, Building.code).where(Building.id.in_(building_ids))
    return {int(bid): str(code) for bid, code in session.execute(stmt).all()}


def buildings_in(session: Session, community_id: int, ids: Sequence[int]) -> set[int]:
    """Which of these building ids belong to the community."""
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Building.id).where(Building.community_id == community_id, Building.id.in_(ids))
        )
    )


def households_of(
    session: Session, building_ids: Sequence[int], units: dict[str, list[str]] | None
) -> list[Household]:
    """The households of some buildings (only some units, if given), in walking order."""
    if not building_ids:
        return []
    rows = session.scalars(
        select(Household)
        .where(Household.building_id.in_(building_ids))
        .order_by(Household.building_id, Household.unit, Household.floor, Household.room)
    ).all()
    if not units:
        return list(rows)
    return [
        h for h in rows if str(h.building_id) not in units or h.unit in units[str(h.building_id)]
    ]


def schedule_for(
    session: Session, user_id: int, start: datetime, end: datetime
) -> list[tuple[str, Any, Campaign, Community]]:
    """A member's rounds and events overlapping [start, end), with campaign and community."""
    items: list[tuple[str, Any, Campaign, Community]] = []
    for kind in SLOT_KINDS:
        m, a = kind.model, kind.assignees
        stmt = (
            select(m, Campaign, Community)
            .join(a, kind.assignee_owner() == m.id)
            .join(Campaign, Campaign.id == m.campaign_id)
            .join(Community, Community.id == m.community_id)
            .where(a.user_id == user_id, m.ends_at > start, m.starts_at < end)
        )
        items += [(kind.name, slot, c, com) for slot, c, com in session.execute(stmt)]
    # Rounds before events at the same start, as the sort is stable.
    items.sort(key=lambda x: x[1].starts_at)
    return items


def _in_round_units(dialect: str) -> ColumnElement[bool]:
    """The household (``households``) is in the units the round (``rounds``) narrows its
    building to, or the round takes the whole building (``units`` null, or no key for it)."""
    if dialect == "postgresql":
        units = "(rounds.units -> CAST(households.building_id AS TEXT))"
        return literal_column(
            f"({units} IS NULL OR EXISTS (SELECT 1 FROM json_array_elements_text({units}) AS u"
            " WHERE u = households.unit))",
            Boolean,
        )
    if dialect == "sqlite":
        path = "'$.\"' || households.building_id || '\"'"
        return literal_column(
            f"(json_extract(rounds.units, {path}) IS NULL OR EXISTS (SELECT 1 FROM"
            f" json_each(rounds.units, {path}) AS u WHERE u.value = households.unit))",
            Boolean,
        )
    raise NotImplementedError(f"rounds cannot advance on {dialect}")


def advancing(dialect: str, round_ids: Any, *, just_added: FromClause | None = None) -> Update:
    """The UPDATE that moves rounds on from the contacts recorded for them.

    Planned rounds among ``round_ids`` (ids, or a SELECT of them) move on (their first contact
    came in), and those whose every door (households not vacant in the registry, in the
    round's buildings and units) has a contact in the campaign are done. "Has a contact" is
    read from ``coverage_states``, which holds a row exactly for the households with a
    non-voided contact in the campaign, and from ``just_added`` (new contacts written in the
    same statement, which its snapshot does not show in the state yet). Only rows whose
    status changes are written (and locked); the check stops at the first door without one.
    """
    doors: Select[Any] = (
        select(literal_column("1"))
        .select_from(Household)
        .join(RoundBuilding, RoundBuilding.building_id == Household.building_id)
        .where(
            RoundBuilding.round_id == Round.id,
            Household.occupancy != Occupancy.vacant,
            _in_round_units(dialect),
        )
        .correlate(Round)
    )
    # Correlated by name: SQLAlchemy only correlates to the enclosing SELECT on its own, and
    # these sit two levels below the UPDATE of ``rounds``. Each is a NOT EXISTS of its own
    # (not one NOT over an OR), so that PostgreSQL probes the state's key door by door
    # instead of hashing the campaign's whole state for every statement.
    without_contact = doors.where(
        ~exists()
        .where(
            CoverageState.campaign_id == Round.campaign_id,
            CoverageState.household_id == Household.id,
        )
        .correlate(Round, Household)
    )
    if just_added is not None:
        added = just_added.c
        without_contact = without_contact.where(
            ~exists()
            .where(added.campaign_id == Round.campaign_id, added.household_id == Household.id)
            .correlate(Round, Household)
        )
    complete = and_(exists(doors), ~exists(without_contact))
    rounds = cast(Table, Round.__table__)
    return (
        update(rounds)
        .where(
            Round.id.in_(round_ids),
            or_(
                Round.status == RoundStatus.planned,
                and_(Round.status == RoundStatus.in_progress, complete),
            ),
        )
        .values(
            status=case(
                (complete, literal(RoundStatus.done, rounds.c.status.type)),
                else_=literal(RoundStatus.in_progress, rounds.c.status.type),
            )
        )
    )


def expire_rounds(session: Session, round_ids: Iterable[int]) -> None:
    """Loaded Round objects of these ids read their status again (a Core UPDATE moved it)."""
    ids = set(round_ids)
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Round) and obj.id in ids:
            session.expire(obj, ["status"])


def advance_rounds(session: Session, round_ids: Sequence[int]) -> None:
    """``advancing`` these rounds, in one UPDATE of the caller's transaction."""
    if not round_ids:
        return
    dialect = session.get_bind().dialect.name
    session.execute(advancing(dialect, sorted(set(round_ids))))
    expire_rounds(session, round_ids)


def staff_building_ids(user_id: int) -> Select[int]:
    """The buildings of the rounds a staff member is assigned to (a query to select from)."""
    return (
        select(RoundBuilding.building_id)
        .join(RoundAssignee, RoundAssignee.round_id == RoundBuilding.round_id)
        .where(RoundAssignee.user_id == user_id)
    )


# Staff see only the buildings of their rounds (see communities.repository.staff_scope).
communities_repo.staff_scope.provide(staff_building_ids)
