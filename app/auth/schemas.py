"""Request and response bodies for users, memberships and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, model_validator

from app.enums import Role
from app.schemas import Id, ReadSchema, Schema

Username = Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]
Password = Annotated[str, Field(min_length=8, max_length=200)]


class TokenRead(ReadSchema):
    """An issued bearer token."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime | None = None


class UserCreate(Schema):
    """A new user (admins only)."""

    username: Username
    password: Password
    display_name: Annotated[str, Field(min_length=1, max_length=100)]
    is_admin: bool = False
    phone: Annotated[str | None, Field(max_length=32)] = None


class UserUpdate(Schema):
    """Changes to a user; ``is_active: false`` locks them out at once.

    Changing your own ``password`` needs your ``current_password`` too.
    """

    display_name: Annotated[str | None, Field(min_length=1, max_length=100)] = None
    password: Password | None = None
    current_password: Annotated[
        str | None,
        Field(max_length=200, description="Needed to change your own password"),
    ] = None
    is_active: bool | None = None
    is_admin: bool | None = None
    phone: Annotated[str | None, Field(max_length=32)] = None


class UserRead(ReadSchema):
    """A user as others see them."""

    id: int
    username: str
    display_name: str
    is_admin: bool
    is_active: bool


DisplayName = Annotated[str, Field(min_length=1, max_length=100)]


class MembershipCreate(Schema):
    """Grant a role in a community to a user, named by ``user_id`` or by ``username``.

    A ``username`` nobody has yet makes a new account (``display_name`` and ``password``
    then required); one that exists adds that person, never a second account. Managers reach
    only people of the communities they manage.
    """

    user_id: Id | None = None
    username: Username | None = None
    display_name: DisplayName | None = None
    password: Password | None = None
    role: Role

    @model_validator(mode="after")
    def _one_person(self) -> MembershipCreate:
        if (self.user_id is None) == (self.username is None):
            raise ValueError("give either user_id or username")
        return self


class MemberUpdate(Schema):
    """A manager's changes to a member: the role, the account's name, password, or lock."""

    role: Role | None = None
    display_name: DisplayName | None = None
    password: Password | None = None
    is_active: bool | None = None


class MembershipRead(ReadSchema):
    """A user's role in a community."""

    id: int
    user_id: Id
    community_id: int
    role: Role


class MemberRead(MembershipRead):
    """A membership with the member's names, for lists of a community's people."""

    username: str
    display_name: str
    is_active: bool = True


class MyMembership(ReadSchema):
    """One of the current user's communities."""

    community_id: int
    community_name: str
    community_timezone: str  # IANA name: phones show the community's times, not their own
    role: Role


class MeRead(UserRead):
    """The current user with their memberships."""

    memberships: list[MyMembership]
