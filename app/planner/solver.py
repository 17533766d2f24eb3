"""Proposals of visit rounds: the planning problem on plain data, solved with OR-Tools CP-SAT.

Nothing here touches the database, so the planner can be tested and benchmarked on its own.

The model, in a few lines:

- **Work.** Open households (not reached, not excluded, not refused) are grouped into *chunks*:
  one unit of one building with the same history, split by floors when one visit would not be
  walkable (at most 60 doors, about two hours for a pair).
- **Reach.** A door attempt at a kind of time c (weekday day, weekday evening, weekend day,
  weekend evening) reaches household h of building b with probability
  ``p[b, c] × 0.6 ** (misses of h at c) × 0.95 ** (misses of h at other kinds)``: whoever was
  out on a weekday morning is likely out on the next one too. ``p[b, c]`` comes from the
  campaign's own door contacts, shrunk towards the community's rate and a prior (``ReachModel``).
  Attempts are otherwise independent, so ``P(h reached) = 1 − Π (1 − p)`` over its attempts.
- **Teams and slots.** Staff are paired by how much free time they share; a *slot* is a span of
  a team's common free time inside visiting hours, cut at 17:00 (day / evening) and into rounds
  of at most three hours. A member whose partner is busy may work a solo slot.
- **Passes (CP-SAT).** Visits are planned pass by pass: first visits, then revisits of what is
  expected to remain. Each pass is one CP-SAT model: ``x[u, s] = 1`` when chunk u is visited in
  slot s; each chunk at most once a pass, on a later day than its previous visit; a slot holds
  what fits in its minutes and 60 doors per person. The objective is the weighted expected
  number of households the visit reaches (flagged households ×3), discounted a little by day so
  that flagged and large gains come first, plus what the next visit could still find times the
  share of staff time left on later days (so a first visit does not take the last free day),
  minus a fixed cost per new round; in the first pass a
  penalty per (building, team) keeps a building's units with one pair, later passes prefer the
  pair that went first. Households found not home are next tried only at another kind of time.
  Each model starts from a greedy fill (best value per minute) and holds that fill plus each
  chunk's 16 best options; the solver improves on it within its share of the time limit.
- **Evaluation.** The expected coverage is computed exactly from the chosen visits, per
  household in time order, with its spread (attempts are Bernoulli trials) and, when the target
  is missed, the staff-hours that more visits, best value first, would need to reach it.
"""

from __future__ import annotations

import heapq
import itertools
import math
import time as clock
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from ortools.sat.python import cp_model

EVENING_STARTS = time(17, 0)
FLAG_WEIGHT = 3.0
SAME_KIND_AFTER_MISS = 0.6
OTHER_KIND_AFTER_MISS = 0.95
REVISIT_DOOR_MARGIN = 1.15
DAY_DISCOUNT = 0.1
LOOKAHEAD = 1.0
OPTIONS_PER_CHUNK = 16
ROUND_COST = 0.5
SOLO_COST = 0.5
SPLIT_COST = 2.0
SAME_TEAM_BONUS = 0.3
SCALE = 1000
P_MIN, P_MAX = 0.02, 0.97


class Kind(StrEnum):
    """A kind of time: residents are home at some more than at others."""

    weekday_day = "weekday_day"
    weekday_evening = "weekday_evening"
    weekend_day = "weekend_day"
    weekend_evening = "weekend_evening"


KINDS: tuple[Kind, ...] = tuple(Kind)
KIND_NAMES_ZH = {
    Kind.weekday_day: "工作日白天",
    Kind.weekday_evening: "工作日晚上",
    Kind.weekend_day: "周末白天",
    Kind.weekend_evening: "周末晚上",
}
KIND_NAMES_EN = {
    Kind.weekday_day: "weekday daytime",
    Kind.weekday_evening: "weekday evening",
    Kind.weekend_day: "weekend daytime",
    Kind.weekend_evening: "weekend evening",
}
PRIOR_REACH: dict[Kind, float] = {
    Kind.weekday_day: 0.55,
    Kind.weekday_evening: 0.7,
    Kind.weekend_day: 0.65,
    Kind.weekend_evening: 0.72,
}
"""Share of door attempts that reach someone, before the campaign has data of its own."""


def kind_of(local_start: datetime) -> Kind:
    """The kind of time a visit starting at this local time belongs to."""
    weekend = local_start.weekday() >= 5
    evening = local_start.time() >= EVENING_STARTS
    if weekend:
        return Kind.weekend_evening if evening else Kind.weekend_day
    return Kind.weekday_evening if evening else Kind.weekday_day


def _clamp(p: float) -> float:
    return min(P_MAX, max(P_MIN, p))


def attempt_p(base: float, kind: Kind, missed: Iterable[Kind]) -> float:
    """Chance one attempt at ``kind`` reaches a household already missed at ``missed``."""
    p = base
    for k in missed:
        p *= SAME_KIND_AFTER_MISS if k == kind else OTHER_KIND_AFTER_MISS
    return _clamp(p)


# --- inputs --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A half-open span of time, aware."""

    starts_at: datetime
    ends_at: datetime

    @property
    def minutes(self) -> float:
        """Its length in minutes."""
        return (self.ends_at - self.starts_at).total_seconds() / 60


@dataclass(frozen=True)
class VisitingHours:
    """On one weekday (0 = Monday), visiting is acceptable from ``starts`` to ``ends``, local."""

    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True)
class StaffMember:
    """A member who can work: their free time (availability minus rounds and events)."""

    user_id: int
    free: tuple[Interval, ...]


@dataclass(frozen=True)
class OpenHousehold:
    """A household still to reach, with what is known of earlier attempts."""

    id: int
    building_id: int
    unit: str
    floor: int
    flagged: bool = False
    missed: tuple[Kind, ...] = ()
    """The kinds of time of its door attempts that found nobody home, one entry each."""
    scheduled: tuple[tuple[datetime, Kind], ...] = ()
    """Attempts already planned in existing rounds (start, kind): counted, not re-planned."""


