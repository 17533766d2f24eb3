"""Load a campaign, round or event the actor may see (404 otherwise): the functions the
services share, and the route dependencies built on them.

Staff see only the rounds and events they are assigned to; any other of their community is a
404 for them, as one of another community is for everyone.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session

from app.auth.dependencies import ActorDep
from app.auth.permissions import EVERYONE, Actor
from app.campaigns import repository as repo
from app.campaigns.models import Campaign, Event, Round
from app.db import SessionDep
from app.enums import Role
from app.loaders import load
from app.schemas import IdPath


def get_campaign(
    session: Session, *, actor: Actor, campaign_id: int, allowed: tuple[Role, ...] = EVERYONE
) -> Campaign:
    """A campaign the actor may see (404 across communities, 403 for a weaker role)."""
    return load(session, Campaign, campaign_id, actor, what="Campaign", allowed=allowed)


def get_round(session: Session, *, actor: Actor, round_id: int) -> Round:
    """A round the actor may see (staff: only their own)."""

    def assigned(rnd: Round) -> bool:
        return actor.id in repo.round_links(session, [rnd.id])[1].get(rnd.id, [])

    return load(session, Round, round_id, actor, what="Round", staff_sees=assigned)


def get_event(session: Session, *, actor: Actor, event_id: int) -> Event:
    """An event the actor may see (staff: only their own)."""

    def assigned(event: Event) -> bool:
        return actor.id in repo.event_links(session, [event.id])[1].get(event.id, [])

    return load(session, Event, event_id, actor, what="Event", staff_sees=assigned)


def _campaign(session: SessionDep, actor: ActorDep, campaign_id: IdPath) -> Campaign:
    return get_campaign(session, actor=actor, campaign_id=campaign_id)


def _round(session: SessionDep, actor: ActorDep, round_id: IdPath) -> Round:
    return get_round(session, actor=actor, round_id=round_id)


def _event(session: SessionDep, actor: ActorDep, event_id: IdPath) -> Event:
    return get_event(session, actor=actor, event_id=event_id)


CampaignDep = Annotated[Campaign, Depends(_campaign)]
"""The ``{campaign_id}`` of the path, loaded for the request's actor (any role; 404 otherwise)."""
RoundDep = Annotated[Round, Depends(_round)]
"""The ``{round_id}`` of the path, loaded for the request's actor (staff: their own)."""
EventDep = Annotated[Event, Depends(_event)]
"""The ``{event_id}`` of the path, loaded for the request's actor (staff: their own)."""
