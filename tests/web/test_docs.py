"""`/docs` renders from Doorstep's own copy of Swagger UI, with every other host unreachable."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.web.conftest import DESKTOP, LiveServer, shoot

pytestmark = pytest.mark.browser


def test_docs_render_with_every_other_host_blocked(server: LiveServer, new_context: Any) -> None:
    own = urlsplit(server.url).netloc
    blocked: list[str] = []
    context = new_context(DESKTOP, locale="en-GB")

    def only_own_host(route: Any) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_own_host)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # The page's Content-Security-Policy (scripts from 'self' only) refuses nothing it needs.
    page.on("console", lambda m: errors.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{server.url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Doorstep")
    token = page.locator('.opblock-summary-path[data-path="/api/v1/auth/token"]')
    expect(token).to_be_visible()
    token.click()
    expect(page.locator(".opblock.is-open .responses-table")).to_contain_text(
        "application/problem+json"
    )
    expect(page.locator(".swagger-ui .btn.authorize")).to_be_visible()
    shoot(page, "docs-desktop")
    assert blocked == []
    assert errors == []
    assert not page.locator(".errors-wrapper").is_visible()
