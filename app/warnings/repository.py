"""Queries for warnings, their assignees and attempts, reads, report tokens and receipts."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.auth.models import Membership
from app.communities.models import BuildingOwner, Household
from app.communities.repository import staff_building_ids
from app.db import paginate, replace_user_links, where_given
from app.enums import Role, WarningStatus
from app.warnings.models import (
    EarlyWarning,
    ReportReceipt,
    ReportToken,
    WarningAccess,
    WarningAssignee,
    WarningAttempt,
)
from app.warnings.schemas import WarningQuery

UNREACHED = (WarningStatus.open, WarningStatus.unreachable)


def get(session: Session, warning_id: int, *, lock: bool = False) -> EarlyWarning | None:
    """A warning by id; with ``lock``, locked until the transaction ends (attempts on it
    serialise)."""
    return session.get(EarlyWarning, warning_id, with_for_update=lock)


def owners_of_building(session: Session, building_id: int) -> list[int]:
    """A building's grid owners."""
    return list(
        session.scalars(
            select(BuildingOwner.user_id)
            .where(BuildingOwner.building_id == building_id)
            .order_by(BuildingOwner.user_id)
        )
    )


def members_with_role(session: Session, community_id: int, roles: Sequence[Role]) -> list[int]:
    """The community's members of these roles."""
    return list(
        session.scalars(
            select(Membership.user_id)
            .where(Membership.community_id == community_id, Membership.role.in_(roles))
            .order_by(Membership.user_id)
        )
    )


def assignees_of(session: Session, warning_ids: Sequence[int]) -> dict[int, list[int]]:
    """Warning id → its assignees."""
    result: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(warning_ids), 900):
        chunk = warning_ids[start : start + 900]
        for warning_id, user_id in session.execute(
            select(WarningAssignee.warning_id, WarningAssignee.user_id)
            .where(WarningAssignee.warning_id.in_(chunk))
            .order_by(WarningAssignee.warning_id, WarningAssignee.user_id)
        ):
            result[warning_id].append(user_id)
    return result


def set_assignees(session: Session, warning_id: int, user_ids: Sequence[int]) -> None:
    """Replace a warning's assignees."""
    replace_user_links(session, WarningAssignee.warning_id, warning_id, user_ids)
    session.flush()


def household_codes(session: Session, household_ids: Sequence[int]) -> dict[int, str]:
    """Household id → code."""
    if not household_ids:
        return {}
    return dict(
        session.execute(
            select(Household.id, Household.code).where(Household.id.in_(set(household_ids)))
        ).all()
    )


def attempt_counts(session: Session, warning_ids: Sequence[int]) -> dict[int, int]:
    """Warning id → number of attempts."""
    if not warning_ids:
        return {}
    return dict(
        session.execute(
            select(WarningAttempt.warning_id, func.count())
            .where(WarningAttempt.warning_id.in_(warning_ids))
            .group_by(WarningAttempt.warning_id)
        ).all()
    )


def attempts_of(session: Session, warning_ids: Sequence[int]) -> dict[int, list[WarningAttempt]]:
    """Warning id → its attempts in time order."""
    result: dict[int, list[WarningAttempt]] = defaultdict(list)
    if not warning_ids:
        return result
    for attempt in session.scalars(
        select(WarningAttempt)
        .where(WarningAttempt.warning_id.in_(warning_ids))
        .order_by(WarningAttempt.occurred_at, WarningAttempt.recorded_at)
    ):
        result[attempt.warning_id].append(attempt)
    return result


def get_attempt(session: Session, attempt_id: uuid.UUID) -> WarningAttempt | None:
    """An attempt by its client UUID."""
    return session.get(WarningAttempt, attempt_id)


def insert_attempt(session: Session, row: Mapping[str, Any]) -> bool:
    """Insert an attempt unless its id is stored; True when this call stored it."""
    table: Any = WarningAttempt.__table__
    if session.get_bind().dialect.name == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing(index_elements=["id"])
    else:
        stmt = sqlite.insert(table).on_conflict_do_nothing(index_elements=["id"])
    return session.execute(stmt.returning(table.c.id), [dict(row)]).first() is not None


def _visible_to_staff(user_id: int) -> Any:
    return or_(
        EarlyWarning.id.in_(
            select(WarningAssignee.warning_id).where(WarningAssignee.user_id == user_id)
        ),
        EarlyWarning.household_id.in_(
            select(Household.id).where(Household.building_id.in_(staff_building_ids(user_id)))
        ),
    )


