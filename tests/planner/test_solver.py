"""The planner's solver on plain data: small communities whose best plan is known."""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from app.planner.solver import (
    Interval,
    Kind,
    OpenHousehold,
    Plan,
    Problem,
    ReachModel,
    StaffMember,
    VisitingHours,
    baseline_plan,
    intersect,
    kind_of,
    merge,
    solve,
    subtract,
    visiting_intervals,
)

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 12, 7)
EVERY_DAY = tuple(VisitingHours(wd, clock(8, 0), clock(21, 0)) for wd in range(7))


def at(day: date, hh: int, mm: int = 0) -> datetime:
    """A local Shanghai time as an aware UTC datetime."""
    return datetime.combine(day, clock(hh, mm), TZ).astimezone(UTC)


def window(day: date, start: tuple[int, int], end: tuple[int, int]) -> Interval:
    """A span on one local day."""
    return Interval(at(day, *start), at(day, *end))


def households(
    n: int, *, building: int = 1, unit: str = "1", per_floor: int = 2, start_id: int = 1, **kw: Any
) -> list[OpenHousehold]:
    """``n`` households of one unit, ``per_floor`` to a floor."""
    return [
        OpenHousehold(
            id=start_id + i, building_id=building, unit=unit, floor=1 + i // per_floor, **kw
        )
        for i in range(n)
    ]


def problem(
    homes: list[OpenHousehold],
    staff: dict[int, list[Interval]],
    *,
    days: int = 7,
    target: float = 0.9,
    reached: int = 0,
    eligible: int | None = None,
    visiting: tuple[VisitingHours, ...] = EVERY_DAY,
    reach: ReachModel | None = None,
    **kw: Any,
) -> Problem:
    """A problem starting Monday 7 December 2026 at 07:00 Shanghai time."""
    return Problem(
        timezone=TZ,
        starts_on=MONDAY,
        ends_on=MONDAY + timedelta(days=days - 1),
        now=at(MONDAY, 7),
        target_coverage=target,
        eligible=eligible if eligible is not None else len(homes) + reached,
        reached=reached,
        households=tuple(homes),
        staff=tuple(StaffMember(uid, tuple(spans)) for uid, spans in staff.items()),
        visiting_hours=visiting,
        reach=reach or ReachModel(),
        building_codes={b: str(b) for b in {h.building_id for h in homes}},
        time_limit_seconds=kw.pop("time_limit_seconds", 1.0),
        **kw,
    )


def assert_walkable_and_inside(p: Problem, plan: Plan) -> None:
    """Every round: inside its assignees' free time and visiting hours, no one in two at once,
    at most three hours and 60 doors a person, inside the campaign's dates."""
    free = {s.user_id: merge(s.free) for s in p.staff}
    visiting = visiting_intervals(p)
    by_person: dict[int, list[Interval]] = defaultdict(list)
    for r in plan.rounds:
        span = Interval(r.starts_at, r.ends_at)
        assert r.ends_at > r.starts_at
        assert span.minutes <= p.max_round_minutes
        assert r.doors <= p.max_doors_per_person * len(r.assignee_ids)
        assert p.starts_on <= r.starts_at.astimezone(TZ).date() <= p.ends_on
        assert p.starts_on <= r.ends_at.astimezone(TZ).date() <= p.ends_on
        assert any(v.starts_at <= r.starts_at and r.ends_at <= v.ends_at for v in visiting)
        for uid in r.assignee_ids:
            assert any(f.starts_at <= r.starts_at and r.ends_at <= f.ends_at for f in free[uid])
            by_person[uid].append(span)
    for spans in by_person.values():
        spans.sort(key=lambda s: s.starts_at)
        for a, b in itertools.pairwise(spans):
            assert a.ends_at <= b.starts_at, "someone is in two rounds at once"


class TestIntervals:
    def test_merge_intersect_subtract(self) -> None:
        d = MONDAY
        a = merge([window(d, (9, 0), (11, 0)), window(d, (10, 0), (12, 0))])
        assert a == [window(d, (9, 0), (12, 0))]
        b = [window(d, (8, 0), (9, 30)), window(d, (11, 0), (13, 0))]
        assert intersect(a, b) == [window(d, (9, 0), (9, 30)), window(d, (11, 0), (12, 0))]
        assert subtract(a, b) == [window(d, (9, 30), (11, 0))]

    def test_kinds_of_time(self) -> None:
        assert kind_of(datetime.combine(MONDAY, clock(9), TZ)) == Kind.weekday_day
        assert kind_of(datetime.combine(MONDAY, clock(18), TZ)) == Kind.weekday_evening
        saturday = MONDAY + timedelta(days=5)
        assert kind_of(datetime.combine(saturday, clock(10), TZ)) == Kind.weekend_day
        assert kind_of(datetime.combine(saturday, clock(19), TZ)) == Kind.weekend_evening


