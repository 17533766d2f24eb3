"""Campaigns, rounds and events, and the scheduling rules they obey.

Scheduling rules: a round or event lies inside its campaign's dates (in the community's time
zone); its buildings and assignees belong to the campaign's community; an assignee is never in
two overlapping rounds or events (cancelled ones aside), which answers 409 naming the clash.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.auth import repository as auth_repo
from app.auth.permissions import EVERYONE, PLANNERS, Actor
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
)
from app.communities import service as communities
from app.communities.models import Building, Community, Household
from app.coverage import service as coverage
from app.enums import CampaignStatus, Role, RoundStatus
from app.errors import Conflict, Forbidden, Invalid, NotFound

STAFF_TRANSITIONS = {
    RoundStatus.planned: {RoundStatus.in_progress, RoundStatus.done},
    RoundStatus.in_progress: {RoundStatus.done},
}


def _invalid(field_name: str, message: str) -> Invalid:
    return Invalid(message, errors=[{"field": field_name, "message": message}])


# --- campaigns -----------------------------------------------------------------------------


def get_campaign(
    session: Session, *, actor: Actor, campaign_id: int, allowed: tuple[Role, ...] = EVERYONE
) -> Campaign:
    """A campaign the actor may see (404 across communities, 403 for a weaker role)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not actor.can_see(campaign.community_id):
        raise NotFound("Campaign not found")
    actor.require(campaign.community_id, allowed, what="Campaign")
    return campaign


def create_campaign(
    session: Session, *, actor: Actor, community_id: int, payload: CampaignCreate
) -> Campaign:
    """Start a campaign in a community."""
    communities.get_community(session, actor=actor, community_id=community_id)
    actor.require(community_id, PLANNERS, what="Community")
    campaign = Campaign(community_id=community_id, **payload.model_dump())
    session.add(campaign)
    session.commit()
    return campaign


def list_campaigns(
    session: Session, *, actor: Actor, community_id: int, limit: int, offset: int
) -> tuple[Sequence[Campaign], int]:
    """A community's campaigns."""
    communities.get_community(session, actor=actor, community_id=community_id)
    actor.require(community_id, EVERYONE, what="Community")
    return repo.list_campaigns(session, community_id, limit=limit, offset=offset)


def update_campaign(
    session: Session, *, actor: Actor, campaign_id: int, payload: CampaignUpdate
) -> Campaign:
    """Change a campaign; its dates must still hold its rounds and events."""
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id, allowed=PLANNERS)
    for key, value in payload.model_dump(exclude_unset=True).items():
        if value is None:
            raise _invalid(key, f"{key} cannot be empty")
        setattr(campaign, key, value)
    if campaign.ends_on < campaign.starts_on:
        raise _invalid("ends_on", "ends_on is before starts_on")
    session.commit()
    return campaign


# --- scheduling ----------------------------------------------------------------------------


