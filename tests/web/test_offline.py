"""A lost signal loses nothing: taps stay on the phone, survive a reload, are stored once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from app.enums import Outcome
from tests.factories import PASSWORD
from tests.web.conftest import (
    DESKTOP,
    LiveServer,
    contacts_by_code,
    log_in,
    seed_round_today,
    shoot,
    wait_for_shell_kept,
    wait_until_sent,
)

pytestmark = pytest.mark.browser

OFFLINE_TAPS = {"3-1-101": "已宣传", "3-1-102": "不在家", "3-2-301": "留资料", "3-2-302": "已宣传"}


def cell(page: Any, code: str) -> Any:
    """The grid button of one household."""
    return page.locator(f'#grid .hh[data-code="{code}"]')


def tap_outcome(page: Any, code: str, outcome_label: str) -> None:
    """Open a household and tap one outcome button."""
    cell(page, code).click()
    page.get_by_role("dialog").get_by_role("button", name=outcome_label, exact=True).click()
    expect(page.get_by_role("dialog")).to_be_hidden()


def outbox(page: Any) -> list[dict[str, Any]]:
    """The phone's unsent records."""
    raw = page.evaluate("() => localStorage.getItem('doorstep.outbox.v1') || '[]'")
    items: list[dict[str, Any]] = json.loads(raw)
    return items


class TestOffline:
    def test_offline_taps_survive_a_reload_and_are_stored_once(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        context = new_context()
        page = context.new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/rounds/{scene.round_id}")
        expect(page.locator("#grid .hh")).to_have_count(len(scene.household_ids))
        wait_for_shell_kept(page)

        context.set_offline(True)
        for code, label in OFFLINE_TAPS.items():
            tap_outcome(page, code, label)
        page.get_by_role("button", name="1单元 将3层尚未走访的住户全部记为不在家").click()
        sync = page.locator("#sync")
        expect(sync).to_contain_text("离线")
        expect(sync).to_contain_text("6 条记录待上传")
        assert {item["body"]["household_id"] for item in outbox(page)} == {
            scene.household_ids[c] for c in [*OFFLINE_TAPS, "3-1-301", "3-1-302"]
        }

        page.reload()
        expect(page.locator("#grid .hh")).to_have_count(len(scene.household_ids))
        expect(page.locator("#cached-note")).to_be_visible()
        expect(sync).to_contain_text("6 条记录待上传")
        for code in [*OFFLINE_TAPS, "3-1-301", "3-1-302"]:
            expect(cell(page, code)).to_have_attribute("data-pending", "true")
        expect(cell(page, "3-1-101")).to_have_attribute("data-status", "reached")
        expect(cell(page, "3-2-301")).to_have_attribute("data-status", "materials_left")
        expect(cell(page, "3-1-201")).to_have_attribute("data-pending", "false")
        shoot(page, "round-offline-phone")
        assert contacts_by_code(server, scene.campaign_id) == {}

        context.set_offline(False)
        wait_until_sent(page)
        expect(sync).to_be_hidden()
        for code in OFFLINE_TAPS:
            expect(cell(page, code)).to_have_attribute("data-pending", "false")
        shoot(page, "round-back-online-phone")

        stored = contacts_by_code(server, scene.campaign_id)
        assert {code: [c.outcome for c in cs] for code, cs in stored.items()} == {
            "3-1-101": [Outcome.reached],
            "3-1-102": [Outcome.not_home],
            "3-2-301": [Outcome.materials_left],
            "3-2-302": [Outcome.reached],
            "3-1-301": [Outcome.not_home],
            "3-1-302": [Outcome.not_home],
        }

        # Reloading again, and the API's own list, agree: one contact per tap, none twice.
        page.reload()
        expect(cell(page, "3-2-302")).to_have_attribute("data-status", "reached")
        listed = page.evaluate(
            """async (id) => {
                const res = await fetch(`/api/v1/campaigns/${id}/contacts?limit=500`, {
                    headers: {Authorization: 'Bearer ' + localStorage.getItem('doorstep.token')}
                });
                return res.ok ? (await res.json()).items.map(c => c.id) : null;
            }""",
            scene.campaign_id,
        )
        if listed is not None:
            assert len(listed) == len(set(listed)) == 6

    def test_a_lost_acknowledgement_is_retried_without_a_second_contact(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        page = new_context(DESKTOP).new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/rounds/{scene.round_id}")
        expect(page.locator("#grid .hh")).to_have_count(len(scene.household_ids))

        answered: list[int] = []

        def lose_first_answer(route: Any) -> None:
            # The server stores the batch, but its answer never reaches the phone.
            response = route.fetch()
            answered.append(response.status)
            if len(answered) == 1:
                route.abort("connectionreset")
            else:
                route.fulfill(response=response)

        page.route("**/api/v1/contacts/batch", lose_first_answer)
        tap_outcome(page, "3-2-101", "已宣传")
        wait_until_sent(page)
        assert len(answered) >= 2
        [contact] = contacts_by_code(server, scene.campaign_id)["3-2-101"]
        assert contact.outcome == Outcome.reached

    def test_a_refused_record_is_shown_and_not_retried_forever(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        page = new_context().new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/rounds/{scene.round_id}")
        expect(page.locator("#grid .hh")).to_have_count(len(scene.household_ids))
        # A household that does not exist (deleted meanwhile): the server refuses that item.
        page.evaluate(
            """(campaignId) => {
                const box = JSON.parse(localStorage.getItem('doorstep.outbox.v1') || '[]');
                box.push({kind: 'contact', id: crypto.randomUUID(), user_id: null,
                          label: '9-9-999', code: '9-9-999', created: Date.now(),
                          body: {campaign_id: campaignId, household_id: 2147483000,
                                 channel: 'door', outcome: 'reached',
                                 occurred_at: new Date().toISOString()}});
                box[box.length - 1].body.id = box[box.length - 1].id;
                localStorage.setItem('doorstep.outbox.v1', JSON.stringify(box));
            }""",
            scene.campaign_id,
        )
        tap_outcome(page, "3-1-202", "已宣传")
        wait_until_sent(page)
        refused = page.get_by_role("region", name="服务器未接受的记录")
        expect(refused).to_contain_text("9-9-999")
        shoot(page, "round-refused-phone")
        assert [c.outcome for c in contacts_by_code(server, scene.campaign_id)["3-1-202"]] == [
            Outcome.reached
        ]
