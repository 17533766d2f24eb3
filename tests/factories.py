"""Plain factory functions: each makes one row with sensible defaults and keyword overrides."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.models import AccessToken, Membership, User
from app.auth.security import hash_password, new_token, token_hash
from app.campaigns.models import Campaign, Round, RoundAssignee, RoundBuilding
from app.communities.models import Building, Community, Household, HouseholdFlag
from app.enums import CampaignStatus, Occupancy, Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Every date the factories make is relative to today (in the community's time zone), so the
# suite passes whatever the calendar says; CI runs it a second time a year ahead to prove it.
TODAY = datetime.now(SHANGHAI).date()
CAMPAIGN_START = TODAY - timedelta(days=30)
CAMPAIGN_END = TODAY + timedelta(days=30)
ROUND_DAY = TODAY - timedelta(days=11)


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """A Shanghai wall-clock time on ``day``, as an aware datetime (offset +08:00)."""
    return datetime.combine(day, time(hh, mm), SHANGHAI)


def local_iso(day: date, hh: int, mm: int = 0) -> str:
    """The same time as ISO text with its offset, as a phone would send it."""
    return local(day, hh, mm).isoformat()


def round_day(offset: int = 0) -> date:
    """The factory round's day (eleven days ago) moved by ``offset`` days."""
    return ROUND_DAY + timedelta(days=offset)


def utc_on(offset: int, hh: int, mm: int = 0) -> datetime:
    """``hh:mm`` UTC on ``round_day(offset)`` (01:00 UTC is 09:00 in Shanghai)."""
    return datetime.combine(round_day(offset), time(hh, mm), UTC)


ROUND_START = local(ROUND_DAY, 9).astimezone(UTC)

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_seq = itertools.count(1)


def make_user(session: Session, **kw: Any) -> User:
    """A user whose password is ``PASSWORD``."""
    n = next(_seq)
    values: dict[str, Any] = {
        "username": f"user{n}",
        "password_hash": _PASSWORD_HASH,
        "display_name": f"User {n}",
        "is_admin": False,
    }
    values.update(kw)
    user = User(**values)
    session.add(user)
    session.commit()
    return user


def make_community(session: Session, **kw: Any) -> Community:
    """A community in Asia/Shanghai."""
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"江南星城{n}",
        "slug": f"community-{n}",
        "timezone": "Asia/Shanghai",
        "service_centre_phone": "0571-88001234",
    }
    values.update(kw)
    community = Community(**values)
    session.add(community)
    session.commit()
    return community


def make_member(session: Session, community: Community, role: Role, **kw: Any) -> User:
    """A new user with a role in the community."""
    user = make_user(session, **kw)
    session.add(Membership(user_id=user.id, community_id=community.id, role=role))
    session.commit()
    return user


def make_building(session: Session, community: Community, **kw: Any) -> Building:
    """A building with a fresh code."""
    values: dict[str, Any] = {"code": str(next(_seq)), "units": 2, "floors": 6}
    values.update(kw)
    building = Building(community_id=community.id, **values)
    session.add(building)
    session.commit()
    return building


def make_household(
    session: Session,
    building: Building,
    *,
    unit: str = "1",
    floor: int = 1,
    room: str | None = None,
    flags: tuple[str, ...] = (),
    occupancy: Occupancy = Occupancy.occupied,
    **kw: Any,
) -> Household:
    """A household of the building; its code is building-unit-room."""
    room = room or f"{floor}{next(_seq) % 100:02d}"
    household = Household(
        community_id=building.community_id,
        building_id=building.id,
        unit=unit,
        floor=floor,
        room=room,
        code=kw.pop("code", f"{building.code}-{unit}-{room}"),
        occupancy=occupancy,
        **kw,
    )
    session.add(household)
    session.flush()
    for flag in flags:
        session.add(HouseholdFlag(household_id=household.id, flag=flag))
    session.commit()
    return household


def make_campaign(session: Session, community: Community, **kw: Any) -> Campaign:
    """An active campaign from 30 days ago to 30 days ahead."""
    values: dict[str, Any] = {
        "name": "冬季反诈宣传",
        "starts_on": CAMPAIGN_START,
        "ends_on": CAMPAIGN_END,
        "target_coverage": 0.9,
        "topics": ["fake_customer_service_video"],
        "status": CampaignStatus.active,
    }
    values.update(kw)
    campaign = Campaign(community_id=community.id, **values)
    session.add(campaign)
    session.commit()
    return campaign


def make_round(
    session: Session,
    campaign: Campaign,
    buildings: list[Building],
    assignees: list[User],
    **kw: Any,
) -> Round:
    """A round of the campaign ten days ago, 09:00–12:00 Shanghai time."""
    starts = kw.pop("starts_at", ROUND_START)
    values: dict[str, Any] = {"starts_at": starts, "ends_at": starts + timedelta(hours=3)}
    values.update(kw)
    rnd = Round(campaign_id=campaign.id, community_id=campaign.community_id, **values)
    session.add(rnd)
    session.flush()
    for b in buildings:
        session.add(RoundBuilding(round_id=rnd.id, building_id=b.id))
    for u in assignees:
        session.add(RoundAssignee(round_id=rnd.id, user_id=u.id))
    session.commit()
    return rnd


def token_for(session: Session, user: User) -> str:
    """A live bearer token for the user, without spending a password hash."""
    token = new_token()
    session.add(
        AccessToken(
            token_hash=token_hash(token),
            user_id=user.id,
            kind="access",
            expires_at=datetime.now(UTC) + timedelta(hours=1),
        )
    )
    session.commit()
    return token


def auth(session: Session, user: User) -> dict[str, str]:
    """Authorization headers for the user."""
    return {"Authorization": f"Bearer {token_for(session, user)}"}


@dataclass
class Tenant:
    """A community with one member of each role, a building and a few households."""

    community: Community
    manager: User
    officer: User
    staff: User
    building: Building
    households: list[Household] = field(default_factory=list)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


def make_tenant(session: Session, *, households: int = 4) -> Tenant:
    """A small, complete community: members of every role, one building, some households."""
    community = make_community(session)
    tenant = Tenant(
        community=community,
        manager=make_member(session, community, Role.manager),
        officer=make_member(session, community, Role.officer),
        staff=make_member(session, community, Role.staff),
        building=make_building(session, community, code=f"B{next(_seq)}"),
    )
    for i in range(households):
        tenant.households.append(
            make_household(
                session,
                tenant.building,
                unit=str(1 + i % 2),
                floor=1 + i // 2,
                room=f"{1 + i // 2}0{1 + i % 2}",
            )
        )
    for role in ("manager", "officer", "staff"):
        tenant.headers[role] = auth(session, getattr(tenant, role))
    return tenant


def as_user(client: TestClient, headers: dict[str, str]) -> TestClient:
    """The same client with these credentials on every request."""
    client.headers.update(headers)
    return client
