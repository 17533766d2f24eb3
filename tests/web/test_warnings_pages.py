"""Warnings on the pages: staff see a new high-risk warning at the top and reach it offline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.communities.models import BuildingOwner, Household
from app.enums import Role
from app.warnings.models import EarlyWarning, WarningAttempt
from tests.factories import PASSWORD, make_member
from tests.web.conftest import (
    DESKTOP,
    LiveServer,
    log_in,
    seed_round_today,
    shoot,
    wait_for_shell_kept,
)

pytestmark = pytest.mark.browser


def _seed_warning(server: LiveServer, scene: Any, code: str) -> int:
    from app.communities.models import Community
    from app.db import utcnow
    from app.warnings import service

    with server.session() as s:
        household = s.scalars(select(Household).where(Household.code == code)).one()
        community = s.get(Community, scene.community_id)
        assert community is not None
        from app.auth.models import User

        staff = s.scalars(select(User).where(User.username == scene.staff_username)).one()
        s.add(BuildingOwner(building_id=household.building_id, user_id=staff.id))
        s.flush()
        warning = service.new_warning(
            s,
            community=community,
            household=household,
            address=None,
            risk_level="high",  # type: ignore[arg-type]
            received_at=utcnow() - timedelta(minutes=20),
            fraud_type="fake_customer_service_video",
            person_name="王建国",
            phone="13812345678",
            notes=None,
            source="manual",
            source_ref=None,
            incident_id=None,
            created_by=None,
            now=utcnow(),
            outcome=service.Outcome(),
        )
        s.commit()
        return warning.id


class TestWarningPages:
    def test_staff_reach_a_high_risk_warning_offline_once_and_in_time(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        warning_id = _seed_warning(server, scene, "3-1-101")
        context = new_context()
        page = context.new_page()
        log_in(page, server.url, scene.staff_username, PASSWORD)
        page.goto(f"{server.url}/schedule")
        top = page.locator("#my-warnings")
        expect(top).to_be_visible()
        card = top.locator(f'.warning-card[data-warning="{warning_id}"]')
        expect(card).to_contain_text("高风险")
        expect(card).to_contain_text("3-1-101")
        expect(card).to_contain_text("剩余")
        expect(card.get_by_role("button", name="电话联系上")).to_have_count(0)  # high: door only
        box = top.bounding_box()
        heading = page.get_by_role("heading", name="我的任务", exact=False).first.bounding_box()
        assert box is not None
        assert heading is not None
        assert box["y"] < heading["y"]  # above everything else
        shoot(page, "warnings-phone-top")
        wait_for_shell_kept(page)

        context.set_offline(True)
        card.get_by_role("button", name="上门见到本人").click()
        expect(card).to_contain_text("已见面")
        page.reload()
        expect(page.locator("#my-warnings")).to_contain_text("已记录，待上传")
        with server.session() as s:
            assert s.scalars(select(WarningAttempt)).all() == []
        shoot(page, "warnings-phone-offline")

        context.set_offline(False)
        page.evaluate("() => window.dispatchEvent(new Event('online'))")
        page.wait_for_function(
            "() => JSON.parse(localStorage.getItem('doorstep.warning-attempts.v1') || '[]')"
            ".length === 0",
            timeout=20_000,
        )
        expect(page.locator("#my-warnings")).to_be_hidden()
        with server.session() as s:
            attempts = s.scalars(select(WarningAttempt)).all()
            warning = s.get(EarlyWarning, warning_id)
            assert warning is not None
            assert len(attempts) == 1
            assert warning.status == "reached"
            assert warning.reached_in_time is True
        page.reload()
        expect(page.locator("#my-warnings")).to_be_hidden()
        with server.session() as s:
            assert len(s.scalars(select(WarningAttempt)).all()) == 1

    def test_officers_see_every_open_warning_with_its_clock(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        warning_id = _seed_warning(server, scene, "3-2-201")
        with server.session() as s:
            from app.communities.models import Community

            community = s.get(Community, scene.community_id)
            assert community is not None
            officer = make_member(
                s,
                community,
                Role.officer,
                username="wang",
                display_name="王网格",
            )
            assert officer.id
        for viewport, name in ((None, "phone"), (DESKTOP, "desktop")):
            context = new_context(viewport)
            page = context.new_page()
            log_in(page, server.url, "wang", PASSWORD)
            page.goto(f"{server.url}/warnings")
            row = page.locator(f'#warning-rows tr[data-warning="{warning_id}"]')
            expect(row).to_contain_text("3-2-201")
            expect(row).to_contain_text("剩余")
            expect(row).to_contain_text("物业小李")
            expect(page.locator("#warning-figures")).to_contain_text("收到")
            shoot(page, f"warnings-office-{name}")
        now = datetime.now(UTC)
        assert now

    def test_the_managers_campaign_page_shows_the_warning_figures(
        self, server: LiveServer, new_context: Any
    ) -> None:
        scene = seed_round_today(server)
        _seed_warning(server, scene, "3-1-102")
        context = new_context(DESKTOP)
        page = context.new_page()
        log_in(page, server.url, scene.manager_username, PASSWORD)
        page.goto(f"{server.url}/campaigns/{scene.campaign_id}")
        card = page.locator("#warning-figures-card")
        expect(card).to_contain_text("预警情况")
        expect(card).to_contain_text("0 / 1")
        card.scroll_into_view_if_needed()
        shoot(page, "warnings-campaign-desktop")

    def test_the_public_report_page_takes_a_report_without_login(
        self, server: LiveServer, new_context: Any
    ) -> None:
        from app.campaigns.models import Campaign
        from app.warnings import reports

        scene = seed_round_today(server)
        with server.session() as s:
            campaign = s.get(Campaign, scene.campaign_id)
            assert campaign is not None
            token = reports.token_for_campaign(s, campaign)
        page = new_context().new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{server.url}/r/{token}")
        expect(page.locator("body")).to_contain_text("96110")
        shoot(page, "report-page-phone")
        page.get_by_label("发生了什么？").fill("有人自称客服，让我打开共享屏幕")
        page.get_by_role("button", name="提交").click()
        expect(page.locator("body")).to_contain_text("已收到")
        shoot(page, "report-done-phone")
        assert errors == []
        with server.session() as s:
            assert len(s.scalars(select(EarlyWarning)).all()) == 1