def _check_slot(
    session: Session,
    campaign: Campaign,
    *,
    starts_at: datetime,
    ends_at: datetime,
    building_ids: Sequence[int],
    assignee_ids: Sequence[int],
    skip_round: int | None = None,
    skip_event: int | None = None,
) -> None:
    if ends_at <= starts_at:
        raise _invalid("ends_at", "ends_at must be after starts_at")
    community = session.get(Community, campaign.community_id)
    assert community is not None
    tz = ZoneInfo(community.timezone)
    if (
        starts_at.astimezone(tz).date() < campaign.starts_on
        or ends_at.astimezone(tz).date() > campaign.ends_on
    ):
        raise _invalid(
            "starts_at",
            f"The slot must lie within the campaign "
            f"({campaign.starts_on} – {campaign.ends_on}, {community.timezone})",
        )
    if set(building_ids) - repo.buildings_in(session, campaign.community_id, building_ids):
        raise _invalid("building_ids", "A building is not in this campaign's community")
    members = auth_repo.members_of(session, campaign.community_id, assignee_ids)
    if set(assignee_ids) - members:
        raise _invalid("assignee_ids", "An assignee is not a member of this community")
    repo.lock_users(session, sorted(set(assignee_ids)))
    found = repo.clashes(
        session,
        sorted(set(assignee_ids)),
        starts_at,
        ends_at,
        skip_round=skip_round,
        skip_event=skip_event,
    )
    if found:
        first = found[0]
        raise Conflict(
            f"User {first['user_id']} is already in {first['kind']} {first['id']} "
            f"({first['starts_at'].isoformat()} – {first['ends_at'].isoformat()})",
            errors=[
                {
                    "field": "assignee_ids",
                    "message": "overlapping assignment",
                    **{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in c.items()},
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
    """Add a round under every scheduling rule; flushes, does not commit (no permission check)."""
    _open(campaign)
    if not building_ids:
        raise _invalid("building_ids", "A round visits at least one building")
    _check_slot(
        session,
        campaign,
        starts_at=starts_at,
        ends_at=ends_at,
        building_ids=building_ids,
        assignee_ids=assignee_ids,
    )
    rnd = Round(
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        starts_at=starts_at,
        ends_at=ends_at,
        units=units,
        notes=notes,
    )
    session.add(rnd)
    session.flush()
    repo.set_round_links(session, rnd.id, building_ids=building_ids, assignee_ids=assignee_ids)
    session.flush()
    return rnd


def read_rounds(session: Session, rounds: Sequence[Round]) -> list[RoundRead]:
    """Round representations with their buildings and assignees."""
    buildings, assignees = repo.round_links(session, [r.id for r in rounds])
    return [
        RoundRead(
            id=r.id,
            campaign_id=r.campaign_id,
            community_id=r.community_id,
            building_ids=buildings.get(r.id, []),
            assignee_ids=assignees.get(r.id, []),
            starts_at=r.starts_at,
            ends_at=r.ends_at,
            status=r.status,
            units=r.units,
            notes=r.notes,
            created_at=r.created_at,
        )
        for r in rounds
    ]


def create_round(
    session: Session, *, actor: Actor, campaign_id: int, payload: RoundCreate
) -> Round:
    """Schedule a visit round."""
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id, allowed=PLANNERS)
    rnd = schedule_round(
        session,
        campaign=campaign,
        building_ids=payload.building_ids,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        assignee_ids=payload.assignee_ids,
        units=payload.units,
        notes=payload.notes,
    )
    session.commit()
    return rnd


def _is_assigned_round(session: Session, rnd: Round, user_id: int) -> bool:
    _, assignees = repo.round_links(session, [rnd.id])
    return user_id in assignees.get(rnd.id, [])


def get_round(session: Session, *, actor: Actor, round_id: int) -> Round:
    """A round the actor may see (staff: only their own)."""
    rnd = session.get(Round, round_id)
    if rnd is None or not actor.can_see(rnd.community_id):
        raise NotFound("Round not found")
    role = actor.require(rnd.community_id, EVERYONE, what="Round")
    if role == Role.staff and not _is_assigned_round(session, rnd, actor.id):
        raise NotFound("Round not found")
    return rnd


def list_rounds(
    session: Session, *, actor: Actor, campaign_id: int, limit: int, offset: int
) -> tuple[list[RoundRead], int]:
    """A campaign's rounds (staff: their own)."""
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id)
    staff = actor.role_in(campaign.community_id) == Role.staff and not actor.is_admin
    rows, total = repo.list_rounds(
        session, campaign.id, only_user=actor.id if staff else None, limit=limit, offset=offset
    )
    return read_rounds(session, rows), total


def update_round(session: Session, *, actor: Actor, round_id: int, payload: RoundUpdate) -> Round:
    """Change a round; staff may only move their own round's status forward."""
    rnd = get_round(session, actor=actor, round_id=round_id)
    changes = payload.model_dump(exclude_unset=True)
    if not actor.is_planner_in(rnd.community_id):
        if set(changes) - {"status"}:
            raise Forbidden("Staff may only update the status of their own round")
        new = changes.get("status")
        if new is not None and new not in STAFF_TRANSITIONS.get(rnd.status, set()):
            raise Conflict(f"A round cannot go from {rnd.status} to {new}")
    campaign = session.get(Campaign, rnd.campaign_id)
    assert campaign is not None
    buildings, assignees = repo.round_links(session, [rnd.id])
    building_ids = changes.get("building_ids") or buildings.get(rnd.id, [])
    assignee_ids = (
        changes["assignee_ids"]
        if changes.get("assignee_ids") is not None
        else (assignees.get(rnd.id, []))
    )
    starts_at = changes.get("starts_at") or rnd.starts_at
    ends_at = changes.get("ends_at") or rnd.ends_at
    status = changes.get("status") or rnd.status
    if status != RoundStatus.cancelled and set(changes) & {
        "building_ids",
        "assignee_ids",
        "starts_at",
        "ends_at",
        "status",
    }:
        _check_slot(
            session,
            campaign,
            starts_at=starts_at,
            ends_at=ends_at,
            building_ids=building_ids,
            assignee_ids=assignee_ids,
            skip_round=rnd.id,
        )
    rnd.starts_at, rnd.ends_at, rnd.status = starts_at, ends_at, status
    if "units" in changes:
        rnd.units = changes["units"]
    if "notes" in changes:
        rnd.notes = changes["notes"]
    repo.set_round_links(
        session,
        rnd.id,
        building_ids=changes.get("building_ids"),
        assignee_ids=changes.get("assignee_ids"),
    )
    session.commit()
    return rnd


def round_households(session: Session, *, round_: Round) -> list[Household]:
    """The households a round visits, in building, unit, floor, room order."""
    buildings, _ = repo.round_links(session, [round_.id])
    return repo.households_of(session, buildings.get(round_.id, []), round_.units)


def checklist(session: Session, *, actor: Actor, round_id: int) -> list[ChecklistItem]:
    """A round's households with their current campaign status."""
    rnd = get_round(session, actor=actor, round_id=round_id)
    households = round_households(session, round_=rnd)
    states = coverage.household_states(
        session, campaign_id=rnd.campaign_id, household_ids=[h.id for h in households]
    )
    codes = {
        b.id: b.code
        for b in session.query(Building).filter(
            Building.id.in_({h.building_id for h in households})
        )
    }
    items = []
    for read in communities.read_households(session, actor=actor, households=households):
        state = states.get(read.id)
        items.append(
            ChecklistItem(
                **read.model_dump(),
                building_code=codes.get(read.building_id, ""),
                status=state.status if state else "unvisited",
                excluded=state.excluded if state else False,
                contacts=state.contacts if state else 0,
                last_contact_at=state.last_contact_at if state else None,
            )
        )
    return items


# --- events --------------------------------------------------------------------------------


def read_events(session: Session, events: Sequence[Event]) -> list[EventRead]:
    """Event representations with their buildings and assignees."""
    buildings, assignees = repo.event_links(session, [e.id for e in events])
    return [
        EventRead(
            id=e.id,
            campaign_id=e.campaign_id,
            community_id=e.community_id,
            title=e.title,
            services=e.services,
            location=e.location,
            starts_at=e.starts_at,
            ends_at=e.ends_at,
            status=e.status,
            building_ids=buildings.get(e.id, []),
            assignee_ids=assignees.get(e.id, []),
            created_at=e.created_at,
        )
        for e in events
    ]


def create_event(
    session: Session, *, actor: Actor, campaign_id: int, payload: EventCreate
) -> Event:
    """Schedule a convenience-service event."""
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id, allowed=PLANNERS)
    _open(campaign)
    _check_slot(
        session,
        campaign,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        building_ids=payload.building_ids,
        assignee_ids=payload.assignee_ids,
    )
    event = Event(
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        title=payload.title,
        services=payload.services,
        location=payload.location,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    session.add(event)
    session.flush()
    repo.set_event_links(
        session, event.id, building_ids=payload.building_ids, assignee_ids=payload.assignee_ids
    )
    session.commit()
    return event


def get_event(session: Session, *, actor: Actor, event_id: int) -> Event:
    """An event the actor may see (staff: only their own)."""
    event = session.get(Event, event_id)
    if event is None or not actor.can_see(event.community_id):
        raise NotFound("Event not found")
    role = actor.require(event.community_id, EVERYONE, what="Event")
    if role == Role.staff:
        _, assignees = repo.event_links(session, [event.id])
        if actor.id not in assignees.get(event.id, []):
            raise NotFound("Event not found")
    return event


def list_events(
    session: Session, *, actor: Actor, campaign_id: int, limit: int, offset: int
) -> tuple[list[EventRead], int]:
    """A campaign's events (staff: their own)."""
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id)
    staff = actor.role_in(campaign.community_id) == Role.staff and not actor.is_admin
    rows, total = repo.list_events(
        session, campaign.id, only_user=actor.id if staff else None, limit=limit, offset=offset
    )
    return read_events(session, rows), total


