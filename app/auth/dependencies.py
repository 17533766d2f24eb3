"""The request's actor, from its bearer token."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Scope

from app.auth import service
from app.auth.permissions import Actor
from app.db import SessionDep

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def get_token(token: Annotated[str | None, Depends(oauth2_scheme)]) -> str:
    """The bearer token of the request, or 401."""
    from app.errors import Unauthorized

    if not token:
        raise Unauthorized("Not logged in: send an Authorization: Bearer token")
    return token


TokenDep = Annotated[str, Depends(get_token)]


def get_actor(session: SessionDep, token: TokenDep) -> Actor:
    """The authenticated actor with their roles."""
    return service.actor_for_token(session, token=token)


ActorDep = Annotated[Actor, Depends(get_actor)]


async def token_opens_api(scope: Scope, token: str) -> bool | None:
    """For the body limit: whether ``token`` is valid; None if the database cannot say."""
    factory: sessionmaker[Session] = scope["app"].state.read_sessionmaker

    def check() -> bool | None:
        try:
            with factory() as session:
                return service.token_is_valid(session, token=token)
        except OperationalError:
            return None

    return await anyio.to_thread.run_sync(check)