@dataclass(frozen=True)
class ReachModel:
    """Reach probability per door attempt, per building and kind of time.

    ``p[b, c] = (reached[b, c] + 10 · p[c]) / (attempts[b, c] + 10)`` with the community's rate
    ``p[c] = (reached[c] + 20 · prior[c]) / (attempts[c] + 20)``: a building with no contacts
    gets the community's rate, a community with none gets the prior, and each moves towards
    what its own doors show as attempts accumulate (a Beta prior worth 10 and 20 attempts).
    """

    by_building: dict[tuple[int, Kind], float] = field(default_factory=dict)
    by_kind: dict[Kind, float] = field(default_factory=lambda: dict(PRIOR_REACH))
    attempts: int = 0

    @classmethod
    def from_counts(
        cls,
        counts: dict[tuple[int, Kind], tuple[int, int]],
        *,
        prior: dict[Kind, float] | None = None,
    ) -> ReachModel:
        """Build from ``{(building_id, kind): (attempts, reached)}`` of door contacts."""
        prior = prior or PRIOR_REACH
        per_kind: dict[Kind, list[int]] = {k: [0, 0] for k in KINDS}
        for (_b, kind), (n, r) in counts.items():
            per_kind[kind][0] += n
            per_kind[kind][1] += r
        by_kind = {
            k: _clamp((per_kind[k][1] + 20 * prior[k]) / (per_kind[k][0] + 20)) for k in KINDS
        }
        by_building = {
            (b, kind): _clamp((r + 10 * by_kind[kind]) / (n + 10))
            for (b, kind), (n, r) in counts.items()
        }
        total = sum(n for n, _r in counts.values())
        return cls(by_building=by_building, by_kind=by_kind, attempts=total)

    def p(self, building_id: int, kind: Kind) -> float:
        """The reach probability of a first attempt."""
        return self.by_building.get((building_id, kind), self.by_kind[kind])


@dataclass(frozen=True)
class Problem:
    """Everything the planner needs, already read and checked."""

    timezone: ZoneInfo
    starts_on: date
    ends_on: date
    now: datetime
    target_coverage: float
    eligible: int
    reached: int
    households: tuple[OpenHousehold, ...]
    staff: tuple[StaffMember, ...]
    visiting_hours: tuple[VisitingHours, ...]
    minutes_per_door: float = 3.0
    minutes_per_floor: float = 1.0
    reach: ReachModel = field(default_factory=ReachModel)
    building_codes: dict[int, str] = field(default_factory=dict)
    max_round_minutes: int = 180
    min_round_minutes: int = 45
    max_doors_per_person: int = 60
    max_visits: int = 4
    allow_solo: bool = True
    time_limit_seconds: float = 2.0
    """Wall-clock target for ``solve``: the passes share 85 %, evaluation the rest."""


# --- outputs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedRound:
    """A proposed round: who, when, where, and what it is expected to achieve."""

    starts_at: datetime
    ends_at: datetime
    assignee_ids: tuple[int, ...]
    building_ids: tuple[int, ...]
    units: dict[int, tuple[str, ...]]
    household_ids: tuple[int, ...]
    kind: Kind
    doors: int
    expected_reached: float
    notes_zh: str
    notes_en: str


@dataclass(frozen=True)
class DayExpectation:
    """Households expected reached by the end of a local date, cumulative."""

    date: date
    expected_reached: float
    expected_coverage: float | None


@dataclass(frozen=True)
class Plan:
    """The planner's answer."""

    rounds: tuple[PlannedRound, ...]
    feasible: bool
    expected_reached: float
    expected_coverage: float | None
    expected_by_day: tuple[DayExpectation, ...]
    shortfall_staff_hours: float | None
    probability_target_met: float
    coverage_low: float | None
    coverage_high: float | None
    teams: tuple[tuple[int, ...], ...]
    explanation_zh: str
    explanation_en: str
    solver_status: str
    solve_seconds: float
    planned_households: int


# --- internal structures -------------------------------------------------------------------


@dataclass
class _Chunk:
    """Households visited together: one unit (or floors of it) with the same history."""

    index: int
    building_id: int
    unit: str
    floor_low: int
    floor_high: int
    households: list[OpenHousehold]
    allowed: frozenset[Kind]  # kinds its first plan visit may use
    not_before: date | None
    floors: int
    base: dict[Kind, float]  # the building's first-attempt reach, per kind
    weights: list[float]
    misses: list[Counter[Kind]]  # per household: misses so far, history + scheduled + plan
    q: list[float]  # per household: chance still unreached after attempts so far
    plan_kinds: list[Kind] = field(default_factory=list)
    last_day: int | None = None
    team: int | None = None
    _p: dict[Kind, list[float]] = field(default_factory=dict)

    def ps(self, kind: Kind) -> list[float]:
        """Every household's reach chance on the next attempt at ``kind`` (cached)."""
        found = self._p.get(kind)
        if found is None:
            found = []
            for missed in self.misses:
                p = self.base[kind]
                for k, n in missed.items():
                    p *= (SAME_KIND_AFTER_MISS if k == kind else OTHER_KIND_AFTER_MISS) ** n
                found.append(_clamp(p))
            self._p[kind] = found
        return found

    def p(self, i: int, kind: Kind) -> float:
        """Reach chance of household i on the next attempt at ``kind``."""
        return self.ps(kind)[i]

    def gain(self, kind: Kind) -> float:
        """Weighted households the next visit at ``kind`` is expected to reach."""
        return sum(w * q * p for w, q, p in zip(self.weights, self.q, self.ps(kind), strict=True))

    def expected_open(self) -> float:
        """Households expected still unreached."""
        return sum(self.q)

    def doors(self) -> float:
        """Doors the next visit knocks on: every door at first, the expected rest after."""
        if not self.plan_kinds and all(q == 1.0 for q in self.q):
            return float(len(self.households))
        return min(float(len(self.households)), self.expected_open() * REVISIT_DOOR_MARGIN)

    def record(self, kind: Kind, day: int, team: int) -> None:
        """Account for a planned visit: everyone still unreached was missed at ``kind``."""
        ps = self.ps(kind)
        for i in range(len(self.households)):
            self.q[i] *= 1 - ps[i]
            self.misses[i][kind] += 1
        self._p.clear()
        self.plan_kinds.append(kind)
        self.last_day = day
        if self.team is None:
            self.team = team


