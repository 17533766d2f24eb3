"""The pages use the phone's own Chinese font; the project's font is only a fallback.

The login page used to weigh 3.2 MB, almost all of it the project's CJK font. On a machine
with a system Chinese font (scripts/setup.sh installs Debian's fonts-noto-cjk for the tests,
as every phone has one of its own) it must load no font file at all and draw its Chinese
with the system font.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from tests.web.conftest import LiveServer

pytestmark = pytest.mark.browser


def _has_system_cjk_font() -> bool:
    try:
        found = subprocess.run(
            ["fc-list", ":lang=zh-cn", "family"], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return False
    return bool(found.stdout.strip())


class TestSystemFontsFirst:
    def test_login_page_loads_no_font_file_and_draws_chinese_with_the_system_font(
        self, server: LiveServer, new_context: Any
    ) -> None:
        if not _has_system_cjk_font():
            pytest.skip("no system Chinese font (apt-get install fonts-noto-cjk)")
        page = new_context().new_page()
        fetched: list[str] = []
        page.on("request", lambda request: fetched.append(request.url))
        page.goto(f"{server.url}/login")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.get_by_role("button", name="登录").wait_for()

        fonts = [url for url in fetched if "/fonts/" in url or url.endswith((".otf", ".woff2"))]
        assert fonts == []
        # The project's face is declared (the fallback) but was never needed.
        faces = page.evaluate(
            "[...document.fonts].map(f => [f.family.replaceAll('\"', ''), f.status])"
        )
        assert faces
        assert {status for family, status in faces if family == "Doorstep Sans"} == {"unloaded"}

        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        button = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "main h1"})
        used = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": button["nodeId"]})["fonts"]
        assert used, "the heading is drawn with some font"
        assert not any(f["isCustomFont"] for f in used)
        assert any("CJK" in f["familyName"] for f in used), used
