"""Warnings: created, assigned, attempted, escalated, summarised; personal data guarded.

A warning's due time is its receipt plus the community's deadline for its risk level; it goes
to the household's building's grid owners (the officers when the building has none). Attempts
are idempotent by the client's UUID exactly like contacts. Only a face-to-face (``door``)
attempt reaches a high-risk warning. Escalation is done by the background job (``escalate_due``)
and never computed when reading. Name and phone are shown to assignees, officers and managers
(masked to anyone else who sees the warning), each such read is recorded, and they are erased
30 days after the warning is closed (reached or closed by hand); the figures stay.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from app.auth import repository as auth_repo
from app.auth.permissions import PLANNERS, Actor
from app.campaigns.models import Campaign
from app.communities import repository as communities_repo
from app.communities import service as communities
from app.communities.models import Community, Household
from app.db import utcnow
from app.enums import AttemptMethod, AttemptOutcome, RiskLevel, Role, WarningStatus
from app.errors import AppError, Conflict, Forbidden, Invalid
from app.incidents import service as incidents
from app.loaders import is_staff_in, staff_scope, visible
from app.notifications import service as notifications
from app.schemas import offset_minutes, with_offset
from app.warnings import repository as repo
from app.warnings.models import EarlyWarning, WarningAttempt
from app.warnings.schemas import (
    AttemptCreate,
    AttemptRead,
    LevelFigures,
    Ratio,
    WarningCreate,
    WarningQuery,
    WarningRead,
    WarningSummary,
    WarningUpdate,
)

LEVEL_ZH = {RiskLevel.high: "高风险", RiskLevel.medium: "中风险", RiskLevel.low: "低风险"}


@dataclass
class Outcome:
    """What a use case leaves for the job queue once committed."""

    messages: bool = False
    escalations: list[tuple[int, datetime]] = field(default_factory=list)

    def notify(
        self,
        session: Session,
        community: Community,
        event: notifications.Event,
        recipients: Sequence[int],
        now: datetime,
    ) -> None:
        """Queue the event's message to the recipients (delivered once the worker is kicked)."""
        queued = notifications.notify(
            session, community=community, event=event, recipients=recipients, now=now
        )
        self.messages = self.messages or queued

    def kick(self) -> None:
        """Ask the worker to deliver and to escalate on time (after the commit)."""
        from app.jobs import queue

        if self.messages:
            queue.deliver_pending()
        for warning_id, at in self.escalations:
            queue.escalate_at(warning_id, at)


def _invalid(field_name: str, message: str) -> Invalid:
    return Invalid(message, errors=[{"field": field_name, "message": message}])


def deadline_for(community: Community, level: RiskLevel) -> timedelta:
    """The time allowed to reach a warning of this level in this community."""
    return timedelta(minutes=community.warning_deadlines[str(level)])


def assignees_for(session: Session, community_id: int, building_id: int | None) -> list[int]:
    """The building's grid owners, else the community's officers, else its managers."""
    if building_id is not None:
        owners = repo.owners_of_building(session, building_id)
        if owners:
            return owners
    return repo.members_with_role(session, community_id, [Role.officer]) or (
        repo.members_with_role(session, community_id, [Role.manager])
    )


def _code_of(session: Session, warning: EarlyWarning) -> str | None:
    if warning.household_id is None:
        return None
    return repo.household_codes(session, [warning.household_id]).get(warning.household_id)


def _where(warning: EarlyWarning, code: str | None) -> str:
    return code or warning.address or "地址不详 address unknown"


def _event(
    warning: EarlyWarning, kind: str, step: str, text: str, code: str | None
) -> notifications.Event:
    return notifications.Event(
        kind=kind,
        key=f"{kind}:w{warning.id}:{step}",
        text=text,
        warning_id=warning.id,
        incident_id=warning.incident_id,
        data={
            "warning_id": warning.id,
            "household_code": code,
            "risk_level": str(warning.risk_level),
            "status": str(warning.status),
            "escalation_level": warning.escalation_level,
            "received_at": warning.received_at.isoformat(),
            "due_at": warning.due_at.isoformat(),
            "reached_at": warning.reached_at.isoformat() if warning.reached_at else None,
        },
    )


