"""Planner benchmark: 5,000 households in 25 buildings, 12 staff, 14 days.

Prints the planning time (target ≤ 3 s) and the expected coverage of the planner's proposal
against a simple baseline measured in the same run: buildings handed to teams round-robin in
code order, each team walking its units in order through its free time, pass after pass.

Both plans are scored by the same reach model. Residents' habits differ by building (some are
home in the daytime, most only in the evening); the campaign has already recorded a first pass
through five buildings, so the planner knows their habits and the community's.

    /work/venv/bin/python bench/planner.py [--seed 1] [--time-limit 2.0] [--households 5000]
    /work/venv/bin/python bench/planner.py --db [--database-url postgresql+psycopg://…]

``--db`` also loads the same community into a fresh database (a temporary SQLite file unless a
URL of an empty database is given), runs the migrations, and times the whole service path of
``POST /campaigns/{id}/plan``: reading households, contacts, windows and other commitments,
solving, and for ``commit`` creating every round through the scheduling rules.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.planner.solver import (
    KINDS,
    Interval,
    Kind,
    OpenHousehold,
    Plan,
    Problem,
    ReachModel,
    StaffMember,
    VisitingHours,
    baseline_plan,
    solve,
)

TZ = ZoneInfo("Asia/Shanghai")


def _local(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, dtime(hh, mm), TZ).astimezone(UTC)


def _habits(rng: random.Random) -> dict[Kind, float]:
    """A building's true chance of finding someone home, by kind of time."""
    style = rng.random()
    if style < 0.3:  # retirees: home in the daytime
        return {
            Kind.weekday_day: 0.75,
            Kind.weekday_evening: 0.7,
            Kind.weekend_day: 0.7,
            Kind.weekend_evening: 0.7,
        }
    if style < 0.8:  # working families: evenings and weekends
        return {
            Kind.weekday_day: 0.3,
            Kind.weekday_evening: 0.72,
            Kind.weekend_day: 0.6,
            Kind.weekend_evening: 0.75,
        }
    return {  # young renters: late evenings, weekends out
        Kind.weekday_day: 0.2,
        Kind.weekday_evening: 0.65,
        Kind.weekend_day: 0.35,
        Kind.weekend_evening: 0.5,
    }


