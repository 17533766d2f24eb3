"""The declarative base and the columns models share, the engine, the per-request session, and
the query helpers repositories share (pages, optional filters, IN lists, user links)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar, TypeVarTuple

from fastapi import Depends, Request
from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKey,
    MetaData,
    Select,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Dialect, Row
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import (
    DeclarativeBase,
    InstrumentedAttribute,
    Mapped,
    Session,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every model's base, with constraint names that migrations can rely on."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware timestamp stored as UTC on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def make_engine(url: str, *, immediate: bool = True, **kwargs: Any) -> Engine:
    """An engine tuned for the backend: SQLite gets WAL, foreign keys and immediate writes.

    With ``immediate=False`` (SQLite only) transactions begin deferred: for sessions that only
    read, so that a long read (a report being rendered) never holds SQLite's write lock.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, decide when transactions begin (see "begin").
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Writers take the write lock up front: a deferred transaction that later writes
            # can fail at once with "database is locked" instead of waiting its turn.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    # No pre-ping: it costs a round trip per request; stale connections are recycled instead
    # and a dead one fails its request with 503 (see app.errors) rather than hanging.
    kwargs.setdefault("pool_recycle", 1800)
    kwargs.setdefault("pool_size", 40)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit (routes serialise them)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; services commit, anything uncommitted is rolled back.

    Reading requests (GET, HEAD) get a session whose transactions begin deferred, so they never
    hold SQLite's write lock; on PostgreSQL both factories share one engine.
    """
    state = request.app.state
    reading = request.method in ("GET", "HEAD")
    factory: sessionmaker[Session] = state.read_sessionmaker if reading else state.sessionmaker
    with factory() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


_Row = TypeVar("_Row")
_Cols = TypeVarTuple("_Cols")


def _count(session: Session, stmt: Select[*tuple[Any, ...]]) -> int:
    return int(
        session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    )


# SQLite allows 32,766 bound parameters a statement; stay far below it for IN lists.
IN_LIST_CHUNK = 900


def in_chunks(ids: Iterable[Any]) -> Iterator[list[Any]]:
    """``ids`` without repeats, in their first order, a chunk small enough for one IN list."""
    items = list(dict.fromkeys(ids))
    for start in range(0, len(items), IN_LIST_CHUNK):
        yield items[start : start + IN_LIST_CHUNK]


def rows_for_ids(
    session: Session, stmt: Select[*_Cols], column: Any, ids: Iterable[Any]
) -> list[Row[*_Cols]]:
    """The rows of ``stmt`` whose ``column`` is one of ``ids``, one query a chunk of ids."""
    rows: list[Row[*_Cols]] = []
    for chunk in in_chunks(ids):
        rows += session.execute(stmt.where(column.in_(chunk))).all()
    return rows


def where_given(
    stmt: Select[*_Cols], *equal: tuple[InstrumentedAttribute[Any], object]
) -> Select[*_Cols]:
    """``stmt`` narrowed to the rows whose column equals each (column, value) pair's value; a
    value of None (a list filter the query leaves out) narrows nothing."""
    for column, value in equal:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def paginate(
    session: Session, stmt: Select[_Row], *, limit: int, offset: int
) -> tuple[Sequence[_Row], int]:
    """One page of an ordered one-entity query, and how many rows the whole query has.

    Every list endpoint counts and slices through here (or :func:`paginate_rows`), so ``total``
    always counts what the filters let through, whichever page is asked for.
    """
    return session.scalars(stmt.limit(limit).offset(offset)).all(), _count(session, stmt)


def paginate_rows(
    session: Session, stmt: Select[*_Cols], *, limit: int, offset: int
) -> tuple[list[Row[*_Cols]], int]:
    """:func:`paginate` for a query of several columns or entities: its rows as they come."""
    return list(session.execute(stmt.limit(limit).offset(offset)).all()), _count(session, stmt)


# PostgreSQL aborts one of two transactions that wait on each other (deadlock_detected) and may
# refuse one under concurrent updates (serialization_failure); the victim is safe to run again.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})
TRANSACTION_ATTEMPTS = 3
_T = TypeVar("_T")


def retrying(session: Session, work: Callable[[], _T]) -> _T:
    """Run one transaction's ``work``; when the database chose it as the victim of a deadlock,
    roll back and run it again (at most ``TRANSACTION_ATTEMPTS`` times in all).

    ``work`` must be the whole use case, from its first read to its commit, and safe to repeat:
    nothing it did before the failure survives the rollback.
    """
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            return work()
        except OperationalError as exc:
            sqlstate = getattr(exc.orig, "sqlstate", None)
            if sqlstate not in _RETRYABLE_SQLSTATES or attempt == TRANSACTION_ATTEMPTS:
                raise
            session.rollback()
    raise AssertionError("unreachable: the last attempt returns or raises")


CommunityKey = Annotated[
    int, mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
]
"""The column that puts a row in one community (the tenant boundary): it goes with the
community, and the index finds a community's rows. Declared as ``Mapped[CommunityKey]``."""


class UserLink:
    """The ``user_id`` half of a link table's key: a user linked to the row the other half names
    (a round's or a warning's assignee, a building's owner). The link goes with the user, and
    the index finds a user's links."""

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def replace_user_links(
    session: Session, owner: InstrumentedAttribute[int], owner_id: int, user_ids: Iterable[int]
) -> None:
    """Make ``user_ids`` the users linked to ``owner_id`` in ``owner``'s table of (owner,
    ``user_id``) rows: the others' rows go, missing ones are added, the rest are kept."""
    model: Any = owner.class_  # the link table's mapped class
    wanted = set(user_ids)
    current = {row.user_id: row for row in session.scalars(select(model).where(owner == owner_id))}
    for user_id, row in current.items():
        if user_id not in wanted:
            session.delete(row)
    for user_id in sorted(wanted - set(current)):
        session.add(model(**{owner.key: owner_id, "user_id": user_id}))
