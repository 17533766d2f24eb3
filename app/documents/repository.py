"""The queries of the documents: facts for the view-models, data versions for the cache, jobs."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.auth.models import Membership, User
from app.campaigns.models import Campaign, Round, RoundAssignee, RoundBuilding
from app.communities import repository as communities_repo
from app.communities.models import Building, Community, Household, HouseholdFlag
from app.contacts.models import Contact
from app.db import utcnow
from app.documents.models import DocumentJob
from app.enums import JobStatus, Role
from app.incidents.models import Incident
from app.verification import repository as verification


def households(
    session: Session,
    community_id: int,
    *,
    building_ids: Sequence[int] | None = None,
    household_ids: Sequence[int] | None = None,
) -> list[tuple[Household, Building]]:
    """Households of a community (optionally some buildings or ids) with their building."""
    stmt = (
        select(Household, Building)
        .join(Building, Building.id == Household.building_id)
        .where(Household.community_id == community_id)
    )
    if building_ids is not None:
        stmt = stmt.where(Household.building_id.in_(building_ids))
    if household_ids is not None:
        stmt = stmt.where(Household.id.in_(household_ids))
    return [(h, b) for h, b in session.execute(stmt)]


def flags_of(session: Session, household_ids: Sequence[int]) -> dict[int, list[str]]:
    """Household id → its flags."""
    return communities_repo.flags_of(session, list(household_ids))


def last_notes(session: Session, campaign_id: int, household_ids: Sequence[int]) -> dict[int, str]:
    """Household id → the note of its latest non-voided contact that has one."""
    if not household_ids:
        return {}
    ranked = (
        select(
            Contact.household_id,
            Contact.notes,
            func.row_number()
            .over(partition_by=Contact.household_id, order_by=Contact.occurred_at.desc())
            .label("n"),
        )
        .where(
            Contact.campaign_id == campaign_id,
            Contact.voided_at.is_(None),
            Contact.notes.is_not(None),
            Contact.notes != "",
        )
        .subquery()
    )
    wanted = set(household_ids)
    rows = session.execute(select(ranked.c.household_id, ranked.c.notes).where(ranked.c.n == 1))
    return {hid: note for hid, note in rows if hid in wanted}


def incidents_between(
    session: Session, community_id: int, start: datetime, end: datetime
) -> list[Incident]:
    """The community's scam reports in [start, end)."""
    return list(
        session.scalars(
            select(Incident)
            .where(
                Incident.community_id == community_id,
                Incident.occurred_at >= start,
                Incident.occurred_at < end,
            )
            .order_by(Incident.occurred_at.desc())
        )
    )


def rounds_of(session: Session, campaign_id: int) -> list[Round]:
    """A campaign's rounds that are not cancelled, in time order."""
    return list(
        session.scalars(
            select(Round)
            .where(Round.campaign_id == campaign_id, Round.status != "cancelled")
            .order_by(Round.starts_at, Round.id)
        )
    )


def round_buildings(session: Session, round_ids: Sequence[int]) -> dict[int, list[int]]:
    """Round id → its building ids."""
    result: dict[int, list[int]] = {}
    for rid, bid in session.execute(
        select(RoundBuilding.round_id, RoundBuilding.building_id).where(
            RoundBuilding.round_id.in_(round_ids)
        )
    ):
        result.setdefault(rid, []).append(bid)
    return result


def round_assignees(session: Session, round_ids: Sequence[int]) -> dict[int, list[User]]:
    """Round id → its assigned users."""
    result: dict[int, list[User]] = {}
    for rid, user in session.execute(
        select(RoundAssignee.round_id, User)
        .join(User, User.id == RoundAssignee.user_id)
        .where(RoundAssignee.round_id.in_(round_ids))
        .order_by(User.display_name)
    ):
        result.setdefault(rid, []).append(user)
    return result


def user(session: Session, user_id: int | None) -> User | None:
    """One user, if any."""
    return session.get(User, user_id) if user_id is not None else None


def building_names(session: Session, community_id: int) -> list[str | None]:
    """The names of a community's buildings (to learn its word for 幢/栋)."""
    return list(session.scalars(select(Building.name).where(Building.community_id == community_id)))


def community_officer(session: Session, community_id: int) -> User | None:
    """An officer of the community with a phone (a flyer must name someone to call)."""
    return session.scalars(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(
            Membership.community_id == community_id,
            Membership.role == Role.officer,
            User.is_active.is_(True),
            User.phone.is_not(None),
            User.phone != "",
        )
        .order_by(User.id)
        .limit(1)
    ).first()


def community(session: Session, community_id: int) -> Community | None:
    """One community."""
    return session.get(Community, community_id)


def count_households(
    session: Session, community_id: int, building_ids: Sequence[int] | None = None
) -> int:
    """How many households a document would list."""
    stmt = select(func.count()).select_from(Household).where(Household.community_id == community_id)
    if building_ids is not None:
        stmt = stmt.where(Household.building_id.in_(building_ids))
    return int(session.scalar(stmt) or 0)


