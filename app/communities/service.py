"""Use cases for communities, buildings and households; each is one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from app.auth import repository as auth_repo
from app.auth.permissions import EVERYONE, MANAGERS, PLANNERS, Actor
from app.communities import repository as repo
from app.communities.models import Building, Community, Household
from app.communities.schemas import (
    BuildingCreate,
    BuildingRead,
    BuildingUpdate,
    CommunityCreate,
    CommunityRead,
    CommunityUpdate,
    HouseholdCreate,
    HouseholdQuery,
    HouseholdRead,
    HouseholdUpdate,
)
from app.enums import Role
from app.errors import Conflict, Forbidden, Invalid, conflict_on_integrity_error
from app.loaders import of_community, staff_scope, visible
from app.schemas import PageParams
from app.webhooks import WebhookRefused, check_url


def mask_phone(phone: str | None) -> str | None:
    """``13812345678`` → ``138****5678``: enough to recognise, not to call."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    keep = 3 if len(digits) >= 7 else 1
    return digits[:keep] + "*" * (len(digits) - keep - 4) + digits[-4:]


def mask_name(name: str | None) -> str | None:
    """``王建国`` → ``王**``."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1)


# --- communities ---------------------------------------------------------------------------


def create_community(session: Session, *, actor: Actor, payload: CommunityCreate) -> Community:
    """Create a community (system admins only)."""
    if not actor.is_admin:
        raise Forbidden("Only a system admin may create communities")
    community = Community(**payload.model_dump())
    session.add(community)
    session.commit()
    return community


def get_community(
    session: Session, *, actor: Actor, community_id: int, allowed: tuple[Role, ...] = EVERYONE
) -> Community:
    """A community the actor belongs to (404 otherwise; 403 for a role outside ``allowed``)."""
    return visible(
        actor, repo.get_community(session, community_id), what="Community", allowed=allowed
    )


def list_communities(
    session: Session, *, actor: Actor, page: PageParams
) -> tuple[Sequence[Community], int]:
    """The communities the actor can see."""
    ids = None if actor.is_admin else list(actor.roles)
    return repo.list_communities(session, ids, limit=page.limit, offset=page.offset)


def read_community(*, actor: Actor, community: Community) -> CommunityRead:
    """A community's representation; its webhook (which carries a robot's key) for managers."""
    read = CommunityRead.model_validate(community)
    if community.notify_webhook_url and not (
        actor.is_admin or actor.role_in(community.id) == Role.manager
    ):
        host = (
            community.notify_webhook_url.split("/")[2]
            if "//" in community.notify_webhook_url
            else ""
        )
        read.notify_webhook_url = f"https://{host}/…"
    return read


def update_community(
    session: Session,
    *,
    actor: Actor,
    community: Community,
    payload: CommunityUpdate,
    allow_private_webhooks: bool = False,
) -> Community:
    """Change a community (admins and its managers)."""
    actor.require(community.id, MANAGERS, what="Community")
    changes = payload.model_dump(exclude_unset=True)
    deadlines = changes.pop("warning_deadlines", None)
    if "warning_deadlines" in payload.model_fields_set and deadlines is None:
        raise Invalid(
            "warning_deadlines cannot be empty",
            errors=[{"field": "warning_deadlines", "message": "required"}],
        )
    if changes.get("notify_webhook_url"):
        try:
            changes["notify_webhook_url"] = check_url(
                changes["notify_webhook_url"], allow_private=allow_private_webhooks
            )
        except WebhookRefused as exc:
            raise Invalid(
                f"notify_webhook_url refused: {exc}",
                errors=[{"field": "notify_webhook_url", "message": str(exc)}],
            ) from exc
    elif "notify_webhook_url" in changes:
        changes["notify_webhook_url"] = None
    for key, value in changes.items():
        if value is None and key in ("name", "timezone", "contact_consent_recorded"):
            raise Invalid(f"{key} cannot be empty", errors=[{"field": key, "message": "required"}])
        setattr(community, key, value)
    for level, minutes in (deadlines or {}).items():
        if minutes is not None:
            setattr(community, f"warning_{level}_minutes", minutes)
    session.commit()
    return community


# --- buildings -----------------------------------------------------------------------------


def read_buildings(session: Session, *, buildings: Sequence[Building]) -> list[BuildingRead]:
    """Building representations with their grid owners."""
    owners = repo.owners_of(session, [b.id for b in buildings])
    return [
        BuildingRead.model_validate(b).model_copy(update={"owner_ids": owners.get(b.id, [])})
        for b in buildings
    ]


def _check_owners(session: Session, community_id: int, user_ids: Sequence[int]) -> None:
    members = auth_repo.members_of(session, community_id, list(user_ids))
    missing = sorted(set(user_ids) - members)
    if missing:
        raise Invalid(
            "Grid owners must be members of the community",
            errors=[{"field": "owner_ids", "message": f"not members: {missing}"}],
        )


def _check_grid_officer(session: Session, community_id: int, user_id: int | None) -> None:
    if user_id is not None and not auth_repo.members_of(session, community_id, [user_id]):
        raise Invalid(
            "The grid officer must be a member of the community",
            errors=[{"field": "grid_officer_id", "message": "not a member"}],
        )


def create_building(
    session: Session, *, actor: Actor, community: Community, payload: BuildingCreate
) -> Building:
    """Add a building to a community."""
    actor.require(community.id, PLANNERS, what="Community")
    _check_grid_officer(session, community.id, payload.grid_officer_id)
    if repo.get_building_by_code(session, community.id, payload.code) is not None:
        raise Conflict(f"Building {payload.code!r} already exists in this community")
    building = Building(community_id=community.id, **payload.model_dump())
    session.add(building)
    with conflict_on_integrity_error(
        session, f"Building {payload.code!r} already exists in this community"
    ):
        session.commit()
    return building


def _in_staff_buildings(session: Session, actor: Actor, building_id: int) -> bool:
    return building_id in set(session.scalars(repo.staff_building_ids(actor.id)))


def get_building(session: Session, *, actor: Actor, building_id: int) -> Building:
    """A building the actor may read (staff: only those of their rounds)."""
    return visible(
        actor,
        repo.get_building(session, building_id),
        what="Building",
        staff_sees=lambda b: _in_staff_buildings(session, actor, b.id),
    )


def list_buildings(
    session: Session, *, actor: Actor, community: Community, page: PageParams
) -> tuple[Sequence[Building], int]:
    """A community's buildings (staff: those of their rounds)."""
    staff = staff_scope(actor, community.id)
    return repo.list_buildings(
        session, community.id, only_for_staff=staff, limit=page.limit, offset=page.offset
    )


