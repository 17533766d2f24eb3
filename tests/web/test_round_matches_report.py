"""The round page tells what the report tells: local times, vacant doors, a round's progress."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from app.campaigns.models import Round
from app.communities.models import Household
from app.enums import Occupancy, RoundStatus
from tests.factories import PASSWORD
from tests.web.conftest import (
    LiveServer,
    contacts_by_code,
    log_in,
    seed_round_today,
    shoot,
    wait_until_sent,
)

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")


def cell(page: Any, code: str) -> Any:
    return page.locator(f'#grid .hh[data-code="{code}"]')


def open_and_tap(page: Any, code: str, label: str) -> None:
    cell(page, code).click()
    page.get_by_role("dialog").get_by_role("button", name=label, exact=True).click()


def move_round(server: LiveServer, round_id: int, starts_at: datetime, ends_at: datetime) -> None:
    with server.session() as s:
        s.execute(
            update(Round).where(Round.id == round_id).values(starts_at=starts_at, ends_at=ends_at)
        )
        s.commit()


def round_status(server: LiveServer, round_id: int) -> RoundStatus:
    with server.session() as s:
        return s.scalars(select(Round.status).where(Round.id == round_id)).one()


def test_a_phone_set_to_utc_shows_the_communitys_time(server: LiveServer, new_context: Any) -> None:
    scene = seed_round_today(server)
    today = datetime.now(SHANGHAI).date()
    nine = datetime(today.year, today.month, today.day, 9, 0, tzinfo=SHANGHAI)
    move_round(server, scene.round_id, nine, nine + timedelta(hours=3))
    page = new_context(timezone_id="UTC").new_page()
    assert page.evaluate("() => Intl.DateTimeFormat().resolvedOptions().timeZone") == "UTC"
    log_in(page, server.url, scene.staff_username, PASSWORD)
    page.goto(f"{server.url}/schedule")
    expect(page.locator(".task-when").first).to_contain_text("09:00")
    expect(page.locator(".task-when").first).to_contain_text("12:00")
    page.goto(f"{server.url}/rounds/{scene.round_id}")
    when = page.locator("#round-when")
    expect(when).to_contain_text("09:00 – 12:00")
    expect(when).not_to_contain_text("01:00")
    shoot(page, "round-utc-phone")


def test_registry_vacant_households_are_vacant_and_not_counted(
    server: LiveServer, new_context: Any
) -> None:
    scene = seed_round_today(server)
    vacant = ["3-1-301", "3-2-101"]
    with server.session() as s:
        s.execute(
            update(Household).where(Household.code.in_(vacant)).values(occupancy=Occupancy.vacant)
        )
        s.commit()
    page = new_context().new_page()
    log_in(page, server.url, scene.staff_username, PASSWORD)
    page.goto(f"{server.url}/rounds/{scene.round_id}")
    for code in vacant:
        expect(cell(page, code)).to_have_attribute("data-status", "vacant")
    total = len(scene.household_ids) - len(vacant)
    progress = page.locator("#round-progress")
    expect(progress).to_contain_text(f"已宣传 0 户，共 {total} 户")
    expect(progress).to_contain_text("另有 2 户空置")
    open_and_tap(page, "3-1-101", "已宣传")
    expect(progress).to_contain_text(f"已宣传 1 户，共 {total} 户")
    shoot(page, "round-vacant-phone")


def test_first_tap_starts_the_round_and_the_last_door_finishes_it(
    server: LiveServer, new_context: Any
) -> None:
    scene = seed_round_today(server, units=1, floors=1)
    assert round_status(server, scene.round_id) == RoundStatus.planned
    page = new_context().new_page()
    log_in(page, server.url, scene.staff_username, PASSWORD)
    page.goto(f"{server.url}/rounds/{scene.round_id}")
    open_and_tap(page, "3-1-101", "已宣传")
    wait_until_sent(page)
    assert round_status(server, scene.round_id) == RoundStatus.in_progress
    open_and_tap(page, "3-1-102", "不在家")
    wait_until_sent(page)
    assert round_status(server, scene.round_id) == RoundStatus.done
    page.reload()
    expect(page.locator("#round-when")).to_contain_text("已完成")
    expect(page.get_by_role("button", name="本轮走访完成")).to_be_hidden()


def test_staff_mark_a_round_done_themselves(server: LiveServer, new_context: Any) -> None:
    scene = seed_round_today(server)
    page = new_context().new_page()
    log_in(page, server.url, scene.staff_username, PASSWORD)
    page.goto(f"{server.url}/rounds/{scene.round_id}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="本轮走访完成").click()
    expect(page.locator("#round-when")).to_contain_text("已完成")
    assert round_status(server, scene.round_id) == RoundStatus.done


def test_a_tap_far_outside_the_slot_asks_once(server: LiveServer, new_context: Any) -> None:
    scene = seed_round_today(server)
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=6)
    move_round(server, scene.round_id, later, later + timedelta(hours=2))
    page = new_context().new_page()
    log_in(page, server.url, scene.staff_username, PASSWORD)
    page.goto(f"{server.url}/rounds/{scene.round_id}")
    asked: list[str] = []

    def answer(accept: bool) -> Any:
        def handle(dialog: Any) -> None:
            asked.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    open_and_tap(page, "3-1-101", "已宣传")
    assert len(asked) == 1
    assert "不在本轮的走访时间" in asked[0]
    page.keyboard.press("Escape")
    page.once("dialog", answer(True))
    open_and_tap(page, "3-1-102", "已宣传")
    expect(page.get_by_role("dialog")).to_be_hidden()
    open_and_tap(page, "3-1-201", "不在家")
    wait_until_sent(page)
    assert len(asked) == 2
    assert sorted(contacts_by_code(server, scene.campaign_id)) == ["3-1-102", "3-1-201"]
