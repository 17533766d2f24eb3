"""Grid owners per building, warning deadlines and the webhook per community (DESIGN §8)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.enums import Role
from tests.factories import make_community, make_member, make_tenant


class TestGridOwners:
    def test_officer_sets_owners_and_the_building_answers_them(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        url = f"/api/v1/buildings/{t.building.id}"
        assert client.get(url, headers=t.headers["officer"]).json()["owner_ids"] == []
        r = client.patch(
            url, json={"owner_ids": [t.staff.id, t.officer.id]}, headers=t.headers["officer"]
        )
        assert r.status_code == 200
        assert r.json()["owner_ids"] == sorted([t.staff.id, t.officer.id])
        listed = client.get(
            f"/api/v1/communities/{t.community.id}/buildings", headers=t.headers["manager"]
        ).json()["items"]
        assert listed[0]["owner_ids"] == sorted([t.staff.id, t.officer.id])
        r = client.patch(url, json={"owner_ids": [t.staff.id]}, headers=t.headers["officer"])
        assert r.json()["owner_ids"] == [t.staff.id]
        r = client.patch(url, json={"owner_ids": []}, headers=t.headers["officer"])
        assert r.json()["owner_ids"] == []

    def test_owners_must_be_members_and_nothing_changes_otherwise(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        outsider = make_member(session, make_community(session), Role.staff)
        url = f"/api/v1/buildings/{t.building.id}"
        client.patch(url, json={"owner_ids": [t.staff.id]}, headers=t.headers["officer"])
        r = client.patch(
            url, json={"owner_ids": [t.officer.id, outsider.id]}, headers=t.headers["officer"]
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "owner_ids"
        assert client.get(url, headers=t.headers["officer"]).json()["owner_ids"] == [t.staff.id]

    def test_staff_cannot_set_owners_and_other_communities_see_404(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        other = make_tenant(session)
        url = f"/api/v1/buildings/{t.building.id}"
        assert (
            client.patch(url, json={"owner_ids": []}, headers=t.headers["staff"]).status_code
            == 404  # staff do not see a building outside their rounds
        )
        for role in ("manager", "officer", "staff"):
            r = client.patch(url, json={"owner_ids": []}, headers=other.headers[role])
            assert r.status_code == 404


class TestWarningSettings:
    def test_deadlines_default_and_patch_per_level(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}"
        body = client.get(url, headers=t.headers["staff"]).json()
        assert body["warning_deadlines"] == {"high": 120, "medium": 1440, "low": 4320}
        r = client.patch(
            url, json={"warning_deadlines": {"high": 60}}, headers=t.headers["manager"]
        )
        assert r.status_code == 200
        assert r.json()["warning_deadlines"] == {"high": 60, "medium": 1440, "low": 4320}
        other = make_tenant(session)
        assert (
            client.get(
                f"/api/v1/communities/{other.community.id}", headers=other.headers["staff"]
            ).json()["warning_deadlines"]["high"]
            == 120
        )

    def test_bad_deadlines_are_refused(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}"
        for bad in ({"high": 0}, {"urgent": 5}, {"low": "soon"}, None):
            r = client.patch(url, json={"warning_deadlines": bad}, headers=t.headers["manager"])
            assert r.status_code == 422, bad
        assert client.get(url, headers=t.headers["manager"]).json()["warning_deadlines"] == {
            "high": 120,
            "medium": 1440,
            "low": 4320,
        }

    def test_webhook_must_be_public_https(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}"
        for bad in (
            "http://robot.example.com/hook",
            "https://127.0.0.1/hook",
            "https://localhost:8443/hook",
            "https://10.1.2.3/hook",
            "https://192.168.1.20/send?key=x",
            "https://[::1]/hook",
            "https://169.254.169.254/latest",
            "ftp://robot.example.com/",
            "not a url",
        ):
            r = client.patch(url, json={"notify_webhook_url": bad}, headers=t.headers["manager"])
            assert r.status_code == 422, bad
            assert r.json()["errors"][0]["field"] == "notify_webhook_url"
        good = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
        r = client.patch(url, json={"notify_webhook_url": good}, headers=t.headers["manager"])
        assert r.status_code == 200
        assert r.json()["notify_webhook_url"] == good
        # the robot's key is the manager's business: other members see only the host
        shown = client.get(url, headers=t.headers["staff"]).json()["notify_webhook_url"]
        assert "key=abc" not in shown
        assert "qyapi.weixin.qq.com" in shown
        r = client.patch(url, json={"notify_webhook_url": None}, headers=t.headers["manager"])
        assert r.json()["notify_webhook_url"] is None
