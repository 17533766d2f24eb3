"""Planning use cases: availability, plans (preview or commit), the member's calendar feed.

The solving itself is in ``app.planner.solver`` on plain data; this module reads the campaign,
its households and contacts, its members' windows and other commitments, hands them over,
and creates the proposed rounds through the campaigns' scheduling rules.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlalchemy.orm import Session

from app.auth import repository as auth_repo
from app.auth import service as auth
from app.auth.permissions import PLANNERS, Actor
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign
from app.communities.models import Community
from app.coverage import service as coverage
from app.db import utcnow
from app.enums import CampaignStatus, Outcome, RoundStatus
from app.errors import AppError, Conflict, Invalid, Unauthorized
from app.planner import repository as repo
from app.planner import solver
from app.planner.models import AvailabilityWindow, CampaignAvailability
from app.planner.schemas import (
    AvailabilityRead,
    AvailabilityUpdate,
    Confidence,
    DayExpectationRead,
    Explanation,
    PatternRead,
    PlannedRoundRead,
    PlanRead,
    PreviewedRound,
    ReachRates,
    VisitingHoursRead,
    WindowRead,
)

PRIORITY_FLAGS = frozenset({"elderly_alone", "previous_victim"})
DEFAULT_MINUTES_PER_DOOR = 3.0
DEFAULT_MINUTES_PER_FLOOR = 1.0
DEFAULT_VISITING_HOURS: tuple[dict[str, object], ...] = tuple(
    {"weekday": wd, "from": start, "to": end}
    for wd in range(7)
    for start, end in (("09:00", "12:00"), ("14:00", "20:00"))
)
"""Used until a campaign sets its own: mornings and afternoons into the evening, every day."""
FEED_PAST = timedelta(days=60)
FEED_FUTURE = timedelta(days=400)


def _load(session: Session, actor: Actor, campaign_id: int) -> tuple[Campaign, Community]:
    campaign = campaigns.get_campaign(
        session, actor=actor, campaign_id=campaign_id, allowed=PLANNERS
    )
    community = session.get(Community, campaign.community_id)
    assert community is not None  # the foreign key guarantees it
    return campaign, community


def _campaign_span(campaign: Campaign, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(campaign.starts_on, time(), tz).astimezone(UTC)
    end = datetime.combine(campaign.ends_on + timedelta(days=1), time(), tz).astimezone(UTC)
    return start, end


def _hhmm(value: object) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


# --- availability --------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """One member's availability over one stretch of time (a stored window or a pattern's day)."""

    user_id: int
    starts_at: datetime
    ends_at: datetime


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def expand_patterns(
    patterns: Iterable[dict[str, object]], campaign: Campaign, tz: ZoneInfo
) -> list[Span]:
    """Weekly patterns repeated over every day of the campaign, in the community's time zone.

    Done when planning rather than when stored, so a campaign whose dates move keeps its
    patterns over its new days.
    """
    spans: list[Span] = []
    day = campaign.starts_on
    while day <= campaign.ends_on:
        for p in patterns:
            weekdays = p["weekdays"]
            assert isinstance(weekdays, list)
            if day.isoweekday() in weekdays:
                spans.append(
                    Span(
                        user_id=int(str(p["user_id"])),
                        starts_at=datetime.combine(day, _clock(str(p["starts"])), tz).astimezone(
                            UTC
                        ),
                        ends_at=datetime.combine(day, _clock(str(p["ends"])), tz).astimezone(UTC),
                    )
                )
        day += timedelta(days=1)
    return spans


def _all_windows(
    session: Session, campaign: Campaign, settings: CampaignAvailability | None, tz: ZoneInfo
) -> list[Span]:
    """The stored windows and the patterns' days: everything the planner may use."""
    spans = [
        Span(user_id=w.user_id, starts_at=w.starts_at, ends_at=w.ends_at)
        for w in repo.list_windows(session, campaign.id)
    ]
    if settings is not None and settings.patterns:
        spans.extend(expand_patterns(settings.patterns, campaign, tz))
    return spans


