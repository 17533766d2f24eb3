"""Queries for incidents."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import paginate
from app.enums import IncidentStatus
from app.incidents.models import Incident, IncidentChange


def list_incidents(
    session: Session,
    community_id: int,
    *,
    reported_by: int | None,
    status: IncidentStatus | None,
    fraud_type: str | None,
    campaign_id: int | None,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Incident], int]:
    """A page of a community's incidents, newest first, filtered."""
    stmt = select(Incident).where(Incident.community_id == community_id)
    if reported_by is not None:
        stmt = stmt.where(Incident.reported_by == reported_by)
    if status is not None:
        stmt = stmt.where(Incident.status == status)
    if fraud_type is not None:
        stmt = stmt.where(Incident.fraud_type == fraud_type)
    if campaign_id is not None:
        stmt = stmt.where(Incident.campaign_id == campaign_id)
    if start is not None:
        stmt = stmt.where(Incident.occurred_at >= start)
    if end is not None:
        stmt = stmt.where(Incident.occurred_at < end)
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
