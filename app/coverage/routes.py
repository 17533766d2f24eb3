"""Coverage figures and the rolled-up daily ledger."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from app.auth.dependencies import ActorDep
from app.coverage import service
from app.coverage.schemas import CoverageRead, LedgerRow
from app.db import SessionDep, utcnow
from app.errors import Invalid
from app.schemas import IdPath, Page

router = APIRouter(tags=["coverage"])


@router.get("/campaigns/{campaign_id}/coverage", response_model=CoverageRead)
def get_coverage(session: SessionDep, actor: ActorDep, campaign_id: IdPath) -> CoverageRead:
    """Coverage by the rules managers sign: reached ÷ (households − excluded), everywhere."""
    return service.campaign_coverage(session, actor=actor, campaign_id=campaign_id)


@router.get("/ledger", response_model=Page[LedgerRow])
def get_ledger(
    session: SessionDep,
    actor: ActorDep,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> Page[LedgerRow]:
    """The daily ledger rolled up across every community you can see, ranked by coverage."""
    end = date_to or utcnow().date()
    start = date_from or end - timedelta(days=30)
    if start > end:
        raise Invalid("'from' is after 'to'", errors=[{"field": "from", "message": "after to"}])
    rows = service.ledger(session, actor=actor, start=start, end=end)
    return Page[LedgerRow](items=rows, total=len(rows))
