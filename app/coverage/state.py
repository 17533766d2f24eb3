"""Keeping ``coverage_states`` and ``coverage_days`` equal to what the contacts say.

Two ways in, both in the transaction that writes the contacts:

- **New contacts** are *added* to the state by an upsert that composes: counts add up, the best
  rank and the latest times take the greater value, the first times the lesser, the channels
  and extras OR together. PostgreSQL applies ``ON CONFLICT DO UPDATE`` on the row's latest
  version under its row lock, so concurrent writers on the same household each add their own
  contacts and none is lost; SQLite serialises writers anyway. On PostgreSQL the contact
  INSERT and both upserts are one statement (``recording_statement``): one round trip.
- **Voids** (and anything else written through the ORM) *recompute* the households concerned
  from their non-voided contacts: the state row is locked first (made if it is missing, so
  that there always is one to lock), then the rows are replaced.

Locks are always taken contact → state → day, households in id order, so writers never wait
on each other in a circle. ``differences`` recomputes a whole campaign and compares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Insert,
    Integer,
    Select,
    Table,
    and_,
    case,
    delete,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.contacts.models import Contact
from app.coverage.models import CoverageDay, CoverageState
from app.enums import Channel, Outcome, OutcomeRank

STATES = cast(Table, CoverageState.__table__)
DAYS = cast(Table, CoverageDay.__table__)
CONTACTS = cast(Table, Contact.__table__)
ALWAYS_REACHED = (Channel.event, Channel.walk_in)
CHANNELS = tuple(Channel)
EXTRAS = ("app_installed", "pledge_signed", "flyer_given")
_STATE_KEY = ("campaign_id", "household_id")
_DAY_KEY = ("campaign_id", "household_id", "local_date")
# SQLite allows 32,766 bound parameters a statement; stay far below it for IN lists.
_CHUNK = 900


# --- the rules, as expressions over any selectable with the contact's columns ---------------


def reaches(c: Any) -> ColumnElement[bool]:
    """A contact that reached someone: outcome reached, or an event or walk-in."""
    return or_(c.outcome == Outcome.reached, c.channel.in_(ALWAYS_REACHED))


def rank(c: Any) -> ColumnElement[int]:
    """The contact's OutcomeRank: reached > refused > materials_left > not_home > vacant."""
    return case(
        (reaches(c), _int(OutcomeRank.reached)),
        (c.outcome == Outcome.refused, _int(OutcomeRank.refused)),
        (c.outcome == Outcome.materials_left, _int(OutcomeRank.materials_left)),
        (c.outcome == Outcome.not_home, _int(OutcomeRank.not_home)),
        else_=_int(OutcomeRank.vacant),
    )


def _int(value: int) -> ColumnElement[int]:
    """A constant written into the SQL (no bound parameter to process on every execution)."""
    return literal_column(str(int(value)), Integer)


def _any(condition: Any) -> ColumnElement[bool]:
    """Whether any row of the group meets the condition (a boolean on both backends)."""
    return func.max(case((condition, _int(1)), else_=_int(0))) == _int(1)


def _reached_via(c: Any, channel: Channel) -> ColumnElement[bool]:
    if channel in ALWAYS_REACHED:
        return cast(ColumnElement[bool], c.channel == channel)
    return and_(c.channel == channel, c.outcome == Outcome.reached)


def _state_select(
    c: Any, where: Iterable[ColumnElement[bool]], *, voided_too: bool = False
) -> Select[Any]:
    """``coverage_states`` rows computed from the contacts in ``c`` (non-voided unless
    ``voided_too``, ``where``)."""
    counted = [] if voided_too else [c.voided_at.is_(None)]
    return (
        select(
            c.campaign_id,
            c.household_id,
            func.count().label("contacts"),
            func.max(rank(c)).label("best_rank"),
            func.min(c.occurred_at).label("first_at"),
            func.max(c.occurred_at).label("last_at"),
            func.max(case((c.outcome == Outcome.vacant, c.occurred_at))).label("last_vacant_at"),
            func.min(case((c.outcome == Outcome.not_home, c.occurred_at))).label(
                "first_not_home_at"
            ),
            func.min(case((reaches(c), c.local_date))).label("first_reached_on"),
            *(_any(_reached_via(c, ch)).label(f"via_{ch}") for ch in CHANNELS),
            *(_any(c[name]).label(name) for name in EXTRAS),
            func.max(c.residents_reached).label("residents_reached"),
        )
        .where(*counted, *where)
        .group_by(c.campaign_id, c.household_id)
        .order_by(c.campaign_id, c.household_id)  # the order rows are locked in
    )


