"""Recording contacts, one at a time or in batches, listing and undoing them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.auth.dependencies import ActorDep
from app.campaigns.dependencies import CampaignDep
from app.contacts import service
from app.contacts.dependencies import ContactDep
from app.contacts.schemas import (
    BatchResult,
    ContactBatch,
    ContactCreate,
    ContactQueryDep,
    ContactRead,
    ContactVoid,
)
from app.db import SessionDep
from app.schemas import Page

router = APIRouter(tags=["contacts"])


@router.post(
    "/contacts",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": ContactRead, "description": "Sent before: the stored contact"}},
)
def record_contact(
    session: SessionDep, actor: ActorDep, payload: ContactCreate, response: Response
) -> ContactRead:
    """Record one contact with a UUID the client made.

    Sending the same id and body again answers the stored contact with 200 and stores nothing;
    the same id with another body answers 409.
    """
    contact, created = service.record_contact(session, actor=actor, payload=payload)
    if not created:
        response.status_code = status.HTTP_200_OK
    return ContactRead.of(contact)


@router.post("/contacts/batch")
def record_contacts(session: SessionDep, actor: ActorDep, payload: ContactBatch) -> BatchResult:
    """Record up to 500 contacts, e.g. a phone's offline queue or a whole floor "not home".

    Answers one result per item, in order, each with the HTTP status the item would have had
    alone (201, 200, 403, 404, 409, 422) and, on failure, the error; one bad item does not
    stop the others.
    """
    return BatchResult(results=service.record_batch(session, actor=actor, items=payload.contacts))


@router.get("/campaigns/{campaign_id}/contacts")
def list_contacts(
    session: SessionDep, actor: ActorDep, campaign: CampaignDep, query: ContactQueryDep
) -> Page[ContactRead]:
    """A campaign's contacts, newest first; voided ones are included unless asked not to."""
    rows, total = service.list_contacts(session, actor=actor, campaign=campaign, query=query)
    return Page[ContactRead](items=[ContactRead.of(c) for c in rows], total=total)


# ``:uuid`` so that /contacts/batch is never read as a contact id (GET on it answers 405).
@router.get("/contacts/{contact_id:uuid}")
def get_contact(contact: ContactDep) -> ContactRead:
    """One contact."""
    return ContactRead.of(contact)


@router.post("/contacts/{contact_id}/void")
def void_contact(
    session: SessionDep, actor: ActorDep, contact_id: uuid.UUID, payload: ContactVoid
) -> ContactRead:
    """Undo a mistaken contact; it stays on record and counts nowhere. Voiding twice is harmless."""
    return ContactRead.of(
        service.void_contact(session, actor=actor, contact_id=contact_id, payload=payload)
    )