def _availability_read(
    campaign: Campaign,
    community: Community,
    settings: CampaignAvailability | None,
    windows: Sequence[AvailabilityWindow],
) -> AvailabilityRead:
    tz = ZoneInfo(community.timezone)
    hours = settings.visiting_hours if settings and settings.visiting_hours else None
    return AvailabilityRead(
        campaign_id=campaign.id,
        configured=settings is not None,
        windows=[
            WindowRead(
                user_id=w.user_id,
                starts_at=w.starts_at.astimezone(tz),
                ends_at=w.ends_at.astimezone(tz),
            )
            for w in windows
        ],
        minutes_per_door=settings.minutes_per_door if settings else DEFAULT_MINUTES_PER_DOOR,
        minutes_per_floor=settings.minutes_per_floor if settings else DEFAULT_MINUTES_PER_FLOOR,
        patterns=[
            PatternRead(
                user_id=int(str(p["user_id"])),
                weekdays=[int(d) for d in p["weekdays"]],
                starts=str(p["starts"]),
                ends=str(p["ends"]),
            )
            for p in (settings.patterns if settings and settings.patterns else [])
        ],
        visiting_hours=[
            VisitingHoursRead(weekday=int(str(h["weekday"])), from_=str(h["from"]), to=str(h["to"]))
            for h in (hours or DEFAULT_VISITING_HOURS)
        ],
        timezone=community.timezone,
        updated_at=settings.updated_at if settings else None,
    )


def get_availability(session: Session, *, actor: Actor, campaign_id: int) -> AvailabilityRead:
    """A campaign's planning inputs (defaults until set)."""
    campaign, community = _load(session, actor, campaign_id)
    return _availability_read(
        campaign,
        community,
        repo.get_settings(session, campaign.id),
        repo.list_windows(session, campaign.id),
    )


def set_availability(
    session: Session, *, actor: Actor, campaign_id: int, payload: AvailabilityUpdate
) -> AvailabilityRead:
    """Replace who can work when, door and floor minutes, and visiting hours."""
    campaign, community = _load(session, actor, campaign_id)
    tz = ZoneInfo(community.timezone)
    start, end = _campaign_span(campaign, tz)
    members = auth_repo.members_of(
        session,
        community.id,
        sorted({w.user_id for w in payload.windows} | {p.user_id for p in payload.patterns}),
    )
    errors: list[dict[str, object]] = []
    for i, w in enumerate(payload.windows):
        if w.user_id not in members:
            errors.append(
                {
                    "field": f"windows.{i}.user_id",
                    "message": f"user {w.user_id} is not a member of this community",
                }
            )
        if w.ends_at <= start or w.starts_at >= end:
            errors.append(
                {
                    "field": f"windows.{i}.starts_at",
                    "message": f"outside the campaign ({campaign.starts_on} – {campaign.ends_on})",
                }
            )
    for i, p in enumerate(payload.patterns):
        if p.user_id not in members:
            errors.append(
                {
                    "field": f"patterns.{i}.user_id",
                    "message": f"user {p.user_id} is not a member of this community",
                }
            )
    if errors:
        fields = ", ".join(str(e["field"]) for e in errors[:5])
        raise Invalid(f"Some availability windows cannot be used: {fields}", errors=errors)
    hours = [
        {"weekday": h.weekday, "from": _hhmm(h.from_), "to": _hhmm(h.to)}
        for h in payload.visiting_hours
    ] or [dict(h) for h in DEFAULT_VISITING_HOURS]
    settings = repo.get_settings(session, campaign.id)
    if settings is None:
        settings = CampaignAvailability(campaign_id=campaign.id)
        session.add(settings)
    settings.minutes_per_door = payload.minutes_per_door
    settings.minutes_per_floor = payload.minutes_per_floor
    settings.visiting_hours = hours
    settings.patterns = [
        {
            "user_id": p.user_id,
            "weekdays": sorted(p.weekdays),
            "starts": _hhmm(p.starts),
            "ends": _hhmm(p.ends),
        }
        for p in payload.patterns
    ]
    settings.updated_at = utcnow()
    repo.delete_windows(session, campaign.id)
    session.add_all(
        AvailabilityWindow(
            campaign_id=campaign.id, user_id=w.user_id, starts_at=w.starts_at, ends_at=w.ends_at
        )
        for w in payload.windows
    )
    session.commit()
    return _availability_read(
        campaign, community, settings, repo.list_windows(session, campaign.id)
    )


# --- planning ------------------------------------------------------------------------------


def _visiting_hours(settings: CampaignAvailability | None) -> tuple[solver.VisitingHours, ...]:
    rows = settings.visiting_hours if settings and settings.visiting_hours else None
    out = []
    for h in rows or DEFAULT_VISITING_HOURS:
        out.append(
            solver.VisitingHours(
                weekday=int(str(h["weekday"])),
                starts=time.fromisoformat(str(h["from"])),
                ends=time.fromisoformat(str(h["to"])),
            )
        )
    return tuple(out)


