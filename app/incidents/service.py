"""Suspected-scam reports: staff create them, officers follow them up; every change is kept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from app.auth.permissions import Actor
from app.campaigns.models import Campaign
from app.communities.models import Community, Household
from app.enums import IncidentStatus
from app.errors import Forbidden, Invalid
from app.incidents import repository as repo
from app.incidents.models import Incident, IncidentChange
from app.incidents.schemas import IncidentCreate, IncidentQuery, IncidentUpdate
from app.loaders import load, of_community, staff_scope
from app.schemas import offset_minutes


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _check_refs(
    session: Session, community_id: int, *, household_id: int | None, campaign_id: int | None
) -> None:
    if household_id is not None:
        household = session.get(Household, household_id)
        of_community(household, community_id, field="household_id", what="household")
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        of_community(campaign, community_id, field="campaign_id", what="campaign")


def create_incident(
    session: Session, *, actor: Actor, community: Community, payload: IncidentCreate
) -> Incident:
    """Log a report (every role, staff included)."""
    _check_refs(
        session, community.id, household_id=payload.household_id, campaign_id=payload.campaign_id
    )
    incident = Incident(
        community_id=community.id,
        reported_by=actor.id if actor.id > 0 else None,
        utc_offset_minutes=offset_minutes(payload.occurred_at),
        **payload.model_dump(),
    )
    session.add(incident)
    session.flush()
    session.add(
        IncidentChange(
            incident_id=incident.id,
            changed_by=incident.reported_by,
            note="reported",
            changes={
                k: [None, _jsonable(v)] for k, v in payload.model_dump().items() if v is not None
            },
        )
    )
    session.commit()
    return incident


def open_incident(
    session: Session,
    *,
    community_id: int,
    occurred_at: datetime,
    fraud_type: str,
    channel: str,
    summary: str,
    household_id: int | None = None,
    campaign_id: int | None = None,
    amount_lost: Decimal | None = None,
    reported_by: int | None = None,
    note: str,
) -> Incident:
    """Open a ``reported`` incident inside the caller's transaction (a warning's money lost, a
    resident's report from the flyer); the caller has checked access and commits."""
    incident = Incident(
        community_id=community_id,
        campaign_id=campaign_id,
        occurred_at=occurred_at,
        utc_offset_minutes=offset_minutes(occurred_at),
        fraud_type=fraud_type,
        channel=channel[:100],
        summary=summary,
        household_id=household_id,
        amount_lost=amount_lost,
        status=IncidentStatus.reported,
        reported_by=reported_by,
    )
    session.add(incident)
    session.flush()
    session.add(IncidentChange(incident_id=incident.id, changed_by=reported_by, note=note))
    return incident


def get_incident(session: Session, *, actor: Actor, incident_id: int) -> Incident:
    """A report the actor may read (staff: their own)."""
    return load(
        session,
        Incident,
        incident_id,
        actor,
        what="Incident",
        staff_sees=lambda incident: incident.reported_by == actor.id,
    )


def list_incidents(
    session: Session, *, actor: Actor, community: Community, query: IncidentQuery
) -> tuple[Sequence[Incident], int]:
    """A community's reports (staff: their own)."""
    reported_by = staff_scope(actor, community.id)
    return repo.list_incidents(session, community.id, query, reported_by=reported_by)


def update_incident(
    session: Session, *, actor: Actor, incident: Incident, payload: IncidentUpdate
) -> Incident:
    """Follow a report up (officers and managers); the change joins its history."""
    if not actor.is_planner_in(incident.community_id):
        raise Forbidden("Only officers and managers follow reports up")
    data = payload.model_dump(exclude_unset=True)
    note = data.pop("note", None)
    for key in ("occurred_at", "fraud_type", "channel", "summary", "status"):
        if key in data and data[key] is None:
            raise Invalid(f"{key} cannot be empty", errors=[{"field": key, "message": "empty"}])
    _check_refs(
        session, incident.community_id, household_id=data.get("household_id"), campaign_id=None
    )
    changes: dict[str, Any] = {}
    for key, value in data.items():
        before = getattr(incident, key)
        if before != value:
            changes[key] = [_jsonable(before), _jsonable(value)]
            setattr(incident, key, value)
    if "occurred_at" in changes:
        incident.utc_offset_minutes = offset_minutes(data["occurred_at"])
    if changes or note:
        session.add(
            IncidentChange(incident_id=incident.id, changed_by=actor.id, changes=changes, note=note)
        )
    session.commit()
    return incident


def incident_history(session: Session, *, incident: Incident) -> Sequence[IncidentChange]:
    """Who changed what on a report, and when (``incident`` loaded for the actor)."""
    return repo.history(session, incident.id)
