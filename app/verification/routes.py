"""The verification sample: draw it, list it, record call-backs."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.auth.dependencies import ActorDep
from app.campaigns.dependencies import CampaignDep
from app.db import SessionDep
from app.schemas import IdPath, Page, PageDep
from app.verification import service
from app.verification.schemas import (
    ResultCreate,
    ResultRead,
    SampleCreate,
    SampleRead,
    StatusQuery,
    VerificationQueryDep,
    VerificationRead,
    VerificationUpdate,
)

router = APIRouter(tags=["verification"])


@router.post("/campaigns/{campaign_id}/verifications", status_code=status.HTTP_201_CREATED)
def draw_sample(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, payload: SampleCreate
) -> SampleRead:
    """Draw a random sample of the households counted as reached at the door (抽查回访).

    Stratified over the people who recorded the visits, in proportion; each household goes to
    a member who recorded no contact of it. Without ``size``, Doorstep draws enough for a
    ±5-point 95% interval; ``seed`` makes the draw reproducible. Officers and managers.
    """
    return service.draw_sample(session, actor=actor, campaign=campaign, payload=payload)


@router.get("/campaigns/{campaign_id}/verifications")
def list_verifications(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, query: VerificationQueryDep
) -> Page[VerificationRead]:
    """A campaign's sampled households, open ones first; staff see only those given to them."""
    items, total = service.list_verifications(session, actor=actor, campaign=campaign, query=query)
    return Page[VerificationRead](items=items, total=total)


@router.get("/members/me/verifications")
def list_my_verifications(
    session: SessionDep, actor: ActorDep, page: PageDep, status_: StatusQuery = None
) -> Page[VerificationRead]:
    """The call-backs given to you, in every community, open ones first."""
    items, total = service.list_mine(session, actor=actor, status=status_, page=page)
    return Page[VerificationRead](items=items, total=total)


@router.get("/verifications/{verification_id}")
def get_verification(
    session: SessionDep, actor: ActorDep, verification_id: IdPath
) -> VerificationRead:
    """One sampled household and where its call-back stands."""
    return service.get_verification(session, actor=actor, verification_id=verification_id)


@router.patch("/verifications/{verification_id}")
def reassign_verification(
    session: SessionDep, actor: ActorDep, verification_id: IdPath, payload: VerificationUpdate
) -> VerificationRead:
    """Give an open call-back to another member who did not visit the household."""
    return service.reassign(session, actor=actor, verification_id=verification_id, payload=payload)


@router.get("/verifications/{verification_id}/results")
def list_results(session: SessionDep, actor: ActorDep, verification_id: IdPath) -> list[ResultRead]:
    """Every call-back attempt of one sampled household, oldest first."""
    return service.list_results(session, actor=actor, verification_id=verification_id)


@router.post("/verifications/{verification_id}/result", status_code=status.HTTP_201_CREATED)
def record_result(
    session: SessionDep,
    actor: ActorDep,
    verification_id: IdPath,
    payload: ResultCreate,
    response: Response,
) -> ResultRead:
    """Record a call-back: confirmed, denied or unreachable, by phone or at the door.

    ``id`` is a UUID the client makes: the same id and body again answers the stored result
    with 200; another body under it, 409. Confirmed and denied settle the call-back;
    unreachable leaves it open. A denial changes no figure by itself: the officer voids the
    visit (``POST /contacts/{id}/void``) if it was false.
    """
    result, created = service.record_result(
        session, actor=actor, verification_id=verification_id, payload=payload
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return result