def update_building(
    session: Session, *, actor: Actor, building: Building, payload: BuildingUpdate
) -> Building:
    """Change a building."""
    actor.require(building.community_id, PLANNERS, what="Building")
    changes = payload.model_dump(exclude_unset=True)
    if "grid_officer_id" in changes:
        _check_grid_officer(session, building.community_id, changes["grid_officer_id"])
    if changes.get("code") is None:
        changes.pop("code", None)
    owner_ids = changes.pop("owner_ids", None)
    if "owner_ids" in payload.model_fields_set:
        owner_ids = list(dict.fromkeys(owner_ids or []))
        _check_owners(session, building.community_id, owner_ids)
        repo.set_owners(session, building.id, owner_ids)
    for key, value in changes.items():
        setattr(building, key, value)
    with conflict_on_integrity_error(session, "Another building of this community has that code"):
        session.commit()
    return building


# --- households ----------------------------------------------------------------------------


def default_household_code(building_code: str, unit: str, room: str) -> str:
    """The code a household gets when none is given: building-unit-room."""
    return f"{building_code}-{unit}-{room}"


def read_households(
    session: Session, *, actor: Actor, households: Sequence[Household]
) -> list[HouseholdRead]:
    """Household representations with flags; contacts hidden without consent, masked to staff."""
    flags = repo.flags_of(session, [h.id for h in households])
    result = []
    for h in households:
        planner = actor.is_planner_in(h.community_id)
        name = h.contact_name if h.contact_consent else None
        phone = h.contact_phone if h.contact_consent else None
        if not planner:
            name, phone = mask_name(name), mask_phone(phone)
        result.append(
            HouseholdRead.from_object(
                h, flags=flags.get(h.id, []), contact_name=name, contact_phone=phone
            )
        )
    return result


def create_household(
    session: Session, *, actor: Actor, community: Community, payload: HouseholdCreate
) -> Household:
    """Add a household to a building of the community."""
    actor.require(community.id, PLANNERS, what="Community")
    building = of_community(
        repo.get_building(session, payload.building_id),
        community.id,
        field="building_id",
        what="building",
    )
    code = payload.code or default_household_code(building.code, payload.unit, payload.room)
    if repo.get_household_by_code(session, community.id, code) is not None:
        raise Conflict(f"Household {code!r} already exists in this community")
    if (payload.contact_name or payload.contact_phone) and not (
        payload.contact_consent and community.contact_consent_recorded
    ):
        raise Invalid(
            "A contact is stored only with the resident's recorded consent",
            errors=[{"field": "contact_consent", "message": "consent required"}],
        )
    household = Household(
        community_id=community.id,
        building_id=building.id,
        code=code,
        **payload.model_dump(exclude={"building_id", "code", "flags"}),
    )
    session.add(household)
    with conflict_on_integrity_error(
        session, f"Household {code!r} already exists in this community"
    ):
        session.flush()
        repo.set_flags(session, household, payload.flags)
        session.commit()
    return household


def get_household(session: Session, *, actor: Actor, household_id: int) -> Household:
    """A household the actor may read (staff: in their rounds' buildings)."""
    return visible(
        actor,
        repo.get_household(session, household_id),
        what="Household",
        staff_sees=lambda h: _in_staff_buildings(session, actor, h.building_id),
    )


def list_households(
    session: Session, *, actor: Actor, community: Community, query: HouseholdQuery
) -> tuple[list[HouseholdRead], int]:
    """A community's households, filtered (staff: in their rounds' buildings).

    Staff may also look one household up by its exact code anywhere in the community: that is
    how a walk-in at the service centre or a guest at an event is recorded.
    """
    # A staff member's list is narrowed to their rounds' buildings, unless looking a code up.
    only_for_staff = staff_scope(actor, community.id) if query.code is None else None
    rows, total = repo.list_households(session, community.id, query, only_for_staff=only_for_staff)
    return read_households(session, actor=actor, households=rows), total


def update_household(
    session: Session, *, actor: Actor, household: Household, payload: HouseholdUpdate
) -> Household:
    """Change a household; flags, when given, replace the old ones."""
    actor.require(household.community_id, PLANNERS, what="Household")
    changes = payload.model_dump(exclude_unset=True)
    flags = changes.pop("flags", None)
    for key in ("unit", "floor", "room", "code", "occupancy", "contact_consent"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    for key, value in changes.items():
        setattr(household, key, value)
    if (household.contact_name or household.contact_phone) and not household.contact_consent:
        raise Invalid(
            "A contact is stored only with the resident's recorded consent",
            errors=[{"field": "contact_consent", "message": "consent required"}],
        )
    with conflict_on_integrity_error(session, "Another household of this community has that code"):
        if flags is not None:
            repo.set_flags(session, household, flags)
        session.commit()
    return household