def new_warning(
    session: Session,
    *,
    community: Community,
    household: Household | None,
    address: str | None,
    risk_level: RiskLevel,
    received_at: datetime,
    fraud_type: str | None,
    person_name: str | None,
    phone: str | None,
    notes: str | None,
    source: str,
    source_ref: str | None,
    incident_id: int | None,
    created_by: int | None,
    now: datetime,
    assignees: Sequence[int] | None = None,
    outcome: Outcome,
) -> EarlyWarning:
    """Add a warning with its due times and assignees, and notify them (no commit)."""
    span = deadline_for(community, risk_level)
    warning = EarlyWarning(
        community_id=community.id,
        household_id=household.id if household else None,
        address=address,
        source=source,
        source_ref=source_ref,
        risk_level=risk_level,
        fraud_type=fraud_type,
        received_at=received_at,
        due_at=received_at + span,
        second_due_at=received_at + 2 * span,
        status=WarningStatus.open,
        escalation_level=0,
        person_name=person_name,
        phone=phone,
        notes=notes,
        incident_id=incident_id,
        created_by=created_by,
        created_at=now,
        updated_at=now,
    )
    session.add(warning)
    session.flush()
    people = (
        list(assignees)
        if assignees is not None
        else assignees_for(session, community.id, household.building_id if household else None)
    )
    repo.set_assignees(session, warning.id, people)
    code = household.code if household else None
    text = (
        f"【新预警 New warning】{LEVEL_ZH[risk_level]} {_where(warning, code)}，"
        f"请于 {_local(community, warning.due_at)} 前上门 / reach face to face by then"
    )
    outcome.notify(session, community, _event(warning, "warning_new", "0", text, code), people, now)
    outcome.escalations += [(warning.id, warning.due_at), (warning.id, warning.second_due_at)]
    return warning


def _local(community: Community, moment: datetime) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(community.timezone)).strftime("%m-%d %H:%M")


def create_warning(
    session: Session, *, actor: Actor, community: Community, payload: WarningCreate
) -> EarlyWarning:
    """A warning from the station, entered by an officer or a manager."""
    actor.require(community.id, PLANNERS, what="Community")
    household: Household | None
    if payload.household_id is not None:
        household = session.get(Household, payload.household_id)
        if household is None or household.community_id != community.id:
            raise _invalid("household_id", "No such household in this community")
    else:
        assert payload.household_code is not None
        household = communities_repo.get_household_by_code(
            session, community.id, payload.household_code
        )
        if household is None:
            raise _invalid("household_code", "No household with this code in this community")
    outcome = Outcome()
    warning = new_warning(
        session,
        community=community,
        household=household,
        address=None,
        risk_level=payload.risk_level,
        received_at=payload.received_at,
        fraud_type=payload.fraud_type,
        person_name=payload.person_name,
        phone=payload.phone,
        notes=payload.notes,
        source="manual",
        source_ref=None,
        incident_id=None,
        created_by=actor.id,
        now=utcnow(),
        outcome=outcome,
    )
    session.commit()
    outcome.kick()
    return warning


# --- reading -------------------------------------------------------------------------------


def _may_see_personal(actor: Actor, warning: EarlyWarning, assignees: Sequence[int]) -> bool:
    return actor.is_planner_in(warning.community_id) or actor.id in assignees


def read_warnings(
    session: Session, *, actor: Actor, warnings: Sequence[EarlyWarning], via: str
) -> list[WarningRead]:
    """Representations; personal data shown or masked by who asks, each showing recorded.

    Commits the access records (a read of personal data is itself a fact to keep).
    """
    ids = [w.id for w in warnings]
    assignees = repo.assignees_of(session, ids)
    codes = repo.household_codes(session, [w.household_id for w in warnings if w.household_id])
    counts = repo.attempt_counts(session, ids)
    shown: list[int] = []
    result = []
    for w in warnings:
        people = assignees.get(w.id, [])
        name, phone = w.person_name, w.phone
        state: Literal["shown", "masked", "erased", "none"]
        if w.personal_erased_at is not None:
            state = "erased"
        elif not (name or phone):
            state = "none"
        elif _may_see_personal(actor, w, people):
            state = "shown"
            shown.append(w.id)
        else:
            state = "masked"
            name, phone = communities.mask_name(name), communities.mask_phone(phone)
        result.append(
            WarningRead.from_object(
                w,
                household_code=codes.get(w.household_id) if w.household_id else None,
                assignee_ids=people,
                person_name=name,
                phone=phone,
                personal_data=state,
                notes=w.notes if state != "masked" else None,
                attempts=counts.get(w.id, 0),
            )
        )
    if shown and actor.id > 0:
        repo.record_accesses(session, shown, actor.id, via, utcnow())
        session.commit()
    return result


