"""Logging in and out, users and memberships: each function is one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.auth import repository as repo
from app.auth import throttle
from app.auth.models import AccessToken, Membership, User
from app.auth.passwords import password_problem
from app.auth.permissions import MANAGERS, Actor
from app.auth.schemas import MembershipCreate, MemberUpdate, UserCreate, UserUpdate
from app.auth.security import hash_password, new_token, token_hash, verify_password
from app.communities.models import Community
from app.config import Settings
from app.db import utcnow
from app.enums import Role
from app.errors import (
    AppError,
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Unauthorized,
    conflict_on_integrity_error,
)
from app.schemas import PageParams


def login(
    session: Session, *, username: str, password: str, client: str, settings: Settings
) -> tuple[str, AccessToken]:
    """Check a password and issue a bearer token; failures make the next attempts wait."""
    now = utcnow()
    throttle.charge(session, username=username, client=client, settings=settings, now=now)
    user = repo.get_user_by_username(session, username)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise Unauthorized("Wrong username or password")
    throttle.settle(session, username=username, client=client, settings=settings, now=now)
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
    _check_password_policy(username=payload.username, password=payload.password)
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
    with conflict_on_integrity_error(session, f"Username {payload.username!r} is taken"):
        session.commit()
    return user


def set_up_user(
    session: Session, *, username: str, password: str, admin: bool, display_name: str | None
) -> tuple[User, bool]:
    """Create a user, or give an existing one this password (``doorstep create-user``, run by
    whoever runs the server: no actor). ``admin`` makes them a system admin, never less; a
    reset ends every session of the user. Returns the user and whether it is new.
    """
    _check_password_policy(username=username, password=password)
    user = repo.get_user_by_username(session, username)
    created = user is None
    if user is None:
        user = User(
            username=username,
            display_name=display_name or username,
            password_hash=hash_password(password),
            is_admin=admin,
        )
        session.add(user)
    else:
        user.password_hash = hash_password(password)
        user.is_admin = user.is_admin or admin
        repo.revoke_tokens(session, user.id, now=utcnow())
    # Another command may create the same username at the same moment.
    with conflict_on_integrity_error(session, f"Username {username!r} is taken"):
        session.commit()
    return user, created


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


def _check_password_policy(*, username: str, password: str) -> None:
    problem = password_problem(username=username, password=password)
    if problem is not None:
        raise Invalid(problem, errors=[{"field": "password", "message": problem}])


def _check_current_password(
    session: Session,
    *,
    user: User,
    password: str | None,
    client: str,
    settings: Settings,
    now: datetime,
) -> None:
    """The user's own password, throttled like a login (a stolen token must not guess it)."""
    if not password:
        message = "Give your current password to choose a new one"
        raise Invalid(message, errors=[{"field": "current_password", "message": message}])
    throttle.charge(session, username=user.username, client=client, settings=settings, now=now)
    if not verify_password(user.password_hash, password):
        message = "The current password is not right"
        raise Invalid(message, errors=[{"field": "current_password", "message": message}])
    throttle.settle(session, username=user.username, client=client, settings=settings, now=now)


def update_user(
    session: Session,
    *,
    actor: Actor,
    user_id: int,
    payload: UserUpdate,
    token: str,
    client: str,
    settings: Settings,
) -> User:
    """Change a user (admins; users may change their own name and password).

    A new password needs the current one, unless an admin resets someone else's; it ends every
    other token of the user, calendar feeds included. Deactivating a user revokes all their
    tokens, so that reactivating them brings none back.
    """
    user = get_user(session, actor=actor, user_id=user_id)
    changes = payload.model_dump(exclude_unset=True)
    current_password = changes.pop("current_password", None)
    new_password = changes.pop("password", None)
    own_fields = {"display_name", "phone"}
    if not actor.is_admin and (user.id != actor.id or set(changes) - own_fields):
        raise Forbidden("Only a system admin may change this")
    now = utcnow()
    if new_password is not None:
        _check_password_policy(username=user.username, password=new_password)
        if user.id == actor.id:
            _check_current_password(
                session,
                user=user,
                password=current_password,
                client=client,
                settings=settings,
                now=now,
            )
    for key, value in changes.items():
        if value is not None or key == "phone":
            setattr(user, key, value)
    if new_password is not None:
        user.password_hash = hash_password(new_password)
        keep = token_hash(token) if user.id == actor.id else None
        repo.revoke_tokens(session, user.id, now=now, keep=keep)
    if changes.get("is_active") is False:
        repo.revoke_tokens(session, user.id, now=now)
    session.commit()
    return user


def list_users(session: Session, *, actor: Actor, page: PageParams) -> tuple[list[User], int]:
    """Every user (admins only)."""
    _require_admin(actor)
    rows, total = repo.list_users(session, limit=page.limit, offset=page.offset)
    return list(rows), total


def _in_reach(session: Session, actor: Actor, user_id: int) -> bool:
    """Whether the actor may see and place this user: admins everyone; managers the people
    of the communities they manage."""
    if actor.is_admin or user_id == actor.id:
        return True
    managed = {cid for cid, role in actor.roles.items() if role in MANAGERS}
    return bool(managed & set(repo.roles_of(session, user_id)))