def list_warnings(
    session: Session,
    community_id: int,
    query: WarningQuery,
    *,
    now: datetime,
    only_for_staff: int | None,
) -> tuple[Sequence[EarlyWarning], int]:
    """A page of a community's warnings: unreached first by due time, then newest."""
    stmt = where_given(
        select(EarlyWarning).where(EarlyWarning.community_id == community_id),
        (EarlyWarning.status, query.status),
        (EarlyWarning.risk_level, query.risk_level),
    )
    if query.overdue is not None:
        late = and_(EarlyWarning.status.in_(UNREACHED), EarlyWarning.due_at < now)
        stmt = stmt.where(late if query.overdue else ~late)
    if query.assignee_id is not None:
        assigned = select(WarningAssignee.warning_id).where(
            WarningAssignee.user_id == query.assignee_id
        )
        stmt = stmt.where(EarlyWarning.id.in_(assigned))
    if only_for_staff is not None:
        stmt = stmt.where(_visible_to_staff(only_for_staff))
    unreached_first = case((EarlyWarning.status.in_(UNREACHED), 0), else_=1)
    return paginate(
        session,
        stmt.order_by(unreached_first, EarlyWarning.due_at, EarlyWarning.id.desc()),
        limit=query.limit,
        offset=query.offset,
    )


def staff_can_see(session: Session, warning_id: int, user_id: int) -> bool:
    """Whether a staff member sees this warning (assigned, or in their rounds' buildings)."""
    return (
        session.scalar(
            select(EarlyWarning.id).where(EarlyWarning.id == warning_id, _visible_to_staff(user_id))
        )
        is not None
    )


def record_accesses(
    session: Session, warning_ids: Sequence[int], user_id: int, via: str, now: datetime
) -> None:
    """Note that a user read these warnings' personal data."""
    for warning_id in warning_ids:
        session.add(WarningAccess(warning_id=warning_id, user_id=user_id, via=via, read_at=now))


def accesses_of(session: Session, warning_id: int) -> Sequence[WarningAccess]:
    """Who read a warning's personal data, oldest first."""
    return session.scalars(
        select(WarningAccess)
        .where(WarningAccess.warning_id == warning_id)
        .order_by(WarningAccess.read_at, WarningAccess.id)
    ).all()


