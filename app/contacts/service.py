"""Recording contacts: idempotent by the client's UUID, in batches, and undoing them.

A contact is an append-only fact. The client makes its id, so a phone that lost the answer
sends the same contact again: the same body answers the stored contact (200, nothing new), a
different body is a conflict (409). A batch answers each item as that item alone would have
been answered; it is checked with a few queries for all items and inserted in one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.permissions import EVERYONE, Actor
from app.campaigns.models import Campaign
from app.campaigns.repository import EVENTS, ROUNDS
from app.contacts import repository as repo
from app.contacts.models import Contact
from app.contacts.schemas import (
    BatchItemResult,
    ContactCreate,
    ContactQuery,
    ContactVoid,
    ItemError,
)
from app.coverage import state as coverage_state
from app.db import retrying, utcnow
from app.enums import Channel, Outcome, Role
from app.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from app.loaders import is_staff_in, staff_scope, visible
from app.schemas import offset_minutes

ALWAYS_REACHED = (Channel.event, Channel.walk_in)


def _invalid(field_name: str, message: str) -> Invalid:
    return Invalid(message, errors=[{"field": field_name, "message": message}])


@dataclass
class _Lookups:
    """Everything needed to check a set of new contacts, fetched in a few queries."""

    campaigns: dict[int, tuple[int, str]] = field(default_factory=dict)  # community, time zone
    households: dict[int, tuple[int, int]] = field(default_factory=dict)  # community, building
    rounds: dict[int, tuple[int, set[int]]] = field(default_factory=dict)  # campaign, buildings
    events: dict[int, int] = field(default_factory=dict)  # campaign
    staff_rounds: set[int] = field(default_factory=set)
    staff_events: set[int] = field(default_factory=set)


def _lookups_of_one(session: Session, item: ContactCreate) -> _Lookups:
    found = _Lookups()
    place = repo.places_of_one(
        session,
        campaign_id=item.campaign_id,
        household_id=item.household_id,
        round_id=item.round_id,
        event_id=item.event_id,
    )
    if place is None:
        return found
    found.campaigns[item.campaign_id] = (place.community_id, place.timezone)
    if place.household is not None:
        found.households[item.household_id] = place.household
    if item.round_id is not None and place.round_campaign_id is not None:
        buildings = {place.household[1]} if place.household and place.household_in_round else set()
        found.rounds[item.round_id] = (place.round_campaign_id, buildings)
    if item.event_id is not None and place.event_campaign_id is not None:
        found.events[item.event_id] = place.event_campaign_id
    return found


def _lookups(session: Session, actor: Actor, items: Sequence[ContactCreate]) -> _Lookups:
    round_ids = {i.round_id for i in items if i.round_id is not None}
    event_ids = {i.event_id for i in items if i.event_id is not None}
    if len(items) == 1:
        lookups = _lookups_of_one(session, items[0])
    else:
        lookups = _Lookups(
            campaigns=repo.campaign_places(session, {i.campaign_id for i in items}),
            households=repo.household_places(session, {i.household_id for i in items}),
            rounds=repo.rounds_with_buildings(session, round_ids),
            events=repo.event_campaigns(session, event_ids),
        )
    is_staff_somewhere = not actor.is_admin and any(
        actor.role_in(community_id) == Role.staff
        for community_id, _tz in lookups.campaigns.values()
    )
    if is_staff_somewhere:
        lookups.staff_rounds = repo.assigned(session, ROUNDS, actor.id, round_ids)
        lookups.staff_events = repo.assigned(session, EVENTS, actor.id, event_ids)
    return lookups


def _check(item: ContactCreate, *, actor: Actor, lookups: _Lookups) -> tuple[int, str]:
    """The campaign's community and its time zone, once every rule for a new contact holds."""
    found = lookups.campaigns.get(item.campaign_id)
    if found is None or not actor.can_see(found[0]):
        raise NotFound("Campaign not found")
    community_id, timezone = found
    role = actor.require(community_id, EVERYONE, what="Campaign")
    place = lookups.households.get(item.household_id)
    if place is None or place[0] != community_id:
        raise _invalid("household_id", "No such household in the campaign's community")
    if item.round_id is not None and item.channel != Channel.door:
        raise _invalid("round_id", "Only a door contact belongs to a round")
    if item.event_id is not None and item.channel != Channel.event:
        raise _invalid("event_id", "Only an event contact belongs to an event")
    if item.channel in ALWAYS_REACHED and item.outcome != Outcome.reached:
        raise _invalid("outcome", "Event attendance and walk-ins are always 'reached'")
    if item.round_id is not None:
        round_ = lookups.rounds.get(item.round_id)
        if round_ is None or round_[0] != item.campaign_id:
            raise _invalid("round_id", "No such round in this campaign")
        if place[1] not in round_[1]:
            raise _invalid("household_id", "The household is not in the round's buildings")
    if item.event_id is not None and lookups.events.get(item.event_id) != item.campaign_id:
        raise _invalid("event_id", "No such event in this campaign")
    if role == Role.staff:
        # DESIGN §3: staff record in their own rounds and events, and walk-ins; calls are
        # the office's (a call logged for any household would count it reached unchecked).
        if item.channel == Channel.phone:
            raise Forbidden("Staff do not record phone contacts; an officer records calls")
        if item.channel == Channel.door and item.round_id not in lookups.staff_rounds:
            raise Forbidden("Staff record door contacts only in rounds they are assigned to")
        if item.channel == Channel.event and item.event_id not in lookups.staff_events:
            raise Forbidden("Staff record attendance only at events they are assigned to")
    return community_id, timezone


