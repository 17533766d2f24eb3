"""The coverage rules of DESIGN.md as SQL over the kept state, identical on SQLite and PostgreSQL.

Nothing here reads the contacts. Each household's campaign state is kept in
``coverage_states`` and ``coverage_days`` (see ``app/coverage/state.py``), so:

- ``household_rows`` (``app/coverage/households.py``): every household in scope (never
  visited ones too) joined to its state, with whether it is excluded from the denominator and
  its best outcome as an OutcomeRank;
- the campaign's figures: those rows read once and counted into classes of households alike
  in what the rules tell apart (building, first reached day, excluded, best outcome, flag
  set), the classes then added up by building, by first reached day and by flag; plus its
  days from ``coverage_days``; all in one statement (a ``UNION ALL`` of the groupings);
- the ledger across communities: ``coverage_days`` in the dates, rolled up per household
  across campaigns, the same way; where one campaign alone lies whole in the dates its
  ``coverage_states`` already are that roll-up, and its days need no roll-up per household.

Nothing loops over households in Python (only the few flag-set rows are split into flags).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    CTE,
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Date,
    Executable,
    Integer,
    Row,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from app.campaigns.models import Campaign
from app.communities.models import Building, Community, Household, HouseholdFlag
from app.coverage import households
from app.coverage.models import CoverageDay, CoverageState
from app.db import paginate_rows
from app.enums import IncidentStatus, Occupancy, OutcomeRank
from app.incidents.models import Incident

# A household's state (its CTE and the names below) is defined in households.py, low in the
# layers so that campaigns and verification read it too; the figures here build on it.
REACHED = households.REACHED
CHANNELS = households.CHANNELS
EXTRAS = households.EXTRAS
_EXTRA_COLUMNS = households.EXTRA_COLUMNS
_flag = households.flag
Ids = households.Ids
household_rows = households.household_rows


# --- one statement for every grouping -------------------------------------------------------

FIGURES = (
    "households",
    "excluded",
    "reached",
    "refused",
    "materials_left",
    "not_home",
    "unvisited",
    *(f"via_{channel}" for channel in CHANNELS),
    *EXTRAS,
    "residents_reached",
    "contacts",
    "visited",
    "flagged",
    "flagged_excluded",
    "flagged_reached",
    "first_not_home",
    "revisited",
    "reached_since",
    "newly_reached",
)


@dataclass
class FigureRow:
    """One row of the grouped figures: which group (``kind`` and its key), then the counts.

    ``kind`` is ``building`` (``group_id``: building id), ``day`` (``day``; in the ledger also
    ``group_id``: community id), ``first_reached`` (``day``: when households were first
    reached, ``newly_reached``), ``flag`` (``flag``) or ``community`` (``group_id``).
    """

    kind: str
    group_id: int | None = None
    day: date | None = None
    flag: str | None = None
    households: int = 0
    excluded: int = 0
    reached: int = 0
    refused: int = 0
    materials_left: int = 0
    not_home: int = 0
    unvisited: int = 0
    via_door: int = 0
    via_event: int = 0
    via_walk_in: int = 0
    via_phone: int = 0
    app_installs: int = 0
    pledges_signed: int = 0
    flyers_given: int = 0
    residents_reached: int = 0
    contacts: int = 0
    visited: int = 0
    flagged: int = 0
    flagged_excluded: int = 0
    flagged_reached: int = 0
    first_not_home: int = 0
    revisited: int = 0
    reached_since: int = 0
    newly_reached: int = 0

    def figure(self, name: str) -> int:
        """One count by its name in FIGURES."""
        value: int = getattr(self, name)
        return value

    @classmethod
    def total(cls, kind: str, rows: Iterable[FigureRow]) -> FigureRow:
        """The sum of the rows' counts."""
        total = cls(kind)
        for row in rows:
            for name in FIGURES:
                setattr(total, name, total.figure(name) + row.figure(name))
        return total


assert [f.name for f in fields(FigureRow)] == ["kind", "group_id", "day", "flag", *FIGURES]


