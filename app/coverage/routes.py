"""Coverage figures and the rolled-up daily ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import ActorDep
from app.campaigns.dependencies import CampaignDep
from app.coverage import service
from app.coverage.schemas import CoverageRead, LedgerRead, NotReachedHousehold
from app.db import SessionDep
from app.schemas import IsoDate, Page, PageDep

router = APIRouter(tags=["coverage"])


@router.get("/campaigns/{campaign_id}/coverage")
def get_coverage(session: SessionDep, actor: ActorDep, campaign: CampaignDep) -> CoverageRead:
    """Coverage by the rules managers sign: reached ÷ (households − excluded), with every
    numerator and denominator, per building, status, channel, local day and flag."""
    return service.campaign_coverage(session, actor=actor, campaign=campaign)


@router.get("/campaigns/{campaign_id}/not-reached")
def list_households_not_reached(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, page: PageDep
) -> Page[NotReachedHousehold]:
    """The campaign's eligible households no contact has reached yet, building by building."""
    items, total = service.households_not_reached(
        session, actor=actor, campaign=campaign, limit=page.limit, offset=page.offset
    )
    return Page[NotReachedHousehold](items=items, total=total)


@router.get("/ledger")
def get_ledger(
    session: SessionDep,
    actor: ActorDep,
    date_from: Annotated[IsoDate | None, Query(alias="from")] = None,
    date_to: Annotated[IsoDate | None, Query(alias="to")] = None,
) -> LedgerRead:
    """The daily ledger (台账) of every community you manage, ranked by coverage.

    ``from`` and ``to`` are local dates (default: the 30 days up to today in the communities'
    own time zone); at most 366 days.
    """
    return service.ledger(session, actor=actor, start=date_from, end=date_to)