def _row(
    item: ContactCreate, *, community_id: int, timezone: str, actor: Actor, now: datetime
) -> dict[str, Any]:
    """The stored columns of a new contact."""
    return {
        "id": item.id,
        "campaign_id": item.campaign_id,
        "community_id": community_id,
        "household_id": item.household_id,
        "channel": item.channel,
        "outcome": item.outcome,
        "occurred_at": item.occurred_at,
        "utc_offset_minutes": offset_minutes(item.occurred_at),
        "local_date": item.occurred_at.astimezone(ZoneInfo(timezone)).date(),
        "round_id": item.round_id,
        "event_id": item.event_id,
        "flyer_given": item.flyer_given,
        "app_installed": item.app_installed,
        "pledge_signed": item.pledge_signed,
        "residents_reached": item.residents_reached,
        "notes": item.notes,
        "body_hash": item.body_hash(),
        "recorded_by": actor.id,
        "recorded_at": now,
        "voided_at": None,
        "voided_by": None,
        "void_reason": None,
    }


@dataclass
class Recorded:
    """What one contact got: 201 stored, 200 already stored, or the error it answers."""

    status: int
    contact: Contact | None = None
    error: AppError | None = None


def _replay(stored: Contact | None, digest: str, actor: Actor) -> Recorded:
    """The answer to an id that is already stored."""
    if stored is None or not actor.can_see(stored.community_id):
        return Recorded(409, error=Conflict("This contact id is already used"))
    if stored.body_hash != digest:
        return Recorded(
            409,
            error=Conflict(
                "A different contact with this id is already stored; make a new id for a new"
                " contact"
            ),
        )
    return Recorded(200, contact=stored)


def _insert(
    session: Session, rows: dict[uuid.UUID, dict[str, Any]]
) -> tuple[set[uuid.UUID], dict[uuid.UUID, AppError]]:
    """Insert the rows in one statement; if one breaks a constraint, insert them one by one."""
    try:
        return repo.insert_new(session, list(rows.values())), {}
    except IntegrityError:
        session.rollback()
    inserted: set[uuid.UUID] = set()
    failed: dict[uuid.UUID, AppError] = {}
    for contact_id, row in rows.items():
        try:
            with session.begin_nested():
                inserted |= repo.insert_new(session, [row])
        except IntegrityError:
            # A household, round or event removed while this request was on its way.
            failed[contact_id] = Invalid(
                "The contact refers to a household, round or event that no longer exists"
            )
    return inserted, failed


def _record(
    session: Session, *, actor: Actor, items: Sequence[ContactCreate | AppError]
) -> list[Recorded]:
    """Record new contacts and answer each item; commits once.

    New contacts are checked and inserted with ON CONFLICT DO NOTHING; only ids that turn out
    to be stored already (a retry, or a concurrent request that won) and items that fail a
    check (perhaps a retry of something since changed) are read back and compared.
    """
    parsed = [i for i in items if isinstance(i, ContactCreate)]
    lookups = _lookups(session, actor, parsed) if parsed else _Lookups()
    now = utcnow()
    answers: list[Recorded | None] = [None] * len(items)
    new_rows: dict[uuid.UUID, dict[str, Any]] = {}
    new_index: dict[uuid.UUID, int] = {}
    repeats: list[tuple[int, uuid.UUID, str]] = []  # the same id again in this batch
    refused: list[tuple[int, ContactCreate, AppError]] = []
    for index, item in enumerate(items):
        if isinstance(item, AppError):
            answers[index] = Recorded(item.status_code, error=item)
        elif item.id in new_rows:
            repeats.append((index, item.id, item.body_hash()))
        else:
            try:
                community_id, timezone = _check(item, actor=actor, lookups=lookups)
            except AppError as exc:
                refused.append((index, item, exc))
                continue
            new_rows[item.id] = _row(
                item, community_id=community_id, timezone=timezone, actor=actor, now=now
            )
            new_index[item.id] = index

    inserted, failed = _insert(session, new_rows)
    already = [i for i in new_rows if i not in inserted and i not in failed]
    maybe_retries = [item.id for _, item, _ in refused if item.id not in inserted]
    stored = repo.by_ids(session, [*already, *maybe_retries]) if already or maybe_retries else {}
    for contact_id in inserted:
        contact = Contact(**new_rows[contact_id])
        answers[new_index[contact_id]] = Recorded(201, contact=contact)
        stored[contact_id] = contact
    for contact_id, error in failed.items():
        answers[new_index[contact_id]] = Recorded(error.status_code, error=error)
    for contact_id in already:
        answers[new_index[contact_id]] = _replay(
            stored.get(contact_id), new_rows[contact_id]["body_hash"], actor
        )
    for index, item, error in refused:
        if item.id in stored and item.id not in inserted:
            answers[index] = _replay(stored[item.id], item.body_hash(), actor)
        else:
            answers[index] = Recorded(error.status_code, error=error)
    for index, contact_id, digest in repeats:
        answers[index] = _replay(stored.get(contact_id), digest, actor)
    session.commit()
    done = [a for a in answers if a is not None]
    assert len(done) == len(items), "every item is answered"
    return done