def update_event(session: Session, *, actor: Actor, event_id: int, payload: EventUpdate) -> Event:
    """Change an event."""
    event = get_event(session, actor=actor, event_id=event_id)
    actor.require(event.community_id, PLANNERS, what="Event")
    changes: dict[str, Any] = payload.model_dump(exclude_unset=True)
    campaign = session.get(Campaign, event.campaign_id)
    assert campaign is not None
    buildings, assignees = repo.event_links(session, [event.id])
    starts_at = changes.get("starts_at") or event.starts_at
    ends_at = changes.get("ends_at") or event.ends_at
    status = changes.get("status") or event.status
    assignee_ids = (
        changes["assignee_ids"]
        if changes.get("assignee_ids") is not None
        else (assignees.get(event.id, []))
    )
    building_ids = (
        changes["building_ids"]
        if changes.get("building_ids") is not None
        else (buildings.get(event.id, []))
    )
    if status != RoundStatus.cancelled:
        _check_slot(
            session,
            campaign,
            starts_at=starts_at,
            ends_at=ends_at,
            building_ids=building_ids,
            assignee_ids=assignee_ids,
            skip_event=event.id,
        )
    event.starts_at, event.ends_at, event.status = starts_at, ends_at, status
    for key in ("title", "services", "location"):
        if key in changes and (changes[key] is not None or key == "location"):
            setattr(event, key, changes[key])
    repo.set_event_links(
        session,
        event.id,
        building_ids=changes.get("building_ids"),
        assignee_ids=changes.get("assignee_ids"),
    )
    session.commit()
    return event


def my_schedule(
    session: Session, *, actor: Actor, start: datetime, end: datetime
) -> list[ScheduleItem]:
    """The actor's rounds and events in [start, end), in time order."""
    items = repo.schedule_for(session, actor.id, start, end)
    round_buildings, _ = repo.round_links(session, [x.id for k, x, _, _ in items if k == "round"])
    event_buildings, _ = repo.event_links(session, [x.id for k, x, _, _ in items if k == "event"])
    result = []
    for kind, item, campaign, community in items:
        if kind == "round":
            title = f"入户走访 / Visit round #{item.id}"
            buildings = round_buildings.get(item.id, [])
        else:
            title = item.title
            buildings = event_buildings.get(item.id, [])
        result.append(
            ScheduleItem(
                kind=kind,
                id=item.id,
                campaign_id=campaign.id,
                campaign_name=campaign.name,
                community_id=community.id,
                community_name=community.name,
                title=title,
                starts_at=item.starts_at,
                ends_at=item.ends_at,
                status=item.status,
                building_ids=buildings,
            )
        )
    return result
