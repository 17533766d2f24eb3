"""In Chromium: the login page follows only paths of this site; the CSP blocks inline script."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from app.enums import Role
from tests.factories import PASSWORD, make_community, make_member
from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


def log_in_from(page: Any, url: str, username: str) -> str:
    """Open ``url`` (a login page), log in, and answer where the browser lands."""
    page.goto(url)
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(lambda u: "/login" not in u and u.rstrip("/") != url.split("/login")[0])
    return str(page.url)


class TestNextAfterLogin:
    @pytest.mark.parametrize("query", ["/%5Cevil.example/", "/%09/evil.example/"])
    def test_an_off_site_next_lands_on_this_site(
        self, server: LiveServer, new_context: Any, query: str
    ) -> None:
        with server.session() as s:
            make_member(s, make_community(s), Role.staff, username="xiaozhao")
        page = new_context().new_page()
        page.route("**://evil.example/**", lambda route: route.fulfill(body="evil"))
        landed = log_in_from(page, f"{server.url}/login?next={query}", "xiaozhao")
        assert urlsplit(landed).netloc == urlsplit(server.url).netloc
        assert urlsplit(landed).path == "/schedule"

    def test_a_path_of_this_site_is_followed(self, server: LiveServer, new_context: Any) -> None:
        with server.session() as s:
            make_member(s, make_community(s), Role.staff, username="xiaoqian")
        page = new_context().new_page()
        landed = log_in_from(page, f"{server.url}/login?next=%2Fwalk-in%3Flang%3Dzh", "xiaoqian")
        assert landed == f"{server.url}/walk-in?lang=zh"

    def test_the_page_script_parses_next_like_the_browser(
        self, server: LiveServer, new_context: Any
    ) -> None:
        page = new_context().new_page()
        page.goto(f"{server.url}/login")
        cases = {
            "/\\evil.example/": "/",
            "/\t/evil.example/": "/",
            "/\n/evil.example/": "/",
            "//evil.example/": "/",
            "///evil.example/": "/",
            "/\\/evil.example/": "/",
            "https://evil.example/": "/",
            "javascript:alert(1)": "/",
            "": "/",
            "/schedule": "/schedule",
            "/rounds/12?lang=en#u2": "/rounds/12?lang=en#u2",
            "/a/../walk-in": "/walk-in",
        }
        got = page.evaluate("cases => cases.map(c => DS.safeNext(c))", list(cases))
        assert dict(zip(cases, got, strict=True)) == cases


class TestContentSecurityPolicy:
    def test_an_injected_inline_script_does_not_run(
        self, server: LiveServer, new_context: Any
    ) -> None:
        page = new_context().new_page()
        refused: list[str] = []
        page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else 0)
        page.goto(f"{server.url}/login")
        page.evaluate(
            """() => {
                const s = document.createElement("script");
                s.textContent = "window.__ran = true";
                document.body.appendChild(s);
                const b = document.createElement("button");
                b.setAttribute("onclick", "window.__clicked = true");
                document.body.appendChild(b);
                b.click();
            }"""
        )
        assert page.evaluate("() => [window.__ran === true, window.__clicked === true]") == [
            False,
            False,
        ]
        assert refused


class TestThrottledLogin:
    def test_the_page_says_how_long_to_wait(self, server: LiveServer, new_context: Any) -> None:
        from playwright.sync_api import expect

        page = new_context().new_page()
        problem = '{"status": 429, "title": "Too many requests", "detail": "x", "retry_after": 30}'
        page.route(
            "**/api/v1/auth/token",
            lambda route: route.fulfill(
                status=429,
                body=problem,
                headers={"Content-Type": "application/problem+json", "Retry-After": "30"},
            ),
        )
        page.goto(f"{server.url}/login")
        page.get_by_label("用户名").fill("anyone")
        page.get_by_label("密码").fill("whatever-it-is")
        page.get_by_role("button", name="登录").click()
        expect(page.get_by_role("alert")).to_have_text("尝试次数过多，请30秒后再试")
