"""Route dependencies that load a community, building or household the actor may see.

Built on the services' loaders (app.loaders underneath): another community's resource is a
404, and staff see only the buildings and households of their rounds.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.auth.dependencies import ActorDep
from app.communities import service
from app.communities.models import Building, Community, Household
from app.db import SessionDep
from app.schemas import IdPath


def _community(session: SessionDep, actor: ActorDep, community_id: IdPath) -> Community:
    return service.get_community(session, actor=actor, community_id=community_id)


def _building(session: SessionDep, actor: ActorDep, building_id: IdPath) -> Building:
    return service.get_building(session, actor=actor, building_id=building_id)


def _household(session: SessionDep, actor: ActorDep, household_id: IdPath) -> Household:
    return service.get_household(session, actor=actor, household_id=household_id)


CommunityDep = Annotated[Community, Depends(_community)]
"""The ``{community_id}`` of the path, for a member of it (or an admin); 404 otherwise."""
BuildingDep = Annotated[Building, Depends(_building)]
"""The ``{building_id}`` of the path, loaded for the request's actor (staff: their rounds')."""
HouseholdDep = Annotated[Household, Depends(_household)]
"""The ``{household_id}`` of the path, loaded for the request's actor (staff: their rounds')."""