def get_warning(session: Session, *, actor: Actor, warning_id: int) -> EarlyWarning:
    """A warning the actor may see (staff: assigned to them, or in their rounds' buildings)."""
    return visible(
        actor,
        repo.get(session, warning_id),
        what="Warning",
        staff_sees=lambda w: repo.staff_can_see(session, w.id, actor.id),
    )


def list_warnings(
    session: Session, *, actor: Actor, community: Community, query: WarningQuery
) -> tuple[list[WarningRead], int]:
    """A community's warnings, unreached first by due time (staff: the ones they see)."""
    only_for_staff = staff_scope(actor, community.id)
    rows, total = repo.list_warnings(
        session, community.id, query, now=utcnow(), only_for_staff=only_for_staff
    )
    return read_warnings(session, actor=actor, warnings=rows, via="list"), total


def my_open_warnings(session: Session, *, actor: Actor) -> list[WarningRead]:
    """The actor's unreached warnings across their communities, soonest due first."""
    communities_ids = list(actor.roles)
    if not communities_ids:
        return []
    rows = repo.open_for_user(session, actor.id, communities_ids)
    return read_warnings(session, actor=actor, warnings=rows, via="list")


def update_warning(
    session: Session, *, actor: Actor, warning_id: int, payload: WarningUpdate
) -> EarlyWarning:
    """Reassign, close with a reason, or annotate a warning (officers and managers)."""
    warning = get_warning(session, actor=actor, warning_id=warning_id)
    actor.require(warning.community_id, PLANNERS, what="Warning")
    locked = repo.get(session, warning.id, lock=True)
    assert locked is not None
    warning = locked
    changes = payload.model_dump(exclude_unset=True)
    if "assignee_ids" in changes:
        people = list(dict.fromkeys(payload.assignee_ids or []))
        if not people:
            raise _invalid("assignee_ids", "A warning needs at least one assignee")
        missing = sorted(set(people) - auth_repo.members_of(session, warning.community_id, people))
        if missing:
            raise _invalid("assignee_ids", f"Not members of this community: {missing}")
        repo.set_assignees(session, warning.id, people)
    if payload.notes is not None:
        if warning.personal_erased_at is not None:
            raise Conflict("This warning's personal data was erased; its notes stay empty")
        warning.notes = payload.notes
    if payload.status == "closed":
        if warning.status == WarningStatus.closed:
            raise Conflict("The warning is already closed")
        now = utcnow()
        warning.status = WarningStatus.closed
        warning.close_reason = payload.close_reason
        warning.closed_by = actor.id
        warning.closed_at = warning.closed_at or now
    elif payload.close_reason is not None:
        raise _invalid("close_reason", "A close_reason goes with status 'closed'")
    session.commit()
    return warning


# --- attempts ------------------------------------------------------------------------------


def counts_as_reached(warning: EarlyWarning, attempt: WarningAttempt | AttemptCreate) -> bool:
    """Whether an attempt reaches the warning: reached, and face to face for high risk."""
    if attempt.outcome != AttemptOutcome.reached:
        return False
    return attempt.method == AttemptMethod.door or warning.risk_level != RiskLevel.high


def read_attempt(warning: EarlyWarning, attempt: WarningAttempt) -> AttemptRead:
    """An attempt's representation, its time at the offset it was given with."""
    return AttemptRead.from_object(
        attempt,
        occurred_at=with_offset(attempt.occurred_at, attempt.utc_offset_minutes),
        counts_as_reached=counts_as_reached(warning, attempt),
    )


