"""The route dependency that loads an incident report the actor may see (staff: their own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import ActorDep
from app.db import SessionDep
from app.incidents import service
from app.incidents.models import Incident
from app.schemas import IdPath


def _incident(session: SessionDep, actor: ActorDep, incident_id: IdPath) -> Incident:
    return service.get_incident(session, actor=actor, incident_id=incident_id)


IncidentDep = Annotated[Incident, Depends(_incident)]
"""The ``{incident_id}`` of the path, loaded for the request's actor; 404 otherwise."""