def _day_select(c: Any, where: Iterable[ColumnElement[bool]]) -> Select[Any]:
    """``coverage_days`` rows computed from the contacts in ``c`` (non-voided, ``where``)."""
    return (
        select(
            c.campaign_id,
            c.household_id,
            c.local_date,
            c.community_id,
            func.count().label("contacts"),
            func.max(rank(c)).label("best_rank"),
            func.max(c.occurred_at).label("last_at"),
            func.max(case((c.outcome == Outcome.vacant, c.occurred_at))).label("last_vacant_at"),
            *(_any(c[name]).label(name) for name in EXTRAS),
            func.max(c.residents_reached).label("residents_reached"),
        )
        .where(c.voided_at.is_(None), *where)
        .group_by(c.campaign_id, c.household_id, c.local_date, c.community_id)
        .order_by(c.campaign_id, c.household_id, c.local_date)
    )


# --- upserts --------------------------------------------------------------------------------


def _greater(old: Any, new: Any, *, nullable: bool = False) -> ColumnElement[Any]:
    """The greater of two values, NULL meaning "none" (portable GREATEST)."""
    whens: list[tuple[ColumnElement[bool], Any]] = []
    if nullable:
        whens += [(old.is_(None), new), (new.is_(None), old)]
    return case(*whens, (new > old, new), else_=old)


def _lesser(old: Any, new: Any, *, nullable: bool = False) -> ColumnElement[Any]:
    """The lesser of two values, NULL meaning "none" (portable LEAST)."""
    whens: list[tuple[ColumnElement[bool], Any]] = []
    if nullable:
        whens += [(old.is_(None), new), (new.is_(None), old)]
    return case(*whens, (new < old, new), else_=old)


def _insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"coverage state is not kept on {dialect}")


def _composed(dialect: str, table: Table, key: Sequence[str], rows: Select[Any]) -> Insert:
    """INSERT the rows, adding them to any row already there with the same key.

    The columns both tables have compose alike; the states add their first times and channels.
    """
    ins = _insert(dialect, table).from_select([c.name for c in rows.selected_columns], rows)
    old, new = table.c, ins.excluded
    composed: dict[str, Any] = {
        "contacts": old.contacts + new.contacts,
        "best_rank": _greater(old.best_rank, new.best_rank),
        "last_at": _greater(old.last_at, new.last_at),
        "last_vacant_at": _greater(old.last_vacant_at, new.last_vacant_at, nullable=True),
        **{name: or_(old[name], new[name]) for name in EXTRAS},
        "residents_reached": _greater(old.residents_reached, new.residents_reached),
    }
    if table is STATES:
        composed |= {
            "first_at": _lesser(old.first_at, new.first_at),
            "first_not_home_at": _lesser(
                old.first_not_home_at, new.first_not_home_at, nullable=True
            ),
            "first_reached_on": _lesser(old.first_reached_on, new.first_reached_on, nullable=True),
            **{f"via_{ch}": or_(old[f"via_{ch}"], new[f"via_{ch}"]) for ch in CHANNELS},
        }
    return ins.on_conflict_do_update(index_elements=list(key), set_=composed)


def _composed_states(dialect: str, rows: Select[Any]) -> Insert:
    """INSERT the rows into coverage_states, adding them to any row already there."""
    return _composed(dialect, STATES, _STATE_KEY, rows)


def _composed_days(dialect: str, rows: Select[Any]) -> Insert:
    """INSERT the rows into coverage_days, adding them to any row already there."""
    return _composed(dialect, DAYS, _DAY_KEY, rows)


def _replacing(dialect: str, table: Table, key: Sequence[str], rows: Select[Any]) -> Insert:
    """INSERT the rows, replacing any row with the same key."""
    names = [c.name for c in rows.selected_columns]
    ins = _insert(dialect, table).from_select(names, rows)
    return ins.on_conflict_do_update(
        index_elements=list(key),
        set_={name: ins.excluded[name] for name in names if name not in key},
    )


def _locked(dialect: str, rows: Select[Any]) -> Insert:
    """INSERT the rows into coverage_states, or where a row is there already lock it unchanged."""
    names = [c.name for c in rows.selected_columns]
    ins = _insert(dialect, STATES).from_select(names, rows)
    return ins.on_conflict_do_update(
        index_elements=list(_STATE_KEY), set_={"contacts": STATES.c.contacts}
    )


def recording_ctes(dialect: str, inserted: FromClause) -> tuple[CTE, CTE]:
    """The two upserts that add the contacts of ``inserted`` (a CTE of new contacts), as CTEs.

    The days' upsert reads what the states' upsert returns, which makes PostgreSQL run the
    states first: the same lock order as ``recompute`` (the order of unrelated data-modifying
    CTEs is up to the executor, and a void meeting them in the other order would deadlock).
    """
    states = (
        _composed_states(dialect, _state_select(inserted.c, []))
        .returning(STATES.c.campaign_id, STATES.c.household_id)
        .cte("added_states")
    )
    i, a = inserted.c, states.c
    after_states = [i.campaign_id == a.campaign_id, i.household_id == a.household_id]
    days = _composed_days(dialect, _day_select(i, after_states)).cte("added_days")
    return states, days


def _chunks(items: Iterable[Any]) -> Iterable[list[Any]]:
    unique = sorted(set(items))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start : start + _CHUNK]