def _replay(stored: WarningAttempt, digest: str, warning: EarlyWarning) -> WarningAttempt:
    if stored.warning_id != warning.id or stored.body_hash != digest:
        raise Conflict(
            "A different attempt with this id is already stored; make a new id for a new attempt"
        )
    return stored


def record_attempt(
    session: Session, *, actor: Actor, warning_id: int, payload: AttemptCreate
) -> tuple[WarningAttempt, EarlyWarning, bool]:
    """Record an attempt; returns it, the warning after it, and whether it is new.

    The same id with the same body answers the stored attempt and changes nothing; with a
    different body it is a conflict. Attempts on one warning serialise on its row.
    """
    seen = get_warning(session, actor=actor, warning_id=warning_id)
    digest = payload.body_hash(warning_id)
    stored = repo.get_attempt(session, payload.id)
    if stored is not None:
        return _replay(stored, digest, seen), seen, False
    if is_staff_in(actor, seen.community_id) and actor.id not in repo.assignees_of(
        session, [seen.id]
    ).get(seen.id, []):
        raise Forbidden("Staff record attempts only on warnings assigned to them")
    warning = repo.get(session, warning_id, lock=True)
    assert warning is not None
    now = utcnow()
    if payload.occurred_at < warning.received_at - timedelta(days=1):
        raise _invalid("occurred_at", "The attempt is dated before the warning was received")
    row: dict[str, Any] = {
        "id": payload.id,
        "warning_id": warning.id,
        "community_id": warning.community_id,
        "method": payload.method,
        "outcome": payload.outcome,
        "occurred_at": payload.occurred_at,
        "utc_offset_minutes": offset_minutes(payload.occurred_at),
        "dissuaded": payload.dissuaded,
        "money_lost": payload.money_lost,
        "notes": payload.notes,
        "body_hash": digest,
        "incident_id": None,
        "recorded_by": actor.id if actor.id > 0 else None,
        "recorded_at": now,
    }
    if not repo.insert_attempt(session, row):
        # Another request stored this id between our read and our insert.
        session.rollback()
        again = repo.get_attempt(session, payload.id)
        assert again is not None
        return _replay(again, digest, warning), warning, False
    attempt = repo.get_attempt(session, payload.id)
    assert attempt is not None
    outcome = Outcome()
    community = session.get(Community, warning.community_id)
    assert community is not None
    if payload.money_lost is not None and payload.money_lost > 0:
        incident = incidents.open_incident(
            session,
            community_id=warning.community_id,
            occurred_at=payload.occurred_at,
            fraud_type=warning.fraud_type or "other",
            channel="预警回访 warning follow-up",
            summary=payload.notes or "预警对象已被骗 The warned resident lost money",
            household_id=warning.household_id,
            amount_lost=payload.money_lost,
            reported_by=actor.id if actor.id > 0 else None,
            note=f"opened by attempt {payload.id} on warning {warning.id}",
        )
        attempt.incident_id = incident.id
    if warning.status in repo.UNREACHED:
        if counts_as_reached(warning, payload):
            _mark_reached(session, community, warning, payload.occurred_at, now, outcome)
        elif payload.outcome == AttemptOutcome.unreachable:
            warning.status = WarningStatus.unreachable
    session.commit()
    outcome.kick()
    return attempt, warning, True