def make_problem(
    *, seed: int = 1, households: int = 5000, buildings: int = 25, staff: int = 12
) -> Problem:
    """A realistic community mid-way through the first week of a two-week campaign."""
    rng = random.Random(seed)
    start = date(2026, 12, 7)  # a Monday
    now = _local(start, 8, 0)
    ends = start + timedelta(days=13)
    per_building = households // buildings
    open_households: list[OpenHousehold] = []
    counts: dict[tuple[int, Kind], tuple[int, int]] = {}
    codes: dict[int, str] = {}
    hid = 0
    reached = 0
    for b in range(1, buildings + 1):
        codes[b] = str(b)
        units = rng.choice([2, 3, 4])
        per_floor = rng.choice([2, 2, 4])
        floors = -(-per_building // (units * per_floor))
        habits = _habits(rng)
        # A first pass last week on weekday mornings through five buildings.
        visited = b <= 5
        made = 0
        tried_n = 0
        tried_r = 0
        for u in range(1, units + 1):
            for f in range(1, floors + 1):
                for _r in range(per_floor):
                    if made >= per_building:
                        break
                    made += 1
                    hid += 1
                    flagged = rng.random() < 0.1
                    if visited:
                        tried_n += 1
                        if rng.random() < habits[Kind.weekday_day]:
                            tried_r += 1
                            reached += 1
                            continue
                    open_households.append(
                        OpenHousehold(
                            id=hid,
                            building_id=b,
                            unit=str(u),
                            floor=f,
                            flagged=flagged,
                            missed=(Kind.weekday_day,) if visited else (),
                        )
                    )
        if visited:
            counts[(b, Kind.weekday_day)] = (tried_n, tried_r)
            # A few evening call-backs already happened too.
            n = 30
            counts[(b, Kind.weekday_evening)] = (n, round(n * habits[Kind.weekday_evening]))
    team: list[StaffMember] = []
    for i in range(staff):
        free: list[Interval] = []
        for d in range(14):
            day = start + timedelta(days=d)
            weekday = day.weekday() < 5
            if i < 6:  # property staff: office hours, one late shift a week, alternate Saturdays
                if weekday:
                    free.append(Interval(_local(day, 9), _local(day, 12)))
                    free.append(Interval(_local(day, 14), _local(day, 17, 30)))
                    if day.weekday() == i % 5:
                        free.append(Interval(_local(day, 18, 30), _local(day, 20, 30)))
                elif day.weekday() == 5 and (d // 7 + i) % 2 == 0:
                    free.append(Interval(_local(day, 9, 30), _local(day, 12)))
                    free.append(Interval(_local(day, 14), _local(day, 17)))
            elif i < 9:  # grid officers: afternoons and two evenings, Sunday afternoons
                if weekday:
                    free.append(Interval(_local(day, 14), _local(day, 17)))
                    if day.weekday() in ((i + 1) % 5, (i + 3) % 5):
                        free.append(Interval(_local(day, 18, 30), _local(day, 20, 30)))
                elif day.weekday() == 6:
                    free.append(Interval(_local(day, 14), _local(day, 19)))
            elif weekday:  # volunteers: evenings and weekends
                if rng.random() < 0.6:
                    free.append(Interval(_local(day, 18, 30), _local(day, 20, 30)))
            elif rng.random() < 0.7:
                free.append(Interval(_local(day, 10), _local(day, 12)))
                free.append(Interval(_local(day, 15), _local(day, 19, 30)))
        team.append(StaffMember(user_id=100 + i, free=tuple(free)))
    visiting = [VisitingHours(wd, dtime(9, 0), dtime(12, 0)) for wd in range(5)]
    visiting += [VisitingHours(wd, dtime(14, 0), dtime(20, 30)) for wd in range(5)]
    visiting += [VisitingHours(wd, dtime(9, 30), dtime(12, 0)) for wd in (5, 6)]
    visiting += [VisitingHours(wd, dtime(14, 0), dtime(20, 0)) for wd in (5, 6)]
    return Problem(
        timezone=TZ,
        starts_on=start - timedelta(days=7),
        ends_on=ends,
        now=now,
        target_coverage=0.95,
        eligible=buildings * per_building,
        reached=reached,
        households=tuple(open_households),
        staff=tuple(team),
        visiting_hours=tuple(visiting),
        minutes_per_door=3.0,
        minutes_per_floor=1.0,
        reach=ReachModel.from_counts(counts, prior=None),
        building_codes=codes,
    )


def _load_database(url: str, problem: Problem, seed: int) -> tuple[Any, int, int]:
    """The bench community in a migrated database: (sessionmaker, campaign id, admin id)."""
    from alembic import command
    from alembic.config import Config

    from app.auth.models import Membership, User
    from app.campaigns.models import Campaign
    from app.communities.models import Building, Community, Household, HouseholdFlag
    from app.config import PROJECT_ROOT
    from app.contacts.models import Contact
    from app.db import make_engine, make_sessionmaker
    from app.enums import CampaignStatus, Channel, Occupancy, Outcome, Role
    from app.planner.models import AvailabilityWindow, CampaignAvailability

    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = url
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    rng = random.Random(seed)
    with factory() as session:
        admin = User(username="bench-admin", password_hash="-", display_name="Bench", is_admin=True)
        community = Community(name="江南星城", timezone="Asia/Shanghai")
        session.add_all([admin, community])
        session.flush()
        buildings = {
            b: Building(community_id=community.id, code=code, units=4, floors=30)
            for b, code in problem.building_codes.items()
        }
        session.add_all(buildings.values())
        campaign = Campaign(
            community_id=community.id,
            name="冬季反诈宣传",
            starts_on=problem.starts_on,
            ends_on=problem.ends_on,
            target_coverage=problem.target_coverage,
            topics=[],
            status=CampaignStatus.active,
        )
        session.add(campaign)
        users = {
            s.user_id: User(
                username=f"staff{s.user_id}", password_hash="-", display_name=f"S{s.user_id}"
            )
            for s in problem.staff
        }
        session.add_all(users.values())
        session.flush()
        session.add_all(
            Membership(user_id=u.id, community_id=community.id, role=Role.staff)
            for u in users.values()
        )
        # Open households as the solver sees them, and the reached ones it does not.
        open_ids = {h.id: h for h in problem.households}
        rows: list[Household] = []
        flagged: list[int] = []
        misses: list[tuple[int, int]] = []
        for hid in range(1, problem.eligible + 1):
            h = open_ids.get(hid)
            b = h.building_id if h else 1 + (hid - 1) * len(buildings) // problem.eligible
            unit = h.unit if h else "1"
            floor = h.floor if h else 1
            row = Household(
                community_id=community.id,
                building_id=buildings[b].id,
                unit=unit,
                floor=floor,
                room=f"{floor}{hid:05d}",
                code=f"{b}-{unit}-{hid}",
                occupancy=Occupancy.occupied,
            )
            rows.append(row)
            if h is not None and h.flagged:
                flagged.append(len(rows) - 1)
            if h is None or h.missed:
                misses.append((len(rows) - 1, 1 if h is None else 0))
        session.add_all(rows)
        session.flush()
        session.add_all(
            HouseholdFlag(household_id=rows[i].id, flag="elderly_alone") for i in flagged
        )
        tz = problem.timezone
        last_week = problem.now - timedelta(days=rng.randint(3, 4))
        for i, was_reached in misses:
            at = last_week.replace(minute=rng.randint(0, 59))
            session.add(
                Contact(
                    id=uuid.UUID(int=rng.getrandbits(128)),
                    campaign_id=campaign.id,
                    community_id=community.id,
                    household_id=rows[i].id,
                    channel=Channel.door,
                    outcome=Outcome.reached if was_reached else Outcome.not_home,
                    occurred_at=at,
                    local_date=at.astimezone(tz).date(),
                    body_hash="0" * 64,
                )
            )
        session.add(
            CampaignAvailability(
                campaign_id=campaign.id,
                minutes_per_door=problem.minutes_per_door,
                minutes_per_floor=problem.minutes_per_floor,
                visiting_hours=[
                    {
                        "weekday": v.weekday,
                        "from": v.starts.strftime("%H:%M"),
                        "to": v.ends.strftime("%H:%M"),
                    }
                    for v in problem.visiting_hours
                ],
            )
        )
        session.add_all(
            AvailabilityWindow(
                campaign_id=campaign.id,
                user_id=users[s.user_id].id,
                starts_at=iv.starts_at,
                ends_at=iv.ends_at,
            )
            for s in problem.staff
            for iv in s.free
        )
        session.commit()
        return factory, campaign.id, admin.id


def run_database(problem: Problem, url: str | None, seed: int, time_limit: float) -> None:
    """Time the service path of a plan preview and a commit on a real database."""
    from app.auth.models import User
    from app.auth.permissions import Actor
    from app.campaigns.models import Campaign
    from app.planner import service

    with tempfile.TemporaryDirectory() as tmp:
        url = url or f"sqlite:///{tmp}/planner-bench.db"
        t0 = time.perf_counter()
        factory, campaign_id, admin_id = _load_database(url, problem, seed)
        print(f"database: {url.split('://')[0]}, loaded in {time.perf_counter() - t0:.1f} s")
        for commit in (False, True):
            with factory() as session:
                admin = session.get(User, admin_id)
                campaign = session.get(Campaign, campaign_id)
                assert admin is not None
                assert campaign is not None
                t1 = time.perf_counter()
                plan = service.plan_campaign(
                    session,
                    actor=Actor(user=admin),
                    campaign=campaign,
                    commit=commit,
                    now=problem.now,
                    time_limit_seconds=time_limit,
                )
                took = time.perf_counter() - t1
            what = "commit " if commit else "preview"
            print(
                f"service {what} {took:6.2f} s (solver {plan.solve_seconds:.2f} s)  "
                f"expected coverage {(plan.expected_coverage or 0):6.1%}  rounds {len(plan.rounds)}"
                f"  committed {plan.committed}"
            )


def _summary(name: str, plan: Plan, seconds: float) -> str:
    cov = plan.expected_coverage or 0.0
    kinds = {k: sum(1 for r in plan.rounds if r.kind == k) for k in KINDS}
    return (
        f"{name:9s} {seconds:6.2f} s  expected coverage {cov:6.1%}  rounds {len(plan.rounds):4d}  "
        f"feasible {plan.feasible!s:5s}  shortfall {plan.shortfall_staff_hours} h  "
        f"P(target) {plan.probability_target_met:.2f}  kinds "
        + " ".join(f"{k.value}={n}" for k, n in kinds.items())
    )


def main() -> None:
    """Run the planner and the baseline on the same community and print both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--time-limit", type=float, default=2.0)
    parser.add_argument("--db", action="store_true", help="also time the service on a database")
    parser.add_argument("--database-url", default=None, help="an empty database (default SQLite)")
    args = parser.parse_args()
    problem = make_problem(seed=args.seed, households=args.households)
    problem = Problem(**{**problem.__dict__, "time_limit_seconds": args.time_limit})
    print(
        f"community: {problem.eligible} households, {len(problem.building_codes)} buildings, "
        f"{len(problem.staff)} staff, {(problem.ends_on - problem.now.date()).days + 1} days; "
        f"already reached {problem.reached}, open {len(problem.households)}, "
        f"target {problem.target_coverage:.0%}"
    )
    t0 = time.perf_counter()
    planned = solve(problem)
    t1 = time.perf_counter()
    base = baseline_plan(problem)
    t2 = time.perf_counter()
    print(_summary("planner", planned, t1 - t0))
    print(_summary("baseline", base, t2 - t1))
    gain = (planned.expected_coverage or 0) - (base.expected_coverage or 0)
    print(f"planner − baseline: {gain * 100:+.1f} points of expected coverage")
    print(f"teams: {planned.teams}; solver: {planned.solver_status}")
    print("planner:", planned.explanation_en)
    if args.db:
        run_database(
            make_problem(seed=args.seed, households=args.households),
            args.database_url,
            args.seed,
            args.time_limit,
        )


if __name__ == "__main__":
    main()