class TestKnownPlans:
    def test_one_pair_one_morning_visits_everyone_once(self) -> None:
        homes = households(10)
        morning = [window(MONDAY, (9, 0), (11, 0))]
        p = problem(homes, {1: morning, 2: morning})
        plan = solve(p)
        assert len(plan.rounds) == 1
        r = plan.rounds[0]
        assert r.assignee_ids == (1, 2)
        assert r.starts_at == at(MONDAY, 9)
        assert set(r.household_ids) == {h.id for h in homes}
        assert r.kind == Kind.weekday_day
        # Prior reach on a weekday morning is 0.55 a door.
        assert plan.expected_coverage == pytest.approx(0.55)
        assert_walkable_and_inside(p, plan)

    def test_goes_when_the_buildings_residents_are_home(self) -> None:
        homes = households(10)
        # Residents of building 1 are rarely home in the daytime, usually in the evening.
        reach = ReachModel.from_counts(
            {(1, Kind.weekday_day): (100, 20), (1, Kind.weekday_evening): (100, 90)}
        )
        same_day = [window(MONDAY, (9, 0), (11, 0)), window(MONDAY, (18, 0), (20, 0))]
        p = problem(homes, {1: same_day, 2: same_day}, reach=reach)
        plan = solve(p)
        # One visit a day per unit: the evening is the better one.
        assert [r.kind for r in plan.rounds] == [Kind.weekday_evening]
        assert plan.rounds[0].starts_at == at(MONDAY, 18)

    def test_goes_early_enough_to_come_back(self) -> None:
        homes = households(32)
        # Thursday to Saturday, mornings and evenings; Saturday evening is the likeliest time
        # of all, but going first on the last free day would leave no time to come back.
        days = [MONDAY + timedelta(days=d) for d in (3, 4, 5)]
        spans = [window(d, (9, 0), (11, 0)) for d in days] + [
            window(d, (18, 0), (20, 0)) for d in days
        ]
        plan = solve(problem(homes, {1: spans, 2: spans}, days=14))
        first = plan.rounds[0]
        assert first.starts_at.astimezone(TZ).date() == days[0]
        assert len({r.starts_at.date() for r in plan.rounds}) >= 2

    def test_flagged_households_come_first(self) -> None:
        plain = households(16, unit="1")
        flagged = households(16, unit="2", start_id=101, flagged=True)
        # Each 50-minute morning holds one unit (8 floors + 16 doors × 3 min ÷ 2 = 32 min).
        mornings = [window(MONDAY + timedelta(days=d), (9, 0), (9, 50)) for d in range(2)]
        p = problem(plain + flagged, {1: mornings, 2: mornings}, days=2)
        plan = solve(p)
        first = plan.rounds[0]
        assert first.starts_at == at(MONDAY, 9)
        assert set(first.household_ids) == {h.id for h in flagged}

    def test_with_time_for_one_unit_the_flagged_one_is_chosen(self) -> None:
        plain = households(16, unit="1")
        flagged = households(16, unit="2", start_id=101, flagged=True)
        once = [window(MONDAY, (9, 0), (9, 50))]
        plan = solve(problem(plain + flagged, {1: once, 2: once}))
        assert [set(r.household_ids) for r in plan.rounds] == [{h.id for h in flagged}]

    def test_not_home_in_the_day_is_tried_at_another_kind_of_time(self) -> None:
        missed = households(8, missed=(Kind.weekday_day,))
        days = [MONDAY + timedelta(days=d) for d in range(7)]
        spans = [window(d, (9, 0), (11, 0)) for d in days] + [
            window(d, (18, 0), (20, 0)) for d in days
        ]
        plan = solve(problem(missed, {1: spans, 2: spans}))
        assert plan.rounds
        assert plan.rounds[0].kind != Kind.weekday_day

    def test_not_home_on_weekday_evenings_goes_to_the_weekend(self) -> None:
        missed = households(8, missed=(Kind.weekday_day, Kind.weekday_evening))
        days = [MONDAY + timedelta(days=d) for d in range(7)]
        spans = [window(d, (9, 0), (11, 0)) for d in days] + [
            window(d, (18, 0), (20, 0)) for d in days
        ]
        plan = solve(problem(missed, {1: spans, 2: spans}))
        assert plan.rounds[0].kind in (Kind.weekend_day, Kind.weekend_evening)
        assert plan.rounds[0].starts_at.astimezone(TZ).weekday() >= 5

    def test_a_buildings_units_stay_with_one_pair(self) -> None:
        homes = (
            households(12, building=1, unit="1")
            + households(12, building=1, unit="2", start_id=21)
            + households(12, building=2, unit="1", start_id=41)
            + households(12, building=2, unit="2", start_id=61)
        )
        # Each 45-minute morning holds one unit (6 floors + 12 doors × 3 min ÷ 2 = 24 min).
        spans = [window(MONDAY + timedelta(days=d), (9, 0), (9, 45)) for d in range(3)]
        p = problem(homes, {1: spans, 2: spans, 3: spans, 4: spans}, days=3)
        plan = solve(p)
        pairs_of: dict[int, set[tuple[int, ...]]] = defaultdict(set)
        for r in plan.rounds:
            if "(visit" not in r.notes_en:  # first visits only
                for b in r.building_ids:
                    pairs_of[b].add(r.assignee_ids)
        assert set(pairs_of) == {1, 2}
        assert all(len(pairs) == 1 for pairs in pairs_of.values()), pairs_of
        assert {len(r.assignee_ids) for r in plan.rounds} == {2}
        assert_walkable_and_inside(p, plan)

    def test_a_tall_unit_is_cut_into_walkable_rounds(self) -> None:
        homes = households(150, per_floor=5)  # 30 floors
        spans = [window(MONDAY + timedelta(days=d), (9, 0), (17, 0)) for d in range(3)]
        p = problem(homes, {1: spans, 2: spans}, days=3)
        plan = solve(p)
        first_pass = [r for r in plan.rounds if "visit" not in r.notes_en]
        assert len(first_pass) >= 3
        assert_walkable_and_inside(p, plan)
        assert {h for r in plan.rounds for h in r.household_ids} == {h.id for h in homes}

    def test_existing_rounds_count_and_come_first(self) -> None:
        tuesday_evening = at(MONDAY + timedelta(days=1), 18)
        homes = households(10, scheduled=((tuesday_evening, Kind.weekday_evening),))
        spans = [window(MONDAY + timedelta(days=d), (9, 0), (11, 0)) for d in range(7)]
        plan = solve(problem(homes, {1: spans, 2: spans}))
        # The kept round's expected reach is counted even with nothing new planned.
        assert plan.expected_reached >= 10 * 0.7 - 1e-6
        assert all(r.starts_at >= at(MONDAY + timedelta(days=2), 0) for r in plan.rounds)


