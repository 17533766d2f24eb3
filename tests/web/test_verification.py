"""The verification sample on the pages: the manager draws it and reads claimed next to
verified coverage; staff answer their call-backs on the phone, with and without a signal."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.auth.models import User
from app.contacts.models import Contact
from app.enums import Role
from app.verification.models import Verification, VerificationResult
from tests.factories import PASSWORD, make_member, token_for
from tests.web.conftest import (
    DESKTOP,
    PHONE,
    LiveServer,
    RoundScene,
    log_in,
    seed_round_today,
    shoot,
)

pytestmark = pytest.mark.browser
QUEUE = "doorstep.verify.outbox.v1"


def visits_by_wang(server: LiveServer, scene: RoundScene, codes: list[str]) -> None:
    """Another staff member, 王师傅, ticks these households reached at the door."""
    when = datetime.now(UTC) - timedelta(hours=3)
    with server.session() as s:
        from app.communities.models import Community

        community = s.get(Community, scene.community_id)
        assert community is not None
        wang = make_member(s, community, Role.staff, username="wang", display_name="王师傅")
        for code in codes:
            s.add(
                Contact(
                    id=uuid.uuid4(),
                    campaign_id=scene.campaign_id,
                    community_id=scene.community_id,
                    household_id=scene.household_ids[code],
                    channel="door",
                    outcome="reached",
                    occurred_at=when,
                    utc_offset_minutes=480,
                    local_date=when.date(),
                    round_id=scene.round_id,
                    body_hash="0" * 64,
                    recorded_by=wang.id,
                )
            )
        s.commit()


def answer_as(server: LiveServer, username: str, outcomes: list[str]) -> None:
    """Answer the user's open call-backs through the API, one outcome each in order."""
    with server.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        headers = {"Authorization": f"Bearer {token_for(s, user)}"}
    with httpx.Client(base_url=server.url, headers=headers) as http:
        items = http.get("/api/v1/members/me/verifications?status=pending").json()["items"]
        for item, outcome in zip(items, outcomes, strict=False):
            body = {
                "id": str(uuid.uuid4()),
                "outcome": outcome,
                "method": "phone",
                "occurred_at": datetime.now(UTC).isoformat(),
            }
            r = http.post(f"/api/v1/verifications/{item['id']}/result", json=body)
            assert r.status_code == 201, r.text


def results(server: LiveServer) -> list[str]:
    with server.session() as s:
        return [r.outcome.value for r in s.scalars(select(VerificationResult))]


class TestVerificationPages:
    def test_manager_draws_and_staff_answer_online_and_offline(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        codes = sorted(scene.household_ids)[:8]
        visits_by_wang(server, scene, codes)

        manager = new_context(DESKTOP).new_page()
        log_in(manager, server.url, scene.manager_username, PASSWORD)
        manager.goto(f"{server.url}/campaigns/{scene.campaign_id}")
        box = manager.locator('section[aria-labelledby="h-verify"]')
        expect(box).to_contain_text("还没有抽查回访")
        box.get_by_role("button", name="抽取回访样本").click()
        expect(box).to_contain_text("已抽取 8 户，尚无回访结果")
        with server.session() as s:
            drawn = list(s.scalars(select(Verification)))
        assert len(drawn) == 8
        mine = [v for v in drawn if v.assignee_id is not None]
        assert all(v.assignee_id != v.recorder_id for v in mine)

        # The staff member's phone: deny one online, confirm one offline.
        context = new_context(PHONE)
        phone = context.new_page()
        log_in(phone, server.url, scene.staff_username, PASSWORD)
        phone.goto(f"{server.url}/schedule")
        cards = phone.locator("#callbacks-list .callback")
        expect(cards.first).to_be_visible()
        shoot(phone, "verify-phone")
        first = cards.first.get_attribute("data-verification")
        cards.first.get_by_role("button", name="否认").click()
        phone.wait_for_function(
            f"() => JSON.parse(localStorage.getItem('{QUEUE}') || '[]').length === 0"
        )
        expect(phone.locator(f'.callback[data-verification="{first}"]')).to_have_count(0)
        context.set_offline(True)
        second = cards.first.get_attribute("data-verification")
        cards.first.get_by_role("button", name="确认有").click()
        expect(phone.locator(f'.callback[data-verification="{second}"]')).to_contain_text(
            "联网后上传"
        )
        assert phone.evaluate(f"() => JSON.parse(localStorage.getItem('{QUEUE}')).length") == 1
        context.set_offline(False)
        phone.evaluate("() => window.dispatchEvent(new Event('online'))")
        phone.wait_for_function(
            f"() => JSON.parse(localStorage.getItem('{QUEUE}') || '[]').length === 0"
        )
        assert sorted(results(server)) == ["confirmed", "denied"]

        # The manager answers the rest; the page shows claimed next to verified coverage.
        answer_as(server, scene.manager_username, ["confirmed"] * 8)
        answer_as(server, scene.staff_username, ["confirmed", "unreachable"] + ["confirmed"] * 6)
        for name in ("desktop", "phone"):
            page = manager if name == "desktop" else new_context(PHONE).new_page()
            if name == "phone":
                log_in(page, server.url, scene.manager_username, PASSWORD)
            page.goto(f"{server.url}/campaigns/{scene.campaign_id}")
            box = page.locator('section[aria-labelledby="h-verify"]')
            expect(box).to_contain_text("上报覆盖率")
            expect(box).to_contain_text("66.7%")  # 8 of 12 claimed
            expect(box).to_contain_text("有 95% 的把握")
            expect(box).to_contain_text("否认 1")
            expect(box.get_by_role("table", name="各走访人员")).to_contain_text("王师傅")
            shoot(page, f"verify-campaign-{name}")

        # The officer decides: voiding the denied visit takes the household out of coverage.
        manager.on("dialog", lambda dialog: dialog.accept())
        box = manager.locator('section[aria-labelledby="h-verify"]')
        box.get_by_role("button", name="作废这次走访").click()
        expect(box.locator(".verify-denied")).to_contain_text("已作废")
        expect(box).to_contain_text("58.3%")  # 7 of 12