def build_problem(
    session: Session,
    *,
    campaign: Campaign,
    community: Community,
    now: datetime,
    time_limit_seconds: float = 2.0,
) -> tuple[solver.Problem, dict[str, object]]:
    """Read everything the solver needs; also say what was left out and why."""
    tz = ZoneInfo(community.timezone)
    settings = repo.get_settings(session, campaign.id)
    states = coverage.household_states(session, campaign_id=campaign.id)
    households = repo.households(session, community.id)
    flags = repo.flags(session, community.id)
    codes = repo.building_codes(session, community.id)

    counts: dict[tuple[int, solver.Kind], list[int]] = defaultdict(lambda: [0, 0])
    missed: dict[int, list[tuple[datetime, solver.Kind]]] = defaultdict(list)
    for household_id, building_id, outcome, at in repo.door_attempts(session, campaign.id):
        kind = solver.kind_of(at.astimezone(tz))
        counts[building_id, kind][0] += 1
        if outcome == Outcome.reached:
            counts[building_id, kind][1] += 1
        if outcome in (Outcome.not_home, Outcome.materials_left):
            missed[household_id].append((at, kind))
    reach = solver.ReachModel.from_counts({k: (n, r) for k, (n, r) in counts.items()})

    # Rounds already planned or under way are kept: their visits count, their time is taken.
    kept = repo.campaign_rounds(
        session, campaign.id, [RoundStatus.planned, RoundStatus.in_progress]
    )
    scheduled: dict[int, list[tuple[datetime, solver.Kind]]] = defaultdict(list)
    by_building: dict[int, list[int]] = defaultdict(list)
    unit_of: dict[int, str] = {}
    for h in households:
        by_building[h.building_id].append(h.id)
        unit_of[h.id] = h.unit
    kept_ids: list[int] = []
    for rnd, building_ids in kept:
        if rnd.ends_at <= now:
            continue  # a past round never started or finished: its contacts say what happened
        kept_ids.append(rnd.id)
        at = max(rnd.starts_at, now)
        kind = solver.kind_of(rnd.starts_at.astimezone(tz))
        for b in building_ids:
            units = (rnd.units or {}).get(str(b))
            for hid in by_building.get(b, []):
                if units is None or unit_of[hid] in units:
                    scheduled[hid].append((at, kind))

    eligible = reached = refused = 0
    open_households: list[solver.OpenHousehold] = []
    for h in households:
        state = states.get(h.id)
        status = state.status if state else "unvisited"
        if state is not None and state.excluded:
            continue
        eligible += 1
        if status == "reached":
            reached += 1
            continue
        if status == "refused":
            refused += 1
            continue
        open_households.append(
            solver.OpenHousehold(
                id=h.id,
                building_id=h.building_id,
                unit=h.unit,
                floor=h.floor,
                flagged=bool(flags.get(h.id, set()) & PRIORITY_FLAGS),
                missed=tuple(k for _at, k in sorted(missed.get(h.id, []))),
                scheduled=tuple(sorted(scheduled.get(h.id, []))),
            )
        )

    windows = _all_windows(session, campaign, settings, tz)
    members = auth_repo.members_of(session, community.id, sorted({w.user_id for w in windows}))
    staff: list[solver.StaffMember] = []
    if windows:
        start = min(w.starts_at for w in windows)
        end = max(w.ends_at for w in windows)
        busy: dict[int, list[solver.Interval]] = defaultdict(list)
        for user_id, s, e in repo.busy_times(session, sorted(members), start, end):
            busy[user_id].append(solver.Interval(s, e))
        mine: dict[int, list[solver.Interval]] = defaultdict(list)
        for w in windows:
            if w.user_id in members:
                mine[w.user_id].append(solver.Interval(w.starts_at, w.ends_at))
        for user_id, spans in sorted(mine.items()):
            free = solver.subtract(solver.merge(spans), solver.merge(busy[user_id]))
            staff.append(solver.StaffMember(user_id=user_id, free=tuple(free)))

    problem = solver.Problem(
        timezone=tz,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        now=now,
        target_coverage=campaign.target_coverage,
        eligible=eligible,
        reached=reached,
        households=tuple(open_households),
        staff=tuple(staff),
        visiting_hours=_visiting_hours(settings),
        minutes_per_door=settings.minutes_per_door if settings else DEFAULT_MINUTES_PER_DOOR,
        minutes_per_floor=settings.minutes_per_floor if settings else DEFAULT_MINUTES_PER_FLOOR,
        reach=reach,
        building_codes=codes,
        time_limit_seconds=time_limit_seconds,
    )
    context: dict[str, object] = {
        "refused": refused,
        "kept_rounds": kept_ids,
        "windows_of_non_members": sum(1 for w in windows if w.user_id not in members),
    }
    return problem, context