def _person_for(session: Session, *, actor: Actor, payload: MembershipCreate) -> User:
    """The user a new membership is for: found in reach, or a new account by username."""
    if payload.user_id is not None:
        user = repo.get_user(session, payload.user_id)
        if user is None or not _in_reach(session, actor, user.id):
            raise NotFound("User not found")
        return user
    assert payload.username is not None  # the schema asks for one of the two
    user = repo.get_user_by_username(session, payload.username)
    if user is not None:
        if not _in_reach(session, actor, user.id):
            # The same answer an admin gets for a taken name: nothing about whose it is.
            raise Conflict(f"Username {payload.username!r} is taken; choose another")
        return user
    if payload.display_name is None or payload.password is None:
        missing = [f for f in ("display_name", "password") if getattr(payload, f) is None]
        raise Invalid(
            f"A new account needs {' and '.join(missing)}",
            errors=[{"field": f, "message": "required for a new account"} for f in missing],
        )
    _check_password_policy(username=payload.username, password=payload.password)
    user = User(
        username=payload.username,
        password_hash=hash_password(payload.password),
        display_name=payload.display_name,
    )
    session.add(user)
    session.flush()
    return user


def grant_role(
    session: Session, *, actor: Actor, community_id: int, payload: MembershipCreate
) -> tuple[Membership, User, bool]:
    """Give a person a role in a community (admins, or that community's managers).

    Returns the membership, its user, and whether the membership is new.
    """
    if session.get(Community, community_id) is None:
        raise NotFound("Community not found")
    actor.require(community_id, MANAGERS, what="Community")
    try:
        user = _person_for(session, actor=actor, payload=payload)
        membership = repo.get_membership(session, user.id, community_id)
        created = membership is None
        if membership is None:
            membership = Membership(user_id=user.id, community_id=community_id, role=payload.role)
            session.add(membership)
        else:
            _keep_own_manager_role(actor, user.id, payload.role)
            membership.role = payload.role
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("That person was just added by someone else; try again") from exc
    except AppError:
        session.rollback()
        raise
    return membership, user, created


def _keep_own_manager_role(actor: Actor, user_id: int, role: Role | None) -> None:
    """A manager never takes away their own role here: someone must be left to manage."""
    if not actor.is_admin and user_id == actor.id and role != Role.manager:
        raise Conflict("You cannot remove or lower your own manager role; ask another manager")


def update_member(
    session: Session, *, actor: Actor, community_id: int, user_id: int, payload: MemberUpdate
) -> tuple[Membership, User]:
    """Change a member's role, or their account's name, password or lock (managers).

    The account is shared by every community the person belongs to, so a manager changes it
    only for people who belong to no community they do not manage.
    """
    actor.require(community_id, MANAGERS, what="Community")
    membership = repo.get_membership(session, user_id, community_id)
    user = repo.get_user(session, user_id)
    if membership is None or user is None:
        raise NotFound("Member not found")
    changes = payload.model_dump(exclude_unset=True, exclude_none=True)
    if "role" in changes:
        _keep_own_manager_role(actor, user_id, payload.role)
        membership.role = payload.role  # type: ignore[assignment]  # not None: exclude_none
    account = set(changes) - {"role"}
    if account:
        if changes.get("is_active") is False and user_id == actor.id:
            raise Conflict("You cannot lock your own account")
        elsewhere = set(repo.roles_of(session, user_id)) - {
            cid for cid, role in actor.roles.items() if role in MANAGERS
        }
        if not actor.is_admin and elsewhere:
            raise Forbidden(
                "This person also works in a community you do not manage; "
                "ask a system admin to change their account"
            )
        now = utcnow()
        if "password" in changes:
            # A manager's reset, like an admin's: every session and feed of the person ends.
            _check_password_policy(username=user.username, password=changes["password"])
            user.password_hash = hash_password(changes.pop("password"))
            repo.revoke_tokens(session, user.id, now=now)
        if changes.get("is_active") is False:
            repo.revoke_tokens(session, user.id, now=now)  # reactivation revives none
        for key in account - {"password"}:
            setattr(user, key, changes[key])
    session.commit()
    return membership, user


def revoke_role(session: Session, *, actor: Actor, community_id: int, user_id: int) -> None:
    """Remove a user from a community."""
    actor.require(community_id, MANAGERS, what="Community")
    membership = repo.get_membership(session, user_id, community_id)
    if membership is None:
        raise NotFound("Member not found")
    _keep_own_manager_role(actor, user_id, None)
    session.delete(membership)
    session.commit()


def list_members(
    session: Session, *, actor: Actor, community_id: int, page: PageParams
) -> tuple[list[tuple[Membership, User]], int]:
    """A community's members (anyone in the community may see who works there)."""
    if session.get(Community, community_id) is None:
        raise NotFound("Community not found")
    actor.require(community_id, what="Community")
    return repo.list_members(session, community_id, limit=page.limit, offset=page.offset)


def me(session: Session, *, actor: Actor) -> tuple[User, list[tuple[int, str, str, str]]]:
    """The current user and their memberships (community id, name, time zone, role)."""
    rows = repo.memberships_with_names(session, actor.id)
    return actor.user, [(cid, name, tz, str(role)) for cid, name, tz, role in rows]
