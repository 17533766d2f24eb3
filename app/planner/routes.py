"""Planner routes: availability, plans, and the member's calendar feed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.auth.dependencies import ActorDep
from app.campaigns.dependencies import CampaignDep
from app.db import SessionDep
from app.downloads import file_responses
from app.planner import service
from app.planner.schemas import (
    AvailabilityRead,
    AvailabilityUpdate,
    FeedTokenRead,
    PlanRead,
    PlanRequest,
)

router = APIRouter(tags=["planner"])


@router.get("/campaigns/{campaign_id}/availability")
def get_availability(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep
) -> AvailabilityRead:
    """Who can work when, door and floor minutes, and visiting hours (defaults until set)."""
    return service.get_availability(session, actor=actor, campaign=campaign)


@router.put("/campaigns/{campaign_id}/availability")
def set_availability(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, payload: AvailabilityUpdate
) -> AvailabilityRead:
    """Replace the campaign's availability windows and planning settings.

    Weekdays run 0 = Monday … 6 = Sunday; visiting hours are ``"HH:MM"`` in the community's
    time zone; every window's user must be a member of the community.
    """
    return service.set_availability(session, actor=actor, campaign=campaign, payload=payload)


@router.post(
    "/campaigns/{campaign_id}/plan",
    responses={201: {"model": PlanRead, "description": "Committed: the rounds were created"}},
)
def plan_campaign(
    session: SessionDep,
    actor: ActorDep,
    campaign: CampaignDep,
    response: Response,
    payload: PlanRequest | None = None,
) -> PlanRead:
    """Propose rounds that reach the campaign's target by its end date, and say how sure.

    With ``{"commit": true}`` the rounds are created (201), all of them or none; rounds
    already started or done are never touched, and re-planning covers only what is left.
    ``{"commit": true, "rounds": [...]}`` creates the rounds of the preview the officer saw
    (each one's ``starts_at``, ``ends_at``, ``assignee_ids`` and ``household_ids``), 409 when
    one no longer fits someone's time.
    """
    commit = payload.commit if payload is not None else False
    rounds = payload.rounds if payload is not None else None
    plan = service.plan_campaign(
        session, actor=actor, campaign=campaign, commit=commit, rounds=rounds
    )
    if plan.committed:
        response.status_code = status.HTTP_201_CREATED
    return plan


@router.post("/members/me/feed-token", status_code=status.HTTP_201_CREATED)
def issue_feed_token(session: SessionDep, actor: ActorDep, request: Request) -> FeedTokenRead:
    """A calendar subscription URL for your rounds and events (shown once)."""
    token = service.issue_feed_token(session, actor=actor)
    url = request.url_for("get_my_calendar").include_query_params(token=token)
    return FeedTokenRead(token=token, url=str(url))


@router.delete("/members/me/feed-token", status_code=status.HTTP_204_NO_CONTENT)
def revoke_feed_tokens(session: SessionDep, actor: ActorDep) -> Response:
    """Stop every calendar subscription URL you were given."""
    service.revoke_feed_tokens(session, actor=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/members/me/calendar.ics",
    response_class=Response,
    responses=file_responses("text/calendar"),
)
def get_my_calendar(
    session: SessionDep,
    token: Annotated[str | None, Query(max_length=200, description="The feed token")] = None,
) -> Response:
    """Your rounds and events as an iCalendar feed that a phone calendar can subscribe to."""
    body = service.calendar_feed(session, token=token)
    return Response(
        content=body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": 'inline; filename="doorstep.ics"',
            "Cache-Control": "private, no-cache",
        },
    )
