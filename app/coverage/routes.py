"""Coverage figures and the rolled-up daily ledger."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import ActorDep
from app.coverage import service
from app.coverage.schemas import CoverageRead, LedgerRead
from app.db import SessionDep
from app.schemas import IdPath, IsoDate

router = APIRouter(tags=["coverage"])


@router.get("/campaigns/{campaign_id}/coverage", response_model=CoverageRead)
def get_coverage(session: SessionDep, actor: ActorDep, campaign_id: IdPath) -> CoverageRead:
    """Coverage by the rules managers sign: reached ÷ (households − excluded), with every
    numerator and denominator, per building, status, channel, local day and flag."""
    return service.campaign_coverage(session, actor=actor, campaign_id=campaign_id)


@router.get("/ledger", response_model=LedgerRead)
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
