"""What the manager's page reads that the core API does not answer in one call."""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.auth.permissions import Actor
from app.coverage import repository as coverage_repo
from app.coverage import service as coverage
from app.web import repository as repo
from app.web.schemas import NotReachedHousehold

_STATUS = {-1: "unvisited", 0: "unvisited"} | coverage_repo.STATUS_BY_RANK


def households_not_reached(
    session: Session, *, actor: Actor, campaign_id: int, limit: int, offset: int
) -> tuple[list[NotReachedHousehold], int]:
    """The campaign's eligible households not reached yet (planners only), and their number."""
    campaign, _ = coverage.load_campaign(session, actor=actor, campaign_id=campaign_id)
    state = coverage_repo.household_rows(campaign.id, campaign.community_id)
    rows, total = repo.not_reached(session, state, limit=limit, offset=offset)
    items = [
        NotReachedHousehold(
            household_id=r["household_id"],
            code=r["code"],
            building_id=r["building_id"],
            building_code=r["building_code"],
            unit=r["unit"],
            floor=r["floor"],
            room=r["room"],
            status=_STATUS[int(r["best_rank"])],
        )
        for r in rows
    ]
    return items, total
