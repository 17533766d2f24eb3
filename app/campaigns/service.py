"""Campaigns, rounds and events, and the scheduling rules they obey.

Scheduling rules: a round or event lies inside its campaign's dates (in the community's time
zone); its buildings and assignees belong to the campaign's community; an assignee is never in
two overlapping rounds or events (cancelled ones aside), which answers 409 naming the clash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.auth.permissions import PLANNERS, Actor
from app.campaigns import repository as repo
from app.campaigns.models import Campaign, Event, Round
from app.campaigns.schemas import (
    CampaignCreate,
    CampaignUpdate,
    ChecklistItem,
    EventCreate,
    EventRead,
    EventUpdate,
    RoundCreate,
    RoundRead,
    RoundUpdate,
    ScheduleItem,
    check_campaign_span,
)
from app.communities import service as communities
from app.communities.models import Community, Household
from app.coverage.households import household_states
from app.enums import CampaignStatus, Occupancy, RoundStatus
from app.errors import Conflict, Forbidden, Invalid
from app.loaders import staff_scope
from app.schemas import PageParams

# A round or event moves forward only; anything not yet cancelled may be cancelled. (An event's
# status has its own type with the same words: the maps are keyed by the words.)
TRANSITIONS: dict[str, frozenset[str]] = {
    RoundStatus.planned: frozenset(
        {RoundStatus.in_progress, RoundStatus.done, RoundStatus.cancelled}
    ),
    RoundStatus.in_progress: frozenset({RoundStatus.done, RoundStatus.cancelled}),
    RoundStatus.done: frozenset({RoundStatus.cancelled}),
    RoundStatus.cancelled: frozenset(),
}
# Staff move their own round forward and never cancel it.
STAFF_TRANSITIONS: dict[str, frozenset[str]] = {
    RoundStatus.planned: frozenset({RoundStatus.in_progress, RoundStatus.done}),
    RoundStatus.in_progress: frozenset({RoundStatus.done}),
}
SLOT_FIELDS = frozenset({"building_ids", "assignee_ids", "starts_at", "ends_at", "units"})
# PATCH may clear these with null; every other field needs a value when it is sent.
NULLABLE = frozenset({"units", "notes", "location"})


def _invalid(field_name: str, message: str) -> Invalid:
    return Invalid(message, errors=[{"field": field_name, "message": message}])


def _refuse_nulls(changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if value is None and key not in NULLABLE:
            raise _invalid(key, f"{key} cannot be empty")


def _check_transition(current: str, new: str, *, staff: bool) -> None:
    if new == current:
        return
    if staff and new == RoundStatus.cancelled:
        raise Forbidden("Only a manager or officer may cancel a round")
    allowed = (STAFF_TRANSITIONS if staff else TRANSITIONS).get(current, frozenset())
    if new not in allowed:
        raise Conflict(
            f"The status cannot go from {current} to {new}",
            errors=[{"field": "status", "message": f"{current} → {new} is not allowed"}],
        )


# --- campaigns -----------------------------------------------------------------------------


def create_campaign(
    session: Session, *, actor: Actor, community: Community, payload: CampaignCreate
) -> Campaign:
    """Start a campaign in a community."""
    actor.require(community.id, PLANNERS, what="Community")
    campaign = Campaign(community_id=community.id, **payload.model_dump())
    session.add(campaign)
    session.commit()
    return campaign


def list_campaigns(
    session: Session, *, community: Community, page: PageParams
) -> tuple[Sequence[Campaign], int]:
    """A community's campaigns (any member sees them all)."""
    return repo.list_campaigns(session, community.id, limit=page.limit, offset=page.offset)


def update_campaign(
    session: Session, *, actor: Actor, campaign: Campaign, payload: CampaignUpdate
) -> Campaign:
    """Change a campaign; new dates must still hold its rounds and events (409 naming them)."""
    actor.require(campaign.community_id, PLANNERS, what="Campaign")
    changes = payload.model_dump(exclude_unset=True)
    _refuse_nulls(changes)
    repo.lock_campaign(session, campaign)
    starts_on = changes.get("starts_on", campaign.starts_on)
    ends_on = changes.get("ends_on", campaign.ends_on)
    problem = check_campaign_span(starts_on, ends_on)
    if problem is not None:
        raise _invalid("ends_on", problem)
    if starts_on > campaign.starts_on or ends_on < campaign.ends_on:
        tz = _timezone(session, campaign)
        outside = [
            f"{kind} {oid} ({_local(s, tz)} – {_local(e, tz)})"
            for kind, oid, s, e in repo.campaign_slots(session, campaign.id)
            if s.astimezone(tz).date() < starts_on or e.astimezone(tz).date() > ends_on
        ]
        if outside:
            raise Conflict(
                f"These would fall outside {starts_on} – {ends_on}; move or cancel them first: "
                + ", ".join(outside[:5])
                + (f" and {len(outside) - 5} more" if len(outside) > 5 else ""),
                errors=[{"field": "starts_on", "message": "scheduled rounds or events outside"}],
            )
    for key, value in changes.items():
        setattr(campaign, key, value)
    session.commit()
    return campaign


