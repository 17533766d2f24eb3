"""Security headers on pages, API answers and errors; HSTS only over HTTPS."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import auth, make_user


def csp_directives(value: str) -> dict[str, list[str]]:
    parts = [p.split() for p in value.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_secured(headers: object) -> None:
    h = headers  # httpx.Headers
    policy = csp_directives(h["content-security-policy"])  # type: ignore[index]
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert policy["style-src"] == ["'self'"]  # no inline style either
    assert not any("http" in src for srcs in policy.values() for src in srcs)
    assert h["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert h["referrer-policy"] == "no-referrer"  # type: ignore[index]
    assert h["x-frame-options"] == "DENY"  # type: ignore[index]


class TestSecurityHeaders:
    @pytest.mark.parametrize(
        "path", ["/login", "/", "/campaigns", "/registry", "/static/app.js", "/sw.js", "/docs"]
    )
    def test_on_pages_and_their_files(self, client: TestClient, path: str) -> None:
        r = client.get(path)
        assert r.status_code == 200
        assert_secured(r.headers)
        assert "strict-transport-security" not in r.headers

    def test_on_api_answers_and_problems(self, client: TestClient, session: Session) -> None:
        user = make_user(session)
        for r in (
            client.get("/api/v1/me", headers=auth(session, user)),
            client.get("/api/v1/me"),
            client.get("/api/v1/households/999999", headers=auth(session, user)),
            client.get("/openapi.json"),
            client.get("/no-such-page"),
        ):
            assert_secured(r.headers)

    def test_hsts_only_over_https(self, app: FastAPI, db: object) -> None:
        with TestClient(app, base_url="https://doorstep.example") as secure:
            r = secure.get("/login")
        assert r.headers["strict-transport-security"].startswith("max-age=")
        assert int(r.headers["strict-transport-security"].split("=")[1]) >= 180 * 24 * 3600
        assert_secured(r.headers)
        with TestClient(app, base_url="https://localhost:8443") as local:
            assert "strict-transport-security" not in local.get("/login").headers


class TestNoInlineScript:
    @pytest.mark.parametrize(
        "path",
        [
            "/",
            "/login",
            "/schedule",
            "/walk-in",
            "/campaigns",
            "/campaigns/new",
            "/campaigns/1",
            "/campaigns/1/plan",
            "/rounds/1",
            "/events/1",
            "/office",
            "/incidents",
            "/members",
            "/registry",
            "/warnings",
            "/docs",
        ],
    )
    def test_pages_hold_no_inline_script_or_handler(self, client: TestClient, path: str) -> None:
        import re

        html = client.get(path).text
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
        assert scripts
        for attrs, body in scripts:
            assert "src=" in attrs, attrs
            assert not body.strip(), attrs
        assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
        assert "javascript:" not in html
