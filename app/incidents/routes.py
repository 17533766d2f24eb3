"""Suspected-scam reports and their follow-up."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.auth.dependencies import ActorDep
from app.communities.dependencies import CommunityDep
from app.db import SessionDep
from app.incidents import service
from app.incidents.dependencies import IncidentDep
from app.incidents.models import Incident
from app.incidents.schemas import (
    IncidentChangeRead,
    IncidentCreate,
    IncidentQueryDep,
    IncidentRead,
    IncidentUpdate,
)
from app.schemas import Page, with_offset

router = APIRouter(tags=["incidents"])


def to_read(incident: Incident) -> IncidentRead:
    """A report as answered: its time at the offset it was given with."""
    read = IncidentRead.model_validate(incident)
    read.occurred_at = with_offset(incident.occurred_at, incident.utc_offset_minutes)
    return read


@router.post("/communities/{community_id}/incidents", status_code=status.HTTP_201_CREATED)
def create_incident(
    session: SessionDep, actor: ActorDep, community: CommunityDep, payload: IncidentCreate
) -> IncidentRead:
    """Log a resident's suspected-scam report."""
    return to_read(
        service.create_incident(session, actor=actor, community=community, payload=payload)
    )


@router.get("/communities/{community_id}/incidents")
def list_incidents(
    session: SessionDep, actor: ActorDep, community: CommunityDep, query: IncidentQueryDep
) -> Page[IncidentRead]:
    """The community's reports, newest first (staff: their own)."""
    rows, total = service.list_incidents(session, actor=actor, community=community, query=query)
    return Page[IncidentRead](items=[to_read(i) for i in rows], total=total)


@router.get("/incidents/{incident_id}")
def get_incident(incident: IncidentDep) -> IncidentRead:
    """One report."""
    return to_read(incident)


@router.patch("/incidents/{incident_id}")
def update_incident(
    session: SessionDep, actor: ActorDep, incident: IncidentDep, payload: IncidentUpdate
) -> IncidentRead:
    """Follow a report up: status, escalation, amounts; the change joins its history."""
    return to_read(
        service.update_incident(session, actor=actor, incident=incident, payload=payload)
    )


@router.get("/incidents/{incident_id}/history")
def list_incident_history(session: SessionDep, incident: IncidentDep) -> Page[IncidentChangeRead]:
    """Who changed what on the report, and when, oldest first."""
    rows = service.incident_history(session, incident=incident)
    return Page[IncidentChangeRead](
        items=[IncidentChangeRead.model_validate(r) for r in rows], total=len(rows)
    )
