"""Logging in and out, tokens, users and memberships through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.models import Membership
from app.enums import Role
from tests.factories import PASSWORD, auth, make_community, make_member, make_user


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Log in through the form endpoint and return the token."""
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "bearer"
    return str(body["access_token"])


class TestLogin:
    def test_password_login_gives_a_working_token(
        self, client: TestClient, session: Session
    ) -> None:
        user = make_user(session, username="zhang")
        token = login(client, "zhang")
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        assert r.json()["username"] == "zhang"
        assert r.json()["id"] == user.id

    def test_wrong_password_is_401_problem(self, client: TestClient, session: Session) -> None:
        make_user(session, username="li")
        r = client.post("/api/v1/auth/token", data={"username": "li", "password": "nope-nope"})
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == 401

    def test_logout_revokes_the_token(self, client: TestClient, session: Session) -> None:
        make_user(session, username="zhao")
        token = login(client, "zhao")
        h = {"Authorization": f"Bearer {token}"}
        assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
        assert client.get("/api/v1/me", headers=h).status_code == 401

    def test_deactivated_user_is_locked_out_at_once(
        self, client: TestClient, session: Session
    ) -> None:
        admin = make_user(session, is_admin=True)
        user = make_user(session)
        h = auth(session, user)
        assert client.get("/api/v1/me", headers=h).status_code == 200
        r = client.patch(
            f"/api/v1/users/{user.id}", json={"is_active": False}, headers=auth(session, admin)
        )
        assert r.status_code == 200
        assert client.get("/api/v1/me", headers=h).status_code == 401

    def test_no_token_is_401(self, client: TestClient) -> None:
        r = client.get("/api/v1/me")
        assert r.status_code == 401
        assert r.json()["title"] == "Unauthorized"


class TestUsersAndMembers:
    def test_admin_creates_user_and_grants_role(self, client: TestClient, session: Session) -> None:
        admin = make_user(session, is_admin=True)
        community = make_community(session)
        h = auth(session, admin)
        r = client.post(
            "/api/v1/users",
            headers=h,
            json={
                "username": "staff1",
                "password": "a-long-password",
                "display_name": "小刘",
                "is_admin": False,
            },
        )
        assert r.status_code == 201, r.text
        uid = r.json()["id"]
        r = client.post(
            f"/api/v1/communities/{community.id}/members",
            headers=h,
            json={"user_id": uid, "role": "staff"},
        )
        assert r.status_code == 201
        assert r.json()["role"] == "staff"
        token = login(client, "staff1", "a-long-password")
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert me["memberships"] == [
            {
                "community_id": community.id,
                "community_name": community.name,
                "community_timezone": community.timezone,
                "role": "staff",
            }
        ]

    def test_non_admin_cannot_create_users(self, client: TestClient, session: Session) -> None:
        community = make_community(session)
        manager = make_member(session, community, Role.manager)
        r = client.post(
            "/api/v1/users",
            headers=auth(session, manager),
            json={"username": "x1", "password": "a-long-password", "display_name": "x"},
        )
        assert r.status_code == 403

    def test_duplicate_username_is_409(self, client: TestClient, session: Session) -> None:
        admin = make_user(session, is_admin=True)
        make_user(session, username="dup")
        r = client.post(
            "/api/v1/users",
            headers=auth(session, admin),
            json={"username": "dup", "password": "a-long-password", "display_name": "x"},
        )
        assert r.status_code == 409

    def test_manager_grants_roles_only_in_own_community(
        self, client: TestClient, session: Session
    ) -> None:
        mine, other = make_community(session), make_community(session)
        manager = make_member(session, mine, Role.manager)
        # Someone the manager can reach: a member of another community they manage.
        theirs = make_community(session)
        session.add(Membership(user_id=manager.id, community_id=theirs.id, role=Role.manager))
        user = make_member(session, theirs, Role.staff)
        h = auth(session, manager)
        ok = client.post(
            f"/api/v1/communities/{mine.id}/members",
            headers=h,
            json={"user_id": user.id, "role": "officer"},
        )
        assert ok.status_code == 201
        hidden = client.post(
            f"/api/v1/communities/{other.id}/members",
            headers=h,
            json={"user_id": user.id, "role": "officer"},
        )
        assert hidden.status_code == 404

    def test_bad_role_names_the_field(self, client: TestClient, session: Session) -> None:
        admin = make_user(session, is_admin=True)
        community = make_community(session)
        r = client.post(
            f"/api/v1/communities/{community.id}/members",
            headers=auth(session, admin),
            json={"user_id": admin.id, "role": "boss"},
        )
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["role"]
