"""Get a stored resource if this actor may see it, else 404: the step in front of every service.

One rule for every domain (DESIGN.md's roles table): a resource of a community the actor is
not in answers exactly like a missing one (404, nothing leaks); a role too weak for what is
asked answers 403; staff see only what is theirs (their rounds, events, reports, …), and
anything else of their community is a 404 for them too. The domains' loader dependencies
(``CampaignDep``, ``RoundDep``, …) are built on :func:`visible`; lists narrow to a staff
member's own with :func:`staff_scope`.

This module sits in the lowest layer: it knows the actor and the errors, never a domain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from app.auth.permissions import EVERYONE, Actor
from app.enums import Role
from app.errors import Invalid, NotFound


class InCommunity(Protocol):
    """A stored resource that belongs to one community."""

    @property
    def community_id(self) -> int: ...


R = TypeVar("R", bound=InCommunity)


def visible(
    actor: Actor,
    found: R | None,
    *,
    what: str,
    allowed: tuple[Role, ...] = EVERYONE,
    staff_sees: Callable[[R], bool] | None = None,
) -> R:
    """``found`` if the actor may see it: 404 when it is missing or of another community,
    403 for a role outside ``allowed``, 404 for staff when ``staff_sees`` says it is not theirs.
    """
    if found is None:
        raise NotFound(f"{what} not found")
    # ``require`` answers 404 outside the actor's communities and 403 for a weaker role.
    role = actor.require(found.community_id, allowed, what=what)
    if role == Role.staff and staff_sees is not None and not staff_sees(found):
        raise NotFound(f"{what} not found")
    return found


def load(
    session: Session,
    model: type[R],
    ident: Any,
    actor: Actor,
    *,
    what: str,
    allowed: tuple[Role, ...] = EVERYONE,
    staff_sees: Callable[[R], bool] | None = None,
) -> R:
    """The row of ``model`` with primary key ``ident``, if the actor may see it (see visible)."""
    return visible(
        actor, session.get(model, ident), what=what, allowed=allowed, staff_sees=staff_sees
    )


def is_staff_in(actor: Actor, community_id: int) -> bool:
    """Whether the actor is staff (and no admin) in the community: they see only their own."""
    return not actor.is_admin and actor.role_in(community_id) == Role.staff


def staff_scope(actor: Actor, community_id: int) -> int | None:
    """The actor's id where a list narrows to a staff member's own, else None (all of it)."""
    return actor.id if is_staff_in(actor, community_id) else None


def of_community(found: R | None, community_id: int, *, field: str, what: str) -> R:
    """``found`` if it belongs to the community, else 422 naming the field of the request that
    referred to it (a reference in a body, where ``visible``'s 404 is for the path)."""
    if found is None or found.community_id != community_id:
        raise Invalid(
            f"No such {what} in this community",
            errors=[{"field": field, "message": "not in this community"}],
        )
    return found
