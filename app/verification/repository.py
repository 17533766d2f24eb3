"""Queries of the verification sample: who can be drawn, who may call back, the figures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import Session, aliased

from app.auth.models import Membership, User
from app.communities.models import Building, Household
from app.contacts.models import Contact
from app.coverage.households import household_rows
from app.db import in_chunks, paginate_rows, rows_for_ids
from app.enums import Channel, Outcome
from app.verification.models import Verification, VerificationOutcome, VerificationResult
from app.verification.schemas import VerificationQuery


@dataclass(frozen=True)
class Candidate:
    """A household counted as reached at the door, and the door contact that counts it."""

    household_id: int
    contact_id: uuid.UUID
    recorder_id: int | None


def _counted_at_door(campaign_id: int, community_id: int) -> Select[tuple[int]]:
    """Households the campaign counts as reached (eligible) with a non-voided door 'reached'."""
    h = household_rows(campaign_id, community_id)
    return select(h.c.household_id).where(h.c.reached == 1, h.c.excluded == 0, h.c.via_door == 1)


def population(session: Session, *, campaign_id: int, community_id: int) -> int:
    """How many households the campaign counts as reached at the door."""
    counted = _counted_at_door(campaign_id, community_id).subquery()
    return int(session.scalar(select(func.count()).select_from(counted)) or 0)


def candidates(session: Session, *, campaign_id: int, community_id: int) -> list[Candidate]:
    """Households counted as reached at the door and not yet sampled, by household id.

    Each comes with its first non-voided door contact that reached it: the visit that counts
    it, and its recorder, the stratum it is drawn from.
    """
    sampled = select(Verification.household_id).where(Verification.campaign_id == campaign_id)
    rows = session.execute(
        select(Contact.household_id, Contact.id, Contact.recorded_by)
        .where(
            Contact.campaign_id == campaign_id,
            Contact.channel == Channel.door,
            Contact.outcome == Outcome.reached,
            Contact.voided_at.is_(None),
            Contact.household_id.in_(_counted_at_door(campaign_id, community_id)),
            Contact.household_id.not_in(sampled),
        )
        .order_by(Contact.household_id, Contact.occurred_at, Contact.id)
    ).all()
    found: dict[int, Candidate] = {}
    for household_id, contact_id, recorder_id in rows:
        found.setdefault(household_id, Candidate(household_id, contact_id, recorder_id))
    return list(found.values())


def visitors(
    session: Session, *, campaign_id: int, household_ids: Sequence[int]
) -> dict[int, set[int]]:
    """Household id → everyone who recorded any contact of it in the campaign (voided too)."""
    found: dict[int, set[int]] = {}
    for chunk in in_chunks(household_ids):
        rows = session.execute(
            select(Contact.household_id, Contact.recorded_by)
            .where(
                Contact.campaign_id == campaign_id,
                Contact.household_id.in_(chunk),
                Contact.recorded_by.is_not(None),
            )
            .distinct()
        )
        for household_id, user_id in rows:
            if user_id is not None:
                found.setdefault(household_id, set()).add(user_id)
    return found


def recorded_household(
    session: Session, *, campaign_id: int, household_id: int, user_id: int
) -> bool:
    """Whether the user recorded any contact of the household in the campaign."""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(Contact)
            .where(
                Contact.campaign_id == campaign_id,
                Contact.household_id == household_id,
                Contact.recorded_by == user_id,
            )
        )
    )


def active_members(session: Session, community_id: int) -> list[tuple[int, str]]:
    """(user id, display name) of the community's active members, by id."""
    rows = session.execute(
        select(User.id, User.display_name)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.community_id == community_id, User.is_active.is_(True))
        .order_by(User.id)
    ).all()
    return [(int(user_id), str(name)) for user_id, name in rows]


def open_load(session: Session, campaign_id: int) -> dict[int, int]:
    """Assignee → their call-backs in the campaign not yet confirmed or denied."""
    rows = session.execute(
        select(Verification.assignee_id, func.count())
        .where(
            Verification.campaign_id == campaign_id,
            Verification.assignee_id.is_not(None),
            Verification.outcome.is_(None)
            | (Verification.outcome == VerificationOutcome.unreachable),
        )
        .group_by(Verification.assignee_id)
    ).all()
    return {int(a): int(n) for a, n in rows if a is not None}


