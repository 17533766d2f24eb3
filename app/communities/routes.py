"""Communities, buildings and households."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Query, Request, UploadFile, status

from app.auth.dependencies import ActorDep
from app.communities import importer, service
from app.communities.dependencies import BuildingDep, CommunityDep, HouseholdDep
from app.communities.schemas import (
    BuildingCreate,
    BuildingRead,
    BuildingUpdate,
    CommunityCreate,
    CommunityRead,
    CommunityUpdate,
    HouseholdCreate,
    HouseholdQueryDep,
    HouseholdRead,
    HouseholdUpdate,
    ImportResult,
)
from app.db import SessionDep
from app.schemas import Page, PageDep

router = APIRouter(tags=["communities"])


@router.post("/communities", status_code=status.HTTP_201_CREATED)
def create_community(
    session: SessionDep, actor: ActorDep, payload: CommunityCreate
) -> CommunityRead:
    """Create a community (system admins)."""
    community = service.create_community(session, actor=actor, payload=payload)
    return service.read_community(actor=actor, community=community)


@router.get("/communities")
def list_communities(session: SessionDep, actor: ActorDep, page: PageDep) -> Page[CommunityRead]:
    """The communities you belong to (every one, for a system admin)."""
    rows, total = service.list_communities(session, actor=actor, page=page)
    items = [service.read_community(actor=actor, community=c) for c in rows]
    return Page[CommunityRead](items=items, total=total)


@router.get("/communities/{community_id}")
def get_community(actor: ActorDep, community: CommunityDep) -> CommunityRead:
    """One community."""
    return service.read_community(actor=actor, community=community)


@router.patch("/communities/{community_id}")
def update_community(
    session: SessionDep,
    actor: ActorDep,
    community: CommunityDep,
    payload: CommunityUpdate,
    request: Request,
) -> CommunityRead:
    """Change a community (its managers and system admins): deadlines, webhook, …"""
    community = service.update_community(
        session,
        actor=actor,
        community=community,
        payload=payload,
        allow_private_webhooks=request.app.state.settings.webhook_allow_private,
    )
    return service.read_community(actor=actor, community=community)


@router.post("/communities/{community_id}/buildings", status_code=status.HTTP_201_CREATED)
def create_building(
    session: SessionDep, actor: ActorDep, community: CommunityDep, payload: BuildingCreate
) -> BuildingRead:
    """Add a building."""
    building = service.create_building(session, actor=actor, community=community, payload=payload)
    return service.read_buildings(session, buildings=[building])[0]


@router.get("/communities/{community_id}/buildings")
def list_buildings(
    session: SessionDep, actor: ActorDep, community: CommunityDep, page: PageDep
) -> Page[BuildingRead]:
    """The community's buildings."""
    rows, total = service.list_buildings(session, actor=actor, community=community, page=page)
    return Page[BuildingRead](items=service.read_buildings(session, buildings=rows), total=total)


@router.get("/buildings/{building_id}")
def get_building(session: SessionDep, building: BuildingDep) -> BuildingRead:
    """One building."""
    return service.read_buildings(session, buildings=[building])[0]


@router.patch("/buildings/{building_id}")
def update_building(
    session: SessionDep, actor: ActorDep, building: BuildingDep, payload: BuildingUpdate
) -> BuildingRead:
    """Change a building; ``owner_ids`` replaces its grid owners (members of the community)."""
    building = service.update_building(session, actor=actor, building=building, payload=payload)
    return service.read_buildings(session, buildings=[building])[0]


@router.post("/communities/{community_id}/households", status_code=status.HTTP_201_CREATED)
def create_household(
    session: SessionDep, actor: ActorDep, community: CommunityDep, payload: HouseholdCreate
) -> HouseholdRead:
    """Add a household; its code defaults to building-unit-room."""
    household = service.create_household(session, actor=actor, community=community, payload=payload)
    return service.read_households(session, actor=actor, households=[household])[0]


@router.get("/communities/{community_id}/households")
def list_households(
    session: SessionDep, actor: ActorDep, community: CommunityDep, query: HouseholdQueryDep
) -> Page[HouseholdRead]:
    """The community's households, filtered by building, flag, occupancy or code."""
    items, total = service.list_households(session, actor=actor, community=community, query=query)
    return Page[HouseholdRead](items=items, total=total)


@router.get("/households/{household_id}")
def get_household(session: SessionDep, actor: ActorDep, household: HouseholdDep) -> HouseholdRead:
    """One household."""
    return service.read_households(session, actor=actor, households=[household])[0]


@router.patch("/households/{household_id}")
def update_household(
    session: SessionDep, actor: ActorDep, household: HouseholdDep, payload: HouseholdUpdate
) -> HouseholdRead:
    """Change a household."""
    household = service.update_household(session, actor=actor, household=household, payload=payload)
    return service.read_households(session, actor=actor, households=[household])[0]


@router.post("/communities/{community_id}/households/import")
def import_households(
    session: SessionDep,
    actor: ActorDep,
    community: CommunityDep,
    file: Annotated[UploadFile, File(description="A CSV or XLSX roster")],
    partial: Annotated[
        bool, Query(description="Import the good rows even if some are bad")
    ] = False,
    dry_run: Annotated[
        bool, Query(description="Answer what the import would do and store nothing")
    ] = False,
    replace_flags: Annotated[
        bool, Query(description="The file's flags replace a household's flags (default: added)")
    ] = False,
    confirm_vacant: Annotated[
        bool, Query(description="Set vacant households that a campaign counts as reached")
    ] = False,
) -> ImportResult:
    """Import a household roster (CSV or XLSX); all or nothing unless ``partial=true``.

    Nothing the office recorded is removed unless asked: an empty cell changes nothing, flags
    are added (``replace_flags=true`` replaces them), and a household that a campaign counts
    as reached is set vacant only with ``confirm_vacant=true`` (otherwise its row is rejected
    and listed in ``needs_confirmation``). The answer lists every changed field in
    ``changes``; with ``dry_run=true`` it is the same answer and nothing is stored.
    """
    data = file.file.read(importer.MAX_BYTES + 1)
    return importer.import_households(
        session,
        actor=actor,
        community=community,
        data=data,
        filename=file.filename,
        partial=partial,
        dry_run=dry_run,
        replace_flags=replace_flags,
        confirm_vacant=confirm_vacant,
    )