def _grouping(
    kind: str,
    figures: dict[str, ColumnElement[Any]],
    *,
    group_id: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None,
    day: ColumnElement[Any] | None = None,
    flag: ColumnElement[Any] | InstrumentedAttribute[Any] | None = None,
) -> Select[Any]:
    """One branch of the union: keys and every figure, NULL where the grouping has none."""
    return select(
        literal_column(f"'{kind}'", String).label("kind"),
        (group_id if group_id is not None else cast(null(), Integer)).label("group_id"),
        (day if day is not None else cast(null(), Date)).label("day"),
        (flag if flag is not None else cast(null(), String)).label("flag"),
        *(figures.get(name, cast(null(), Integer)).label(name) for name in FIGURES),
    )


def _classes(h: Any) -> Select[Any]:
    """Households grouped by building, first reached day, excluded, best outcome and flag set.

    Households of one class are alike in everything a figure tells apart by a condition, so
    the figures are sums over a few thousand classes (``_class_figures``), and each household
    row costs one lookup in the hash and a few counts of its stored flags (26 filtered counts
    of computed 0/1 columns over 100,000 households cost more than the join that makes them).
    A household without a state has NULLs there, which no count and no sum takes in.
    """
    keys = (h.building_id, h.first_reached_on, h.excluded, h.best_rank, h.flags)
    counted: dict[str, Any] = {
        **{f"via_{ch}": h[f"via_{ch}"] for ch in CHANNELS},
        **{name: h[column] for name, column in _EXTRA_COLUMNS.items()},
        "first_not_home": h.first_not_home,
        # Of those first found not at home, the ones with a contact since.
        "revisited": and_(h.first_not_home, h.contacts > 1),
    }
    return select(
        *keys,
        func.count().label("households"),
        *(func.count().filter(condition).label(name) for name, condition in counted.items()),
        *(func.sum(h[name]).label(name) for name in ("residents_reached", "contacts")),
    ).group_by(*keys)


