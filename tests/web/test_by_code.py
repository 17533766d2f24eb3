"""Event attendance and service-centre walk-ins, recorded by household code."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from app.enums import Channel, Outcome
from tests.factories import PASSWORD
from tests.web.conftest import (
    DESKTOP,
    LiveServer,
    contacts_by_code,
    log_in,
    seed_event_today,
    seed_round_today,
    shoot,
    wait_until_sent,
)

pytestmark = pytest.mark.browser


class TestEventAttendance:
    def test_attendance_is_recorded_by_code(self, server: LiveServer, new_context: Any) -> None:
        scene = seed_round_today(server)
        event_id = seed_event_today(server, scene)
        page = new_context().new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        expect(page.locator("#today-list")).to_contain_text("便民服务日")
        page.goto(f"{server.url}/events/{event_id}")
        expect(page.get_by_role("heading", name="便民服务日")).to_be_visible()
        page.get_by_label("住户编号").fill("3-2-201")
        page.get_by_text("更多信息").click()
        page.get_by_label("已签承诺书").check()
        page.get_by_role("button", name="登记到场").click()
        expect(page.locator("#recorded")).to_contain_text("3-2-201")
        page.get_by_label("住户编号").fill("9-9-909")
        page.get_by_role("button", name="登记到场").click()
        expect(page.get_by_role("alert")).to_have_text("找不到住户 9-9-909")
        wait_until_sent(page)
        shoot(page, "event-phone")
        [contact] = contacts_by_code(server, scene.campaign_id)["3-2-201"]
        assert contact.channel == Channel.event
        assert contact.event_id == event_id
        assert contact.outcome == Outcome.reached
        assert contact.pledge_signed is True


class TestWalkIn:
    def test_walk_in_is_recorded_by_code(self, server: LiveServer, new_context: Any) -> None:
        scene = seed_round_today(server)
        page = new_context(DESKTOP).new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.get_by_role("navigation").get_by_role("link", name="来访登记").click()
        page.get_by_label("住户编号").fill("3-1-302")
        page.get_by_role("button", name="登记来访").click()
        expect(page.locator("#recorded")).to_contain_text("3-1-302")
        wait_until_sent(page)
        shoot(page, "walk-in-desktop")
        [contact] = contacts_by_code(server, scene.campaign_id)["3-1-302"]
        assert contact.channel == Channel.walk_in
        assert contact.outcome == Outcome.reached
