"""Recording contacts: idempotent by the client's UUID, batchable, safe under concurrency.

A contact is an append-only fact. Sending the same id with the same body again answers the
stored contact (nothing new is stored); the same id with another body is a conflict. A batch
answers each item as it would have been answered alone, so one bad tap never sinks the rest.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth.permissions import EVERYONE, Actor
from app.campaigns.models import Campaign, Event, Round, RoundBuilding
from app.communities.models import Community, Household
from app.contacts import repository as repo
from app.contacts.models import Contact
from app.contacts.schemas import BatchItemResult, ContactCreate
from app.db import utcnow
from app.enums import Channel, Outcome, Role
from app.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from app.schemas import offset_minutes

MAX_FUTURE = timedelta(days=1)


def body_hash(payload: ContactCreate) -> str:
    """A fingerprint of the request body: equal instants at other offsets compare equal."""
    data = payload.model_dump(mode="json")
    data["occurred_at"] = payload.occurred_at.astimezone(UTC).isoformat()
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _field_error(field_name: str, message: str) -> Invalid:
    return Invalid(message, errors=[{"field": field_name, "message": message}])


@dataclass
class _Lookups:
    """Everything a batch needs, fetched in a few queries rather than per item."""

    campaigns: dict[int, Campaign] = field(default_factory=dict)
    timezones: dict[int, ZoneInfo] = field(default_factory=dict)
    households: dict[int, Household] = field(default_factory=dict)
    rounds: dict[int, Round] = field(default_factory=dict)
    round_buildings: dict[int, set[int]] = field(default_factory=dict)
    events: dict[int, Event] = field(default_factory=dict)
    my_rounds: set[int] = field(default_factory=set)
    my_events: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session, actor: Actor, items: Sequence[ContactCreate]) -> _Lookups:
        """Prefetch the campaigns, households, rounds and events the items name."""
        found = cls()

        def by_id(model: Any, ids: set[int]) -> dict[int, Any]:
            if not ids:
                return {}
            return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}

        found.campaigns = by_id(Campaign, {i.campaign_id for i in items})
        communities = by_id(Community, {c.community_id for c in found.campaigns.values()})
        found.timezones = {cid: ZoneInfo(c.timezone) for cid, c in communities.items()}
        found.households = by_id(Household, {i.household_id for i in items})
        found.rounds = by_id(Round, {i.round_id for i in items if i.round_id})
        found.events = by_id(Event, {i.event_id for i in items if i.event_id})
        if found.rounds:
            for round_id, building_id in session.execute(
                select(RoundBuilding.round_id, RoundBuilding.building_id).where(
                    RoundBuilding.round_id.in_(found.rounds)
                )
            ):
                found.round_buildings.setdefault(round_id, set()).add(building_id)
        if not actor.is_admin and Role.staff in actor.roles.values():
            found.my_rounds = repo.assigned_rounds(session, actor.id)
            found.my_events = repo.assigned_events(session, actor.id)
        return found

    def check(self, actor: Actor, item: ContactCreate, now: datetime) -> Campaign:
        """Apply every rule to one item; raise the error it would answer alone."""
        campaign = self.campaigns.get(item.campaign_id)
        if campaign is None or not actor.can_see(campaign.community_id):
            raise NotFound("Campaign not found")
        role = actor.require(campaign.community_id, EVERYONE, what="Campaign")
        household = self.households.get(item.household_id)
        if household is None or household.community_id != campaign.community_id:
            raise _field_error("household_id", "No such household in this campaign's community")
        if item.round_id is not None:
            rnd = self.rounds.get(item.round_id)
            if rnd is None or rnd.campaign_id != campaign.id:
                raise _field_error("round_id", "No such round in this campaign")
            if item.channel != Channel.door:
                raise _field_error("round_id", "Only door contacts belong to a round")
            if household.building_id not in self.round_buildings.get(rnd.id, set()):
                raise _field_error("household_id", "This household is not in the round's buildings")
        if item.event_id is not None:
            event = self.events.get(item.event_id)
            if event is None or event.campaign_id != campaign.id:
                raise _field_error("event_id", "No such event in this campaign")
            if item.channel != Channel.event:
                raise _field_error("event_id", "Only event attendance belongs to an event")
        if item.channel in (Channel.event, Channel.walk_in) and item.outcome != Outcome.reached:
            raise _field_error("outcome", "Event attendance and walk-ins are always 'reached'")
        if item.occurred_at - now > MAX_FUTURE:
            raise _field_error("occurred_at", "occurred_at is in the future")
        if role == Role.staff:
            if item.channel == Channel.door and item.round_id not in self.my_rounds:
                raise Forbidden("Staff record door contacts only in their own rounds")
            if item.channel == Channel.event and item.event_id not in self.my_events:
                raise Forbidden("Staff record attendance only at their own events")
        return campaign

    def build(
        self, actor: Actor, item: ContactCreate, campaign: Campaign, digest: str, now: datetime
    ) -> Contact:
        """The row to insert for a checked item."""
        tz = self.timezones[campaign.community_id]
        return Contact(
            id=item.id,
            campaign_id=campaign.id,
            community_id=campaign.community_id,
            household_id=item.household_id,
            channel=item.channel,
            outcome=item.outcome,
            occurred_at=item.occurred_at,
            utc_offset_minutes=offset_minutes(item.occurred_at),
            local_date=item.occurred_at.astimezone(tz).date(),
            round_id=item.round_id,
            event_id=item.event_id,
            flyer_given=item.flyer_given,
            app_installed=item.app_installed,
            pledge_signed=item.pledge_signed,
            residents_reached=item.residents_reached,
            notes=item.notes,
            body_hash=digest,
            recorded_by=actor.id if actor.id > 0 else None,
            recorded_at=now,
        )


def _replay(existing: Contact, digest: str, actor: Actor) -> Contact:
    """A retry of a stored contact: the same body answers it, another body is a conflict."""
    if not actor.can_see(existing.community_id):
        raise Conflict("This contact id is already used; make a new UUID")
    if existing.body_hash != digest:
        raise Conflict(f"Contact {existing.id} was already recorded with a different body")
    return existing


def record_contact(
    session: Session, *, actor: Actor, payload: ContactCreate
) -> tuple[Contact, bool]:
    """Record one contact; returns it and whether it is new (False for a faithful retry)."""
    digest = body_hash(payload)
    existing = repo.get(session, payload.id)
    if existing is not None:
        return _replay(existing, digest, actor), False
    now = utcnow()
    lookups = _Lookups.load(session, actor, [payload])
    campaign = lookups.check(actor, payload, now)
    contact = lookups.build(actor, payload, campaign, digest, now)
    session.add(contact)
    try:
        session.commit()
    except IntegrityError:
        # Another request stored the same id between our read and our insert.
        session.rollback()
        stored = repo.get(session, payload.id)
        if stored is None:
            raise
        return _replay(stored, digest, actor), False
    return contact, True


def _problem(exc: AppError) -> dict[str, Any]:
    error: dict[str, Any] = {"title": exc.title, "detail": exc.detail}
    if exc.errors:
        error["errors"] = exc.errors
    return error


def record_batch(
    session: Session, *, actor: Actor, items: Sequence[dict[str, Any]]
) -> list[BatchItemResult]:
    """Record many contacts; each item's result is what it would have got alone."""
    results: list[BatchItemResult | None] = [None] * len(items)
    parsed: list[tuple[int, ContactCreate, str]] = []
    for index, raw in enumerate(items):
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        try:
            payload = ContactCreate.model_validate(raw)
        except ValidationError as exc:
            errors = [
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ]
            results[index] = BatchItemResult(
                id=str(raw_id) if raw_id is not None else None,
                status=422,
                error={"title": "Validation failed", "detail": "Invalid contact", "errors": errors},
            )
            continue
        parsed.append((index, payload, body_hash(payload)))

    now = utcnow()
    seen: dict[uuid.UUID, str] = {}
    existing = repo.get_many(session, [p.id for _, p, _ in parsed])
    lookups = _Lookups.load(session, actor, [p for _, p, _ in parsed])
    fresh: list[tuple[int, Contact, str]] = []
    for index, payload, digest in parsed:
        try:
            if payload.id in existing:
                _replay(existing[payload.id], digest, actor)
                results[index] = BatchItemResult(id=str(payload.id), status=200)
                continue
            if payload.id in seen:  # the same id twice in one batch
                if seen[payload.id] != digest:
                    raise Conflict(f"Contact {payload.id} appears twice with different bodies")
                results[index] = BatchItemResult(id=str(payload.id), status=200)
                continue
            campaign = lookups.check(actor, payload, now)
        except AppError as exc:
            results[index] = BatchItemResult(
                id=str(payload.id), status=exc.status_code, error=_problem(exc)
            )
            continue
        seen[payload.id] = digest
        fresh.append((index, lookups.build(actor, payload, campaign, digest, now), digest))

    if fresh:
        try:
            session.add_all([c for _, c, _ in fresh])
            session.commit()
            for index, contact, _ in fresh:
                results[index] = BatchItemResult(id=str(contact.id), status=201)
        except IntegrityError:
            # A concurrent writer stored some of these ids: go one by one.
            session.rollback()
            for index, contact, digest in fresh:
                results[index] = _insert_one(session, actor, contact, digest)
    return [r for r in results if r is not None]


