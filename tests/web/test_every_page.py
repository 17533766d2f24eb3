"""Every page opens without a script error or a CSP refusal, on a phone and a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.web.conftest import (
    DESKTOP,
    PHONE,
    LiveServer,
    log_in,
    seed_event_today,
    seed_round_today,
    shoot,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("viewport", "size"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_every_page_opens_cleanly(
    server: LiveServer, new_context: Any, viewport: dict[str, int], size: str
) -> None:
    scene = seed_round_today(server)
    event_id = seed_event_today(server, scene)
    errors: list[str] = []
    pages = {
        scene.staff_username: [
            ("schedule", "/schedule", "#today-list .task"),
            ("round", f"/rounds/{scene.round_id}", "#grid .hh"),
            ("event", f"/events/{event_id}", "#page-sub:not(:empty)"),
            ("walk-in", "/walk-in", "#page-sub:not(:empty)"),
        ],
        scene.manager_username: [
            ("campaigns", "/campaigns", ".campaign-card .big"),
            ("campaign", f"/campaigns/{scene.campaign_id}", ".headline-card"),
        ],
    }
    for username, visits in pages.items():
        page = new_context(viewport).new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # Anything the Content-Security-Policy refused (an inline script, a foreign host).
        page.on(
            "console",
            lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        log_in(page, server.url, username, PASSWORD)
        for name, path, ready in visits:
            page.goto(f"{server.url}{path}")
            expect(page.locator(ready).first).to_be_visible()
            expect(page.locator("[aria-busy=true]")).to_have_count(0)
            page.wait_for_load_state("networkidle")
            shoot(page, f"page-{name}-{size}")
        page.close()
    assert errors == []
