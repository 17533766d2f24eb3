"""Changing passwords, the tokens that end with them, and the password policy."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.passwords import password_problem
from tests.auth.conftest import Clock
from tests.factories import PASSWORD, auth, make_tenant, make_user

NEW = "violet-kettle-harbour"


def login(client: TestClient, username: str, password: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def alive(client: TestClient, headers: dict[str, str]) -> bool:
    return bool(client.get("/api/v1/me", headers=headers).status_code == 200)


def feed_url(client: TestClient, headers: dict[str, str]) -> str:
    r = client.post("/api/v1/members/me/feed-token", headers=headers)
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    return f"/api/v1/members/me/calendar.ics?token={token}"


class TestChangeOwnPassword:
    def test_needs_the_current_password(self, client: TestClient, session: Session) -> None:
        user = make_user(session, username="hu")
        h = login(client, "hu", PASSWORD)
        r = client.patch(f"/api/v1/users/{user.id}", json={"password": NEW}, headers=h)
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["current_password"]
        r = client.patch(
            f"/api/v1/users/{user.id}",
            json={"password": NEW, "current_password": "a-wrong-guess"},
            headers=h,
        )
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["current_password"]
        login(client, "hu", PASSWORD)  # unchanged

    def test_wrong_current_passwords_are_throttled_like_logins(
        self, client: TestClient, session: Session, clock: Clock
    ) -> None:
        user = make_user(session, username="gao")
        h = login(client, "gao", PASSWORD)
        for i in range(5):
            body = {"password": NEW, "current_password": f"guess-{i}-wrong"}
            assert client.patch(f"/api/v1/users/{user.id}", json=body, headers=h).status_code == 422
        body = {"password": NEW, "current_password": PASSWORD}
        r = client.patch(f"/api/v1/users/{user.id}", json=body, headers=h)
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 0

    def test_ends_every_other_token_and_feed_but_this_one(
        self, client: TestClient, session: Session
    ) -> None:
        user = make_user(session, username="he")
        phone = login(client, "he", PASSWORD)
        laptop = login(client, "he", PASSWORD)
        feed = feed_url(client, phone)
        assert client.get(feed).status_code == 200
        r = client.patch(
            f"/api/v1/users/{user.id}",
            json={"password": NEW, "current_password": PASSWORD},
            headers=laptop,
        )
        assert r.status_code == 200, r.text
        assert alive(client, laptop)
        assert not alive(client, phone)
        assert client.get(feed).status_code == 401
        login(client, "he", NEW)
        r = client.post("/api/v1/auth/token", data={"username": "he", "password": PASSWORD})
        assert r.status_code == 401
        assert client.get(feed_url(client, laptop)).status_code == 200  # a new feed works

    def test_the_name_alone_needs_no_password(self, client: TestClient, session: Session) -> None:
        user = make_user(session)
        r = client.patch(
            f"/api/v1/users/{user.id}", json={"display_name": "新名字"}, headers=auth(session, user)
        )
        assert r.status_code == 200
        assert r.json()["display_name"] == "新名字"


class TestAdminReset:
    def test_admin_resets_without_the_old_password_and_ends_all_tokens(
        self, client: TestClient, session: Session
    ) -> None:
        admin = make_user(session, is_admin=True)
        user = make_user(session, username="luo")
        h = login(client, "luo", PASSWORD)
        feed = feed_url(client, h)
        r = client.patch(
            f"/api/v1/users/{user.id}", json={"password": NEW}, headers=auth(session, admin)
        )
        assert r.status_code == 200, r.text
        assert not alive(client, h)
        assert client.get(feed).status_code == 401
        login(client, "luo", NEW)

    def test_an_admin_changing_their_own_needs_the_current_one(
        self, client: TestClient, session: Session
    ) -> None:
        admin = make_user(session, is_admin=True)
        r = client.patch(
            f"/api/v1/users/{admin.id}", json={"password": NEW}, headers=auth(session, admin)
        )
        assert r.status_code == 422


class TestDeactivation:
    def test_reactivating_brings_no_old_token_back(
        self, client: TestClient, session: Session
    ) -> None:
        admin = make_user(session, is_admin=True)
        user = make_user(session, username="ma")
        h = login(client, "ma", PASSWORD)
        feed = feed_url(client, h)
        ah = auth(session, admin)
        r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=ah)
        assert r.status_code == 200
        assert not alive(client, h)
        r = client.patch(f"/api/v1/users/{user.id}", json={"is_active": True}, headers=ah)
        assert r.status_code == 200
        assert not alive(client, h)
        assert client.get(feed).status_code == 401
        assert alive(client, login(client, "ma", PASSWORD))


class TestPolicy:
    @pytest.mark.parametrize(
        "password", ["12345678", "password", "Password1", "qwerty123", "woaini1314", "88888888"]
    )
    def test_common_passwords_are_refused(
        self, client: TestClient, session: Session, password: str
    ) -> None:
        admin = make_user(session, is_admin=True)
        r = client.post(
            "/api/v1/users",
            headers=auth(session, admin),
            json={"username": "newbie", "password": password, "display_name": "x"},
        )
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == ["password"]

    def test_the_username_is_refused_as_a_password(
        self, client: TestClient, session: Session
    ) -> None:
        user = make_user(session, username="xiaoming2026")
        r = client.patch(
            f"/api/v1/users/{user.id}",
            json={"password": "XiaoMing2026", "current_password": PASSWORD},
            headers=auth(session, user),
        )
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["password"]
        login(client, user.username, PASSWORD)  # unchanged

    def test_the_rules(self) -> None:
        assert password_problem(username="li", password="a-long-password") is None
        assert password_problem(username="li", password="short") is not None
        assert password_problem(username="zhangwei", password="zhangwei!!88") is not None
        assert password_problem(username="ab", password="aaaaaaaaaa") is not None
        assert password_problem(username="ab", password="password2024") is not None
        assert password_problem(username="ab", password="ＰＡＳＳＷＯＲＤ１") is not None


class TestManagerReset:
    def members_url(self, community_id: int, user_id: int) -> str:
        return f"/api/v1/communities/{community_id}/members/{user_id}"

    def test_a_managers_reset_follows_the_policy_and_ends_every_token(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        h = login(client, t.staff.username, PASSWORD)
        feed = feed_url(client, h)
        url = self.members_url(t.community.id, t.staff.id)
        r = client.patch(url, headers=t.headers["manager"], json={"password": "password123"})
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["password"]
        assert alive(client, h)
        r = client.patch(url, headers=t.headers["manager"], json={"password": NEW})
        assert r.status_code == 200, r.text
        assert not alive(client, h)
        assert client.get(feed).status_code == 401
        login(client, t.staff.username, NEW)

    def test_a_managers_lock_and_unlock_bring_no_old_token_back(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        h = login(client, t.staff.username, PASSWORD)
        url = self.members_url(t.community.id, t.staff.id)
        assert client.patch(url, headers=t.headers["manager"], json={"is_active": False}).is_success
        assert client.patch(url, headers=t.headers["manager"], json={"is_active": True}).is_success
        assert not alive(client, h)
        assert alive(client, login(client, t.staff.username, PASSWORD))

    def test_a_new_account_follows_the_policy(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/members",
            headers=t.headers["manager"],
            json={
                "username": "xiaozhang",
                "display_name": "小张",
                "password": "xiaozhang123",
                "role": "staff",
            },
        )
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["password"]