class TestFeasibility:
    def test_an_impossible_target_says_so_with_the_hours_missing(self) -> None:
        homes = households(120, per_floor=4)
        short = [window(MONDAY, (9, 0), (10, 0))]
        p = problem(homes, {1: short, 2: short}, target=0.9)
        plan = solve(p)
        assert plan.feasible is False
        assert plan.shortfall_staff_hours is not None
        assert plan.shortfall_staff_hours > 0
        assert plan.probability_target_met < 0.5
        assert "cannot be reached" in plan.explanation_en
        assert "无法达到" in plan.explanation_zh

    def test_the_hours_missing_are_enough_when_given(self) -> None:
        homes = households(60, per_floor=4)
        short = [window(MONDAY, (9, 0), (10, 30))]
        plan = solve(problem(homes, {1: short, 2: short}, target=0.85))
        assert not plan.feasible
        assert plan.shortfall_staff_hours is not None
        assert plan.shortfall_staff_hours > 0
        # Twice the missing staff-hours, shared by the pair over the rest of the week's evenings.
        per_person_per_day = 2 * plan.shortfall_staff_hours / 2 / 6
        minutes = max(60, round(per_person_per_day * 60))
        extra = [
            Interval(
                at(MONDAY + timedelta(days=d), 18),
                at(MONDAY + timedelta(days=d), 18) + timedelta(minutes=minutes),
            )
            for d in range(1, 7)
        ]
        again = solve(problem(homes, {1: short + extra, 2: short + extra}, target=0.85))
        assert again.feasible
        assert again.shortfall_staff_hours == 0

    def test_more_time_never_plans_less(self) -> None:
        homes = households(60, per_floor=4)
        spans = [window(MONDAY + timedelta(days=d), (18, 0), (19, 0)) for d in range(3)]
        more = spans + [window(MONDAY + timedelta(days=d), (18, 0), (19, 0)) for d in range(3, 6)]
        less_plan = solve(problem(homes, {1: spans, 2: spans}, target=0.95))
        more_plan = solve(problem(homes, {1: more, 2: more}, target=0.95))
        assert more_plan.expected_reached >= less_plan.expected_reached
        assert less_plan.shortfall_staff_hours is not None
        assert more_plan.shortfall_staff_hours is not None
        assert more_plan.shortfall_staff_hours <= less_plan.shortfall_staff_hours

    def test_reachable_target_is_feasible_with_no_shortfall(self) -> None:
        homes = households(20)
        spans = [window(MONDAY + timedelta(days=d), (18, 0), (20, 0)) for d in range(7)]
        plan = solve(problem(homes, {1: spans, 2: spans}, target=0.8))
        assert plan.feasible
        assert plan.shortfall_staff_hours == 0
        assert plan.expected_coverage is not None
        assert plan.expected_coverage >= 0.8

    def test_nobody_available(self) -> None:
        plan = solve(problem(households(10), {}, target=0.5))
        assert plan.rounds == ()
        assert not plan.feasible
        assert plan.shortfall_staff_hours is not None
        assert plan.shortfall_staff_hours > 0

    def test_everyone_already_reached(self) -> None:
        plan = solve(problem([], {1: [window(MONDAY, (9, 0), (11, 0))]}, reached=5, eligible=5))
        assert plan.rounds == ()
        assert plan.feasible
        assert plan.expected_coverage == 1.0

    def test_expected_by_day_rises_to_the_total(self) -> None:
        homes = households(30)
        spans = [window(MONDAY + timedelta(days=d), (18, 0), (20, 0)) for d in range(5)]
        plan = solve(problem(homes, {1: spans, 2: spans}, days=5))
        values = [d.expected_reached for d in plan.expected_by_day]
        assert values == sorted(values)
        assert next(d.date for d in plan.expected_by_day) == MONDAY
        assert values[-1] == pytest.approx(plan.expected_reached, abs=0.01)