def due_for_escalation(session: Session, now: datetime, *, limit: int) -> Sequence[EarlyWarning]:
    """Unreached warnings past their due time (level 0) or their second due time (level 1)."""
    stmt = (
        select(EarlyWarning)
        .where(
            EarlyWarning.status.in_(UNREACHED),
            or_(
                and_(EarlyWarning.escalation_level == 0, EarlyWarning.due_at <= now),
                and_(EarlyWarning.escalation_level == 1, EarlyWarning.second_due_at <= now),
            ),
        )
        .order_by(EarlyWarning.due_at, EarlyWarning.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalars(stmt).all()


def erase_personal_data(session: Session, closed_before: datetime, now: datetime) -> list[int]:
    """Blank the name, phone and notes of warnings closed before a time; returns their ids."""
    ids = list(
        session.scalars(
            select(EarlyWarning.id).where(
                EarlyWarning.closed_at.is_not(None),
                EarlyWarning.closed_at <= closed_before,
                EarlyWarning.personal_erased_at.is_(None),
            )
        )
    )
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        session.execute(
            update(EarlyWarning)
            .where(EarlyWarning.id.in_(chunk))
            .values(person_name=None, phone=None, notes=None, personal_erased_at=now)
        )
        session.execute(
            update(WarningAttempt).where(WarningAttempt.warning_id.in_(chunk)).values(notes=None)
        )
    return ids


def _summary_columns(now: datetime) -> list[Any]:
    unreached = EarlyWarning.status.in_(UNREACHED)
    return [
        func.count().label("received"),
        func.count(EarlyWarning.reached_at).label("reached"),
        func.count(case((EarlyWarning.reached_in_time.is_(True), 1))).label("in_time"),
        func.count(case((unreached, 1))).label("open"),
        func.count(case((and_(unreached, EarlyWarning.due_at < now), 1))).label("overdue"),
        func.count(case((EarlyWarning.status == WarningStatus.unreachable, 1))).label(
            "unreachable"
        ),
    ]


def summary_rows(
    session: Session,
    community_id: int,
    *,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> list[Any]:
    """Per risk level: received, reached, in time, unreached, overdue, unreachable (one query)."""
    stmt = select(EarlyWarning.risk_level, *_summary_columns(now)).where(
        EarlyWarning.community_id == community_id
    )
    stmt = _in_range(stmt, start, end)
    return list(session.execute(stmt.group_by(EarlyWarning.risk_level)).all())


def _in_range(stmt: Any, start: datetime | None, end: datetime | None) -> Any:
    if start is not None:
        stmt = stmt.where(EarlyWarning.received_at >= start)
    if end is not None:
        stmt = stmt.where(EarlyWarning.received_at < end)
    return stmt


def minutes_to_reach(
    session: Session, community_id: int, *, start: datetime | None, end: datetime | None
) -> list[tuple[str, int]]:
    """(risk level, minutes) of every reached warning in the range, for the medians."""
    stmt = select(EarlyWarning.risk_level, EarlyWarning.minutes_to_reach).where(
        EarlyWarning.community_id == community_id, EarlyWarning.minutes_to_reach.is_not(None)
    )
    return [(str(level), int(m)) for level, m in session.execute(_in_range(stmt, start, end))]


Ranges = Sequence[tuple[Sequence[int], datetime, datetime]]
"""Groups of communities, each with the [start, end) its warnings are counted in."""


def _in_ranges(ranges: Ranges) -> Any:
    return or_(
        *(
            and_(
                EarlyWarning.community_id.in_(ids),
                EarlyWarning.received_at >= start,
                EarlyWarning.received_at < end,
            )
            for ids, start, end in ranges
            if ids
        )
    )


def summary_rows_of_many(session: Session, ranges: Ranges, *, now: datetime) -> list[Any]:
    """``summary_rows`` of several communities in one grouped query (community id first)."""
    if not any(ids for ids, _start, _end in ranges):
        return []
    stmt = (
        select(EarlyWarning.community_id, EarlyWarning.risk_level, *_summary_columns(now))
        .where(_in_ranges(ranges))
        .group_by(EarlyWarning.community_id, EarlyWarning.risk_level)
    )
    return list(session.execute(stmt).all())


def minutes_to_reach_of_many(session: Session, ranges: Ranges) -> list[tuple[int, str, int]]:
    """(community id, risk level, minutes) of every reached warning in the ranges (one query)."""
    if not any(ids for ids, _start, _end in ranges):
        return []
    stmt = select(
        EarlyWarning.community_id, EarlyWarning.risk_level, EarlyWarning.minutes_to_reach
    ).where(_in_ranges(ranges), EarlyWarning.minutes_to_reach.is_not(None))
    return [(int(c), str(level), int(m or 0)) for c, level, m in session.execute(stmt)]


def existing_refs(session: Session, community_id: int, refs: Sequence[str]) -> set[str]:
    """Which of these source refs the community already has."""
    found: set[str] = set()
    for start in range(0, len(refs), 900):
        found |= set(
            session.scalars(
                select(EarlyWarning.source_ref).where(
                    EarlyWarning.community_id == community_id,
                    EarlyWarning.source_ref.in_(refs[start : start + 900]),
                )
            )
        )
    return found


def households_by_code(session: Session, community_id: int) -> dict[str, tuple[int, int]]:
    """Household code → (id, building id) for a community."""
    return {
        code: (hid, bid)
        for hid, code, bid in session.execute(
            select(Household.id, Household.code, Household.building_id).where(
                Household.community_id == community_id
            )
        )
    }


def owners_by_building(session: Session, community_id: int) -> dict[int, list[int]]:
    """Building id → grid owners, for a community."""
    from app.communities.models import Building

    result: dict[int, list[int]] = defaultdict(list)
    for building_id, user_id in session.execute(
        select(BuildingOwner.building_id, BuildingOwner.user_id)
        .join(Building, Building.id == BuildingOwner.building_id)
        .where(Building.community_id == community_id)
        .order_by(BuildingOwner.user_id)
    ):
        result[building_id].append(user_id)
    return result


def token_of_campaign(session: Session, campaign_id: int) -> ReportToken | None:
    """A campaign's report token, if it has one."""
    return session.scalars(
        select(ReportToken).where(ReportToken.campaign_id == campaign_id)
    ).one_or_none()


def get_token(session: Session, token: str) -> ReportToken | None:
    """A report token."""
    return session.get(ReportToken, token)


def count_receipts(
    session: Session, *, token: str | None = None, client_key: str | None = None, since: datetime
) -> int:
    """Public reports received since a moment, by token or by client."""
    stmt = select(func.count()).select_from(ReportReceipt).where(ReportReceipt.received_at >= since)
    if token is not None:
        stmt = stmt.where(ReportReceipt.token == token)
    if client_key is not None:
        stmt = stmt.where(ReportReceipt.client_key == client_key)
    return session.scalar(stmt) or 0


def open_for_user(
    session: Session, user_id: int, community_ids: Sequence[int]
) -> Sequence[EarlyWarning]:
    """A member's unreached warnings, soonest due first (the top of the phone page)."""
    return session.scalars(
        select(EarlyWarning)
        .where(
            EarlyWarning.community_id.in_(community_ids),
            EarlyWarning.status.in_(UNREACHED),
            EarlyWarning.id.in_(
                select(WarningAssignee.warning_id).where(WarningAssignee.user_id == user_id)
            ),
        )
        .order_by(EarlyWarning.due_at, EarlyWarning.id)
        .limit(50)
    ).all()
