"""Campaigns, rounds, events, the fraud-type catalogue and the member's schedule."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, status

from app.auth.dependencies import ActorDep
from app.campaigns import service
from app.campaigns.catalogue import FRAUD_TYPES, get_fraud_type
from app.campaigns.dependencies import CampaignDep, EventDep, RoundDep
from app.campaigns.schemas import (
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    ChecklistItem,
    EventCreate,
    EventRead,
    EventUpdate,
    FraudTypeRead,
    RoundCreate,
    RoundRead,
    RoundUpdate,
    ScheduleItem,
)
from app.communities.dependencies import CommunityDep
from app.db import SessionDep, utcnow
from app.errors import Invalid, NotFound
from app.schemas import AwareDatetime, Page, PageDep

router = APIRouter(tags=["campaigns"])


@router.get("/fraud-types")
def list_fraud_types(actor: ActorDep) -> Page[FraudTypeRead]:
    """The built-in bilingual catalogue of fraud types."""
    items = [FraudTypeRead.model_validate(t) for t in FRAUD_TYPES]
    return Page[FraudTypeRead](items=items, total=len(items))


@router.get("/fraud-types/{code}")
def get_fraud_type_entry(actor: ActorDep, code: str) -> FraudTypeRead:
    """One fraud type."""
    found = get_fraud_type(code)
    if found is None:
        raise NotFound(f"No fraud type {code!r}")
    return FraudTypeRead.model_validate(found)


@router.post("/communities/{community_id}/campaigns", status_code=status.HTTP_201_CREATED)
def create_campaign(
    session: SessionDep, actor: ActorDep, community: CommunityDep, payload: CampaignCreate
) -> CampaignRead:
    """Start a campaign."""
    return CampaignRead.model_validate(
        service.create_campaign(session, actor=actor, community=community, payload=payload)
    )


@router.get("/communities/{community_id}/campaigns")
def list_campaigns(
    session: SessionDep, community: CommunityDep, page: PageDep
) -> Page[CampaignRead]:
    """The community's campaigns, newest first."""
    rows, total = service.list_campaigns(session, community=community, page=page)
    return Page[CampaignRead](items=[CampaignRead.model_validate(c) for c in rows], total=total)


@router.get("/campaigns/{campaign_id}")
def get_campaign(campaign: CampaignDep) -> CampaignRead:
    """One campaign."""
    return CampaignRead.model_validate(campaign)


@router.patch("/campaigns/{campaign_id}")
def update_campaign(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, payload: CampaignUpdate
) -> CampaignRead:
    """Change a campaign."""
    return CampaignRead.model_validate(
        service.update_campaign(session, actor=actor, campaign=campaign, payload=payload)
    )


@router.post("/campaigns/{campaign_id}/rounds", status_code=status.HTTP_201_CREATED)
def create_round(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, payload: RoundCreate
) -> RoundRead:
    """Schedule a visit round (409 naming the clash if an assignee is already busy)."""
    rnd = service.create_round(session, actor=actor, campaign=campaign, payload=payload)
    return service.read_rounds(session, [rnd])[0]


@router.get("/campaigns/{campaign_id}/rounds")
def list_rounds(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, page: PageDep
) -> Page[RoundRead]:
    """The campaign's rounds in time order (staff: their own)."""
    items, total = service.list_rounds(session, actor=actor, campaign=campaign, page=page)
    return Page[RoundRead](items=items, total=total)


@router.get("/rounds/{round_id}")
def get_round(session: SessionDep, round_: RoundDep) -> RoundRead:
    """One round."""
    return service.read_rounds(session, [round_])[0]


@router.patch("/rounds/{round_id}")
def update_round(
    session: SessionDep, actor: ActorDep, round_: RoundDep, payload: RoundUpdate
) -> RoundRead:
    """Change a round (staff: move their own round's status forward)."""
    rnd = service.update_round(session, actor=actor, rnd=round_, payload=payload)
    return service.read_rounds(session, [rnd])[0]


@router.get("/rounds/{round_id}/households")
def list_round_households(
    session: SessionDep, actor: ActorDep, round_: RoundDep
) -> Page[ChecklistItem]:
    """The round's checklist: each household with its current campaign status."""
    items = service.checklist(session, actor=actor, rnd=round_)
    return Page[ChecklistItem](items=items, total=len(items))


@router.post("/campaigns/{campaign_id}/events", status_code=status.HTTP_201_CREATED)
def create_event(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, payload: EventCreate
) -> EventRead:
    """Schedule a convenience-service event."""
    event = service.create_event(session, actor=actor, campaign=campaign, payload=payload)
    return service.read_events(session, [event])[0]


@router.get("/campaigns/{campaign_id}/events")
def list_events(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, page: PageDep
) -> Page[EventRead]:
    """The campaign's events (staff: their own)."""
    items, total = service.list_events(session, actor=actor, campaign=campaign, page=page)
    return Page[EventRead](items=items, total=total)


@router.get("/events/{event_id}")
def get_event(session: SessionDep, event: EventDep) -> EventRead:
    """One event."""
    return service.read_events(session, [event])[0]


@router.patch("/events/{event_id}")
def update_event(
    session: SessionDep, actor: ActorDep, event: EventDep, payload: EventUpdate
) -> EventRead:
    """Change an event."""
    event = service.update_event(session, actor=actor, event=event, payload=payload)
    return service.read_events(session, [event])[0]


@router.get("/members/me/schedule")
def list_my_schedule(
    session: SessionDep,
    actor: ActorDep,
    start: Annotated[AwareDatetime | None, Query(alias="from")] = None,
    end: Annotated[AwareDatetime | None, Query(alias="to")] = None,
) -> Page[ScheduleItem]:
    """Your rounds and events (default: from a day ago to two weeks ahead)."""
    now = utcnow()
    start_at: datetime = start or now - timedelta(days=1)
    end_at: datetime = end or now + timedelta(days=14)
    if end_at <= start_at:
        raise Invalid("'to' must be after 'from'", errors=[{"field": "to", "message": "order"}])
    items = service.my_schedule(session, actor=actor, start=start_at, end=end_at)
    return Page[ScheduleItem](items=items, total=len(items))