def data_version(session: Session, campaign: Campaign) -> str:
    """A digest of everything a campaign's documents print; cheap aggregates, no row scans
    beyond the indexes. Any recorded, voided or edited fact changes it."""
    cid, comm = campaign.id, campaign.community_id
    parts: list[Any] = [
        campaign.name,
        campaign.starts_on,
        campaign.ends_on,
        campaign.target_coverage,
        campaign.topics,
        campaign.status,
    ]
    parts += session.execute(
        select(
            func.count(),
            func.max(Contact.recorded_at),
            func.max(Contact.voided_at),
            func.count(Contact.voided_at),
        ).where(Contact.campaign_id == cid)
    ).one()
    parts += session.execute(
        select(func.count(), func.max(Household.updated_at), func.sum(Household.id)).where(
            Household.community_id == comm
        )
    ).one()
    parts += session.execute(
        select(func.count(), func.sum(func.length(HouseholdFlag.flag)))
        .join(Household, Household.id == HouseholdFlag.household_id)
        .where(Household.community_id == comm)
    ).one()
    parts += session.execute(
        select(Building.id, Building.code, Building.name, Building.grid_officer_id)
        .where(Building.community_id == comm)
        .order_by(Building.id)
    ).all()
    parts += session.execute(
        select(func.count(), func.max(Incident.updated_at)).where(Incident.community_id == comm)
    ).one()
    rounds = session.execute(
        select(Round.id, Round.status, Round.starts_at, Round.ends_at, Round.notes, Round.units)
        .where(Round.campaign_id == cid)
        .order_by(Round.id)
    ).all()
    parts += rounds
    for round_id, other in (
        (RoundAssignee.round_id, RoundAssignee.user_id),
        (RoundBuilding.round_id, RoundBuilding.building_id),
    ):
        parts += session.execute(
            select(round_id, other)
            .join(Round, Round.id == round_id)
            .where(Round.campaign_id == cid)
            .order_by(round_id, other)
        ).all()
    parts += verification.version(session, cid)  # the report prints the call-backs
    c = session.get(Community, comm)
    if c is not None:
        parts += [c.name, c.address, c.service_centre_phone, c.timezone]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# --- jobs -----------------------------------------------------------------------------------


def add_job(session: Session, job: DocumentJob) -> DocumentJob:
    """Store a new queued job (the caller commits)."""
    session.add(job)
    session.flush()
    return job


def open_job_for(session: Session, cache_key: str) -> DocumentJob | None:
    """A queued or running job that will produce this document already."""
    return session.scalars(
        select(DocumentJob)
        .where(
            DocumentJob.cache_key == cache_key,
            DocumentJob.status.in_([JobStatus.queued, JobStatus.running]),
        )
        .order_by(DocumentJob.created_at.desc())
        .limit(1)
    ).first()


def done_job_for(session: Session, cache_key: str) -> DocumentJob | None:
    """A finished job whose stored PDF is this very document."""
    return session.scalars(
        select(DocumentJob)
        .where(DocumentJob.cache_key == cache_key, DocumentJob.status == JobStatus.done)
        .order_by(DocumentJob.finished_at.desc())
        .limit(1)
    ).first()


def claim_job(session: Session, *, lease: timedelta) -> DocumentJob | None:
    """Take the oldest queued job (or one whose worker died), marking it running (the caller
    commits, which makes the claim visible to the other workers).

    PostgreSQL: ``FOR UPDATE SKIP LOCKED``, so workers on any number of machines never take
    the same row. SQLite: the session's ``BEGIN IMMEDIATE`` already serialises writers.
    """
    stale = utcnow() - lease
    stmt = (
        select(DocumentJob)
        .where(
            (DocumentJob.status == JobStatus.queued)
            | ((DocumentJob.status == JobStatus.running) & (DocumentJob.started_at < stale))
        )
        .order_by(DocumentJob.created_at)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    job = session.scalars(stmt).first()
    if job is None:
        return None
    job.status = JobStatus.running
    job.started_at = utcnow()
    return job


def finish_job(
    session: Session,
    job_id: uuid.UUID,
    *,
    result: bytes | None,
    error: str | None,
    filename: str | None,
    content_type: str | None,
) -> None:
    """Store a job's outcome (the caller commits)."""
    session.execute(
        update(DocumentJob)
        .where(DocumentJob.id == job_id)
        .values(
            status=JobStatus.done if error is None else JobStatus.failed,
            finished_at=utcnow(),
            result=result,
            error=error,
            filename=filename,
            content_type=content_type,
        )
    )


def delete_finished_jobs(session: Session, *, before: datetime) -> None:
    """Forget done and failed jobs (and their stored PDFs) finished before ``before``
    (the caller commits)."""
    session.execute(
        delete(DocumentJob).where(
            DocumentJob.status.in_([JobStatus.done, JobStatus.failed]),
            DocumentJob.finished_at < before,
        )
    )


def has_claimable_job(session: Session, *, lease: timedelta) -> bool:
    """Whether a job is queued, or running under a worker that has died (the sweep's check)."""
    stale = utcnow() - lease
    return (
        session.scalar(
            select(DocumentJob.id)
            .where(
                (DocumentJob.status == JobStatus.queued)
                | ((DocumentJob.status == JobStatus.running) & (DocumentJob.started_at < stale))
            )
            .limit(1)
        )
        is not None
    )
