"""A manager's people: accounts made in their own community, roles, locks; no one else's."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import Membership, User
from app.enums import Role
from tests.factories import PASSWORD, make_community, make_tenant, make_user


def members_url(community_id: int, user_id: int | None = None) -> str:
    """The members collection, or one member."""
    base = f"/api/v1/communities/{community_id}/members"
    return base if user_id is None else f"{base}/{user_id}"


def login(client: TestClient, username: str, password: str) -> int:
    """The status of a login attempt."""
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    return int(r.status_code)


def users(session: Session) -> int:
    """How many accounts exist."""
    session.expire_all()
    return session.scalar(select(func.count()).select_from(User)) or 0


class TestCreateStaffAccount:
    def test_manager_makes_an_account_that_logs_in(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        r = client.post(
            members_url(t.community.id),
            headers=t.headers["manager"],
            json={
                "username": "xiaowang",
                "display_name": "物业小王",
                "password": "a-long-password",
                "role": "staff",
            },
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert (body["username"], body["display_name"], body["role"]) == (
            "xiaowang",
            "物业小王",
            "staff",
        )
        assert body["is_active"] is True
        assert login(client, "xiaowang", "a-long-password") == 200

    def test_an_existing_colleague_is_added_not_duplicated(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        second = make_community(session)
        session.add(Membership(user_id=t.manager.id, community_id=second.id, role=Role.manager))
        session.commit()
        before = users(session)
        r = client.post(
            members_url(second.id),
            headers=t.headers["manager"],
            json={"username": t.staff.username, "role": "staff"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["user_id"] == t.staff.id
        assert users(session) == before
        # The password given (if any) never overwrites theirs.
        assert login(client, t.staff.username, PASSWORD) == 200

    def test_a_new_account_needs_name_and_password(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        before = users(session)
        r = client.post(
            members_url(t.community.id),
            headers=t.headers["manager"],
            json={"username": "nobody-yet", "role": "staff"},
        )
        assert r.status_code == 422
        assert {e["field"] for e in r.json()["errors"]} == {"display_name", "password"}
        assert users(session) == before

    def test_someone_elses_username_is_only_taken(
        self, client: TestClient, session: Session
    ) -> None:
        mine, theirs = make_tenant(session, households=0), make_tenant(session, households=0)
        r = client.post(
            members_url(mine.community.id),
            headers=mine.headers["manager"],
            json={"username": theirs.staff.username, "role": "staff"},
        )
        assert r.status_code == 409
        assert theirs.staff.display_name not in r.text
        assert mine.community.id not in {
            m.community_id
            for m in session.scalars(
                select(Membership).where(Membership.user_id == theirs.staff.id)
            )
        }

    def test_someone_elses_user_id_is_404(self, client: TestClient, session: Session) -> None:
        mine, theirs = make_tenant(session, households=0), make_tenant(session, households=0)
        loner = make_user(session)
        for uid in (theirs.staff.id, loner.id):
            r = client.post(
                members_url(mine.community.id),
                headers=mine.headers["manager"],
                json={"user_id": uid, "role": "staff"},
            )
            assert r.status_code == 404, uid
        listed = client.get(members_url(mine.community.id), headers=mine.headers["manager"])
        assert theirs.staff.username not in listed.text

    def test_officers_and_staff_may_not_add_people(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        before = users(session)
        for role in ("officer", "staff"):
            r = client.post(
                members_url(t.community.id),
                headers=t.headers[role],
                json={
                    "username": f"x-{role}",
                    "display_name": "x",
                    "password": PASSWORD,
                    "role": "staff",
                },
            )
            assert r.status_code == 403
        assert users(session) == before

    def test_either_user_id_or_username(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        for body in ({"role": "staff"}, {"user_id": t.staff.id, "username": "x1", "role": "staff"}):
            r = client.post(members_url(t.community.id), headers=t.headers["manager"], json=body)
            assert r.status_code == 422


class TestChangeMember:
    def test_grant_and_remove_a_role(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        h = t.headers["manager"]
        r = client.patch(
            members_url(t.community.id, t.staff.id), headers=h, json={"role": "officer"}
        )
        assert r.status_code == 200
        assert r.json()["role"] == "officer"
        assert client.delete(members_url(t.community.id, t.staff.id), headers=h).status_code == 204
        session.expire_all()
        assert (
            session.scalars(select(Membership).where(Membership.user_id == t.staff.id)).all() == []
        )

    def test_deactivated_account_is_locked_out_at_once(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        staff_headers = t.headers["staff"]
        assert client.get("/api/v1/me", headers=staff_headers).status_code == 200
        r = client.patch(
            members_url(t.community.id, t.staff.id),
            headers=t.headers["manager"],
            json={"is_active": False},
        )
        assert r.status_code == 200
        assert r.json()["is_active"] is False
        assert client.get("/api/v1/me", headers=staff_headers).status_code == 401
        assert login(client, t.staff.username, PASSWORD) == 401

    def test_account_shared_with_another_community_is_not_theirs_to_lock(
        self, client: TestClient, session: Session
    ) -> None:
        t, other = make_tenant(session, households=0), make_community(session)
        session.add(Membership(user_id=t.staff.id, community_id=other.id, role=Role.staff))
        session.commit()
        r = client.patch(
            members_url(t.community.id, t.staff.id),
            headers=t.headers["manager"],
            json={"is_active": False},
        )
        assert r.status_code == 403
        session.expire_all()
        assert session.get(User, t.staff.id).is_active is True  # type: ignore[union-attr]

    def test_a_manager_keeps_their_own_role(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        h = t.headers["manager"]
        url = members_url(t.community.id, t.manager.id)
        assert client.patch(url, headers=h, json={"role": "staff"}).status_code == 409
        assert client.patch(url, headers=h, json={"is_active": False}).status_code == 409
        assert client.delete(url, headers=h).status_code == 409

    def test_other_community_member_is_404(self, client: TestClient, session: Session) -> None:
        mine, theirs = make_tenant(session, households=0), make_tenant(session, households=0)
        r = client.patch(
            members_url(theirs.community.id, theirs.staff.id),
            headers=mine.headers["manager"],
            json={"is_active": False},
        )
        assert r.status_code == 404
        r = client.patch(
            members_url(mine.community.id, theirs.staff.id),
            headers=mine.headers["manager"],
            json={"is_active": False},
        )
        assert r.status_code == 404
        session.expire_all()
        assert session.get(User, theirs.staff.id).is_active is True  # type: ignore[union-attr]

    def test_staff_may_not_change_roles(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        r = client.patch(
            members_url(t.community.id, t.staff.id),
            headers=t.headers["staff"],
            json={"role": "manager"},
        )
        assert r.status_code == 403
