"""Queries for contacts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns.models import EventAssignee, RoundAssignee
from app.contacts.models import Contact
from app.enums import Channel


def get(session: Session, contact_id: uuid.UUID) -> Contact | None:
    """A contact by its client-made id."""
    return session.get(Contact, contact_id)


def get_many(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Contact]:
    """Contacts by id, for a batch."""
    if not ids:
        return {}
    rows = session.scalars(select(Contact).where(Contact.id.in_(ids)))
    return {c.id: c for c in rows}


def assigned_rounds(session: Session, user_id: int) -> set[int]:
    """Ids of the rounds a member is assigned to."""
    return set(
        session.scalars(select(RoundAssignee.round_id).where(RoundAssignee.user_id == user_id))
    )


def assigned_events(session: Session, user_id: int) -> set[int]:
    """Ids of the events a member is assigned to."""
    return set(
        session.scalars(select(EventAssignee.event_id).where(EventAssignee.user_id == user_id))
    )


def list_for_campaign(
    session: Session,
    campaign_id: int,
    *,
    household_id: int | None,
    round_id: int | None,
    channel: Channel | None,
    include_voided: bool,
    recorded_by: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Contact], int]:
    """A page of a campaign's contacts, newest first."""
    stmt = select(Contact).where(Contact.campaign_id == campaign_id)
    if household_id is not None:
        stmt = stmt.where(Contact.household_id == household_id)
    if round_id is not None:
        stmt = stmt.where(Contact.round_id == round_id)
    if channel is not None:
        stmt = stmt.where(Contact.channel == channel)
    if not include_voided:
        stmt = stmt.where(Contact.voided_at.is_(None))
    if recorded_by is not None:
        stmt = stmt.where(Contact.recorded_by == recorded_by)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Contact.occurred_at.desc(), Contact.recorded_at.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return rows, total
