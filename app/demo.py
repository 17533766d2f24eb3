"""The demo community: a small compound with people, a live campaign and a morning's visits."""

from __future__ import annotations

import hashlib
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.auth.models import Membership, User
from app.auth.security import hash_password
from app.campaigns import repository as campaigns_repo
from app.campaigns.models import Campaign, Event, Round
from app.communities.models import Building, Community, Household, HouseholdFlag
from app.contacts.models import Contact
from app.enums import (
    CampaignStatus,
    Channel,
    IncidentStatus,
    Occupancy,
    Outcome,
    Role,
    RoundStatus,
)
from app.incidents.models import Incident

DEMO_SLUG = "jiangnan-star-demo"
DEMO_PASSWORD = "doorstep-demo"
DEMO_USERS: tuple[tuple[str, str, Role | None], ...] = (
    ("admin", "系统管理员", None),
    ("manager", "陈主任", Role.manager),
    ("officer", "网格员小周", Role.officer),
    ("staff", "物业小李", Role.staff),
    ("staff2", "物业小王", Role.staff),
)


@dataclass(frozen=True)
class DemoSummary:
    """What ``doorstep demo`` made, to print."""

    community_id: int
    campaign_id: int | None
    households: int
    logins: tuple[tuple[str, str, str], ...]
    created: bool = True


def _user(session: Session, username: str, display_name: str, *, is_admin: bool) -> User:
    user = session.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        user = User(
            username=username,
            display_name=display_name,
            password_hash=hash_password(DEMO_PASSWORD),
            is_admin=is_admin,
        )
        session.add(user)
    else:
        user.password_hash = hash_password(DEMO_PASSWORD)
        user.is_active = True
        user.display_name = display_name
    session.flush()
    return user


def _logins() -> tuple[tuple[str, str, str], ...]:
    return tuple((u, DEMO_PASSWORD, str(r) if r else "admin") for u, _, r in DEMO_USERS)


def _existing(session: Session) -> DemoSummary | None:
    """The demo community as it stands, untouched, or None when there is none."""
    community_id = session.scalar(select(Community.id).where(Community.slug == DEMO_SLUG))
    if community_id is None:
        return None
    households = session.scalar(
        select(func.count()).select_from(Household).where(Household.community_id == community_id)
    )
    campaign_id = session.scalar(
        select(func.min(Campaign.id)).where(Campaign.community_id == community_id)
    )
    return DemoSummary(
        community_id=community_id,
        campaign_id=campaign_id,
        households=households or 0,
        logins=_logins(),
        created=False,
    )


