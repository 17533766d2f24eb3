"""Login throttling: per username and per client, atomic, delays instead of a lockout."""

from __future__ import annotations

import threading

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth import security
from app.auth import service as auth_service
from app.auth.throttle import client_label
from tests.auth.conftest import Clock
from tests.factories import PASSWORD, make_user

TOKEN_URL = "/api/v1/auth/token"
WRONG = "not-the-password"


def attempt(client: TestClient, username: str, password: str) -> int:
    r = client.post(TOKEN_URL, data={"username": username, "password": password})
    return int(r.status_code)


def wait_asked(client: TestClient, username: str, password: str) -> int:
    """Try to log in, expect to be asked to wait; the seconds asked."""
    r = client.post(TOKEN_URL, data={"username": username, "password": password})
    assert r.status_code == 429, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    seconds = int(r.headers["Retry-After"])
    assert seconds > 0
    assert r.json()["retry_after"] == seconds
    assert f"{seconds} seconds" in r.json()["detail"]
    return seconds


class TestDelaysNotLockout:
    def test_the_owner_logs_in_after_the_wait(
        self, client: TestClient, session: Session, clock: Clock
    ) -> None:
        make_user(session, username="wang")
        assert [attempt(client, "wang", WRONG) for _ in range(5)] == [401] * 5
        wait = wait_asked(client, "wang", PASSWORD)
        clock.advance(wait - 1)
        wait_asked(client, "wang", PASSWORD)
        clock.advance(1)
        assert attempt(client, "wang", PASSWORD) == 200

    def test_each_further_failure_waits_longer(
        self, client: TestClient, session: Session, clock: Clock
    ) -> None:
        make_user(session, username="zhou")
        for _ in range(5):
            attempt(client, "zhou", WRONG)
        first = wait_asked(client, "zhou", WRONG)
        clock.advance(first)
        assert attempt(client, "zhou", WRONG) == 401
        second = wait_asked(client, "zhou", PASSWORD)
        assert second > first
        clock.advance(second)
        assert attempt(client, "zhou", PASSWORD) == 200

    def test_a_right_password_forgets_the_failures(
        self, client: TestClient, session: Session, clock: Clock
    ) -> None:
        make_user(session, username="sun")
        for _ in range(4):
            attempt(client, "sun", WRONG)
        assert attempt(client, "sun", PASSWORD) == 200
        assert [attempt(client, "sun", WRONG) for _ in range(4)] == [401] * 4
        assert attempt(client, "sun", PASSWORD) == 200

    def test_failures_are_forgotten_after_a_quiet_quarter_hour(
        self, client: TestClient, session: Session, clock: Clock
    ) -> None:
        make_user(session, username="qian")
        for _ in range(5):
            attempt(client, "qian", WRONG)
        clock.advance(30 + 15 * 60)
        assert [attempt(client, "qian", WRONG) for _ in range(5)] == [401] * 5

    def test_a_wait_refuses_without_counting(
        self, client: TestClient, session: Session, clock: Clock
    ) -> None:
        make_user(session, username="feng")
        for _ in range(5):
            attempt(client, "feng", WRONG)
        wait = wait_asked(client, "feng", WRONG)
        for _ in range(10):
            wait_asked(client, "feng", WRONG)
        clock.advance(wait)
        assert attempt(client, "feng", PASSWORD) == 200


class TestParallelGuesses:
    def test_forty_guesses_at_once_check_only_the_free_five(
        self,
        client: TestClient,
        session: Session,
        monkeypatch: pytest.MonkeyPatch,
        clock: Clock,
    ) -> None:
        make_user(session, username="admin1")
        checks = 0
        lock = threading.Lock()
        real_verify = security.verify_password

        def counting_verify(password_hash: str | None, password: str) -> bool:
            nonlocal checks
            with lock:
                checks += 1
            return real_verify(password_hash, password)

        monkeypatch.setattr(auth_service, "verify_password", counting_verify)
        barrier = threading.Barrier(40)
        statuses: list[int] = []

        def guess(i: int) -> None:
            barrier.wait()
            code = attempt(client, "admin1", f"guess-number-{i}")
            with lock:
                statuses.append(code)

        threads = [threading.Thread(target=guess, args=(i,)) for i in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert checks == 5
        assert sorted(statuses) == [401] * 5 + [429] * 35


class TestPerClient:
    def test_one_client_guessing_across_usernames_is_slowed(
        self, app: FastAPI, client: TestClient, session: Session, clock: Clock
    ) -> None:
        make_user(session, username="target")
        with TestClient(app, client=("203.0.113.7", 50000)) as guesser:
            codes = [attempt(guesser, f"nobody{i}", WRONG) for i in range(30)]
            assert codes == [401] * 30
            wait = wait_asked(guesser, "target", PASSWORD)
        with TestClient(app, client=("198.51.100.2", 50000)) as elsewhere:
            assert attempt(elsewhere, "target", PASSWORD) == 200
        clock.advance(wait)
        with TestClient(app, client=("203.0.113.7", 50000)) as guesser:
            assert attempt(guesser, "target", PASSWORD) == 200

    def test_an_office_of_people_logging_in_is_never_slowed(
        self, app: FastAPI, session: Session
    ) -> None:
        users = [make_user(session) for _ in range(40)]
        with TestClient(app, client=("203.0.113.9", 50000)) as office:
            assert {attempt(office, u.username, PASSWORD) for u in users} == {200}


class TestClientLabel:
    def test_ipv6_counts_by_its_network_and_ipv4_by_its_address(self) -> None:
        assert client_label("2001:db8:1:2::5") == client_label("2001:db8:1:2:ffff::1")
        assert client_label("2001:db8:1:2::5") != client_label("2001:db8:1:3::5")
        assert client_label("::ffff:192.0.2.1") == "192.0.2.1"
        assert client_label("192.0.2.1") != client_label("192.0.2.2")
        assert client_label("testclient") == "testclient"


class TestSecretKey:
    def test_the_throttle_holds_no_username_or_address(
        self, app: FastAPI, session: Session
    ) -> None:
        from sqlalchemy import select

        from app.auth.models import LoginThrottle

        with TestClient(app, client=("203.0.113.50", 50000)) as c:
            attempt(c, "wangxiaoer", WRONG)
        keys = session.scalars(select(LoginThrottle.key)).all()
        assert len(keys) == 2
        for key in keys:
            assert len(key) == 64
            assert "wangxiaoer" not in key
            assert "203.0.113" not in key
        secret = app.state.settings.secret_key.get_secret_value()
        assert security.keyed_digest(secret, "username:wangxiaoer") in keys
        assert security.keyed_digest("another-secret", "username:wangxiaoer") not in keys

    @pytest.mark.parametrize("secret", [None, "short-secret"])
    def test_production_refuses_a_default_or_short_secret(self, secret: str | None) -> None:
        from pydantic import ValidationError

        from app.config import Settings

        kw = {} if secret is None else {"secret_key": secret}
        with pytest.raises(ValidationError, match="DOORSTEP_SECRET_KEY"):
            Settings(environment="production", **kw)  # type: ignore[arg-type]
        assert Settings(environment="production", secret_key="x" * 64)