def record_contact(
    session: Session, *, actor: Actor, payload: ContactCreate
) -> tuple[Contact, bool]:
    """Record one contact; returns it and whether it is new (False: the same one was stored)."""
    [answer] = retrying(session, lambda: _record(session, actor=actor, items=[payload]))
    if answer.error is not None:
        raise answer.error
    assert answer.contact is not None
    return answer.contact, answer.status == 201


def _validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {
            "field": ".".join(str(part) for part in err["loc"]),
            "location": "body",
            "message": err["msg"],
            "type": err["type"],
        }
        for err in exc.errors()
    ]


def _parse(raw: Any) -> ContactCreate | AppError:
    if not isinstance(raw, dict):
        return Invalid(
            "Each contact must be a JSON object",
            errors=[{"field": "", "location": "body", "message": "not an object"}],
        )
    try:
        return ContactCreate.model_validate(raw)
    except ValidationError as exc:
        errors = _validation_errors(exc)
        fields = ", ".join(sorted({e["field"] for e in errors if e["field"]}))
        return Invalid(f"Invalid input: {fields}" if fields else "Invalid input", errors=errors)


def _raw_id(raw: Any) -> str | None:
    value = raw.get("id") if isinstance(raw, dict) else None
    return value[:100] if isinstance(value, str) else None  # echoed so the client can match


def record_batch(session: Session, *, actor: Actor, items: Sequence[Any]) -> list[BatchItemResult]:
    """Record up to 500 contacts; each gets the status it would have had alone."""
    parsed = [_parse(raw) for raw in items]
    answers = retrying(session, lambda: _record(session, actor=actor, items=parsed))
    results = []
    for raw, item, answer in zip(items, parsed, answers, strict=True):
        ident = str(item.id) if isinstance(item, ContactCreate) else _raw_id(raw)
        error = None
        if answer.error is not None:
            error = ItemError(
                title=answer.error.title, detail=answer.error.detail, errors=answer.error.errors
            )
        results.append(BatchItemResult(id=ident, status=answer.status, error=error))
    return results


def list_contacts(
    session: Session, *, actor: Actor, campaign: Campaign, query: ContactQuery
) -> tuple[Sequence[Contact], int]:
    """A campaign's contacts, newest first (staff: theirs and their rounds' and events')."""
    only_for_staff = staff_scope(actor, campaign.community_id)
    return repo.list_for_campaign(session, campaign.id, query, only_for_staff=only_for_staff)


def get_contact(session: Session, *, actor: Actor, contact_id: uuid.UUID) -> Contact:
    """One contact (staff: those they recorded, and those of their rounds and events)."""

    def theirs(contact: Contact) -> bool:
        return bool(
            contact.recorded_by == actor.id
            or (contact.round_id and repo.assigned(session, ROUNDS, actor.id, [contact.round_id]))
            or (contact.event_id and repo.assigned(session, EVENTS, actor.id, [contact.event_id]))
        )

    return visible(actor, repo.get(session, contact_id), what="Contact", staff_sees=theirs)


def void_contact(
    session: Session, *, actor: Actor, contact_id: uuid.UUID, payload: ContactVoid
) -> Contact:
    """Undo a contact: it stays on record with who voided it, when and why, and counts nowhere.

    Voiding again changes nothing and answers the contact as first voided.
    """

    def void() -> Contact:
        contact = visible(actor, repo.get(session, contact_id, lock=True), what="Contact")
        if is_staff_in(actor, contact.community_id) and contact.recorded_by != actor.id:
            raise Forbidden("Staff may undo only contacts they recorded")
        if contact.voided_at is None:
            at = utcnow()
            repo.mark_voided(session, contact, voided_by=actor.id, reason=payload.reason, at=at)
            # The household's state no longer counts this contact: recompute it from the rest.
            coverage_state.recompute(session, [(contact.campaign_id, contact.household_id)])
        session.commit()
        return contact

    return retrying(session, void)