def _community(seed: int) -> Problem:
    """Four buildings whose residents are out in the daytime; six staff over a week."""
    rng = random.Random(seed)
    homes: list[OpenHousehold] = []
    counts: dict[tuple[int, Kind], tuple[int, int]] = {}
    hid = 0
    for b in range(1, 5):
        for unit in ("1", "2", "3"):
            for floor in range(1, 13):
                for _ in range(2):
                    hid += 1
                    homes.append(
                        OpenHousehold(
                            id=hid,
                            building_id=b,
                            unit=unit,
                            floor=floor,
                            # Elderly residents living alone cluster in the third units.
                            flagged=rng.random() < (0.6 if unit == "3" else 0.03),
                        )
                    )
        counts[b, Kind.weekday_day] = (60, 15)
        counts[b, Kind.weekday_evening] = (60, 45)
        counts[b, Kind.weekend_day] = (60, 40)
    staff: dict[int, list[Interval]] = {}
    for uid in range(1, 7):
        spans = []
        for d in range(7):
            day = MONDAY + timedelta(days=d)
            if day.weekday() < 5:
                spans.append(window(day, (9, 0), (12, 0)))
                if (uid + d) % 3 == 0:
                    spans.append(window(day, (18, 30), (20, 30)))
            elif uid % 2 == d % 2:
                spans.append(window(day, (10, 0), (12, 0)))
        staff[uid] = spans
    visiting = tuple(VisitingHours(wd, clock(9, 0), clock(12, 0)) for wd in range(7)) + tuple(
        VisitingHours(wd, clock(14, 0), clock(20, 30)) for wd in range(7)
    )
    return problem(
        homes,
        staff,
        target=0.9,
        visiting=visiting,
        reach=ReachModel.from_counts(counts),
    )


class TestRealisticCommunity:
    def test_every_round_obeys_the_rules(self) -> None:
        p = _community(1)
        plan = solve(p)
        assert plan.rounds
        assert_walkable_and_inside(p, plan)

    def test_better_than_round_robin(self) -> None:
        p = _community(2)
        planned = solve(p)
        baseline = baseline_plan(_community(2))
        assert planned.expected_coverage is not None
        assert baseline.expected_coverage is not None
        assert planned.expected_coverage > baseline.expected_coverage

    def test_flagged_households_are_reached_more_surely(self) -> None:
        p = _community(3)
        plan = solve(p)
        flagged = {h.id for h in p.households if h.flagged}
        first_visit: dict[int, datetime] = {}
        for r in plan.rounds:
            for hid in r.household_ids:
                first_visit.setdefault(hid, r.starts_at)

        def mean(ids: set[int]) -> float:
            return sum(first_visit[i].timestamp() for i in ids) / len(ids)

        others = set(first_visit) - flagged
        assert mean(flagged & set(first_visit)) <= mean(others)


def test_visiting_hours_given_twice_are_not_offered_twice() -> None:
    twice = (
        VisitingHours(0, clock(9, 0), clock(12, 0)),
        VisitingHours(0, clock(10, 0), clock(11, 0)),
    )
    p = problem(households(4), {}, visiting=twice, days=1)
    assert visiting_intervals(p) == [window(MONDAY, (9, 0), (12, 0))]
