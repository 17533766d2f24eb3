"""Queries of the manager's page, over the coverage rules' per-household state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, func, select
from sqlalchemy.orm import Session

from app.communities.models import Building, Household


def not_reached(
    session: Session, state: CTE, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Eligible households not reached, in building, unit, floor and room order; and how many."""
    s = state.c
    where = (s.reached == 0, s.excluded == 0)
    total = session.scalar(select(func.count()).select_from(state).where(*where)) or 0
    rows = session.execute(
        select(
            s.household_id,
            s.best_rank,
            Household.code,
            Household.building_id,
            Building.code.label("building_code"),
            Household.unit,
            Household.floor,
            Household.room,
        )
        .select_from(state)
        .join(Household, Household.id == s.household_id)
        .join(Building, Building.id == Household.building_id)
        .where(*where)
        .order_by(Building.code, Household.unit, Household.floor, Household.room, Household.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in rows], total
