"""Who may do what in which community: the roles table of DESIGN.md in one place."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.auth.models import User
from app.enums import Role
from app.errors import Forbidden, NotFound

EVERYONE: tuple[Role, ...] = (Role.manager, Role.officer, Role.staff)
PLANNERS: tuple[Role, ...] = (Role.manager, Role.officer)
MANAGERS: tuple[Role, ...] = (Role.manager,)


@dataclass(frozen=True)
class Actor:
    """The authenticated user and their role in each community."""

    user: User
    roles: dict[int, Role] = field(default_factory=dict)

    @property
    def id(self) -> int:
        """The user's id."""
        return self.user.id

    @property
    def is_admin(self) -> bool:
        """Whether the user is a system admin (sees every community)."""
        return self.user.is_admin

    def role_in(self, community_id: int) -> Role | None:
        """The user's role in the community, or None if not a member."""
        return self.roles.get(community_id)

    def can_see(self, community_id: int) -> bool:
        """Whether the community exists for this user at all."""
        return self.is_admin or community_id in self.roles

    def require(
        self, community_id: int, allowed: tuple[Role, ...] = EVERYONE, *, what: str = "Resource"
    ) -> Role | None:
        """Check the actor's role; 404 outside their communities, 403 for a weaker role.

        Returns the actor's role (None for an admin, who may do everything).
        """
        if self.is_admin:
            return None
        role = self.roles.get(community_id)
        if role is None:
            raise NotFound(f"{what} not found")
        if role not in allowed:
            raise Forbidden(f"Your role ({role}) may not do this")
        return role

    def is_planner_in(self, community_id: int) -> bool:
        """Admins, managers and officers plan and see everything in their community."""
        return self.is_admin or self.roles.get(community_id) in PLANNERS