def _class_figures(g: Any) -> dict[str, ColumnElement[Any]]:
    """The FIGURES over groups of ``_classes`` (labels are the FIGURES)."""
    eligible = g.excluded == 0
    reached = and_(eligible, g.best_rank == REACHED)
    flagged = g.flags.is_not(None)  # the flag set is a key of the classes

    def total(column: Any, *conditions: ColumnElement[bool]) -> ColumnElement[int]:
        summed = func.sum(column)
        return summed.filter(and_(*conditions)) if conditions else summed

    def households(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return total(g.households, *conditions)

    return {
        "households": households(),
        "excluded": households(g.excluded == 1),
        "reached": households(reached),
        "refused": households(eligible, g.best_rank == int(OutcomeRank.refused)),
        "materials_left": households(eligible, g.best_rank == int(OutcomeRank.materials_left)),
        "not_home": households(eligible, g.best_rank == int(OutcomeRank.not_home)),
        "unvisited": households(eligible, g.best_rank <= int(OutcomeRank.vacant)),
        **{f"via_{ch}": total(g[f"via_{ch}"], reached) for ch in CHANNELS},
        **{name: total(g[name]) for name in (*EXTRAS, "residents_reached", "contacts")},
        # A household has a kept state (and a contact) exactly when it has a best outcome.
        "visited": households(g.best_rank != int(OutcomeRank.unvisited)),
        "flagged": households(flagged),
        "flagged_excluded": households(flagged, g.excluded == 1),
        "flagged_reached": households(flagged, reached),
        "first_not_home": total(g.first_not_home),
        "revisited": total(g.revisited),
        "reached_since": total(g.first_not_home, g.best_rank == REACHED),
        # Grouped by the day households were first reached: the days' newly reached.
        "newly_reached": households(eligible, g.first_reached_on.is_not(None)),
    }


def _day_figures(d: Any) -> dict[str, ColumnElement[Any]]:
    """Counts over a group of household-days (each household once a day).

    What the day's work achieved: ``reached`` counts every household reached that day; only
    the newly reached (a grouping of its own) leave out excluded ones, so that the cumulative
    figure ends at the headline.
    """
    return {
        "contacts": func.sum(d.contacts),
        "visited": func.count(),
        "reached": func.count().filter(d.best_rank == REACHED),
        **{name: func.sum(d[name]) for name in EXTRAS},
        "residents_reached": func.sum(d.residents_reached),
    }


def _tuned(session: Session, work_mem: str) -> None:
    """PostgreSQL: no JIT and room to hash in memory, for this transaction only.

    The planner guesses a cost past ``jit_above_cost`` for the grouped CTEs and then spends
    longer compiling than the query takes to run.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT set_config('jit', 'off', true), set_config('work_mem', :mem, true)"),
            {"mem": work_mem},
        )


def _rows(
    session: Session, statement: Executable, params: dict[str, Any], *, work_mem: str = "32MB"
) -> list[FigureRow]:
    _tuned(session, work_mem)
    # The statement's columns are FigureRow's fields in order (``_grouping``): the keys, then
    # the counts (NULL where a grouping has none; sums of counts come back as Decimal).
    return [
        FigureRow(kind, group_id, day, flag, *(int(n) if n else 0 for n in counts))
        for kind, group_id, day, flag, *counts in session.execute(statement, params)
    ]


def _household_days(*where: ColumnElement[bool], name: str) -> Any:
    """Household-days (one campaign's each), with the extras as 0/1 counts."""
    d = CoverageDay
    return (
        select(
            d.community_id,
            d.local_date,
            d.contacts,
            d.best_rank,
            *(_flag(d.__table__.c[col]).label(name) for name, col in _EXTRA_COLUMNS.items()),
            d.residents_reached,
        )
        .where(*where)
        .subquery(name)
    )


def _campaign_days(campaign_id: BindParameter[Any]) -> Any:
    """A campaign's household-days, with the extras as 0/1 counts."""
    return _household_days(CoverageDay.campaign_id == campaign_id, name="campaign_days")


# The statements are built once, with bound parameters: building and hashing a statement of
# this size costs more than running it on a small community.


FLAG_SEPARATOR = ","
"""Between a household's flags in its flag set (a flag is ``[a-z][a-z0-9_]*``)."""


def _household_rows(community: ColumnElement[bool]) -> Subquery:
    """Every household of the community: its building, flag set, whether it is excluded, its
    best outcome, and its kept state's columns as stored (NULL without a state).

    ``OFFSET 0`` keeps PostgreSQL from folding the subquery into the aggregates above it, which
    would evaluate each household's rules once per use instead of once a row; and nothing is
    stored (a CTE read by several groupings wrote its 100,000 rows first).
    """
    f = HouseholdFlag
    flag_sets = (
        select(f.household_id, func.aggregate_strings(f.flag, FLAG_SEPARATOR).label("flags"))
        .group_by(f.household_id)
        .subquery("flag_sets")
    )
    s = CoverageState
    state = s.__table__.c
    return (
        select(
            Household.building_id,
            flag_sets.c.flags,
            _flag(households.excluded(s)).label("excluded"),
            func.coalesce(s.best_rank, int(OutcomeRank.unvisited)).label("best_rank"),
            s.first_reached_on,
            *(state[f"via_{ch}"] for ch in CHANNELS),
            *(state[column] for column in _EXTRA_COLUMNS.values()),
            s.residents_reached,
            s.contacts,
            (s.first_not_home_at == s.first_at).label("first_not_home"),
        )
        .select_from(Household)
        .outerjoin(
            s, and_(s.household_id == Household.id, s.campaign_id == bindparam("campaign_id"))
        )
        .outerjoin(flag_sets, flag_sets.c.household_id == Household.id)
        .where(community)
        .offset(0)
        .subquery("household_state")
    )


@cache
def _campaign_statement() -> CompoundSelect[Any]:
    """One pass over the households into classes, then the days.

    The pass's few thousand classes (``_classes``) are added up three times: by building (and
    the totals from them), by the day households were first reached, and by flag set.
    """
    community = Household.community_id == bindparam("community_id")
    classes = _classes(_household_rows(community).c).cte("household_classes")
    g = classes.c
    figures = _class_figures(g)
    days = _campaign_days(bindparam("campaign_id"))
    d = days.c
    return union_all(
        _grouping(
            "building",
            {name: figures[name] for name in FIGURES if name != "newly_reached"},
            group_id=g.building_id,
        ).group_by(g.building_id),
        _grouping("day", _day_figures(d), day=d.local_date).group_by(d.local_date),
        _grouping(
            "first_reached", {"newly_reached": figures["newly_reached"]}, day=g.first_reached_on
        )
        .where(g.first_reached_on.is_not(None))
        .group_by(g.first_reached_on),
        _grouping(
            "flag_set",
            {name: figures[name] for name in ("households", "excluded", "reached")},
            flag=g.flags,
        )
        .where(g.flags.is_not(None))
        .group_by(g.flags),
    )


def _by_flag(rows: list[FigureRow]) -> list[FigureRow]:
    """The ``flag_set`` rows as a ``flag`` row per flag (a household counts under each)."""
    sets: dict[str, list[FigureRow]] = {}
    for row in rows:
        if row.kind == "flag_set" and row.flag:
            for flag in row.flag.split(FLAG_SEPARATOR):
                sets.setdefault(flag, []).append(row)
    by_flag = []
    for flag in sorted(sets):
        total = FigureRow.total("flag", sets[flag])
        total.flag = flag
        by_flag.append(total)
    return [row for row in rows if row.kind != "flag_set"] + by_flag


def campaign_figures(session: Session, *, campaign_id: int, community_id: int) -> list[FigureRow]:
    """Every grouping of a campaign's coverage in one statement.

    Rows by ``kind``: ``building`` (group_id = building id), ``day`` (per local date),
    ``first_reached`` (day = the date households were first reached: newly_reached), ``flag``.
    """
    params = {"campaign_id": campaign_id, "community_id": community_id}
    return _by_flag(_rows(session, _campaign_statement(), params))


def _in_dates(communities: BindParameter[Any]) -> list[ColumnElement[bool]]:
    d = CoverageDay
    return [
        d.community_id.in_(communities),
        d.local_date.between(bindparam("start", type_=Date), bindparam("end", type_=Date)),
    ]


def _rolled_up() -> list[ColumnElement[Any]]:
    """Several household-days as one (of several campaigns, or several days): the rules
    compose over days as over contacts, so counts add up and the rest are maxima."""
    d = CoverageDay
    return [
        func.sum(d.contacts).label("contacts"),
        func.max(d.best_rank).label("best_rank"),
        *(func.max(_flag(d.__table__.c[col])).label(name) for name, col in _EXTRA_COLUMNS.items()),
        func.max(d.residents_reached).label("residents_reached"),
    ]


def _ledger_campaigns(communities: BindParameter[Any]) -> CTE:
    """Per community, the campaigns whose days (first to last) meet the dates: how many, the
    lowest id, and whether that one's days all lie in the dates.

    Each campaign's first and last day are two lookups in ``ix_coverage_days_campaign_local_date``;
    no day is read. A campaign counted here may have no day in the dates after all (a gap):
    that only sends its community the longer, always exact, way.
    """
    d = aliased(CoverageDay, name="campaign_days")
    start, end = bindparam("start", type_=Date), bindparam("end", type_=Date)

    def day(extreme: Any) -> Any:
        return select(extreme(d.local_date)).where(d.campaign_id == Campaign.id).scalar_subquery()

    spans = (
        select(
            Campaign.community_id,
            Campaign.id.label("campaign_id"),
            day(func.min).label("first_day"),
            day(func.max).label("last_day"),
        )
        .where(Campaign.community_id.in_(communities))
        .subquery("campaign_spans")
    )
    c = spans.c
    return (
        select(
            c.community_id,
            func.count().label("campaigns"),
            func.min(c.campaign_id).label("campaign_id"),
            func.min(_flag(and_(c.first_day >= start, c.last_day <= end))).label("whole"),
        )
        .where(c.first_day <= end, c.last_day >= start)
        .group_by(c.community_id)
        .cte("ledger_campaigns")
    )


def _ledger_days(communities: BindParameter[Any], campaigns: CTE) -> list[Select[Any]]:
    """Per community and local day in the dates: each household once (across campaigns).

    Where only one campaign has days in the dates (the common case) each row already is one
    household's day and is counted as it is; the other communities' rows are first rolled up
    per household and day (a hash over every row of the period, the costly part).
    """
    d, c = CoverageDay, campaigns.c
    several = select(c.community_id).where(c.campaigns > 1)
    one = _household_days(
        *_in_dates(communities), d.community_id.not_in(several), name="ledger_days"
    ).c
    per_household_day = (
        select(d.community_id, d.local_date, *_rolled_up())
        .where(*_in_dates(communities), d.community_id.in_(several))
        .group_by(d.community_id, d.household_id, d.local_date)
        .subquery("ledger_household_days")
    )
    h = per_household_day.c
    return [
        _grouping("day", _day_figures(x), group_id=x.community_id, day=x.local_date).group_by(
            x.community_id, x.local_date
        )
        for x in (one, h)
    ]


def _ledger_visited(communities: BindParameter[Any], campaigns: CTE) -> CTE:
    """Households with a contact in the dates, their days rolled up across campaigns, counted
    by community, first reached day, registered vacant and found vacant (a few thousand rows).

    The rules compose over days as over contacts (counts add up, the best rank and the latest
    times are maxima, the first reached day a minimum), so no contact is read; where a
    campaign lies whole in the dates, alone in its community, its kept states are the roll-up.
    Of the registry only the vacant households are looked up (a household's community is on
    its days).
    """
    d, s = CoverageDay, CoverageState
    c = campaigns.c
    whole = and_(c.campaigns == 1, c.whole == 1)
    # IN, not NOT IN: when every community is whole, the days are not scanned at all.
    rest = select(c.community_id).where(~whole)
    from_states = select(
        c.community_id,
        s.household_id,
        s.contacts,
        s.best_rank,
        *(_flag(s.__table__.c[col]).label(name) for name, col in _EXTRA_COLUMNS.items()),
        s.residents_reached,
        s.last_at,
        s.last_vacant_at,
        s.first_reached_on,
    ).join_from(campaigns, s, and_(s.campaign_id == c.campaign_id, whole))
    from_days = (
        select(
            d.community_id,
            d.household_id,
            *_rolled_up(),
            func.max(d.last_at).label("last_at"),
            func.max(d.last_vacant_at).label("last_vacant_at"),
            func.min(case((d.best_rank == REACHED, d.local_date))).label("first_reached_on"),
        )
        .where(*_in_dates(communities), d.community_id.in_(rest))
        .group_by(d.community_id, d.household_id)
    )
    p = union_all(from_states, from_days).subquery("ledger_rollup").c
    vacant = select(Household.id).where(
        Household.community_id.in_(communities), Household.occupancy == Occupancy.vacant
    )
    registered_vacant = _flag(p.household_id.in_(vacant))
    found_vacant = _flag(households.found_vacant(p))
    return (
        select(
            p.community_id,
            p.first_reached_on,
            registered_vacant.label("registered_vacant"),
            found_vacant.label("found_vacant"),
            func.count().label("visited"),
            func.count().filter(p.best_rank == REACHED).label("reached"),
            *(func.sum(p[name]).label(name) for name in EXTRAS),
            func.sum(p.residents_reached).label("residents_reached"),
            func.sum(p.contacts).label("contacts"),
        )
        .group_by(p.community_id, p.first_reached_on, registered_vacant, found_vacant)
        .cte("ledger_visited")
    )


@cache
def _ledger_statement() -> CompoundSelect[Any]:
    """The ledger in four groupings; the service adds the two ``community`` rows together.

    The registry is counted on its own (households, registered vacant) and only households
    with a contact in the dates are rolled up, so the cost follows the contacts' days.
    """
    communities: BindParameter[list[int]] = bindparam("community_ids", expanding=True)
    campaigns = _ledger_campaigns(communities)
    v = _ledger_visited(communities, campaigns).c
    counted = v.registered_vacant == 0
    registry = {
        "households": func.count(),
        "excluded": func.count().filter(Household.occupancy == Occupancy.vacant),
    }
    visits = {
        "excluded": func.sum(v.visited).filter(and_(counted, v.found_vacant == 1)),
        "reached": func.sum(v.reached).filter(counted),
        **{name: func.sum(v[name]) for name in EXTRAS},
        "residents_reached": func.sum(v.residents_reached),
        "contacts": func.sum(v.contacts),
        "visited": func.sum(v.visited),
    }
    return union_all(
        _grouping("community", registry, group_id=Household.community_id)
        .where(Household.community_id.in_(communities))
        .group_by(Household.community_id),
        _grouping("community", visits, group_id=v.community_id).group_by(v.community_id),
        *_ledger_days(communities, campaigns),
        _grouping(
            "first_reached",
            {"newly_reached": func.sum(v.visited)},
            group_id=v.community_id,
            day=v.first_reached_on,
        )
        .where(counted, v.found_vacant == 0, v.first_reached_on.is_not(None))
        .group_by(v.community_id, v.first_reached_on),
    )


LEDGER_WORK_MEM = "128MB"
"""Per hash of the ledger's statement (PostgreSQL allows hash_mem_multiplier times this)."""


def ledger_figures(
    session: Session, *, community_ids: Sequence[int], start: date, end: date
) -> list[FigureRow]:
    """The ledger of several communities over local dates [start, end], across campaigns.

    Rows by ``kind``: ``community`` (group_id = community id; two rows each, the registry's and
    the visits', to be added), ``day`` (group_id and day) and ``first_reached`` (group_id and
    the day households were first reached in the dates: newly_reached).
    """
    params = {"community_ids": list(community_ids), "start": start, "end": end}
    # The ledger hashes every household-day of its period (420,000 rows for 50 communities):
    # at 32 MB those hashes spilled to disk in batches.
    return _rows(session, _ledger_statement(), params, work_mem=LEDGER_WORK_MEM)


def not_reached(
    session: Session, campaign: Campaign, *, limit: int, offset: int
) -> tuple[Sequence[Row[Any]], int]:
    """Eligible households not reached, in building, unit, floor and room order; and how many.

    Each row: ``household_id``, ``best_rank`` (its best outcome so far), ``code``,
    ``building_id``, ``building_code``, ``unit``, ``floor``, ``room``.
    """
    state = household_rows(campaign.id, campaign.community_id)
    s = state.c
    stmt = (
        select(
            s.household_id,
            s.best_rank,
            Household.code,
            Household.building_id,
            Building.code.label("building_code"),
            Household.unit,
            Household.floor,
            Household.room,
        )
        .select_from(state)
        .join(Household, Household.id == s.household_id)
        .join(Building, Building.id == Household.building_id)
        .where(s.reached == 0, s.excluded == 0)
        .order_by(Building.code, Household.unit, Household.floor, Household.room, Household.id)
    )
    return paginate_rows(session, stmt, limit=limit, offset=offset)


# --- the rest: small lookups ----------------------------------------------------------------


def campaign_with_community(
    session: Session, campaign_id: int
) -> tuple[Campaign, Community] | None:
    """A campaign and its community."""
    row = session.execute(
        select(Campaign, Community)
        .join(Community, Community.id == Campaign.community_id)
        .where(Campaign.id == campaign_id)
    ).one_or_none()
    return (row[0], row[1]) if row is not None else None


def buildings_of(session: Session, community_id: int) -> list[Building]:
    """A community's buildings in code order (``2`` before ``10``)."""
    return list(
        session.scalars(
            select(Building)
            .where(Building.community_id == community_id)
            .order_by(func.length(Building.code), Building.code, Building.id)
        )
    )


def communities(session: Session, ids: Sequence[int] | None) -> list[Community]:
    """Communities by id (all of them when ``ids`` is None), by name."""
    stmt = select(Community).order_by(Community.name, Community.id)
    if ids is not None:
        stmt = stmt.where(Community.id.in_(ids))
    return list(session.scalars(stmt))


def _dissuaded() -> ColumnElement[bool]:
    """No money moved, and money was kept safe or the case is closed."""
    return and_(
        func.coalesce(Incident.amount_lost, 0) == 0,
        or_(Incident.amount_prevented > 0, Incident.status == IncidentStatus.resolved),
    )


@dataclass(frozen=True)
class IncidentFigures:
    """A community's scam reports in a period: how many, how many dissuaded, the money."""

    total: int = 0
    dissuaded: int = 0
    amount_lost: float = 0.0
    amount_prevented: float = 0.0


def incident_figures(
    session: Session, community_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, IncidentFigures]:
    """Per community: scam reports that happened in [start, end)."""
    rows = session.execute(
        select(
            Incident.community_id,
            func.count().label("total"),
            func.count().filter(_dissuaded()).label("dissuaded"),
            func.coalesce(func.sum(Incident.amount_lost), 0).label("amount_lost"),
            func.coalesce(func.sum(Incident.amount_prevented), 0).label("amount_prevented"),
        )
        .where(
            Incident.community_id.in_(community_ids),
            Incident.occurred_at >= start,
            Incident.occurred_at < end,
        )
        .group_by(Incident.community_id)
    )
    return {
        row.community_id: IncidentFigures(
            total=int(row.total or 0),
            dissuaded=int(row.dissuaded or 0),
            amount_lost=float(row.amount_lost or 0),
            amount_prevented=float(row.amount_prevented or 0),
        )
        for row in rows
    }
