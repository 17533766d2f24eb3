"""Recording, batching, voiding and listing contacts."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import ActorDep
from app.contacts import service
from app.contacts.models import Contact
from app.contacts.schemas import BatchResult, ContactBatch, ContactCreate, ContactRead, ContactVoid
from app.db import SessionDep
from app.enums import Channel
from app.schemas import Id, IdPath, Page, PageDep, with_offset

router = APIRouter(tags=["contacts"])


def to_read(contact: Contact) -> ContactRead:
    """A contact as answered: its time at the offset the client gave."""
    read = ContactRead.model_validate(contact)
    read.occurred_at = with_offset(contact.occurred_at, contact.utc_offset_minutes)
    return read


@router.post(
    "/contacts",
    response_model=ContactRead,
    status_code=status.HTTP_201_CREATED,
    responses={
        200: {"description": "A retry of a stored contact: nothing new stored"},
        409: {"description": "The id was used with a different body"},
    },
)
def record_contact(
    session: SessionDep, actor: ActorDep, payload: ContactCreate, response: Response
) -> ContactRead:
    """Record one contact (201); the same id and body again answers the stored one (200)."""
    contact, created = service.record_contact(session, actor=actor, payload=payload)
    if not created:
        response.status_code = status.HTTP_200_OK
    return to_read(contact)


@router.post("/contacts/batch", response_model=BatchResult)
def record_contacts_batch(
    session: SessionDep, actor: ActorDep, payload: ContactBatch
) -> BatchResult:
    """Record up to 500 contacts; one result per item, in order, with its own status."""
    return BatchResult(results=service.record_batch(session, actor=actor, items=payload.contacts))


@router.get("/contacts/{contact_id}", response_model=ContactRead)
def get_contact(session: SessionDep, actor: ActorDep, contact_id: uuid.UUID) -> ContactRead:
    """One contact."""
    return to_read(service.get_contact(session, actor=actor, contact_id=contact_id))


@router.post("/contacts/{contact_id}/void", response_model=ContactRead)
def void_contact(
    session: SessionDep, actor: ActorDep, contact_id: uuid.UUID, payload: ContactVoid
) -> ContactRead:
    """Undo a mistaken tap: kept on record with who, when and why; counts nowhere."""
    contact = service.void_contact(
        session, actor=actor, contact_id=contact_id, reason=payload.reason
    )
    return to_read(contact)


@router.get("/campaigns/{campaign_id}/contacts", response_model=Page[ContactRead])
def list_contacts(
    session: SessionDep,
    actor: ActorDep,
    campaign_id: IdPath,
    page: PageDep,
    household_id: Id | None = None,
    round_id: Id | None = None,
    channel: Channel | None = None,
    include_voided: bool = True,
) -> Page[ContactRead]:
    """The campaign's contacts, newest first."""
    rows, total = service.list_contacts(
        session,
        actor=actor,
        campaign_id=campaign_id,
        household_id=household_id,
        round_id=round_id,
        channel=channel,
        include_voided=include_voided,
        limit=page.limit,
        offset=page.offset,
    )
    return Page[ContactRead](items=[to_read(c) for c in rows], total=total)