@dataclass
class _Slot:
    index: int
    team: int
    members: tuple[int, ...]
    starts_at: datetime
    ends_at: datetime
    day: int
    kind: Kind
    minutes: int
    used_minutes: float = 0.0
    used_doors: float = 0.0


@dataclass(frozen=True)
class _Visit:
    chunk: int
    slot: int
    minutes: int
    doors: float


# --- time helpers --------------------------------------------------------------------------


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union of the intervals."""
    out: list[Interval] = []
    for iv in sorted(intervals, key=lambda i: i.starts_at):
        if iv.ends_at <= iv.starts_at:
            continue
        if out and iv.starts_at <= out[-1].ends_at:
            if iv.ends_at > out[-1].ends_at:
                out[-1] = Interval(out[-1].starts_at, iv.ends_at)
        else:
            out.append(iv)
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two sorted, merged interval lists."""
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo = max(a[i].starts_at, b[j].starts_at)
        hi = min(a[i].ends_at, b[j].ends_at)
        if lo < hi:
            out.append(Interval(lo, hi))
        if a[i].ends_at < b[j].ends_at:
            i += 1
        else:
            j += 1
    return out


def subtract(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """``a`` minus ``b``, both sorted and merged."""
    out: list[Interval] = []
    j = 0
    for iv in a:
        start = iv.starts_at
        while j < len(b) and b[j].ends_at <= start:
            j += 1
        k = j
        while k < len(b) and b[k].starts_at < iv.ends_at:
            if b[k].starts_at > start:
                out.append(Interval(start, b[k].starts_at))
            start = max(start, b[k].ends_at)
            k += 1
        if start < iv.ends_at:
            out.append(Interval(start, iv.ends_at))
    return out


def _ceil_to(t: datetime, minutes: int) -> datetime:
    """The first multiple of ``minutes`` past the hour at or after ``t``."""
    base = t.replace(second=0, microsecond=0)
    if base < t:
        base += timedelta(minutes=1)
    extra = (-base.minute) % minutes
    return base + timedelta(minutes=extra)


def horizon(problem: Problem) -> tuple[date, date]:
    """The local dates the plan may use: from today (or the campaign's start) to its end."""
    today = problem.now.astimezone(problem.timezone).date()
    return max(problem.starts_on, today), problem.ends_on


def visiting_intervals(problem: Problem) -> list[Interval]:
    """Visiting hours over the plan's dates as UTC intervals, split at the evening boundary.

    Overlapping entries for one weekday are merged first, so no time is offered twice.
    """
    first, last = horizon(problem)
    tz = problem.timezone
    by_weekday: dict[int, list[VisitingHours]] = defaultdict(list)
    for vh in problem.visiting_hours:
        by_weekday[vh.weekday].append(vh)
    earliest = _ceil_to(problem.now.astimezone(UTC), 5)
    out: list[Interval] = []
    day = first
    while day <= last:
        evening = datetime.combine(day, EVENING_STARTS, tz).astimezone(UTC)
        spans = merge(
            Interval(
                datetime.combine(day, vh.starts, tz).astimezone(UTC),
                datetime.combine(day, vh.ends, tz).astimezone(UTC),
            )
            for vh in by_weekday.get(day.weekday(), [])
        )
        for span in spans:
            cuts = [span.starts_at, span.ends_at]
            if span.starts_at < evening < span.ends_at:
                cuts.insert(1, evening)
            for lo, hi in itertools.pairwise(cuts):
                lo = max(lo, earliest)
                if hi > lo:
                    out.append(Interval(lo, hi))
        day += timedelta(days=1)
    return out


# --- teams and slots -----------------------------------------------------------------------


def pair_staff(problem: Problem, visiting: Sequence[Interval]) -> list[tuple[int, ...]]:
    """Pairs of staff who share the most free visiting time (greedy), the rest alone."""
    usable = {
        s.user_id: intersect(merge(s.free), merge(visiting))
        for s in sorted(problem.staff, key=lambda s: s.user_id)
    }
    ids = [uid for uid, free in usable.items() if free]
    overlaps: list[tuple[float, int, int]] = []
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            shared = sum(iv.minutes for iv in intersect(usable[a], usable[b]))
            if shared >= problem.min_round_minutes:
                overlaps.append((-shared, a, b))
    overlaps.sort()
    taken: set[int] = set()
    teams: list[tuple[int, ...]] = []
    for _neg, a, b in overlaps:
        if a not in taken and b not in taken:
            teams.append((a, b))
            taken.update((a, b))
    teams.extend((uid,) for uid in ids if uid not in taken)
    return teams


def _cut(piece: Interval, problem: Problem) -> list[Interval]:
    """A free piece of visiting time cut into walkable rounds of about equal whole minutes."""
    total = int(piece.minutes)
    if total < problem.min_round_minutes:
        return []
    n = math.ceil(total / problem.max_round_minutes)
    out = []
    start = piece.starts_at
    for i in range(n):
        length = total // n + (1 if i < total % n else 0)
        out.append(Interval(start, start + timedelta(minutes=length)))
        start += timedelta(minutes=length)
    return out


def build_slots(
    problem: Problem, teams: Sequence[tuple[int, ...]], visiting: Sequence[Interval]
) -> list[_Slot]:
    """Each team's slots: shared free time as a pair, a member's own time as a solo round."""
    free = {s.user_id: merge(s.free) for s in problem.staff}
    first, _last = horizon(problem)
    tz = problem.timezone
    slots: list[_Slot] = []
    for t, team in enumerate(teams):
        spans: list[tuple[tuple[int, ...], list[Interval]]] = []
        if len(team) == 2:
            a, b = team
            spans.append((team, intersect(free[a], free[b])))
            if problem.allow_solo:
                spans.append(((a,), subtract(free[a], free[b])))
                spans.append(((b,), subtract(free[b], free[a])))
        else:
            spans.append((team, free[team[0]]))
        for members, time_free in spans:
            for piece in intersect(visiting, time_free):
                for iv in _cut(piece, problem):
                    local = iv.starts_at.astimezone(tz)
                    slots.append(
                        _Slot(
                            index=len(slots),
                            team=t,
                            members=members,
                            starts_at=iv.starts_at,
                            ends_at=iv.ends_at,
                            day=(local.date() - first).days,
                            kind=kind_of(local),
                            minutes=int(iv.minutes),
                        )
                    )
    return slots


# --- chunks --------------------------------------------------------------------------------


def build_chunks(problem: Problem, available: Iterable[Kind] = KINDS) -> list[_Chunk]:
    """Open households grouped by building, unit and history; split by floors to be walkable.

    A household found not home is next tried at a kind of time it was not tried at, among
    those the staff can offer (any of them, once every kind has been tried).
    """
    offered = frozenset(available) or frozenset(KINDS)
    tz = problem.timezone
    groups: dict[tuple[int, str, frozenset[Kind], date | None], list[OpenHousehold]] = defaultdict(
        list
    )
    for h in problem.households:
        avoid = set(h.missed) | {k for _at, k in h.scheduled}
        allowed = offered - avoid or offered
        not_before = (
            max(at for at, _k in h.scheduled).astimezone(tz).date() + timedelta(days=1)
            if h.scheduled
            else None
        )
        groups[(h.building_id, h.unit, allowed, not_before)].append(h)
    chunks: list[_Chunk] = []
    max_doors = problem.max_doors_per_person
    max_minutes = problem.max_round_minutes / 2
    for (building_id, unit, allowed, not_before), members in sorted(
        groups.items(),
        key=lambda kv: (
            problem.building_codes.get(kv[0][0], ""),
            kv[0][0],
            kv[0][1],
            sorted(kv[0][2]),
            kv[0][3] or date.min,
        ),
    ):
        members.sort(key=lambda h: (h.floor, h.id))
        floors = len({h.floor for h in members})
        pair_minutes = floors * problem.minutes_per_floor + len(members) * (
            problem.minutes_per_door / 2
        )
        n = max(1, math.ceil(len(members) / max_doors), math.ceil(pair_minutes / max_minutes))
        for part in _split_by_floor(members, n):
            chunk = _make_chunk(problem, len(chunks), building_id, unit, part, allowed)
            chunk.not_before = not_before
            chunks.append(chunk)
    return chunks


def _split_by_floor(members: list[OpenHousehold], n: int) -> list[list[OpenHousehold]]:
    """Contiguous floor ranges with about the same number of doors each."""
    if n <= 1:
        return [members]
    target = len(members) / n
    parts: list[list[OpenHousehold]] = [[]]
    by_floor: dict[int, list[OpenHousehold]] = defaultdict(list)
    for h in members:
        by_floor[h.floor].append(h)
    for floor in sorted(by_floor):
        rows = by_floor[floor]
        if parts[-1] and len(parts[-1]) + len(rows) / 2 > target and len(parts) < n:
            parts.append([])
        parts[-1].extend(rows)
        # A floor bigger than a whole chunk is itself split by door.
        while len(parts[-1]) > target * 1.5 and len(parts) < n:
            cut = int(target)
            rest = parts[-1][cut:]
            parts[-1] = parts[-1][:cut]
            parts.append(rest)
    return [p for p in parts if p]


def _make_chunk(
    problem: Problem,
    index: int,
    building_id: int,
    unit: str,
    members: list[OpenHousehold],
    allowed: frozenset[Kind],
) -> _Chunk:
    chunk = _Chunk(
        index=index,
        building_id=building_id,
        unit=unit,
        floor_low=min(h.floor for h in members),
        floor_high=max(h.floor for h in members),
        households=members,
        allowed=allowed,
        not_before=None,
        floors=len({h.floor for h in members}),
        base={k: problem.reach.p(building_id, k) for k in KINDS},
        weights=[FLAG_WEIGHT if h.flagged else 1.0 for h in members],
        misses=[Counter(h.missed) for h in members],
        q=[1.0] * len(members),
    )
    for i, h in enumerate(members):
        for _at, kind in sorted(h.scheduled):
            chunk.q[i] *= 1 - chunk.p(i, kind)
            chunk.misses[i][kind] += 1
            chunk._p.clear()
    return chunk


def _minutes(problem: Problem, doors: float, floors: int, size: int) -> int:
    """Minutes a team of ``size`` needs: every floor climbed, the doors shared."""
    return math.ceil(floors * problem.minutes_per_floor + doors * problem.minutes_per_door / size)


def _first_day(problem: Problem, chunk: _Chunk) -> int:
    if chunk.not_before is None:
        return 0
    return (chunk.not_before - horizon(problem)[0]).days


def _solver(time_limit: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 7
    # Symmetry detection and probing cost most of a short time limit on these models.
    solver.parameters.symmetry_level = 0
    solver.parameters.cp_model_probing_level = 0
    return solver


# --- passes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Option:
    chunk: int
    slot: int
    worth: float
    minutes: int
    doors: float


def _options(
    problem: Problem, chunks: Sequence[_Chunk], slots: Sequence[_Slot], days: int
) -> list[_Option]:
    """Every (chunk, slot) the next visit could use, with what it is worth.

    A visit is worth the weighted households it is expected to reach, a little less each day
    later, plus part of what the following visit could still find (``LOOKAHEAD``) in
    proportion to the staff time left on later days: going first on the last free day leaves
    no time to come back.
    """
    out: list[_Option] = []
    by_kind: dict[Kind, list[_Slot]] = defaultdict(list)
    room_by_day: dict[int, float] = defaultdict(float)
    for s in slots:
        by_kind[s.kind].append(s)
        room_by_day[s.day] += max(0.0, s.minutes - s.used_minutes) * len(s.members)
    total_room = sum(room_by_day.values()) or 1.0
    later: dict[int, float] = {}
    running = 0.0
    for day in sorted(room_by_day, reverse=True):
        later[day] = running / total_room
        running += room_by_day[day]
    for c in chunks:
        if len(c.plan_kinds) >= problem.max_visits or c.expected_open() < 0.5:
            continue
        earliest = _first_day(problem, c) if c.last_day is None else c.last_day + 1
        kinds = c.allowed if not c.plan_kinds else frozenset(KINDS)
        doors = c.doors()
        more = len(c.plan_kinds) + 1 < problem.max_visits
        mean_p = [sum(ps) / len(KINDS) for ps in zip(*(c.ps(k) for k in KINDS), strict=True)]
        for kind in kinds:
            gain = c.gain(kind)
            if gain < ROUND_COST / 2:
                continue
            after = (
                sum(
                    w * q * (1 - p) * m
                    for w, q, p, m in zip(c.weights, c.q, c.ps(kind), mean_p, strict=True)
                )
                if more
                else 0.0
            )
            for s in by_kind.get(kind, []):
                if s.day < earliest:
                    continue
                size = len(s.members)
                minutes = _minutes(problem, doors, c.floors, size)
                if (
                    s.used_minutes + minutes > s.minutes
                    or s.used_doors + doors > problem.max_doors_per_person * size + 1e-9
                ):
                    continue
                worth = gain * (1 - DAY_DISCOUNT * s.day / max(days, 1))
                worth += LOOKAHEAD * after * later[s.day]
                if c.team is not None and s.team == c.team:
                    worth += SAME_TEAM_BONUS
                out.append(_Option(c.index, s.index, worth, minutes, doors))
    return out


def _room(problem: Problem, s: _Slot) -> tuple[int, int]:
    """Whole minutes and doors a slot still holds, as the model counts them."""
    minutes = s.minutes - math.ceil(s.used_minutes)
    doors = math.floor(problem.max_doors_per_person * len(s.members) - s.used_doors + 1e-9)
    return minutes, doors


def _greedy(options: Sequence[_Option], slots: Sequence[_Slot], problem: Problem) -> list[bool]:
    """Best value per minute first: the solver's starting point, and its fallback."""
    room: dict[int, list[int]] = {s.index: list(_room(problem, s)) for s in slots}
    taken: set[int] = set()
    order = sorted(range(len(options)), key=lambda i: -options[i].worth / options[i].minutes)
    picked = [False] * len(options)
    for i in order:
        o = options[i]
        left = room[o.slot]
        doors = math.ceil(o.doors)
        if o.chunk in taken or o.worth <= 0 or o.minutes > left[0] or doors > left[1]:
            continue
        left[0] -= o.minutes
        left[1] -= doors
        taken.add(o.chunk)
        picked[i] = True
    return picked


def _solve_pass(
    problem: Problem,
    chunks: Sequence[_Chunk],
    slots: Sequence[_Slot],
    options: Sequence[_Option],
    deadline: float,
    *,
    keep_buildings_together: bool,
) -> tuple[list[_Option], str]:
    """One CP-SAT model: each chunk in at most one slot, slots within minutes and doors.

    Starts from the greedy fill and keeps it if the solver finds nothing better in time.
    """
    if not options:
        return [], "nothing to plan"
    everything = options
    picked = _greedy(everything, slots, problem)
    # The model keeps the greedy choice and each chunk's best options: big enough to improve
    # on the greedy fill, small enough to solve within the time limit.
    best: dict[int, list[int]] = defaultdict(list)
    for i in sorted(range(len(everything)), key=lambda i: -everything[i].worth):
        if len(best[everything[i].chunk]) < OPTIONS_PER_CHUNK:
            best[everything[i].chunk].append(i)
    keep = sorted(
        {i for ids in best.values() for i in ids} | {i for i, f in enumerate(picked) if f}
    )
    options = [everything[i] for i in keep]
    greedy = [picked[i] for i in keep]
    if clock.perf_counter() >= deadline:
        # The time limit is spent (building the options took it): the greedy fill stands.
        return [o for o, flag in zip(options, greedy, strict=True) if flag], "GREEDY"
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{i}") for i in range(len(options))]
    coefficients = [int(SCALE * o.worth) for o in options]
    objective_vars: list[cp_model.IntVar] = list(x)
    per_chunk: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    per_slot: dict[int, list[int]] = defaultdict(list)
    for i, o in enumerate(options):
        per_chunk[o.chunk].append(x[i])
        per_slot[o.slot].append(i)
    for vars_ in per_chunk.values():
        if len(vars_) > 1:
            model.add_at_most_one(vars_)
    slot_by_index = {s.index: s for s in slots}
    for s_index, items in per_slot.items():
        s = slot_by_index[s_index]
        size = len(s.members)
        room, doors_room = _room(problem, s)
        if sum(options[i].minutes for i in items) > room:
            model.add(
                cp_model.LinearExpr.weighted_sum(
                    [x[i] for i in items], [options[i].minutes for i in items]
                )
                <= room
            )
        if sum(math.ceil(options[i].doors) for i in items) > doors_room:
            model.add(
                cp_model.LinearExpr.weighted_sum(
                    [x[i] for i in items], [math.ceil(options[i].doors) for i in items]
                )
                <= doors_room
            )
        if s.used_minutes == 0:
            opened = model.new_bool_var(f"open{s_index}")
            model.add(sum(x[i] for i in items) <= len(items) * opened)
            model.add_hint(opened, any(greedy[i] for i in items))
            objective_vars.append(opened)
            coefficients.append(-int(SCALE * (ROUND_COST + (SOLO_COST if size == 1 else 0.0))))
    if keep_buildings_together:
        members: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, o in enumerate(options):
            members[chunks[o.chunk].building_id, slot_by_index[o.slot].team].append(i)
        for key, items in members.items():
            var = model.new_bool_var(f"y{key[0]}_{key[1]}")
            model.add(sum(x[i] for i in items) <= len(items) * var)
            model.add_hint(var, any(greedy[i] for i in items))
            objective_vars.append(var)
            coefficients.append(-int(SCALE * SPLIT_COST))
    model.maximize(cp_model.LinearExpr.weighted_sum(objective_vars, coefficients))
    for var, flag in zip(x, greedy, strict=True):
        model.add_hint(var, flag)
    solver = _solver(deadline - clock.perf_counter())
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [o for o, flag in zip(options, greedy, strict=True) if flag], "GREEDY"
    chosen = [o for var, o in zip(x, options, strict=True) if solver.boolean_value(var)]
    return chosen, solver.status_name(status)


def _plan_passes(
    problem: Problem,
    chunks: list[_Chunk],
    slots: list[_Slot],
    days: int,
    started: float,
) -> tuple[list[_Visit], list[str]]:
    """Plan visits pass by pass within the time budget."""
    visits: list[_Visit] = []
    statuses: list[str] = []
    slot_by_index = {s.index: s for s in slots}
    # Most of the time limit goes to the passes; the rest to evaluating the result.
    budget = problem.time_limit_seconds * 0.85
    weights = [0.4, 0.25, 0.2, 0.15][: problem.max_visits]
    done = 0.0
    for number, share in enumerate(weights, start=1):
        if number > 1 and clock.perf_counter() >= started + budget:
            statuses.append("TIME_LIMIT")  # later passes would only run past the time limit
            break
        done += share / sum(weights)
        options = _options(problem, chunks, slots, days)
        if not options:
            break
        chosen, status = _solve_pass(
            problem,
            chunks,
            slots,
            options,
            started + budget * done,
            keep_buildings_together=number == 1,
        )
        statuses.append(status)
        for o in sorted(chosen, key=lambda o: slot_by_index[o.slot].starts_at):
            s = slot_by_index[o.slot]
            s.used_minutes += o.minutes
            s.used_doors += o.doors
            c = chunks[o.chunk]
            visits.append(_Visit(chunk=c.index, slot=s.index, minutes=o.minutes, doors=o.doors))
            c.record(s.kind, s.day, s.team)
    return visits, statuses


# --- evaluation ----------------------------------------------------------------------------


def _attempts(
    problem: Problem, chunks: Sequence[_Chunk], slots: Sequence[_Slot], visits: Sequence[_Visit]
) -> dict[int, list[tuple[datetime, Kind, int]]]:
    """Every household's attempts (start, kind, slot or −1), existing and planned."""
    out: dict[int, list[tuple[datetime, Kind, int]]] = defaultdict(list)
    for h in problem.households:
        for at, kind in h.scheduled:
            out[h.id].append((at, kind, -1))
    slot_by_index = {s.index: s for s in slots}
    for v in visits:
        s = slot_by_index[v.slot]
        for h in chunks[v.chunk].households:
            out[h.id].append((s.starts_at, s.kind, s.index))
    return out


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


@dataclass(frozen=True)
class _Evaluation:
    expected: float
    variance: float
    by_day: tuple[DayExpectation, ...]
    reach_of: dict[int, float]
    by_slot: dict[int, float]


def _evaluate(
    problem: Problem, attempts: dict[int, list[tuple[datetime, Kind, int]]]
) -> _Evaluation:
    """Exact expectations: each household's attempts in time order."""
    first, last = horizon(problem)
    tz = problem.timezone
    increments: dict[date, float] = defaultdict(float)
    by_slot: dict[int, float] = defaultdict(float)
    reach_of: dict[int, float] = {}
    variance = 0.0
    for h in problem.households:
        miss = 1.0
        missed = list(h.missed)
        base = {k: problem.reach.p(h.building_id, k) for k in KINDS}
        for at, kind, slot in sorted(attempts.get(h.id, [])):
            p = attempt_p(base[kind], kind, missed)
            increments[max(at.astimezone(tz).date(), first)] += miss * p
            by_slot[slot] += miss * p
            miss *= 1 - p
            missed.append(kind)
        reach_of[h.id] = 1 - miss
        variance += (1 - miss) * miss
    expected = sum(reach_of.values())
    by_day = []
    running = float(problem.reached)
    day = first
    while day <= last:
        running += increments.get(day, 0.0)
        by_day.append(
            DayExpectation(
                date=day,
                expected_reached=round(running, 2),
                expected_coverage=round(running / problem.eligible, 4)
                if problem.eligible
                else None,
            )
        )
        day += timedelta(days=1)
    return _Evaluation(expected, variance, tuple(by_day), reach_of, dict(by_slot))


def _shortfall_hours(
    problem: Problem,
    chunks: Sequence[_Chunk],
    slots: Sequence[_Slot],
    visits: Sequence[_Visit],
    needed: float,
    days_left: int,
) -> float | None:
    """Staff-hours of extra pair visits, best value per hour first, that add ``needed``.

    Each extra visit goes to a chunk at its best kind of time; a chunk gets at most one visit
    a day. None when no number of visits would reach the target before the deadline.
    """
    if needed <= 1e-9:
        return 0.0
    if days_left <= 0:
        return None
    taken: dict[int, int] = Counter(v.chunk for v in visits)

    def candidate(c: _Chunk) -> tuple[float, float, Kind]:
        gains = {k: sum(q * p for q, p in zip(c.q, c.ps(k), strict=True)) for k in KINDS}
        kind = max(KINDS, key=lambda k: gains[k])
        gain = gains[kind]
        hours = 2 * _minutes(problem, c.doors(), c.floors, 2) / 60
        return gain, hours, kind

    heap: list[tuple[float, int]] = []
    for c in chunks:
        gain, hours, _kind = candidate(c)
        if gain > 1e-6 and taken[c.index] < days_left:
            heapq.heappush(heap, (-gain / hours, c.index))
    total = 0.0
    while heap:
        _ratio, index = heapq.heappop(heap)
        c = chunks[index]
        gain, hours, kind = candidate(c)
        if gain >= needed:
            return round(total + hours * needed / gain, 1)
        needed -= gain
        total += hours
        c.record(kind, c.last_day or 0, c.team or 0)
        taken[index] += 1
        if taken[index] < days_left:
            gain, hours, _kind = candidate(c)
            if gain > 1e-6:
                heapq.heappush(heap, (-gain / hours, index))
    return None


# --- rounds --------------------------------------------------------------------------------


def _rounds(
    problem: Problem,
    chunks: Sequence[_Chunk],
    slots: Sequence[_Slot],
    visits: Sequence[_Visit],
    expected_by_slot: dict[int, float],
) -> list[PlannedRound]:
    slot_by_index = {s.index: s for s in slots}
    ordinal: dict[_Visit, int] = {}
    per_chunk: dict[int, list[_Visit]] = defaultdict(list)
    for v in visits:
        per_chunk[v.chunk].append(v)
    for mine in per_chunk.values():
        mine.sort(key=lambda v: slot_by_index[v.slot].starts_at)
        for i, v in enumerate(mine, start=1):
            ordinal[v] = i
    by_slot: dict[int, list[_Visit]] = defaultdict(list)
    for v in visits:
        by_slot[v.slot].append(v)
    rounds = []
    for s_index, items in by_slot.items():
        s = slot_by_index[s_index]
        items.sort(
            key=lambda v: (
                problem.building_codes.get(chunks[v.chunk].building_id, ""),
                chunks[v.chunk].building_id,
                chunks[v.chunk].unit,
                chunks[v.chunk].floor_low,
            )
        )
        minutes = min(s.minutes, 5 * math.ceil(sum(v.minutes for v in items) / 5))
        units: dict[int, set[str]] = defaultdict(set)
        household_ids: list[int] = []
        parts_zh: list[str] = []
        parts_en: list[str] = []
        for v in items:
            c = chunks[v.chunk]
            n = ordinal[v]
            units[c.building_id].add(c.unit)
            household_ids.extend(h.id for h in c.households)
            code = problem.building_codes.get(c.building_id, str(c.building_id))
            if c.floor_low == c.floor_high:
                floors_zh, floors_en = f"{c.floor_low}层", f"floor {c.floor_low}"
            else:
                floors_zh = f"{c.floor_low}–{c.floor_high}层"
                floors_en = f"floors {c.floor_low}–{c.floor_high}"
            again_zh = "" if n == 1 else f"（第{n}次）"
            again_en = "" if n == 1 else f" (visit {n})"
            parts_zh.append(f"{code}栋{c.unit}单元{floors_zh}{again_zh}")
            parts_en.append(f"building {code} unit {c.unit} {floors_en}{again_en}")
        rounds.append(
            PlannedRound(
                starts_at=s.starts_at,
                ends_at=s.starts_at + timedelta(minutes=max(minutes, 5)),
                assignee_ids=tuple(sorted(s.members)),
                building_ids=tuple(sorted(units)),
                units={b: tuple(sorted(u)) for b, u in sorted(units.items())},
                household_ids=tuple(sorted(set(household_ids))),
                kind=s.kind,
                doors=math.ceil(sum(v.doors for v in items)),
                expected_reached=round(expected_by_slot.get(s_index, 0.0), 2),
                notes_zh=f"{KIND_NAMES_ZH[s.kind]}：" + "；".join(parts_zh),
                notes_en=f"{KIND_NAMES_EN[s.kind]}: " + "; ".join(parts_en),
            )
        )
    rounds.sort(key=lambda r: (r.starts_at, r.assignee_ids))
    return rounds


# --- explanation ---------------------------------------------------------------------------


def _hours(value: float) -> str:
    return f"{value:.1f}" if value < 10 else f"{value:.0f}"


def _explain(
    problem: Problem,
    *,
    rounds: int,
    expected_coverage: float | None,
    expected_reached: float,
    feasible: bool,
    shortfall: float | None,
    probability: float,
    staff: int,
) -> tuple[str, str]:
    target = problem.target_coverage
    last = problem.ends_on.isoformat()
    source_zh = (
        f"按本次活动 {problem.reach.attempts} 次入户记录估计各楼在不同时段的在家率"
        if problem.reach.attempts
        else "本次活动尚无入户记录，按经验在家率估计（白天约 55%，晚上和周末约 65%–72%）"
    )
    source_en = (
        f"reach rates per building and time of day estimated from this campaign's "
        f"{problem.reach.attempts} door attempts"
        if problem.reach.attempts
        else "no door attempts recorded yet, so reach rates are a prior (about 55% in the "
        "daytime, 65%–72% in evenings and at weekends)"
    )
    if problem.eligible == 0:
        return ("没有需要走访的住户。", "There are no households to reach.")
    cov = expected_coverage or 0.0
    head_zh = (
        f"共建议 {rounds} 轮走访，预计到 {last} 覆盖率 {cov:.1%}"
        f"（{problem.eligible} 户中约 {expected_reached:.0f} 户），目标 {target:.0%}。"
    )
    head_en = (
        f"{rounds} rounds proposed; expected coverage by {last} is {cov:.1%} "
        f"(about {expected_reached:.0f} of {problem.eligible} households) against a target of "
        f"{target:.0%}."
    )
    hours = "" if shortfall is None else _hours(shortfall)
    if feasible:
        verdict_zh = f"按现有人手可以达到目标，达标把握约 {probability:.0%}。"
        verdict_en = (
            f"The target is reachable with the staff available; chance of meeting it about "
            f"{probability:.0%}."
        )
    elif staff == 0:
        verdict_zh = "没有可用的人员时段，无法安排走访。"
        verdict_en = "Nobody is available inside visiting hours, so no round can be planned."
        if shortfall is not None:
            verdict_zh += f"约需 {hours} 个工时才能达到目标。"
            verdict_en += f" About {hours} staff-hours would reach the target."
    elif shortfall is not None:
        verdict_zh = f"按现有人手无法达到目标：还需约 {hours} 个工时（人·小时）。"
        verdict_en = (
            f"The target cannot be reached with the staff available: about {hours} "
            f"more staff-hours would reach it."
        )
    else:
        verdict_zh = "即使增加人手也无法在截止日前达到目标（拒访户或剩余天数不足）。"
        verdict_en = (
            "No amount of extra staff time reaches the target before the deadline "
            "(refusals, or too few days left)."
        )
    return (
        f"{head_zh}{verdict_zh}{source_zh}；重点户（独居老人、曾受骗）优先，"
        "不在家的住户换时段（白天→晚上、工作日→周末）再访。",
        f"{head_en} {verdict_en} Model: {source_en}; flagged households (elderly living "
        "alone, previous victims) first; households not home are tried again at another kind "
        "of time (evening after daytime, weekend after weekday).",
    )


def _prepare(problem: Problem) -> tuple[list[tuple[int, ...]], list[_Slot], list[_Chunk], int]:
    visiting = visiting_intervals(problem)
    teams = pair_staff(problem, visiting)
    slots = build_slots(problem, teams, visiting)
    chunks = build_chunks(problem, {s.kind for s in slots})
    first, last = horizon(problem)
    return teams, slots, chunks, (last - first).days + 1


def solve(problem: Problem) -> Plan:
    """Propose rounds that reach as much of the target as the staff's time allows."""
    started = clock.perf_counter()
    teams, slots, chunks, days = _prepare(problem)
    visits, statuses = _plan_passes(problem, chunks, slots, days, started)
    return _finish(problem, chunks, slots, visits, teams, statuses, started)


@dataclass(frozen=True)
class GivenRound:
    """A round as a preview proposed it, sent back to be committed exactly as it was shown."""

    starts_at: datetime
    ends_at: datetime
    assignee_ids: tuple[int, ...]
    household_ids: frozenset[int]


def assess(problem: Problem, given: Sequence[GivenRound]) -> Plan:
    """The plan made of exactly these rounds, judged as ``solve`` judges its own.

    Each round becomes a slot of its own length; a chunk is visited by a round that lists all
    of its households, in time order, so a chunk's revisits knock on the doors the solver
    counted. While nothing has changed, rounds and figures come out as the preview showed
    them; after new contacts they are the same rounds with today's expectations.
    """
    started = clock.perf_counter()
    teams = pair_staff(problem, visiting_intervals(problem))

    def team(members: tuple[int, ...]) -> int:
        for i, t in enumerate(teams):
            if set(members) <= set(t):
                return i
        return 0

    first, _last = horizon(problem)
    slots: list[_Slot] = []
    households: list[frozenset[int]] = []
    for r in sorted(given, key=lambda r: (r.starts_at, r.assignee_ids)):
        members = tuple(sorted(r.assignee_ids))
        local = r.starts_at.astimezone(problem.timezone)
        slots.append(
            _Slot(
                index=len(slots),
                team=team(members),
                members=members,
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                day=(local.date() - first).days,
                kind=kind_of(local),
                minutes=max(5, int((r.ends_at - r.starts_at).total_seconds() // 60)),
            )
        )
        households.append(r.household_ids)
    chunks = build_chunks(problem)
    visits: list[_Visit] = []
    for s in slots:
        for c in chunks:
            if all(h.id in households[s.index] for h in c.households):
                doors = c.doors()
                minutes = _minutes(problem, doors, c.floors, max(1, len(s.members)))
                visits.append(_Visit(chunk=c.index, slot=s.index, minutes=minutes, doors=doors))
                c.record(s.kind, s.day, s.team)
    return _finish(problem, chunks, slots, visits, teams, ["PREVIEWED"], started)


def baseline_plan(problem: Problem) -> Plan:
    """The simple way, for comparison: buildings to teams round-robin in code order, each
    team walking its units in order through its slots, pass after pass."""
    started = clock.perf_counter()
    teams, slots, chunks, _days = _prepare(problem)
    buildings = sorted(
        {c.building_id for c in chunks}, key=lambda b: (problem.building_codes.get(b, ""), b)
    )
    team_of = {b: i % max(len(teams), 1) for i, b in enumerate(buildings)}
    visits: list[_Visit] = []
    for t in range(len(teams)):
        mine = [c for c in chunks if team_of[c.building_id] == t]
        ordered = sorted((s for s in slots if s.team == t), key=lambda s: s.starts_at)
        position = 0
        for _number in range(problem.max_visits):
            for c in mine:
                if c.expected_open() < 0.5:
                    continue
                doors = c.doors()
                while position < len(ordered):
                    s = ordered[position]
                    size = len(s.members)
                    minutes = _minutes(problem, doors, c.floors, size)
                    fits = (
                        s.used_minutes + minutes <= s.minutes
                        and s.used_doors + doors <= problem.max_doors_per_person * size + 1e-9
                    )
                    if fits and (c.last_day is None or s.day > c.last_day):
                        s.used_minutes += minutes
                        s.used_doors += doors
                        visits.append(_Visit(c.index, s.index, minutes, doors))
                        c.record(s.kind, s.day, t)
                        break
                    position += 1
    return _finish(problem, chunks, slots, visits, teams, ["baseline"], started)


def _finish(
    problem: Problem,
    chunks: Sequence[_Chunk],
    slots: Sequence[_Slot],
    visits: Sequence[_Visit],
    teams: Sequence[tuple[int, ...]],
    statuses: Sequence[str],
    started: float,
) -> Plan:
    evaluation = _evaluate(problem, _attempts(problem, chunks, slots, visits))
    expected = problem.reached + evaluation.expected
    eligible = problem.eligible
    coverage = expected / eligible if eligible else None
    target_count = problem.target_coverage * eligible
    feasible = eligible == 0 or expected >= target_count - 1e-9
    sigma = math.sqrt(evaluation.variance)
    need_from_plan = math.ceil(target_count - 1e-9) - problem.reached
    if need_from_plan <= 0:
        probability = 1.0
    elif sigma == 0:
        probability = 1.0 if evaluation.expected >= need_from_plan else 0.0
    else:
        probability = 1 - _normal_cdf((need_from_plan - 0.5 - evaluation.expected) / sigma)
    first, last = horizon(problem)
    shortfall: float | None = 0.0
    if not feasible:
        shortfall = _shortfall_hours(
            problem, chunks, slots, visits, target_count - expected, (last - first).days + 1
        )
    rounds = _rounds(problem, chunks, slots, visits, evaluation.by_slot)
    zh, en = _explain(
        problem,
        rounds=len(rounds),
        expected_coverage=coverage,
        expected_reached=expected,
        feasible=feasible,
        shortfall=shortfall,
        probability=probability,
        staff=len(teams),
    )
    low = (expected - 1.2816 * sigma) / eligible if eligible else None
    high = (expected + 1.2816 * sigma) / eligible if eligible else None
    return Plan(
        rounds=tuple(rounds),
        feasible=feasible,
        expected_reached=round(expected, 2),
        expected_coverage=round(coverage, 4) if coverage is not None else None,
        expected_by_day=evaluation.by_day,
        shortfall_staff_hours=shortfall,
        probability_target_met=round(probability, 3),
        coverage_low=round(max(0.0, low), 4) if low is not None else None,
        coverage_high=round(min(1.0, high), 4) if high is not None else None,
        teams=tuple(teams),
        explanation_zh=zh,
        explanation_en=en,
        solver_status="/".join(dict.fromkeys(statuses)) or "nothing to plan",
        solve_seconds=round(clock.perf_counter() - started, 3),
        planned_households=len({h for r in rounds for h in r.household_ids}),
    )