# --- scheduling ----------------------------------------------------------------------------


def _timezone(session: Session, campaign: Campaign) -> ZoneInfo:
    community = session.get(Community, campaign.community_id)
    assert community is not None
    return ZoneInfo(community.timezone)


def _local(value: datetime, tz: ZoneInfo) -> str:
    return value.astimezone(tz).isoformat(timespec="minutes")


def _check_slot(
    session: Session,
    campaign: Campaign,
    *,
    starts_at: datetime,
    ends_at: datetime,
    building_ids: Sequence[int],
    assignee_ids: Sequence[int],
    units: dict[str, list[str]] | None = None,
    check_clashes: bool = True,
    require_open: bool = False,
    skip: tuple[repo.SlotKind[Any], int] | None = None,
) -> None:
    """Every scheduling rule for one slot; 422 naming the field, 409 naming a clash."""
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _invalid(name, f"{name} needs a time zone offset, e.g. +08:00")
    if ends_at <= starts_at:
        raise _invalid("ends_at", "ends_at must be after starts_at")
    # The campaign's dates and status must not change under the check (see update_campaign).
    repo.lock_campaign(session, campaign)
    if require_open:
        _open(campaign)
    tz = _timezone(session, campaign)
    span = f"{campaign.starts_on} – {campaign.ends_on}, {tz.key}"
    if starts_at.astimezone(tz).date() < campaign.starts_on:
        raise _invalid("starts_at", f"The slot starts before the campaign ({span})")
    if ends_at.astimezone(tz).date() > campaign.ends_on:
        raise _invalid("ends_at", f"The slot ends after the campaign ({span})")
    # Another community's building answers exactly like a missing one: nothing leaks.
    missing = sorted(
        set(building_ids) - repo.buildings_in(session, campaign.community_id, building_ids)
    )
    if missing:
        raise _invalid("building_ids", f"Buildings {missing} are not in this community")
    if units:
        strays = sorted(set(units) - {str(b) for b in building_ids})
        if strays:
            raise _invalid("units", f"units names buildings {strays} that this slot does not visit")
    people = sorted(set(assignee_ids))
    outsiders = sorted(set(people) - repo.active_members(session, campaign.community_id, people))
    if outsiders:
        raise _invalid(
            "assignee_ids", f"Users {outsiders} are not active members of this community"
        )
    if not check_clashes or not people:
        return
    # Lock the assignees first so that two bookings of one person cannot both pass the check.
    repo.lock_users(session, people)
    found = repo.clashes(session, people, starts_at, ends_at, skip=skip)
    if found:
        first = found[0]
        more = f" (and {len(found) - 1} more clashes)" if len(found) > 1 else ""
        raise Conflict(
            f"{first['display_name']} (user {first['user_id']}) is already in "
            f"{first['kind']} {first['id']} "
            f"({_local(first['starts_at'], tz)} – {_local(first['ends_at'], tz)}){more}",
            errors=[
                {
                    "field": "assignee_ids",
                    "message": "overlapping assignment",
                    "user_id": c["user_id"],
                    "kind": c["kind"],
                    "id": c["id"],
                    "starts_at": c["starts_at"].isoformat(),
                    "ends_at": c["ends_at"].isoformat(),
                }
                for c in found
            ],
        )


