"""After logging in, only a path of this site is ever followed (unit tests and the route)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.web.redirects import safe_next

OFF_SITE = [
    "/%5Cevil.example/",  # as the query arrives before decoding, kept for the route tests
    "/\\evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "//evil.example/",
    "///evil.example/",
    "https://evil.example/",
    "http:/evil.example/",
    "javascript:alert(1)",
    "evil.example",
    " /schedule",
    "/ /evil.example",
    "",
]


class TestSafeNext:
    @pytest.mark.parametrize("raw", [r for r in OFF_SITE if "%" not in r])
    def test_anything_that_could_leave_the_site_is_refused(self, raw: str) -> None:
        assert safe_next(raw) is None

    @pytest.mark.parametrize(
        ("raw", "kept"),
        [
            ("/", "/"),
            ("/schedule", "/schedule"),
            ("/rounds/12?lang=en", "/rounds/12?lang=en"),
            ("/campaigns/3#gaps", "/campaigns/3#gaps"),
            ("/%5Cevil.example/", "/%5Cevil.example/"),  # still encoded: a path of ours
        ],
    )
    def test_paths_of_this_site_are_kept(self, raw: str, kept: str) -> None:
        assert safe_next(raw) == kept


class TestLoginRoute:
    @pytest.mark.parametrize("query", ["/%5Cevil.example/", "/%09/evil.example/", "//evil.example"])
    def test_an_off_site_next_is_dropped(self, client: TestClient, query: str) -> None:
        r = client.get(f"/login?next={query}&lang=en", follow_redirects=False)
        assert r.status_code == 303
        assert r.headers["location"] == "/login?lang=en"

    def test_a_path_of_this_site_opens_the_form(self, client: TestClient) -> None:
        r = client.get("/login?next=%2Frounds%2F12", follow_redirects=False)
        assert r.status_code == 200
        assert 'id="login-form"' in r.text
