"""A phone on the office network: `doorstep serve` with a certificate, reached over https://.

The server listens on this machine's own non-loopback address (the one its default route
leaves from), never another host's. Chromium trusts the generated certificate by its public
key (``--ignore-certificate-errors-spki-list``), as a phone trusts it once installed, so the
page is a secure context: the service worker runs and a reload without a network still shows
the round.
"""

from __future__ import annotations

import base64
import hashlib
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from alembic import command
from playwright.sync_api import expect

from app.config import Settings
from app.main import create_app
from tests.conftest import alembic_config
from tests.factories import PASSWORD
from tests.web.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    LiveServer,
    log_in,
    seed_round_today,
    shoot,
    wait_for_shell_kept,
)

pytestmark = pytest.mark.browser


def own_address() -> str | None:
    """This machine's address on its default route (a UDP connect sends nothing)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 9))
        except OSError:
            return None
        address: str = s.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def make_certificate(folder: Path, ip: str) -> tuple[Path, Path, str]:
    """A self-signed certificate for the IP address (the README's recipe) and its SPKI hash."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=Doorstep test", "-addext", f"subjectAltName=IP:{ip}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    public = subprocess.run(
        ["openssl", "x509", "-in", str(cert), "-pubkey", "-noout"],
        check=True,
        capture_output=True,
    ).stdout
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-outform", "der"],
        input=public,
        check=True,
        capture_output=True,
    ).stdout
    return cert, key, base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, LiveServer, str]]:
    """`doorstep serve --host <own address> --ssl-certfile … --ssl-keyfile …` on a free port."""
    ip = own_address()
    if ip is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    cert, key, spki = make_certificate(tmp_path, ip)
    url = f"sqlite:///{tmp_path / 'doorstep.db'}"
    command.upgrade(alembic_config(url), "head")
    with socket.socket() as s:
        s.bind((ip, 0))
        port = s.getsockname()[1]
    base = f"https://{ip}:{port}"
    env = {
        **os.environ,
        "DOORSTEP_DATABASE_URL": url,
        "DOORSTEP_ENVIRONMENT": "test",
        "DOORSTEP_PUBLIC_BASE_URL": base,
        "DOORSTEP_DOCUMENT_CACHE_DIR": str(tmp_path / "cache"),
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "doorstep"), "serve", "--no-migrate",
            "--host", ip, "--port", str(port),
            "--ssl-certfile", str(cert), "--ssl-keyfile", str(key),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    app = create_app(Settings(database_url=url, environment="test"))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(
                    f"{base}/healthz",
                    verify=ssl.create_default_context(cafile=str(cert)),
                    timeout=2,
                ).raise_for_status()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.2)
        yield base, LiveServer(url=base, app=app), spki
    finally:
        process.terminate()
        process.wait(timeout=10)
        app.state.engine.dispose()


def test_a_phone_over_https_keeps_the_round_through_an_offline_reload(
    https_server: tuple[str, LiveServer, str], browser: Any
) -> None:
    base, server, spki = https_server
    scene = seed_round_today(server)
    # A second Chromium from the suite's Playwright, trusting this certificate's key.
    trusting = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={spki}"],
    )
    try:
        context = trusting.new_context(viewport=PHONE, timezone_id="Asia/Shanghai", locale="zh-CN")
        context.set_default_timeout(15_000)
        page: Any = context.new_page()
        log_in(page, base, scene.staff_username, PASSWORD)
        page.goto(f"{base}/rounds/{scene.round_id}")
        assert page.evaluate("() => window.isSecureContext") is True
        grid = page.locator("#grid .hh")
        expect(grid).to_have_count(len(scene.household_ids))
        wait_for_shell_kept(page)

        context.set_offline(True)
        page.reload()
        expect(grid).to_have_count(len(scene.household_ids))
        expect(page.locator("#cached-note")).to_be_visible()
        expect(page.locator("#round-title")).to_contain_text("3幢")
        shoot(page, "round-https-offline-phone")
    finally:
        trusting.close()
