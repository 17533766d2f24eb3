"""The page shells, their strings in both languages, and the files they are served with."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.enums import (
    KNOWN_FLAGS,
    CampaignStatus,
    Channel,
    IncidentStatus,
    Outcome,
    RoundStatus,
)
from app.web.i18n import STRINGS, pick_lang
from app.web.routes import FONTS_DIR, STATIC_DIR, WEB_DIR

PAGES = [
    "/",
    "/login",
    "/schedule",
    "/rounds/7",
    "/events/3",
    "/walk-in",
    "/campaigns",
    "/campaigns/2",
]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


class TestStrings:
    def test_every_string_exists_in_both_languages_with_the_same_placeholders(self) -> None:
        for key, (zh, en) in STRINGS.items():
            assert zh.strip(), key
            assert en.strip(), key
            assert set(PLACEHOLDER.findall(zh)) == set(PLACEHOLDER.findall(en)), key

    def test_every_key_the_pages_use_is_in_the_table(self) -> None:
        used: set[str] = set()
        prefixes: set[str] = set()
        for path in STATIC_DIR.glob("*.js"):
            text = path.read_text(encoding="utf-8")
            used |= set(re.findall(r"\bt\(\"([a-z0-9_]+)\"\s*[,)]", text))
            prefixes |= set(re.findall(r"\bt\(\"([a-z0-9_]+_)\"\s*\+", text))
        for path in WEB_DIR.glob("*.html"):
            used |= set(re.findall(r"\bt\.([a-z0-9_]+)", path.read_text(encoding="utf-8")))
        assert used, "no strings found: the pattern no longer matches the code"
        assert sorted(used - set(STRINGS)) == []
        assert "status_" in prefixes
        assert sorted(p for p in prefixes if not any(k.startswith(p) for k in STRINGS)) == []

    def test_every_value_of_the_vocabularies_has_a_label(self) -> None:
        for outcome in Outcome:
            assert f"outcome_{outcome}" in STRINGS
            assert f"status_{outcome}" in STRINGS
        for name in [*RoundStatus, *CampaignStatus, *IncidentStatus, *Channel]:
            kind = {
                RoundStatus: "round_status",
                CampaignStatus: "campaign_status",
                IncidentStatus: "incident_status",
                Channel: "channel",
            }[type(name)]
            assert f"{kind}_{name}" in STRINGS
        for flag in KNOWN_FLAGS:
            assert f"flag_{flag}" in STRINGS

    @pytest.mark.parametrize(
        ("query", "cookie", "lang"),
        [
            (None, None, "zh"),
            ("en", None, "en"),
            (None, "en", "en"),
            ("zh", "en", "zh"),
            ("xx", None, "zh"),
        ],
    )
    def test_language_choice(self, query: str | None, cookie: str | None, lang: str) -> None:
        assert pick_lang(query, cookie) == lang


class TestFont:
    def test_the_projects_font_covers_every_character_of_the_pages(self) -> None:
        covered = set((FONTS_DIR / "charset.txt").read_text(encoding="utf-8"))
        used = {c for pair in STRINGS.values() for text in pair for c in text}
        for path in WEB_DIR.rglob("*"):
            if path.is_file():
                used |= set(path.read_text(encoding="utf-8"))
        assert sorted(c for c in used if not c.isspace() and c not in covered) == []

    def test_pages_declare_it_and_it_is_served(self, client: TestClient) -> None:
        page = client.get("/login").text
        sheet = re.search(r'<link rel="stylesheet" href="(/fonts\.css\?v=\w+)">', page)
        assert sheet is not None
        css = client.get(sheet.group(1))
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert "immutable" in css.headers["cache-control"]
        url = re.search(r'url\("(/fonts/NotoSansSC-Regular\.otf\?v=\w+)"\)', css.text)
        assert url is not None
        res = client.get(url.group(1))
        assert res.status_code == 200
        assert res.content[:4] == b"OTTO"


class TestPages:
    @pytest.mark.parametrize("path", PAGES)
    def test_pages_render_in_chinese_first(self, client: TestClient, path: str) -> None:
        res = client.get(path)
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/html")
        assert '<html lang="zh-CN">' in res.text
        assert "Switch to English" in res.text

    def test_english_switch_sets_a_cookie_that_later_pages_follow(self, client: TestClient) -> None:
        res = client.get("/login?lang=en")
        assert '<html lang="en">' in res.text
        assert "doorstep_lang=en" in res.headers["set-cookie"]
        assert '<html lang="en">' in client.get("/schedule").text
        assert '<html lang="zh-CN">' in client.get("/schedule?lang=zh").text

    def test_a_huge_id_is_a_clear_4xx(self, client: TestClient) -> None:
        res = client.get("/rounds/99999999999999")
        assert res.status_code == 422
        assert res.headers["content-type"] == "application/problem+json"

    def test_scripts_are_versioned_and_cached_for_long(self, client: TestClient) -> None:
        page = client.get("/login").text
        url = re.search(r'src="(/static/app\.js\?v=\w+)"', page)
        assert url is not None
        res = client.get(url.group(1))
        assert res.status_code == 200
        assert "immutable" in res.headers["cache-control"]

    @pytest.mark.parametrize(
        "path", ["/static/../routes.py", "/static/%2e%2e/%2e%2e/app/config.py", "/static/nope.js"]
    )
    def test_nothing_outside_the_static_folder_is_served(
        self, client: TestClient, path: str
    ) -> None:
        assert client.get(path).status_code == 404

    def test_service_worker_keeps_every_script(self, client: TestClient) -> None:
        res = client.get("/sw.js")
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/javascript")
        for path in STATIC_DIR.iterdir():
            assert f"/static/{path.name}?v=" in res.text