def _check_round(problem: solver.Problem, planned: solver.PlannedRound) -> None:
    """The planner's own rules, checked again before anything is created."""
    free = {s.user_id: s.free for s in problem.staff}
    span = solver.Interval(planned.starts_at, planned.ends_at)
    for user_id in planned.assignee_ids:
        if not any(
            iv.starts_at <= span.starts_at and span.ends_at <= iv.ends_at
            for iv in free.get(user_id, ())
        ):
            raise Conflict(f"The plan no longer fits user {user_id}'s availability; plan again")
    if not any(
        iv.starts_at <= span.starts_at and span.ends_at <= iv.ends_at
        for iv in solver.visiting_intervals(problem)
    ):
        raise Conflict("A proposed round falls outside visiting hours; plan again")


def _units(planned: solver.PlannedRound) -> dict[str, list[str]]:
    return {str(b): list(units) for b, units in planned.units.items()}


def plan_campaign(
    session: Session,
    *,
    actor: Actor,
    campaign_id: int,
    commit: bool,
    rounds: Sequence[PreviewedRound] | None = None,
    now: datetime | None = None,
    time_limit_seconds: float = 2.0,
) -> PlanRead:
    """Propose rounds for what is left of the campaign; with ``commit`` create them, all or none.

    ``rounds`` are a preview's rounds sent back to commit: those are created as the officer
    saw them (a round whose households have all been reached since is left out), instead of
    a plan made anew, which a solver given a time limit may make a little differently.
    """
    campaign, community = _load(session, actor, campaign_id)
    if commit and campaign.status == CampaignStatus.closed:
        raise Conflict("The campaign is closed; reopen it to schedule more")
    now = now or utcnow()
    problem, context = build_problem(
        session,
        campaign=campaign,
        community=community,
        now=now,
        time_limit_seconds=time_limit_seconds,
    )
    if rounds is not None:
        plan = solver.assess(
            problem,
            [
                solver.GivenRound(
                    starts_at=r.starts_at,
                    ends_at=r.ends_at,
                    assignee_ids=tuple(r.assignee_ids),
                    household_ids=frozenset(r.household_ids),
                )
                for r in rounds
            ],
        )
    else:
        plan = solver.solve(problem)
    round_ids: list[int | None] = [None] * len(plan.rounds)
    if commit and plan.rounds:
        try:
            for i, planned in enumerate(plan.rounds):
                _check_round(problem, planned)
                rnd = campaigns.schedule_round(
                    session,
                    campaign=campaign,
                    building_ids=list(planned.building_ids),
                    starts_at=planned.starts_at,
                    ends_at=planned.ends_at,
                    assignee_ids=list(planned.assignee_ids),
                    units=_units(planned),
                    notes=f"排班助手 / Planner — {planned.notes_zh}\n{planned.notes_en}"[:2000],
                )
                round_ids[i] = rnd.id
        except AppError as exc:
            session.rollback()
            raise Conflict(f"Nothing was created: {exc.detail}", errors=exc.errors) from exc
        session.commit()
    return _plan_read(campaign, community, problem, plan, context, round_ids, committed=commit)


