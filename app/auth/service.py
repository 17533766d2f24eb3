"""Logging in and out, users and memberships: each function is one transaction."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import repository as repo
from app.auth.models import AccessToken, LoginAttempt, Membership, User
from app.auth.permissions import MANAGERS, Actor
from app.auth.schemas import MembershipCreate, UserCreate, UserUpdate
from app.auth.security import hash_password, new_token, token_hash, verify_password
from app.communities.models import Community
from app.config import Settings
from app.db import utcnow
from app.errors import Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized


def login(
    session: Session, *, username: str, password: str, client: str, settings: Settings
) -> tuple[str, AccessToken]:
    """Check a password and issue a bearer token; repeated failures are throttled."""
    now = utcnow()
    since = now - timedelta(seconds=settings.login_window_seconds)
    if repo.count_failures_since(session, username, since) >= settings.login_max_failures:
        raise TooManyRequests("Too many failed logins; wait a few minutes and try again")
    user = repo.get_user_by_username(session, username)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        session.add(LoginAttempt(username=username, client=client[:64], attempted_at=now))
        session.commit()
        raise Unauthorized("Wrong username or password")
    repo.clear_failures(session, username)
    token = new_token()
    row = AccessToken(
        token_hash=token_hash(token),
        user_id=user.id,
        kind="access",
        created_at=now,
        expires_at=now + timedelta(minutes=settings.token_lifetime_minutes),
    )
    session.add(row)
    session.commit()
    return token, row


def actor_for_token(session: Session, *, token: str, kind: str = "access") -> Actor:
    """The actor behind a bearer token, or 401."""
    found = repo.user_and_roles_for_token(session, token_hash(token), kind, utcnow())
    if found is None:
        raise Unauthorized("Not logged in, or the session has expired")
    user, roles = found
    return Actor(user=user, roles=roles)


def token_is_valid(session: Session, *, token: str) -> bool:
    """Whether a bearer token opens the API now (checked before a large body is read)."""
    return repo.user_and_roles_for_token(session, token_hash(token), "access", utcnow()) is not None


def logout(session: Session, *, token: str) -> None:
    """Revoke the token so it stops working at once."""
    row = repo.get_token(session, token_hash(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()


def issue_feed_token(session: Session, *, actor: Actor) -> str:
    """A long-lived token that only opens the actor's calendar feed."""
    token = new_token()
    session.add(AccessToken(token_hash=token_hash(token), user_id=actor.id, kind="feed"))
    session.commit()
    return token


def revoke_feed_tokens(session: Session, *, actor: Actor) -> None:
    """Revoke every calendar feed token of the actor."""
    from sqlalchemy import update

    session.execute(
        update(AccessToken)
        .where(
            AccessToken.user_id == actor.id,
            AccessToken.kind == "feed",
            AccessToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    session.commit()


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise Forbidden("Only a system admin may do this")


def create_user(session: Session, *, actor: Actor, payload: UserCreate) -> User:
    """Create a user (admins only)."""
    _require_admin(actor)
    if repo.get_user_by_username(session, payload.username) is not None:
        raise Conflict(f"Username {payload.username!r} is taken")
    user = User(
        username=payload.username,
        password_hash=hash_password(payload.password),
        display_name=payload.display_name,
        is_admin=payload.is_admin,
        phone=payload.phone,
    )
    session.add(user)
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(f"Username {payload.username!r} is taken") from exc
    return user


def get_user(session: Session, *, actor: Actor, user_id: int) -> User:
    """A user: admins see everyone, others themselves and people sharing a community."""
    user = repo.get_user(session, user_id)
    if user is None:
        raise NotFound("User not found")
    if actor.is_admin or user.id == actor.id:
        return user
    shared = set(repo.roles_of(session, user.id)) & set(actor.roles)
    if not shared:
        raise NotFound("User not found")
    return user


def update_user(session: Session, *, actor: Actor, user_id: int, payload: UserUpdate) -> User:
    """Change a user (admins; users may change their own name and password)."""
    user = get_user(session, actor=actor, user_id=user_id)
    changes = payload.model_dump(exclude_unset=True)
    own_fields = {"display_name", "password", "phone"}
    if not actor.is_admin and (user.id != actor.id or set(changes) - own_fields):
        raise Forbidden("Only a system admin may change this")
    for key, value in changes.items():
        if key == "password":
            if value is not None:
                user.password_hash = hash_password(value)
        elif value is not None or key == "phone":
            setattr(user, key, value)
    session.commit()
    return user


def list_users(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[list[User], int]:
    """Every user (admins only)."""
    _require_admin(actor)
    rows, total = repo.list_users(session, limit=limit, offset=offset)
    return list(rows), total


def grant_role(
    session: Session, *, actor: Actor, community_id: int, payload: MembershipCreate
) -> tuple[Membership, bool]:
    """Give a user a role in a community (admins, or that community's managers).

    Returns the membership and whether it is new.
    """
    if session.get(Community, community_id) is None:
        raise NotFound("Community not found")
    actor.require(community_id, MANAGERS, what="Community")
    if repo.get_user(session, payload.user_id) is None:
        raise NotFound("User not found")
    membership = repo.get_membership(session, payload.user_id, community_id)
    created = membership is None
    if membership is None:
        membership = Membership(
            user_id=payload.user_id, community_id=community_id, role=payload.role
        )
        session.add(membership)
    else:
        membership.role = payload.role
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("That user was just given a role here; try again") from exc
    return membership, created


def revoke_role(session: Session, *, actor: Actor, community_id: int, user_id: int) -> None:
    """Remove a user from a community."""
    actor.require(community_id, MANAGERS, what="Community")
    membership = repo.get_membership(session, user_id, community_id)
    if membership is None:
        raise NotFound("Member not found")
    session.delete(membership)
    session.commit()


def list_members(
    session: Session, *, actor: Actor, community_id: int, limit: int, offset: int
) -> tuple[list[tuple[Membership, User]], int]:
    """A community's members (anyone in the community may see who works there)."""
    if session.get(Community, community_id) is None:
        raise NotFound("Community not found")
    actor.require(community_id, what="Community")
    return repo.list_members(session, community_id, limit=limit, offset=offset)


def me(session: Session, *, actor: Actor) -> tuple[User, list[tuple[int, str, str]]]:
    """The current user and their memberships."""
    rows = repo.memberships_with_names(session, actor.id)
    return actor.user, [(cid, name, str(role)) for cid, name, role in rows]