def load_demo(
    session: Session, *, reset: bool = False, today: date | None = None, seed: int = 7
) -> DemoSummary:
    """Create the demo community when it is missing; with ``reset``, replace it with a fresh one.

    Without ``reset`` an existing demo community, and whatever was recorded in it, is left
    exactly as it is. One transaction either way.
    """
    existing = _existing(session)
    if existing is not None and not reset:
        session.rollback()
        return existing
    rng = random.Random(seed)
    tz = ZoneInfo("Asia/Shanghai")
    today = today or datetime.now(tz).date()
    session.execute(delete(Community).where(Community.slug == DEMO_SLUG))
    community = Community(
        name="江南星城小区",
        slug=DEMO_SLUG,
        city="杭州市",
        district="滨江区",
        address="江南大道 1888 号",
        service_centre_phone="0571-8800 1234",
        timezone="Asia/Shanghai",
    )
    session.add(community)
    session.flush()

    users: dict[str, User] = {}
    for username, display_name, role in DEMO_USERS:
        users[username] = _user(session, username, display_name, is_admin=role is None)
        if role is not None:
            session.add(
                Membership(user_id=users[username].id, community_id=community.id, role=role)
            )
    session.flush()

    households: list[Household] = []
    buildings: list[Building] = []
    for b in range(1, 7):
        building = Building(
            community_id=community.id,
            code=str(b),
            name=f"{b}幢",
            units=2,
            floors=6,
            grid_officer_id=users["officer"].id,
        )
        session.add(building)
        session.flush()
        buildings.append(building)
        for unit in ("1", "2"):
            for floor in range(1, 7):
                for door in (1, 2):
                    room = f"{floor}0{door}"
                    occupancy = Occupancy.vacant if rng.random() < 0.05 else Occupancy.occupied
                    h = Household(
                        community_id=community.id,
                        building_id=building.id,
                        unit=unit,
                        floor=floor,
                        room=room,
                        code=f"{b}-{unit}-{room}",
                        occupancy=occupancy,
                    )
                    session.add(h)
                    households.append(h)
    session.flush()
    for h in households:
        if rng.random() < 0.12:
            session.add(HouseholdFlag(household_id=h.id, flag="elderly_alone"))
        if rng.random() < 0.03:
            session.add(HouseholdFlag(household_id=h.id, flag="previous_victim"))

    campaign = Campaign(
        community_id=community.id,
        name="冬季反诈入户宣传 / Winter anti-fraud visits",
        starts_on=today - timedelta(days=7),
        ends_on=today + timedelta(days=21),
        target_coverage=0.95,
        status=CampaignStatus.active,
        topics=["fake_customer_service_video", "refund_scam", "click_farming", "fake_investment"],
    )
    session.add(campaign)
    session.flush()

    def at(day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tz).astimezone(UTC)

    rounds: list[Round] = []
    for i, (day, hour, codes, who) in enumerate(
        (
            (today - timedelta(days=2), 9, (1, 2), "staff"),
            (today - timedelta(days=1), 18, (3,), "staff2"),
            (today, 9, (4, 5), "staff"),
            (today + timedelta(days=1), 18, (6,), "staff2"),
        )
    ):
        rnd = Round(
            campaign_id=campaign.id,
            community_id=community.id,
            starts_at=at(day, hour),
            ends_at=at(day, hour + 3),
            status=RoundStatus.done if i < 2 else RoundStatus.planned,
        )
        session.add(rnd)
        session.flush()
        campaigns_repo.set_slot_links(
            session,
            campaigns_repo.ROUNDS,
            rnd.id,
            building_ids=[buildings[code - 1].id for code in codes],
            assignee_ids=[users[who].id],
        )
        rounds.append(rnd)

    event = Event(
        campaign_id=campaign.id,
        community_id=community.id,
        title="便民服务日：理发、磨刀、量血压 + 反诈咨询台",
        services=["理发", "磨刀", "量血压", "反诈咨询"],
        location="中心花园",
        starts_at=at(today + timedelta(days=3), 9),
        ends_at=at(today + timedelta(days=3), 12),
    )
    session.add(event)
    session.flush()
    campaigns_repo.set_slot_links(
        session,
        campaigns_repo.EVENTS,
        event.id,
        building_ids=[building.id for building in buildings],
        assignee_ids=[users["officer"].id],
    )

    # The two finished rounds: most doors answered, some not home, a few refusals.
    by_building = {b.id: [h for h in households if h.building_id == b.id] for b in buildings}
    for rnd, codes in ((rounds[0], (1, 2)), (rounds[1], (3,))):
        local_day = rnd.starts_at.astimezone(tz).date()
        for code in codes:
            for n, h in enumerate(by_building[buildings[code - 1].id]):
                if h.occupancy == Occupancy.vacant:
                    continue
                roll = rng.random()
                outcome = (
                    Outcome.reached
                    if roll < 0.72
                    else Outcome.not_home
                    if roll < 0.9
                    else Outcome.refused
                    if roll < 0.95
                    else Outcome.materials_left
                )
                occurred = rnd.starts_at + timedelta(minutes=2 * n)
                reached = outcome == Outcome.reached
                cid = uuid.uuid5(uuid.NAMESPACE_URL, f"doorstep-demo/{rnd.id}/{h.id}")
                session.add(
                    Contact(
                        id=cid,
                        campaign_id=campaign.id,
                        community_id=community.id,
                        household_id=h.id,
                        channel=Channel.door,
                        outcome=outcome,
                        occurred_at=occurred,
                        utc_offset_minutes=480,
                        local_date=local_day,
                        round_id=rnd.id,
                        flyer_given=outcome != Outcome.not_home,
                        app_installed=reached and rng.random() < 0.4,
                        pledge_signed=reached and rng.random() < 0.3,
                        residents_reached=rng.randint(1, 3) if reached else 0,
                        body_hash=hashlib.sha256(str(cid).encode()).hexdigest(),
                        recorded_by=users["staff"].id,
                    )
                )

    session.add(
        Incident(
            community_id=community.id,
            campaign_id=campaign.id,
            occurred_at=at(today - timedelta(days=1), 15, 20),
            utc_offset_minutes=480,
            fraud_type="fake_customer_service_video",
            channel="FaceTime 视频通话",
            summary="自称某视频网站客服，要求开通“百万保障”并共享屏幕；居民想起入户宣传，到服务中心询问，"
            "工作人员识破骗局，与网格员一起解除了应用授权，未发生转账。",
            amount_prevented=50000,
            status=IncidentStatus.resolved,
            escalated_to="grid_admin",
            reported_by=users["officer"].id,
        )
    )
    session.commit()
    return DemoSummary(
        community_id=community.id,
        campaign_id=campaign.id,
        households=len(households),
        logins=_logins(),
    )