def insert_all(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert the sampled households; their ids in order."""
    made = [Verification(**row) for row in rows]
    session.add_all(made)
    session.flush()
    return [v.id for v in made]


_recorder = aliased(User)
_assignee = aliased(User)


def _listing() -> Select[*tuple[Any, ...]]:
    return (
        select(
            Verification,
            Household.code,
            Household.unit,
            Household.floor,
            Household.room,
            Household.contact_phone,
            Household.contact_consent,
            Building.code.label("building_code"),
            Contact.occurred_at.label("contact_occurred_at"),
            Contact.utc_offset_minutes.label("contact_offset"),
            Contact.voided_at.label("contact_voided_at"),
            _recorder.display_name.label("recorder_name"),
            _assignee.display_name.label("assignee_name"),
        )
        .join(Household, Household.id == Verification.household_id)
        .join(Building, Building.id == Household.building_id)
        .join(Contact, Contact.id == Verification.contact_id)
        .outerjoin(_recorder, _recorder.id == Verification.recorder_id)
        .outerjoin(_assignee, _assignee.id == Verification.assignee_id)
    )


def list_for_campaign(
    session: Session,
    campaign_id: int | None,
    query: VerificationQuery,
    *,
    community_ids: Sequence[int] | None = None,
) -> tuple[list[Row[Any]], int]:
    """Sampled households of a campaign (None: every campaign), open ones first.

    ``community_ids`` narrows the list to those communities (None: no narrowing).
    """
    conditions = [] if campaign_id is None else [Verification.campaign_id == campaign_id]
    if community_ids is not None:
        conditions.append(Verification.community_id.in_(community_ids))
    if query.assignee_id is not None:
        conditions.append(Verification.assignee_id == query.assignee_id)
    if query.status == "pending":
        conditions.append(Verification.outcome.is_(None))
    elif query.status is not None:
        conditions.append(Verification.outcome == VerificationOutcome(query.status))
    decided = Verification.outcome.in_((VerificationOutcome.confirmed, VerificationOutcome.denied))
    stmt = _listing().where(*conditions).order_by(decided, Verification.id)
    return paginate_rows(session, stmt, limit=query.limit, offset=query.offset)


def listed(session: Session, ids: Sequence[int]) -> list[Row[Any]]:
    """The listing rows of these verifications, in id order."""
    found = rows_for_ids(session, _listing(), Verification.id, ids)
    return sorted(found, key=lambda r: r[0].id)


def get(session: Session, verification_id: int, *, lock: bool = False) -> Verification | None:
    """A verification by id; with ``lock``, locked until the transaction ends."""
    return session.get(Verification, verification_id, with_for_update=lock)


def get_result(session: Session, result_id: uuid.UUID) -> VerificationResult | None:
    """A call-back attempt by its client-made id."""
    return session.get(VerificationResult, result_id)


def results_of(session: Session, verification_id: int) -> list[VerificationResult]:
    """Every attempt of one verification, oldest first."""
    return list(
        session.scalars(
            select(VerificationResult)
            .where(VerificationResult.verification_id == verification_id)
            .order_by(VerificationResult.occurred_at, VerificationResult.recorded_at)
        )
    )


def by_recorder(session: Session, campaign_id: int) -> list[dict[str, Any]]:
    """Per recorder: sampled, pending, confirmed, denied, unreachable (one grouped query)."""

    def count(outcome: VerificationOutcome | None) -> Any:
        if outcome is None:
            return func.count().filter(Verification.outcome.is_(None))
        return func.count().filter(Verification.outcome == outcome)

    rows = session.execute(
        select(
            Verification.recorder_id,
            User.display_name,
            func.count().label("sampled"),
            count(None).label("pending"),
            *(count(o).label(o.value) for o in VerificationOutcome),
        )
        .outerjoin(User, User.id == Verification.recorder_id)
        .where(Verification.campaign_id == campaign_id)
        .group_by(Verification.recorder_id, User.display_name)
        .order_by(Verification.recorder_id)
    ).all()
    return [dict(r._mapping) for r in rows]


def version(session: Session, campaign_id: int) -> tuple[Any, ...]:
    """A cheap digest of the campaign's verifications, for the documents' cache keys."""
    return tuple(
        session.execute(
            select(func.count(), func.max(Verification.updated_at)).where(
                Verification.campaign_id == campaign_id
            )
        ).one()
    )
