"""Auth, users and memberships."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from app.auth import service
from app.auth.dependencies import ActorDep, TokenDep
from app.auth.models import Membership, User
from app.auth.schemas import (
    MemberRead,
    MembershipCreate,
    MemberUpdate,
    MeRead,
    MyMembership,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from app.db import SessionDep
from app.schemas import IdPath, Page, PageDep

router = APIRouter(tags=["auth"])

TOO_MANY: dict[int | str, dict[str, Any]] = {
    429: {"description": "Too many failed logins: wait the seconds in Retry-After"}
}


def _client(request: Request) -> str:
    """The client's address (the proxy's view of it when uvicorn trusts the proxy)."""
    return request.client.host if request.client else ""


@router.post("/auth/token", responses=TOO_MANY)
def issue_token(
    request: Request,
    session: SessionDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenRead:
    """Log in with username and password (OAuth2 password form); answers a bearer token."""
    token, row = service.login(
        session,
        username=form.username,
        password=form.password,
        client=_client(request),
        settings=request.app.state.settings,
    )
    return TokenRead(access_token=token, expires_at=row.expires_at)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(session: SessionDep, actor: ActorDep, token: TokenDep) -> Response:
    """Revoke the token used for this request."""
    service.logout(session, token=token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me")
def read_me(session: SessionDep, actor: ActorDep) -> MeRead:
    """The current user with their memberships."""
    user, rows = service.me(session, actor=actor)
    base = UserRead.model_validate(user).model_dump()
    return MeRead(
        **base,
        memberships=[
            MyMembership(community_id=cid, community_name=name, community_timezone=tz, role=role)
            for cid, name, tz, role in rows
        ],
    )


@router.post("/users", status_code=status.HTTP_201_CREATED)
def create_user(session: SessionDep, actor: ActorDep, payload: UserCreate) -> UserRead:
    """Create a user (system admins only)."""
    return UserRead.model_validate(service.create_user(session, actor=actor, payload=payload))


@router.get("/users")
def list_users(session: SessionDep, actor: ActorDep, page: PageDep) -> Page[UserRead]:
    """Every user (system admins only)."""
    rows, total = service.list_users(session, actor=actor, page=page)
    return Page[UserRead](items=[UserRead.model_validate(u) for u in rows], total=total)


@router.get("/users/{user_id}")
def get_user(session: SessionDep, actor: ActorDep, user_id: IdPath) -> UserRead:
    """One user."""
    return UserRead.model_validate(service.get_user(session, actor=actor, user_id=user_id))


@router.patch("/users/{user_id}", responses=TOO_MANY)
def update_user(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    token: TokenDep,
    user_id: IdPath,
    payload: UserUpdate,
) -> UserRead:
    """Change a user; ``is_active: false`` locks them out at once.

    Your own new ``password`` needs your ``current_password`` and ends your other sessions and
    calendar feeds; an admin resetting someone's password ends all of theirs.
    """
    user = service.update_user(
        session,
        actor=actor,
        user_id=user_id,
        payload=payload,
        token=token,
        client=_client(request),
        settings=request.app.state.settings,
    )
    return UserRead.model_validate(user)


def _member_read(membership: Membership, user: User) -> MemberRead:
    return MemberRead.from_object(
        membership,
        username=user.username,
        display_name=user.display_name,
        is_active=user.is_active,
    )


@router.post(
    "/communities/{community_id}/members",
    status_code=status.HTTP_201_CREATED,
    responses={200: {"model": MemberRead, "description": "The user's role changed"}},
)
def grant_role(
    session: SessionDep,
    actor: ActorDep,
    community_id: IdPath,
    payload: MembershipCreate,
    response: Response,
) -> MemberRead:
    """Give a person a role in the community (201 when new, 200 when the role changed).

    Name them by ``user_id``, or by ``username``: an unknown username with ``display_name``
    and ``password`` makes their account; a known one adds that person. Managers reach only
    the people of communities they manage.
    """
    membership, user, created = service.grant_role(
        session, actor=actor, community_id=community_id, payload=payload
    )
    if not created:
        response.status_code = status.HTTP_200_OK
    return _member_read(membership, user)


@router.patch("/communities/{community_id}/members/{user_id}")
def update_member(
    session: SessionDep,
    actor: ActorDep,
    community_id: IdPath,
    user_id: IdPath,
    payload: MemberUpdate,
) -> MemberRead:
    """Change a member's role, or reset their password or lock their account (managers)."""
    membership, user = service.update_member(
        session, actor=actor, community_id=community_id, user_id=user_id, payload=payload
    )
    return _member_read(membership, user)


@router.get("/communities/{community_id}/members")
def list_members(
    session: SessionDep, actor: ActorDep, community_id: IdPath, page: PageDep
) -> Page[MemberRead]:
    """The community's members and their roles."""
    rows, total = service.list_members(session, actor=actor, community_id=community_id, page=page)
    return Page[MemberRead](
        items=[_member_read(m, u) for m, u in rows],
        total=total,
    )


@router.delete(
    "/communities/{community_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT
)
def revoke_role(
    session: SessionDep, actor: ActorDep, community_id: IdPath, user_id: IdPath
) -> Response:
    """Remove a user from the community."""
    service.revoke_role(session, actor=actor, community_id=community_id, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
