"""Queries for users, memberships, tokens and login throttles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.auth.models import AccessToken, LoginThrottle, Membership, User
from app.communities.models import Community
from app.db import paginate, paginate_rows
from app.enums import Role


def get_user(session: Session, user_id: int) -> User | None:
    """A user by id."""
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    """A user by username."""
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def list_users(session: Session, *, limit: int, offset: int) -> tuple[Sequence[User], int]:
    """A page of users by id, and the total."""
    return paginate(session, select(User).order_by(User.id), limit=limit, offset=offset)


def _live_token(digest: str, kind: str, now: datetime) -> tuple[ColumnElement[bool], ...]:
    """The token of this digest and kind, unrevoked, unexpired, of an active user."""
    return (
        AccessToken.token_hash == digest,
        AccessToken.kind == kind,
        AccessToken.revoked_at.is_(None),
        (AccessToken.expires_at.is_(None)) | (AccessToken.expires_at > now),
        User.is_active.is_(True),
    )


def user_for_token(session: Session, digest: str, kind: str, now: datetime) -> User | None:
    """The active user owning a live, unrevoked token of this kind."""
    stmt = (
        select(User)
        .join(AccessToken, AccessToken.user_id == User.id)
        .where(*_live_token(digest, kind, now))
    )
    return session.scalars(stmt).one_or_none()


def user_and_roles_for_token(
    session: Session, digest: str, kind: str, now: datetime
) -> tuple[User, dict[int, Role]] | None:
    """The active owner of a live token with their roles, in one round trip (every request)."""
    stmt = (
        select(User, Membership.community_id, Membership.role)
        .join(AccessToken, AccessToken.user_id == User.id)
        .outerjoin(Membership, Membership.user_id == User.id)
        .where(*_live_token(digest, kind, now))
    )
    rows = session.execute(stmt).all()
    if not rows:
        return None
    roles = {cid: role for _, cid, role in rows if cid is not None}
    return rows[0][0], roles


def roles_of(session: Session, user_id: int) -> dict[int, Role]:
    """Community id → role for every membership of the user."""
    rows = session.execute(
        select(Membership.community_id, Membership.role).where(Membership.user_id == user_id)
    ).all()
    return {community_id: role for community_id, role in rows}  # noqa: C416


def memberships_with_names(session: Session, user_id: int) -> list[tuple[int, str, str, Role]]:
    """(community id, name, time zone, role) for each of the user's memberships."""
    rows = session.execute(
        select(Membership.community_id, Community.name, Community.timezone, Membership.role)
        .join(Community, Community.id == Membership.community_id)
        .where(Membership.user_id == user_id)
        .order_by(Community.id)
    ).all()
    return [(cid, name, tz, role) for cid, name, tz, role in rows]


def get_membership(session: Session, user_id: int, community_id: int) -> Membership | None:
    """The user's membership in the community, if any."""
    return session.scalars(
        select(Membership).where(
            Membership.user_id == user_id, Membership.community_id == community_id
        )
    ).one_or_none()


def list_members(
    session: Session, community_id: int, *, limit: int, offset: int
) -> tuple[list[tuple[Membership, User]], int]:
    """A page of a community's members with their users, and the total."""
    stmt = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.community_id == community_id)
        .order_by(Membership.id)
    )
    rows, total = paginate_rows(session, stmt, limit=limit, offset=offset)
    return [(m, u) for m, u in rows], total


def members_of(session: Session, community_id: int, user_ids: Sequence[int]) -> set[int]:
    """Which of these users are members of the community."""
    if not user_ids:
        return set()
    return set(
        session.scalars(
            select(Membership.user_id).where(
                Membership.community_id == community_id, Membership.user_id.in_(user_ids)
            )
        )
    )


def lock_throttles(session: Session, keys: Sequence[str]) -> list[LoginThrottle]:
    """The throttle rows of these keys, made when missing and locked until the transaction ends.

    Rows are made and locked in key order, so two attempts sharing keys never deadlock; on
    SQLite the immediate transaction already holds the write lock.
    """
    ordered = sorted(set(keys))
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(LoginThrottle)
        .values([{"key": key, "failures": 0} for key in ordered])
        .on_conflict_do_nothing(index_elements=["key"])
    )
    stmt = (
        select(LoginThrottle)
        .where(LoginThrottle.key.in_(ordered))
        .order_by(LoginThrottle.key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def forget_failures(session: Session, key: str) -> None:
    """Drop a key's failures (a username after its right password)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def refund_failure(session: Session, key: str, *, free: int) -> None:
    """Take back one failure charged to a key; lift its wait once it is under ``free``."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key, LoginThrottle.failures < free)
        .values(blocked_until=None)
    )


def prune_throttles(session: Session, *, quiet_since: datetime, now: datetime) -> None:
    """Drop the rows of keys with no failure since ``quiet_since`` and nothing to wait for."""
    session.execute(
        delete(LoginThrottle).where(
            (LoginThrottle.last_failure_at.is_(None))
            | (LoginThrottle.last_failure_at < quiet_since),
            (LoginThrottle.blocked_until.is_(None)) | (LoginThrottle.blocked_until <= now),
        )
    )


def revoke_tokens(
    session: Session, user_id: int, *, now: datetime, keep: str | None = None
) -> None:
    """Revoke every live token of the user (access and feed), but the one hashed ``keep``."""
    stmt = update(AccessToken).where(
        AccessToken.user_id == user_id, AccessToken.revoked_at.is_(None)
    )
    if keep is not None:
        stmt = stmt.where(AccessToken.token_hash != keep)
    session.execute(stmt.values(revoked_at=now))


def get_token(session: Session, digest: str) -> AccessToken | None:
    """A token row by its hash."""
    return session.get(AccessToken, digest)
