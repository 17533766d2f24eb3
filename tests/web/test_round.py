"""A staff member works through a round on the phone page: taps, extras, a floor not home, undo."""

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
    seed_round_today,
    shoot,
    wait_until_sent,
)

pytestmark = pytest.mark.browser


def cell(page: Any, code: str) -> Any:
    """The grid button of one household."""
    return page.locator(f'#grid .hh[data-code="{code}"]')


def tap_outcome(page: Any, code: str, outcome_label: str) -> None:
    """Open a household and tap one outcome button."""
    cell(page, code).click()
    page.get_by_role("dialog").get_by_role("button", name=outcome_label, exact=True).click()
    expect(page.get_by_role("dialog")).to_be_hidden()


class TestRecordRound:
    def test_schedule_shows_todays_round(self, server: LiveServer, new_context: Any) -> None:
        scene = seed_round_today(server)
        page = new_context().new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        today = page.locator("#today-list")
        expect(today.get_by_role("link")).to_have_count(1)
        expect(today).to_contain_text("楼栋：3")
        shoot(page, "schedule-phone")
        today.get_by_role("link").click()
        page.wait_for_url(f"**/rounds/{scene.round_id}")
        expect(page.locator("#grid .hh")).to_have_count(len(scene.household_ids))

    def test_taps_extras_and_a_floor_not_home_are_stored(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        page = new_context().new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/rounds/{scene.round_id}")
        # Laid out like the building: unit 1's floors from the top down.
        unit1 = page.locator('.unit[data-unit="1"] .floor-label')
        expect(unit1).to_have_text(["3层", "2层", "1层"])
        shoot(page, "round-phone")

        cell(page, "3-1-301").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_text("更多信息").click()
        dialog.get_by_label("已发宣传单").check()
        dialog.get_by_label("已装国家反诈中心APP").check()
        dialog.get_by_label("宣传人数").fill("2")
        shoot(page, "round-sheet-phone")
        dialog.get_by_role("button", name="已宣传", exact=True).click()
        tap_outcome(page, "3-1-302", "拒绝")
        page.get_by_role("button", name="将2层尚未走访的住户全部记为不在家").first.click()
        expect(page.get_by_role("status").filter(has_text="已将 2 户记为不在家")).to_be_visible()

        wait_until_sent(page)
        expect(cell(page, "3-1-301")).to_have_attribute("data-status", "reached")
        expect(cell(page, "3-1-302")).to_have_attribute("data-status", "refused")
        expect(cell(page, "3-1-201")).to_have_attribute("data-status", "not_home")
        expect(cell(page, "3-1-202")).to_have_attribute("data-status", "not_home")
        expect(cell(page, "3-2-201")).to_have_attribute("data-status", "unvisited")
        expect(cell(page, "3-1-301")).to_have_accessible_name("3-1-301，已宣传")
        shoot(page, "round-recorded-phone")

        stored = contacts_by_code(server, scene.campaign_id)
        assert sorted(stored) == ["3-1-201", "3-1-202", "3-1-301", "3-1-302"]
        reached = stored["3-1-301"]
        assert len(reached) == 1
        assert reached[0].outcome == Outcome.reached
        assert reached[0].channel == Channel.door
        assert reached[0].round_id == scene.round_id
        assert (reached[0].flyer_given, reached[0].app_installed) == (True, True)
        assert reached[0].pledge_signed is False
        assert reached[0].residents_reached == 2
        assert [c.outcome for c in stored["3-1-302"]] == [Outcome.refused]
        assert [c.outcome for c in stored["3-1-201"]] == [Outcome.not_home]
        assert [c.outcome for c in stored["3-1-202"]] == [Outcome.not_home]

    def test_floor_not_home_leaves_answered_doors_alone(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        page = new_context().new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/rounds/{scene.round_id}")
        tap_outcome(page, "3-2-101", "已宣传")
        page.get_by_role("button", name="2单元 将1层尚未走访的住户全部记为不在家").click()
        wait_until_sent(page)
        stored = contacts_by_code(server, scene.campaign_id)
        assert [c.outcome for c in stored["3-2-101"]] == [Outcome.reached]
        assert [c.outcome for c in stored["3-2-102"]] == [Outcome.not_home]

    def test_undo_voids_the_contact_and_keeps_it_on_record(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        page = new_context().new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/rounds/{scene.round_id}")
        tap_outcome(page, "3-1-101", "空置")
        page.locator("#toast").get_by_role("button", name="撤销").click()
        wait_until_sent(page)
        page.wait_for_function(
            "() => JSON.parse(localStorage.getItem('doorstep.log.v1')).every(e => e.voided)"
        )
        expect(cell(page, "3-1-101")).to_have_attribute("data-status", "unvisited")
        [contact] = contacts_by_code(server, scene.campaign_id)["3-1-101"]
        assert contact.outcome == Outcome.vacant
        assert contact.voided_at is not None

    def test_desktop_layout_and_english(self, server: LiveServer, new_context: Any) -> None:
        scene = seed_round_today(server)
        page = new_context(DESKTOP).new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/rounds/{scene.round_id}?lang=en")
        expect(page.locator('.unit[data-unit="2"] .floor-label')).to_have_text(
            ["Floor 3", "Floor 2", "Floor 1"]
        )
        tap_outcome(page, "3-2-302", "Not home")
        wait_until_sent(page)
        expect(cell(page, "3-2-302")).to_have_accessible_name("3-2-302, Not home")
        shoot(page, "round-desktop-en")
        page.goto(f"{server.url}/rounds/{scene.round_id}?lang=zh")
        shoot(page, "round-desktop")

    def test_household_sheet_works_from_the_keyboard(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        page = new_context().new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/rounds/{scene.round_id}")
        cell(page, "3-1-102").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("dialog")).to_be_visible()
        expect(page.get_by_role("button", name="已宣传", exact=True)).to_be_focused()
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_be_hidden()
        cell(page, "3-1-102").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Enter")
        wait_until_sent(page)
        assert [c.outcome for c in contacts_by_code(server, scene.campaign_id)["3-1-102"]] == [
            Outcome.reached
        ]