def add_contacts(session: Session, contact_ids: Iterable[Any]) -> None:
    """Add freshly inserted contacts to the state (the path where they are separate statements)."""
    dialect = session.get_bind().dialect.name
    c = CONTACTS.c
    for chunk in _chunks(contact_ids):
        session.execute(_composed_states(dialect, _state_select(c, [c.id.in_(chunk)])))
        session.execute(_composed_days(dialect, _day_select(c, [c.id.in_(chunk)])))


def recompute(session: Session, households: Iterable[tuple[int, int]]) -> None:
    """Recompute these (campaign id, household id) pairs from their contacts."""
    by_campaign: dict[int, set[int]] = defaultdict(set)
    for campaign_id, household_id in households:
        by_campaign[campaign_id].add(household_id)
    dialect = session.get_bind().dialect.name
    s, d, c = STATES.c, DAYS.c, CONTACTS.c
    for campaign_id in sorted(by_campaign):
        for chunk in _chunks(by_campaign[campaign_id]):
            mine = [c.campaign_id == campaign_id, c.household_id.in_(chunk)]
            if dialect == "postgresql":
                # Take each household's state row first, as every recording does: wait for
                # writers adding to it, and make later ones wait for this transaction. The row
                # is made if it is missing (a concurrent void may have just removed it, and a
                # SELECT ... FOR UPDATE would then lock nothing and let a recording take the
                # row while this one takes its days: a deadlock). What it holds is replaced
                # below; the voided contacts only make sure there is a row to take.
                session.execute(_locked(dialect, _state_select(c, mine, voided_too=True)))
            session.execute(
                delete(STATES).where(s.campaign_id == campaign_id, s.household_id.in_(chunk))
            )
            session.execute(
                delete(DAYS).where(d.campaign_id == campaign_id, d.household_id.in_(chunk))
            )
            session.execute(_replacing(dialect, STATES, _STATE_KEY, _state_select(c, mine)))
            session.execute(_replacing(dialect, DAYS, _DAY_KEY, _day_select(c, mine)))


def rebuild(session: Session, campaign_id: int | None = None) -> None:
    """Recompute the whole state of one campaign (or of every campaign) from its contacts."""
    dialect = session.get_bind().dialect.name
    s, d, c = STATES.c, DAYS.c, CONTACTS.c
    states, days = delete(STATES), delete(DAYS)
    where: list[ColumnElement[bool]] = []
    if campaign_id is not None:
        states = states.where(s.campaign_id == campaign_id)
        days = days.where(d.campaign_id == campaign_id)
        where.append(c.campaign_id == campaign_id)
    session.execute(states)
    session.execute(days)
    session.execute(_replacing(dialect, STATES, _STATE_KEY, _state_select(c, where)))
    session.execute(_replacing(dialect, DAYS, _DAY_KEY, _day_select(c, where)))


# --- verification ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One row where the kept state and a recomputation from the contacts disagree."""

    table: str
    key: tuple[Any, ...]
    column: str
    stored: Any
    recomputed: Any


def _keyed(rows: Iterable[Any], key: Sequence[str]) -> dict[tuple[Any, ...], dict[str, Any]]:
    found = {}
    for row in rows:
        values = dict(row._mapping)
        found[tuple(values[k] for k in key)] = values
    return found


def _compare(
    table: str,
    key: Sequence[str],
    stored: dict[tuple[Any, ...], dict[str, Any]],
    recomputed: dict[tuple[Any, ...], dict[str, Any]],
) -> list[Difference]:
    found = []
    for k in sorted(stored.keys() | recomputed.keys(), key=repr):
        have, want = stored.get(k), recomputed.get(k)
        if have is None or want is None:
            found.append(Difference(table, k, "(row)", have is not None, want is not None))
            continue
        for column, value in want.items():
            if column not in key and _normal(have[column]) != _normal(value):
                found.append(Difference(table, k, column, have[column], value))
    return found


def _normal(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def differences(session: Session, campaign_id: int) -> list[Difference]:
    """Every difference between the kept state of a campaign and its contacts, row by row."""
    s, d, c = STATES.c, DAYS.c, CONTACTS.c
    mine = [c.campaign_id == campaign_id]
    state_rows = _state_select(c, mine)
    day_rows = _day_select(c, mine)
    stored_states = session.execute(
        select(*(s[col.name] for col in state_rows.selected_columns)).where(
            s.campaign_id == campaign_id
        )
    )
    stored_days = session.execute(
        select(*(d[col.name] for col in day_rows.selected_columns)).where(
            d.campaign_id == campaign_id
        )
    )
    return _compare(
        "coverage_states",
        _STATE_KEY,
        _keyed(stored_states, _STATE_KEY),
        _keyed(session.execute(state_rows), _STATE_KEY),
    ) + _compare(
        "coverage_days",
        _DAY_KEY,
        _keyed(stored_days, _DAY_KEY),
        _keyed(session.execute(day_rows), _DAY_KEY),
    )
