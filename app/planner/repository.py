"""Queries the planner needs: its own settings, and read-only views of the other domains."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.campaigns import repository as campaigns_repo
from app.campaigns.models import (
    Event,
    Round,
    RoundBuilding,
)
from app.campaigns.repository import EVENTS, ROUNDS
from app.communities.models import Building, Household, HouseholdFlag
from app.contacts.models import Contact
from app.enums import Channel, Outcome, RoundStatus
from app.planner.models import AvailabilityWindow, CampaignAvailability


def get_settings(session: Session, campaign_id: int) -> CampaignAvailability | None:
    """A campaign's planning settings, if set."""
    return session.get(CampaignAvailability, campaign_id)


def list_windows(session: Session, campaign_id: int) -> Sequence[AvailabilityWindow]:
    """A campaign's availability windows, by member and time."""
    return session.scalars(
        select(AvailabilityWindow)
        .where(AvailabilityWindow.campaign_id == campaign_id)
        .order_by(AvailabilityWindow.user_id, AvailabilityWindow.starts_at)
    ).all()


def delete_windows(session: Session, campaign_id: int) -> None:
    """Remove a campaign's availability windows (they are replaced as a whole)."""
    session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.campaign_id == campaign_id))


def households(session: Session, community_id: int) -> Sequence[Household]:
    """Every household of the community."""
    return session.scalars(
        select(Household)
        .where(Household.community_id == community_id)
        .order_by(Household.building_id, Household.unit, Household.floor, Household.room)
    ).all()


def flags(session: Session, community_id: int) -> dict[int, set[str]]:
    """Each household's flags."""
    rows = session.execute(
        select(HouseholdFlag.household_id, HouseholdFlag.flag)
        .join(Household, Household.id == HouseholdFlag.household_id)
        .where(Household.community_id == community_id)
    )
    out: dict[int, set[str]] = defaultdict(set)
    for household_id, flag in rows:
        out[household_id].add(flag)
    return out


def building_codes(session: Session, community_id: int) -> dict[int, str]:
    """Building id → code."""
    rows = session.execute(
        select(Building.id, Building.code).where(Building.community_id == community_id)
    )
    return dict(rows.all())


def door_attempts(session: Session, campaign_id: int) -> list[tuple[int, int, Outcome, datetime]]:
    """The campaign's counted door attempts: (household, building, outcome, when)."""
    rows = session.execute(
        select(Contact.household_id, Household.building_id, Contact.outcome, Contact.occurred_at)
        .join(Household, Household.id == Contact.household_id)
        .where(
            Contact.campaign_id == campaign_id,
            Contact.voided_at.is_(None),
            Contact.channel == Channel.door,
            Contact.outcome != Outcome.vacant,
        )
    )
    return [(h, b, outcome, at) for h, b, outcome, at in rows]


def campaign_rounds(
    session: Session, campaign_id: int, statuses: Sequence[RoundStatus]
) -> list[tuple[Round, list[int]]]:
    """The campaign's rounds in these statuses, each with its building ids."""
    rounds = session.scalars(
        select(Round)
        .where(Round.campaign_id == campaign_id, Round.status.in_(statuses))
        .order_by(Round.starts_at, Round.id)
    ).all()
    buildings: dict[int, list[int]] = defaultdict(list)
    if rounds:
        for round_id, building_id in session.execute(
            select(RoundBuilding.round_id, RoundBuilding.building_id).where(
                RoundBuilding.round_id.in_([r.id for r in rounds])
            )
        ):
            buildings[round_id].append(building_id)
    return [(r, sorted(buildings[r.id])) for r in rounds]


def busy_times(
    session: Session, user_ids: Sequence[int], start: datetime, end: datetime
) -> list[tuple[int, datetime, datetime]]:
    """Every round and event (not cancelled, any campaign) of these users overlapping a span."""
    return [
        (uid, s, e)
        for _kind, uid, _name, _oid, s, e in campaigns_repo.overlapping_slots(
            session, user_ids, start, end
        )
    ]


def calendar_details(
    session: Session, round_ids: Sequence[int], event_ids: Sequence[int]
) -> tuple[dict[int, str | None], dict[int, str | None], dict[tuple[str, int], list[str]]]:
    """Round notes, event locations and the building codes of each, for the calendar feed."""
    notes: dict[int, str | None] = {}
    locations: dict[int, str | None] = {}
    codes: dict[tuple[str, int], list[str]] = defaultdict(list)
    if round_ids:
        notes = dict(
            session.execute(select(Round.id, Round.notes).where(Round.id.in_(round_ids))).all()
        )
    if event_ids:
        locations = dict(
            session.execute(select(Event.id, Event.location).where(Event.id.in_(event_ids))).all()
        )
    for kind, ids in ((ROUNDS, round_ids), (EVENTS, event_ids)):
        if not ids:
            continue
        owner = kind.building_owner()
        for slot_id, code in session.execute(
            select(owner, Building.code)
            .join(Building, Building.id == kind.buildings.building_id)
            .where(owner.in_(ids))
            .order_by(Building.code)
        ):
            codes[kind.name, slot_id].append(code)
    return notes, locations, codes
