"""Queries for incidents."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import paginate, where_given
from app.incidents.models import Incident, IncidentChange
from app.incidents.schemas import IncidentQuery


def list_incidents(
    session: Session, community_id: int, query: IncidentQuery, *, reported_by: int | None
) -> tuple[Sequence[Incident], int]:
    """A page of a community's incidents, newest first, filtered."""
    stmt = where_given(
        select(Incident).where(Incident.community_id == community_id),
        (Incident.reported_by, reported_by),
        (Incident.status, query.status),
        (Incident.fraud_type, query.fraud_type),
        (Incident.campaign_id, query.campaign_id),
    )
    if query.start is not None:
        stmt = stmt.where(Incident.occurred_at >= query.start)
    if query.end is not None:
        stmt = stmt.where(Incident.occurred_at < query.end)
    return paginate(
        session,
        stmt.order_by(Incident.occurred_at.desc(), Incident.id.desc()),
        limit=query.limit,
        offset=query.offset,
    )


def history(session: Session, incident_id: int) -> Sequence[IncidentChange]:
    """A report's changes, oldest first."""
    return session.scalars(
        select(IncidentChange)
        .where(IncidentChange.incident_id == incident_id)
        .order_by(IncidentChange.id)
    ).all()
