"""A real server and Debian's Chromium for the end-to-end tests of the web pages.

The app runs under uvicorn in a background thread on 127.0.0.1 and a free port, against a
temporary SQLite database built by the real migrations. Chromium is the distribution's
(``/usr/bin/chromium``), driven by Playwright with ``executable_path``: no browser download.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import uvicorn
from alembic import command
from fastapi import FastAPI
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.auth.models import Membership, User
from app.campaigns.models import Event, EventAssignee, EventBuilding
from app.communities.models import Household
from app.config import Settings
from app.contacts.models import Contact
from app.enums import Role
from app.main import create_app
from tests.conftest import _wipe, alembic_config
from tests.factories import (
    make_building,
    make_campaign,
    make_community,
    make_household,
    make_member,
    make_round,
)

CHROMIUM = os.environ.get("DOORSTEP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SHOTS = Path(os.environ.get("DOORSTEP_SHOTS", "/tmp/shots"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """The running app: its URL, and sessions on its database for arranging and checking."""

    url: str
    app: FastAPI

    def session(self) -> Session:
        """A new session on the server's database."""
        factory: sessionmaker[Session] = self.app.state.sessionmaker
        return factory()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app served by uvicorn on a free port, on a freshly migrated SQLite file."""
    path = tmp_path_factory.mktemp("web") / "doorstep.db"
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "head")
    settings = Settings(
        database_url=url,
        environment="test",
        document_cache_dir=tmp_path_factory.mktemp("web-cache"),
        login_max_failures=1000,
    )
    app = create_app(settings)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield LiveServer(url=f"http://127.0.0.1:{port}", app=app)
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture
def server(live_server: LiveServer) -> Iterator[LiveServer]:
    """The live server, its database emptied after the test."""
    yield live_server
    _wipe(live_server.app.state.engine)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (required in CI, skipped elsewhere if absent)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# Assertions wait as long as actions do. Playwright's own 5 s for `expect` was too short on a
# loaded two-core CI machine: a page's first API answer could take longer, and a check that the
# warnings card became visible failed although the card came a moment later.
expect.set_options(timeout=15_000)


@pytest.fixture
def new_context(browser: Any) -> Iterator[Any]:
    """Make browser contexts (phone-sized by default, Shanghai time); all closed afterwards."""
    made: list[Any] = []

    def make(viewport: dict[str, int] | None = None, **kw: Any) -> Any:
        kw.setdefault("timezone_id", "Asia/Shanghai")
        kw.setdefault("locale", "zh-CN")
        kw.setdefault("accept_downloads", True)
        ctx = browser.new_context(viewport=viewport or PHONE, **kw)
        ctx.set_default_timeout(15_000)
        made.append(ctx)
        return ctx

    yield make
    for ctx in made:
        ctx.close()


def shoot(page: Any, name: str) -> None:
    """Save a full-page screenshot under /tmp/shots (for people to look at, not asserted)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Log in through the form and wait until the page the role lands on has loaded."""
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda url: "/login" not in url and url.rstrip("/") != base_url)


@dataclass
class RoundScene:
    """A community with a staff member's round today over one building, and its manager."""

    community_id: int
    campaign_id: int
    round_id: int
    building_code: str
    staff_username: str
    manager_username: str
    household_ids: dict[str, int]


def seed_round_today(server: LiveServer, *, units: int = 2, floors: int = 3) -> RoundScene:
    """Building 3 with ``units`` × ``floors`` × 2 rooms, a campaign around today, a round now."""
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    now = datetime.now(UTC).replace(microsecond=0)
    with server.session() as s:
        community = make_community(s, name="江南星城")
        staff = make_member(s, community, Role.staff, username="xiaoli", display_name="物业小李")
        manager = make_member(s, community, Role.manager, username="chen", display_name="陈主任")
        building = make_building(s, community, code="3", units=units, floors=floors)
        ids: dict[str, int] = {}
        for unit in range(1, units + 1):
            for floor in range(1, floors + 1):
                for door in (1, 2):
                    room = f"{floor}0{door}"
                    h = make_household(s, building, unit=str(unit), floor=floor, room=room)
                    ids[h.code] = h.id
        campaign = make_campaign(
            s,
            community,
            starts_on=today - timedelta(days=3),
            ends_on=today + timedelta(days=20),
            target_coverage=0.9,
        )
        rnd = make_round(
            s,
            campaign,
            [building],
            [staff],
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=2),
        )
        return RoundScene(
            community_id=community.id,
            campaign_id=campaign.id,
            round_id=rnd.id,
            building_code=building.code,
            staff_username=staff.username,
            manager_username=manager.username,
            household_ids=ids,
        )


def wait_until_sent(page: Any, timeout: float = 20_000) -> None:
    """Wait until the phone's outbox is empty: every record acknowledged by the server."""
    page.wait_for_function(
        "() => JSON.parse(localStorage.getItem('doorstep.outbox.v1') || '[]').length === 0",
        timeout=timeout,
    )


def wait_for_shell_kept(page: Any) -> None:
    """Wait until the service worker has kept this page's shell for use without a network."""
    page.wait_for_function(
        """async () => {
            await navigator.serviceWorker.ready;
            for (const key of await caches.keys()) {
                const cache = await caches.open(key);
                if (await cache.match(location.href)) return true;
            }
            return false;
        }""",
        timeout=15_000,
    )


def contacts_by_code(server: LiveServer, campaign_id: int) -> dict[str, list[Contact]]:
    """Every stored contact of the campaign, by household code, oldest first."""
    out: dict[str, list[Contact]] = {}
    with server.session() as s:
        rows = s.execute(
            select(Household.code, Contact)
            .join(Contact, Contact.household_id == Household.id)
            .where(Contact.campaign_id == campaign_id)
            .order_by(Contact.occurred_at)
        ).all()
        for code, contact in rows:
            out.setdefault(code, []).append(contact)
    return out


def seed_event_today(server: LiveServer, scene: RoundScene, *, title: str = "便民服务日") -> int:
    """A convenience-service event of the scene's campaign, now, with the staff member on it."""
    now = datetime.now(UTC).replace(microsecond=0)
    with server.session() as s:
        staff_id = s.execute(
            select(Membership.user_id)
            .join(User, User.id == Membership.user_id)
            .where(User.username == scene.staff_username)
        ).scalar_one()
        event = Event(
            campaign_id=scene.campaign_id,
            community_id=scene.community_id,
            title=title,
            services=["理发", "量血压"],
            location="中心花园",
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(hours=2),
        )
        s.add(event)
        s.flush()
        s.add(EventAssignee(event_id=event.id, user_id=staff_id))
        building_id = (
            s.execute(
                select(Household.building_id).where(Household.community_id == scene.community_id)
            )
            .scalars()
            .first()
        )
        s.add(EventBuilding(event_id=event.id, building_id=building_id))
        s.commit()
        return event.id
