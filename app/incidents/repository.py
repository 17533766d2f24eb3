"""Queries for incidents."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import paginate
from app.incidents.models import Incident, IncidentChange
from app.incidents.schemas import IncidentFilters


def list_incidents(
    session: Session,
    community_id: int,
    filters: IncidentFilters,
    *,
    reported_by: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Incident], int]:
    """A page of a community's incidents, newest first, filtered."""
    stmt = select(Incident).where(Incident.community_id == community_id)
    if reported_by is not None:
        stmt = stmt.where(Incident.reported_by == reported_by)
    if filters.status is not None:
        stmt = stmt.where(Incident.status == filters.status)
    if filters.fraud_type is not None:
        stmt = stmt.where(Incident.fraud_type == filters.fraud_type)
    if filters.campaign_id is not None:
        stmt = stmt.where(Incident.campaign_id == filters.campaign_id)
    if filters.start is not None:
        stmt = stmt.where(Incident.occurred_at >= filters.start)
    if filters.end is not None:
        stmt = stmt.where(Incident.occurred_at < filters.end)
    return paginate(
        session,
        stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc()),
        limit=limit,
        offset=offset,
    )


def history(session: Session, incident_id: int) -> Sequence[IncidentChange]:
    """A report's changes, oldest first."""
    return session.scalars(
        select(IncidentChange)
        .where(IncidentChange.incident_id == incident_id)
        .order_by(IncidentChange.id)
    ).all()
