"""Logging in through the page, in Chinese first and in English on request."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from app.enums import Role
from tests.factories import PASSWORD, make_community, make_member
from tests.web.conftest import DESKTOP, LiveServer, log_in, shoot

pytestmark = pytest.mark.browser


class TestLogin:
    def test_staff_lands_on_their_rounds(self, server: LiveServer, new_context: Any) -> None:
        with server.session() as s:
            community = make_community(s)
            make_member(s, community, Role.staff, username="xiaoli", display_name="物业小李")
        page = new_context().new_page()
        page.goto(f"{server.url}/")
        page.wait_for_url("**/login**")
        shoot(page, "login-phone")
        log_in(page, server.url, "xiaoli", PASSWORD)
        assert page.url.endswith("/schedule")
        expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
        # Staff never see the officer's controls.
        nav = page.get_by_role("navigation", name="主导航")
        for name in ("工作台", "住户登记", "涉诈事件", "人员", "宣传活动"):
            expect(nav.get_by_role("link", name=name, exact=True)).to_be_hidden()

    def test_manager_lands_on_the_workspace(self, server: LiveServer, new_context: Any) -> None:
        with server.session() as s:
            community = make_community(s)
            make_member(s, community, Role.manager, username="chen")
        page = new_context(DESKTOP).new_page()
        page.goto(f"{server.url}/login")
        shoot(page, "login-desktop")
        log_in(page, server.url, "chen", PASSWORD)
        assert page.url.endswith("/office")
        # Everything of their work is one tap from there; people only for managers.
        hub = page.locator("#hub")
        for name in ("新建宣传活动", "宣传活动与排班", "住户登记", "涉诈事件", "人员"):
            expect(hub.get_by_role("link", name=name)).to_be_visible()

    def test_officer_lands_on_the_workspace_without_people(
        self, server: LiveServer, new_context: Any
    ) -> None:
        with server.session() as s:
            community = make_community(s)
            make_member(s, community, Role.officer, username="zhou")
        page = new_context().new_page()
        log_in(page, server.url, "zhou", PASSWORD)
        assert page.url.endswith("/office")
        expect(page.locator("#hub").get_by_role("link", name="住户登记")).to_be_visible()
        expect(page.locator("#hub").get_by_role("link", name="人员")).to_be_hidden()
        nav = page.get_by_role("navigation", name="主导航")
        expect(nav.get_by_role("link", name="人员", exact=True)).to_be_hidden()
        expect(nav.get_by_role("link", name="工作台", exact=True)).to_be_visible()

    def test_wrong_password_is_told_and_stays(self, server: LiveServer, new_context: Any) -> None:
        with server.session() as s:
            community = make_community(s)
            make_member(s, community, Role.staff, username="xiaowang")
        page = new_context().new_page()
        page.goto(f"{server.url}/login")
        page.get_by_label("用户名").fill("xiaowang")
        page.get_by_label("密码").fill("not-the-password")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_have_text("用户名或密码不正确")
        assert "/login" in page.url

    def test_english_switch_is_remembered(self, server: LiveServer, new_context: Any) -> None:
        page = new_context().new_page()
        page.goto(f"{server.url}/login")
        page.get_by_role("link", name="Switch to English").click()
        expect(page.get_by_role("heading", name="Log in")).to_be_visible()
        page.goto(f"{server.url}/login")
        expect(page.get_by_label("Username")).to_be_visible()
        assert page.locator("html").get_attribute("lang") == "en"
        shoot(page, "login-phone-en")