def _insert_one(session: Session, actor: Actor, contact: Contact, digest: str) -> BatchItemResult:
    fresh = Contact(**{c.key: getattr(contact, c.key) for c in Contact.__table__.columns})
    session.add(fresh)
    try:
        session.commit()
        return BatchItemResult(id=str(fresh.id), status=201)
    except IntegrityError:
        session.rollback()
        stored = repo.get(session, fresh.id)
        if stored is None:
            raise
        try:
            _replay(stored, digest, actor)
        except AppError as exc:
            return BatchItemResult(id=str(fresh.id), status=exc.status_code, error=_problem(exc))
        return BatchItemResult(id=str(fresh.id), status=200)


def get_contact(session: Session, *, actor: Actor, contact_id: uuid.UUID) -> Contact:
    """A contact the actor may see (staff: those they recorded)."""
    contact = repo.get(session, contact_id)
    if contact is None or not actor.can_see(contact.community_id):
        raise NotFound("Contact not found")
    role = actor.require(contact.community_id, EVERYONE, what="Contact")
    if role == Role.staff and contact.recorded_by != actor.id:
        raise NotFound("Contact not found")
    return contact


def void_contact(session: Session, *, actor: Actor, contact_id: uuid.UUID, reason: str) -> Contact:
    """Undo a mistaken tap: the contact stays on record but counts nowhere. Idempotent."""
    contact = get_contact(session, actor=actor, contact_id=contact_id)
    if contact.voided_at is None:
        contact.voided_at = utcnow()
        contact.voided_by = actor.id if actor.id > 0 else None
        contact.void_reason = reason
        session.commit()
    return contact


def list_contacts(
    session: Session,
    *,
    actor: Actor,
    campaign_id: int,
    household_id: int | None,
    round_id: int | None,
    channel: Channel | None,
    include_voided: bool,
    limit: int,
    offset: int,
) -> tuple[Sequence[Contact], int]:
    """A campaign's contacts, newest first (staff: those they recorded)."""
    campaign = session.get(Campaign, campaign_id)
    if campaign is None or not actor.can_see(campaign.community_id):
        raise NotFound("Campaign not found")
    role = actor.require(campaign.community_id, EVERYONE, what="Campaign")
    return repo.list_for_campaign(
        session,
        campaign_id,
        household_id=household_id,
        round_id=round_id,
        channel=channel,
        include_voided=include_voided,
        recorded_by=actor.id if role == Role.staff else None,
        limit=limit,
        offset=offset,
    )