def _mark_reached(
    session: Session,
    community: Community,
    warning: EarlyWarning,
    at: datetime,
    now: datetime,
    outcome: Outcome,
) -> None:
    warning.status = WarningStatus.reached
    warning.reached_at = at
    warning.reached_in_time = at <= warning.due_at
    warning.minutes_to_reach = max(0, int((at - warning.received_at).total_seconds() // 60))
    warning.closed_at = now
    people = repo.assignees_of(session, [warning.id]).get(warning.id, [])
    if warning.escalation_level >= 1:
        people += repo.members_with_role(session, community.id, [Role.officer])
    if warning.escalation_level >= 2:
        people += repo.members_with_role(session, community.id, [Role.manager])
    code = _code_of(session, warning)
    in_time = "按时 in time" if warning.reached_in_time else "超时 late"
    text = (
        f"【已见面 Reached】{LEVEL_ZH[warning.risk_level]} {_where(warning, code)}，"
        f"{_local(community, at)} 上门见到本人 met face to face（{in_time}）"
    )
    event = _event(warning, "warning_reached", "1", text, code)
    outcome.notify(session, community, event, people, now)


def list_attempts(session: Session, *, actor: Actor, warning_id: int) -> list[AttemptRead]:
    """A warning's attempts in time order."""
    warning = get_warning(session, actor=actor, warning_id=warning_id)
    return [read_attempt(warning, a) for a in repo.attempts_of(session, [warning.id])[warning.id]]


def record_batch(session: Session, *, actor: Actor, items: Sequence[Any]) -> list[dict[str, Any]]:
    """Attempts on any warnings, each answered as it would have been alone (offline queues)."""
    from pydantic import ValidationError

    results: list[dict[str, Any]] = []
    for raw in items:
        ident = raw.get("id") if isinstance(raw, dict) else None
        ident = ident[:100] if isinstance(ident, str) else None
        try:
            if not isinstance(raw, dict):
                raise Invalid("Each attempt must be a JSON object")
            warning_id = raw.get("warning_id")
            if not isinstance(warning_id, int) or isinstance(warning_id, bool) or warning_id < 1:
                raise _invalid("warning_id", "Each attempt names its warning_id")
            body = {k: v for k, v in raw.items() if k != "warning_id"}
            try:
                payload = AttemptCreate.model_validate(body)
            except ValidationError as exc:
                fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
                raise Invalid(
                    f"Invalid input: {', '.join(fields)}",
                    errors=[{"field": f, "message": "invalid"} for f in fields],
                ) from exc
            _attempt, _warning, new = record_attempt(
                session, actor=actor, warning_id=warning_id, payload=payload
            )
            results.append({"id": ident, "status": 201 if new else 200})
        except AppError as exc:
            session.rollback()
            results.append(
                {
                    "id": ident,
                    "status": exc.status_code,
                    "error": {"title": exc.title, "detail": exc.detail, "errors": exc.errors},
                }
            )
    return results


def accesses(session: Session, *, actor: Actor, warning_id: int) -> list[dict[str, Any]]:
    """Who read a warning's personal data, when and how (officers and managers)."""
    warning = get_warning(session, actor=actor, warning_id=warning_id)
    actor.require(warning.community_id, PLANNERS, what="Warning")
    return [
        {"user_id": a.user_id, "read_at": a.read_at, "via": a.via}
        for a in repo.accesses_of(session, warning.id)
    ]


# --- figures -------------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> Ratio:
    return Ratio(
        numerator=numerator,
        denominator=denominator,
        rate=round(numerator / denominator, 4) if denominator else None,
    )


def _median(values: list[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return float(ordered[mid]) if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _figures(counts: dict[str, int], minutes: list[int]) -> LevelFigures:
    received = counts.get("received", 0)
    return LevelFigures(
        received=received,
        reached=_ratio(counts.get("reached", 0), received),
        reached_in_time=_ratio(counts.get("in_time", 0), received),
        open=_ratio(counts.get("open", 0), received),
        overdue=_ratio(counts.get("overdue", 0), received),
        unreachable=_ratio(counts.get("unreachable", 0), received),
        median_minutes_to_reach=_median(minutes),
    )


def _summary(
    rows: Sequence[Any],
    minutes: Sequence[tuple[str, int]],
    *,
    start: datetime | None,
    end: datetime | None,
) -> WarningSummary:
    """A summary from ``summary_rows`` (one a risk level) and the (level, minutes) pairs."""
    total: dict[str, int] = {}
    by_level: dict[str, LevelFigures] = {}
    for level in RiskLevel:
        counts: dict[str, int] = {}
        for row in rows:
            if str(row.risk_level) == str(level):
                counts = {
                    k: int(v)
                    for k, v in row._mapping.items()
                    if k not in ("risk_level", "community_id")
                }
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
        by_level[str(level)] = _figures(counts, [m for lv, m in minutes if lv == str(level)])
    overall = _figures(total, [m for _lv, m in minutes])
    return WarningSummary(**overall.model_dump(), start=start, end=end, by_level=by_level)


def summary_of(
    session: Session,
    community_id: int,
    *,
    start: datetime | None,
    end: datetime | None,
    now: datetime,
) -> WarningSummary:
    """The figures of a community's warnings received in [start, end) (no access check)."""
    rows = repo.summary_rows(session, community_id, start=start, end=end, now=now)
    minutes = repo.minutes_to_reach(session, community_id, start=start, end=end)
    return _summary(rows, minutes, start=start, end=end)


def summaries_of(
    session: Session,
    ranges: Sequence[tuple[Sequence[int], datetime, datetime]],
    *,
    now: datetime,
) -> dict[int, WarningSummary]:
    """``summary_of`` for many communities in two queries whatever their number (no access
    check): ``ranges`` groups community ids with the [start, end) they are counted over."""
    rows: dict[int, list[Any]] = defaultdict(list)
    for row in repo.summary_rows_of_many(session, ranges, now=now):
        rows[row.community_id].append(row)
    minutes: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for community_id, level, m in repo.minutes_to_reach_of_many(session, ranges):
        minutes[community_id].append((level, m))
    return {
        community_id: _summary(rows[community_id], minutes[community_id], start=start, end=end)
        for ids, start, end in ranges
        for community_id in ids
    }


def summary(
    session: Session,
    *,
    actor: Actor,
    community: Community,
    start: datetime | None,
    end: datetime | None,
    campaign_id: int | None = None,
) -> WarningSummary:
    """The warning figures for officers and managers (a campaign's: over its local dates)."""
    actor.require(community.id, PLANNERS, what="Community")
    if campaign_id is not None:
        campaign = session.get(Campaign, campaign_id)
        if campaign is None or campaign.community_id != community.id:
            raise _invalid("campaign_id", "No such campaign in this community")
        tz = ZoneInfo(community.timezone)
        start = datetime.combine(campaign.starts_on, time(0), tz)
        end = datetime.combine(campaign.ends_on + timedelta(days=1), time(0), tz)
    if start is not None and end is not None and end <= start:
        raise _invalid("to", "'to' must be after 'from'")
    return summary_of(session, community.id, start=start, end=end, now=utcnow())


# --- the jobs' use cases -------------------------------------------------------------------


def escalate_due(session: Session, *, now: datetime, limit: int = 500) -> Outcome:
    """Raise every unreached warning past its due time(s) one level (or two), notifying each
    step; committed here. Run by the worker at each due time and by the minute sweep."""
    outcome = Outcome()
    for warning in repo.due_for_escalation(session, now, limit=limit):
        community = session.get(Community, warning.community_id)
        assert community is not None
        target = 2 if warning.second_due_at <= now else 1
        code = _code_of(session, warning)
        people = repo.assignees_of(session, [warning.id]).get(warning.id, [])
        for level in range(warning.escalation_level + 1, target + 1):
            warning.escalation_level = level
            warning.escalated_at = now
            people = people + repo.members_with_role(session, community.id, [Role.officer])
            if level == 2:
                people += repo.members_with_role(session, community.id, [Role.manager])
            who = "社区民警/网格长 officers" if level == 1 else "负责人 managers"
            text = (
                f"【预警升级 Escalated L{level}】{LEVEL_ZH[warning.risk_level]} "
                f"{_where(warning, code)} 逾期未见面 not reached by "
                f"{_local(community, warning.due_at if level == 1 else warning.second_due_at)}"
                f"，已报 {who}"
            )
            event = _event(warning, "warning_escalated", str(level), text, code)
            outcome.notify(session, community, event, people, now)
    session.commit()
    return outcome


def erase_expired(session: Session, *, now: datetime, after_days: int = 30) -> list[int]:
    """Erase name, phone and notes of warnings closed ``after_days`` ago; figures stay."""
    ids = repo.erase_personal_data(session, now - timedelta(days=after_days), now)
    session.commit()
    return ids