def _open(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.closed:
        raise Conflict("The campaign is closed; reopen it to schedule more")


def schedule_round(
    session: Session,
    *,
    campaign: Campaign,
    building_ids: Sequence[int],
    starts_at: datetime,
    ends_at: datetime,
    assignee_ids: Sequence[int],
    units: dict[str, list[str]] | None = None,
    notes: str | None = None,
) -> Round:
    """Add a round under every scheduling rule; flushes, never commits; no permission check."""
    if not building_ids:
        raise _invalid("building_ids", "A round visits at least one building")
    _check_slot(
        session,
        campaign,
        starts_at=starts_at,
        ends_at=ends_at,
        building_ids=building_ids,
        assignee_ids=assignee_ids,
        units=units,
        require_open=True,
    )
    rnd = Round(
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        starts_at=starts_at,
        ends_at=ends_at,
        status=RoundStatus.planned,
        units=units or None,
        notes=notes,
    )
    _add_slot(session, repo.ROUNDS, rnd, building_ids=building_ids, assignee_ids=assignee_ids)
    return rnd


def _add_slot(
    session: Session,
    kind: repo.SlotKind[Any],
    slot: Round | Event,
    *,
    building_ids: Sequence[int],
    assignee_ids: Sequence[int],
) -> None:
    """Store a new, checked round or event with its buildings and assignees; flushes."""
    session.add(slot)
    session.flush()
    repo.set_slot_links(
        session, kind, slot.id, building_ids=building_ids, assignee_ids=assignee_ids
    )
    session.flush()


def _recheck_slot(
    session: Session,
    kind: repo.SlotKind[Any],
    slot: Round | Event,
    changes: dict[str, Any],
    *,
    status: str,
    units: dict[str, list[str]] | None = None,
) -> None:
    """Every scheduling rule again, for a slot whose time, buildings or people change."""
    if not set(changes) & SLOT_FIELDS:
        return
    campaign = session.get(Campaign, slot.campaign_id)
    assert campaign is not None
    buildings, assignees = repo.slot_links(session, kind, [slot.id])
    _check_slot(
        session,
        campaign,
        starts_at=changes.get("starts_at", slot.starts_at),
        ends_at=changes.get("ends_at", slot.ends_at),
        building_ids=changes.get("building_ids", buildings.get(slot.id, [])),
        assignee_ids=changes.get("assignee_ids", assignees.get(slot.id, [])),
        units=units,
        check_clashes=status != RoundStatus.cancelled,
        skip=(kind, slot.id),
    )


def _apply_slot(
    session: Session,
    kind: repo.SlotKind[Any],
    slot: Round | Event,
    changes: dict[str, Any],
    keys: Sequence[str],
) -> None:
    """Write the checked changes of a round or event, its links included, and commit."""
    for key in keys:
        if key in changes:
            setattr(slot, key, changes[key])
    repo.set_slot_links(
        session,
        kind,
        slot.id,
        building_ids=changes.get("building_ids"),
        assignee_ids=changes.get("assignee_ids"),
    )
    session.commit()


_Slot = TypeVar("_Slot", Round, Event)
_SlotRead = TypeVar("_SlotRead", RoundRead, EventRead)


def _read_slots(
    session: Session, kind: repo.SlotKind[_Slot], slots: Sequence[_Slot], read: type[_SlotRead]
) -> list[_SlotRead]:
    """Round or event representations with their buildings and assignees."""
    buildings, assignees = repo.slot_links(session, kind, [s.id for s in slots])
    return [
        read.from_object(
            s, building_ids=buildings.get(s.id, []), assignee_ids=assignees.get(s.id, [])
        )
        for s in slots
    ]


def _list_slots(
    session: Session,
    kind: repo.SlotKind[_Slot],
    *,
    actor: Actor,
    campaign: Campaign,
    page: PageParams,
) -> tuple[Sequence[_Slot], int]:
    """A page of a campaign's rounds or events in time order (staff: their own)."""
    only_user = staff_scope(actor, campaign.community_id)
    return repo.list_slots(
        session, kind, campaign.id, only_user=only_user, limit=page.limit, offset=page.offset
    )


def read_rounds(session: Session, rounds: Sequence[Round]) -> list[RoundRead]:
    """Round representations with their buildings and assignees."""
    return _read_slots(session, repo.ROUNDS, rounds, RoundRead)


def create_round(
    session: Session, *, actor: Actor, campaign: Campaign, payload: RoundCreate
) -> Round:
    """Schedule a visit round."""
    actor.require(campaign.community_id, PLANNERS, what="Campaign")
    rnd = schedule_round(session, campaign=campaign, **payload.model_dump())
    session.commit()
    return rnd


def list_rounds(
    session: Session, *, actor: Actor, campaign: Campaign, page: PageParams
) -> tuple[list[RoundRead], int]:
    """A campaign's rounds (staff: their own)."""
    rows, total = _list_slots(session, repo.ROUNDS, actor=actor, campaign=campaign, page=page)
    return read_rounds(session, rows), total


def update_round(session: Session, *, actor: Actor, rnd: Round, payload: RoundUpdate) -> Round:
    """Change a round; staff may only move their own round's status forward."""
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    _refuse_nulls(changes)
    staff = not actor.is_planner_in(rnd.community_id)
    if staff and set(changes) - {"status"}:
        raise Forbidden("Staff may only update the status of their own round")
    status = changes.get("status", rnd.status)
    _check_transition(rnd.status, status, staff=staff)
    _recheck_slot(
        session, repo.ROUNDS, rnd, changes, status=status, units=changes.get("units", rnd.units)
    )
    if "units" in changes:
        rnd.units = changes["units"] or None
    _apply_slot(session, repo.ROUNDS, rnd, changes, ("starts_at", "ends_at", "status", "notes"))
    return rnd


def round_households(session: Session, *, round_: Round) -> list[Household]:
    """The households a round visits, in building, unit, floor, room order."""
    buildings, _ = repo.round_links(session, [round_.id])
    return repo.households_of(session, buildings.get(round_.id, []), round_.units)


def _checklist_status(occupancy: Occupancy, status: str | None) -> str:
    """A household's status on the round page: vacant in the registry reads as vacant."""
    if status is None or status == "unvisited":
        return "vacant" if occupancy == Occupancy.vacant else "unvisited"
    return status


def checklist(session: Session, *, actor: Actor, rnd: Round) -> list[ChecklistItem]:
    """A round's households with their current campaign status."""
    households = round_households(session, round_=rnd)
    states = household_states(
        session,
        campaign_id=rnd.campaign_id,
        community_id=rnd.community_id,
        household_ids=[h.id for h in households],
    )
    codes = repo.building_codes(session, sorted({h.building_id for h in households}))
    items = []
    for read in communities.read_households(session, actor=actor, households=households):
        state = states.get(read.id)
        items.append(
            ChecklistItem(
                **read.model_dump(),
                building_code=codes.get(read.building_id, ""),
                status=_checklist_status(read.occupancy, state.status if state else None),
                excluded=read.occupancy == Occupancy.vacant or bool(state and state.excluded),
                contacts=state.contacts if state else 0,
                last_contact_at=state.last_contact_at if state else None,
                last_channel=state.last_channel if state else None,
            )
        )
    return items


# --- events --------------------------------------------------------------------------------


def read_events(session: Session, events: Sequence[Event]) -> list[EventRead]:
    """Event representations with their buildings and assignees."""
    return _read_slots(session, repo.EVENTS, events, EventRead)


def create_event(
    session: Session, *, actor: Actor, campaign: Campaign, payload: EventCreate
) -> Event:
    """Schedule a convenience-service event."""
    actor.require(campaign.community_id, PLANNERS, what="Campaign")
    _check_slot(
        session,
        campaign,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        building_ids=payload.building_ids,
        assignee_ids=payload.assignee_ids,
        require_open=True,
    )
    event = Event(
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        **payload.model_dump(exclude={"building_ids", "assignee_ids"}),
    )
    _add_slot(
        session,
        repo.EVENTS,
        event,
        building_ids=payload.building_ids,
        assignee_ids=payload.assignee_ids,
    )
    session.commit()
    return event


def list_events(
    session: Session, *, actor: Actor, campaign: Campaign, page: PageParams
) -> tuple[list[EventRead], int]:
    """A campaign's events (staff: their own)."""
    rows, total = _list_slots(session, repo.EVENTS, actor=actor, campaign=campaign, page=page)
    return read_events(session, rows), total


def update_event(session: Session, *, actor: Actor, event: Event, payload: EventUpdate) -> Event:
    """Change an event (planners only) under the same scheduling rules as a round."""
    actor.require(event.community_id, PLANNERS, what="Event")
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    _refuse_nulls(changes)
    status = changes.get("status", event.status)
    _check_transition(event.status, status, staff=False)
    _recheck_slot(session, repo.EVENTS, event, changes, status=status)
    keys = ("title", "services", "location", "starts_at", "ends_at", "status")
    _apply_slot(session, repo.EVENTS, event, changes, keys)
    return event


def my_schedule(
    session: Session, *, actor: Actor, start: datetime, end: datetime
) -> list[ScheduleItem]:
    """The actor's rounds and events in [start, end), in time order."""
    items = repo.schedule_for(session, actor.id, start, end)
    round_buildings, _ = repo.round_links(session, [x.id for k, x, _, _ in items if k == "round"])
    event_buildings, _ = repo.event_links(session, [x.id for k, x, _, _ in items if k == "event"])
    codes = repo.building_codes(
        session,
        sorted({b for ids in (*round_buildings.values(), *event_buildings.values()) for b in ids}),
    )
    result = []
    for kind, item, campaign, community in items:
        if kind == "round":
            buildings = round_buildings.get(item.id, [])
            names = "、".join(f"{codes.get(b, b)}幢" for b in buildings)
            title = f"入户走访 {names} / Visit round #{item.id}"
        else:
            buildings = event_buildings.get(item.id, [])
            title = item.title
        result.append(
            ScheduleItem.from_object(
                item,
                kind=kind,
                campaign_name=campaign.name,
                community_name=community.name,
                title=title,
                building_ids=buildings,
                building_codes=[codes.get(b, "") for b in buildings],
            )
        )
    return result