def _plan_read(
    campaign: Campaign,
    community: Community,
    problem: solver.Problem,
    plan: solver.Plan,
    context: dict[str, object],
    round_ids: Sequence[int | None],
    *,
    committed: bool,
) -> PlanRead:
    tz = ZoneInfo(community.timezone)
    planned = {h for r in plan.rounds for h in r.household_ids}
    kept = {h.id for h in problem.households if h.scheduled}
    unscheduled = sum(1 for h in problem.households if h.id not in planned and h.id not in kept)
    by_building: dict[str, dict[str, float]] = defaultdict(dict)
    for (b, kind), p in sorted(problem.reach.by_building.items()):
        by_building[problem.building_codes.get(b, str(b))][kind.value] = round(p, 3)
    kept_rounds = context["kept_rounds"]
    assert isinstance(kept_rounds, list)
    refused = context["refused"]
    assert isinstance(refused, int)
    return PlanRead(
        campaign_id=campaign.id,
        committed=committed and bool(plan.rounds),
        rounds=[
            PlannedRoundRead(
                building_ids=list(r.building_ids),
                units=_units(r),
                starts_at=r.starts_at.astimezone(tz),
                ends_at=r.ends_at.astimezone(tz),
                assignee_ids=list(r.assignee_ids),
                household_ids=list(r.household_ids),
                kind=r.kind.value,
                doors=r.doors,
                expected_reached=r.expected_reached,
                notes_zh=r.notes_zh,
                notes_en=r.notes_en,
                round_id=round_id,
            )
            for r, round_id in zip(plan.rounds, round_ids, strict=True)
        ],
        feasible=plan.feasible,
        target_coverage=problem.target_coverage,
        eligible=problem.eligible,
        reached=problem.reached,
        expected_reached=plan.expected_reached,
        expected_coverage=plan.expected_coverage,
        expected_by_day=[
            DayExpectationRead(
                date=d.date,
                expected_reached=d.expected_reached,
                expected_coverage=d.expected_coverage,
            )
            for d in plan.expected_by_day
        ],
        shortfall_staff_hours=plan.shortfall_staff_hours,
        confidence=Confidence(
            probability_target_met=plan.probability_target_met,
            coverage_low=plan.coverage_low,
            coverage_high=plan.coverage_high,
        ),
        explanation=Explanation(zh=plan.explanation_zh, en=plan.explanation_en),
        reach=ReachRates(
            source="contacts" if problem.reach.attempts else "prior",
            door_attempts=problem.reach.attempts,
            community={k.value: round(p, 3) for k, p in problem.reach.by_kind.items()},
            by_building=dict(by_building),
        ),
        teams=[list(t) for t in plan.teams],
        households_planned=len(planned),
        households_not_planned={"refused": refused, "no_time_left": unscheduled},
        kept_rounds=[int(r) for r in kept_rounds],
        solver_status=plan.solver_status,
        solve_seconds=plan.solve_seconds,
    )


# --- calendar feed -------------------------------------------------------------------------


def issue_feed_token(session: Session, *, actor: Actor) -> str:
    """A new calendar feed token for the actor (earlier ones keep working until revoked)."""
    return auth.issue_feed_token(session, actor=actor)


def revoke_feed_tokens(session: Session, *, actor: Actor) -> None:
    """Stop every calendar feed of the actor at once."""
    auth.revoke_feed_tokens(session, actor=actor)


def calendar_feed(session: Session, *, token: str | None, now: datetime | None = None) -> bytes:
    """The member's rounds and events as an iCalendar feed, opened by a feed token."""
    if not token:
        raise Unauthorized("This feed needs its token: subscribe with the URL you were given")
    actor = auth.actor_for_token(session, token=token, kind="feed")
    now = now or utcnow()
    items = campaigns.my_schedule(
        session, actor=actor, start=now - FEED_PAST, end=now + FEED_FUTURE
    )
    notes, locations, codes = repo.calendar_details(
        session,
        [i.id for i in items if i.kind == "round"],
        [i.id for i in items if i.kind == "event"],
    )
    cal = Calendar()
    cal.add("prodid", "-//Doorstep//Visit rounds and events//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"入户走访 · {actor.user.display_name}")
    cal.add("x-published-ttl", "PT1H")
    for item in items:
        buildings = codes.get((item.kind, item.id), [])
        where_zh = "、".join(f"{c}栋" for c in buildings)
        where_en = ", ".join(buildings)
        event = CalendarEvent()
        event.add("uid", f"{item.kind}-{item.id}@doorstep")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", item.starts_at.astimezone(UTC))
        event.add("dtend", item.ends_at.astimezone(UTC))
        if item.kind == "round":
            event.add("summary", f"入户走访 {where_zh} / Visit round: buildings {where_en}".strip())
            location = f"{item.community_name} {where_zh}".strip()
            extra = notes.get(item.id)
        else:
            event.add("summary", item.title)
            location = locations.get(item.id) or item.community_name
            extra = f"楼栋 / Buildings: {where_en}" if buildings else None
        event.add("location", location)
        description = [f"{item.campaign_name} · {item.community_name}"]
        if extra:
            description.append(extra)
        description.append(f"状态 / Status: {item.status.value}")
        event.add("description", "\n".join(description))
        event.add("status", "CANCELLED" if item.status == RoundStatus.cancelled else "CONFIRMED")
        cal.add_component(event)
    body: bytes = cal.to_ical()
    return body
