"""Communities, buildings and households through the API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.communities.models import Household
from app.enums import Occupancy, Role
from tests.factories import (
    auth,
    make_building,
    make_campaign,
    make_community,
    make_household,
    make_member,
    make_round,
    make_tenant,
    make_user,
)


class TestCommunities:
    def test_admin_creates_with_default_timezone(
        self, client: TestClient, session: Session
    ) -> None:
        admin = make_user(session, is_admin=True)
        r = client.post(
            "/api/v1/communities",
            headers=auth(session, admin),
            json={"name": "江南星城", "city": "杭州"},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["timezone"] == "Asia/Shanghai"
        assert body["name"] == "江南星城"
        assert (
            client.get(f"/api/v1/communities/{body['id']}", headers=auth(session, admin)).json()[
                "city"
            ]
            == "杭州"
        )

    def test_bad_timezone_names_the_field(self, client: TestClient, session: Session) -> None:
        admin = make_user(session, is_admin=True)
        r = client.post(
            "/api/v1/communities",
            headers=auth(session, admin),
            json={"name": "x", "timezone": "Mars/Olympus"},
        )
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["errors"][0]["field"] == "timezone"

    def test_members_list_only_their_communities(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        make_community(session, name="别的小区")
        r = client.get("/api/v1/communities", headers=t.headers["staff"])
        assert [c["id"] for c in r.json()["items"]] == [t.community.id]
        assert r.json()["total"] == 1

    def test_manager_patches_officer_cannot(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}"
        assert (
            client.patch(
                url, json={"service_centre_phone": "96110"}, headers=t.headers["officer"]
            ).status_code
            == 403
        )
        r = client.patch(url, json={"service_centre_phone": "96110"}, headers=t.headers["manager"])
        assert r.status_code == 200
        assert r.json()["service_centre_phone"] == "96110"

    def test_unknown_field_is_refused(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        r = client.patch(
            f"/api/v1/communities/{t.community.id}",
            json={"nmae": "typo"},
            headers=t.headers["manager"],
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "nmae"


class TestBuildings:
    def test_create_and_duplicate_code(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/buildings"
        r = client.post(
            url, json={"code": "12A", "floors": 18, "units": 2}, headers=t.headers["officer"]
        )
        assert r.status_code == 201
        assert r.json()["code"] == "12A"
        again = client.post(url, json={"code": "12A"}, headers=t.headers["officer"])
        assert again.status_code == 409

    def test_staff_cannot_create(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/buildings",
            json={"code": "9"},
            headers=t.headers["staff"],
        )
        assert r.status_code == 403

    def test_staff_see_only_buildings_of_their_rounds(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        other = make_building(session, t.community, code="99")
        campaign = make_campaign(session, t.community)
        make_round(session, campaign, [t.building], [t.staff])
        r = client.get(
            f"/api/v1/communities/{t.community.id}/buildings", headers=t.headers["staff"]
        )
        assert [b["code"] for b in r.json()["items"]] == [t.building.code]
        assert (
            client.get(f"/api/v1/buildings/{other.id}", headers=t.headers["staff"]).status_code
            == 404
        )
        officer_view = client.get(
            f"/api/v1/communities/{t.community.id}/buildings", headers=t.headers["officer"]
        ).json()
        assert officer_view["total"] == 2


class TestHouseholds:
    def test_code_defaults_to_building_unit_room(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/households",
            headers=t.headers["officer"],
            json={
                "building_id": t.building.id,
                "unit": "2",
                "floor": 15,
                "room": "1502",
                "flags": ["elderly_alone"],
                "occupancy": "occupied",
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["code"] == f"{t.building.code}-2-1502"
        assert r.json()["flags"] == ["elderly_alone"]

    def test_building_of_another_community_is_refused(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        foreign = make_building(session, make_community(session))
        r = client.post(
            f"/api/v1/communities/{t.community.id}/households",
            headers=t.headers["officer"],
            json={"building_id": foreign.id, "unit": "1", "floor": 1, "room": "101"},
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "building_id"
        assert session.scalar(select(func.count()).select_from(Household)) == 0

    def test_filters(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        b2 = make_building(session, t.community, code="7")
        make_household(session, t.building, flags=("elderly_alone",))
        make_household(session, t.building)
        make_household(session, b2)
        vacant = make_household(session, b2, occupancy=Occupancy.vacant)
        url = f"/api/v1/communities/{t.community.id}/households"
        h = t.headers["officer"]
        assert client.get(url, params={"flag": "elderly_alone"}, headers=h).json()["total"] == 1
        assert client.get(url, params={"building_id": b2.id}, headers=h).json()["total"] == 2
        by_occ = client.get(url, params={"occupancy": "vacant"}, headers=h).json()
        assert [x["id"] for x in by_occ["items"]] == [vacant.id]
        by_code = client.get(url, params={"code": vacant.code}, headers=h).json()
        assert by_code["total"] == 1
        assert client.get(url, params={"limit": 501}, headers=h).status_code == 422

    def test_contact_needs_consent_and_is_masked_for_staff(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        t.community.contact_consent_recorded = True
        session.commit()
        url = f"/api/v1/communities/{t.community.id}/households"
        body = {
            "building_id": t.building.id,
            "unit": "1",
            "floor": 3,
            "room": "301",
            "contact_name": "王建国",
            "contact_phone": "13812345678",
        }
        assert client.post(url, json=body, headers=t.headers["officer"]).status_code == 422
        r = client.post(url, json={**body, "contact_consent": True}, headers=t.headers["officer"])
        assert r.status_code == 201
        assert r.json()["contact_phone"] == "13812345678"
        campaign = make_campaign(session, t.community)
        make_round(session, campaign, [t.building], [t.staff])
        staff_view = client.get(
            f"/api/v1/households/{r.json()['id']}", headers=t.headers["staff"]
        ).json()
        assert staff_view["contact_phone"] == "138****5678"
        assert staff_view["contact_name"] == "王**"

    def test_staff_find_a_walk_in_by_exact_code_only(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        elsewhere = make_household(session, make_building(session, t.community, code="88"))
        url = f"/api/v1/communities/{t.community.id}/households"
        assert client.get(url, headers=t.headers["staff"]).json()["total"] == 0
        found = client.get(url, params={"code": elsewhere.code}, headers=t.headers["staff"])
        assert [h["id"] for h in found.json()["items"]] == [elsewhere.id]

    def test_patch_replaces_flags(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        h = make_household(session, t.building, flags=("elderly_alone",))
        r = client.patch(
            f"/api/v1/households/{h.id}",
            headers=t.headers["officer"],
            json={"flags": ["previous_victim"], "occupancy": "vacant"},
        )
        assert r.status_code == 200
        assert r.json()["flags"] == ["previous_victim"]
        assert r.json()["occupancy"] == "vacant"

    def test_other_community_household_is_404_for_every_role(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        outsider_community = make_community(session)
        for role in (Role.manager, Role.officer, Role.staff):
            outsider = make_member(session, outsider_community, role)
            r = client.get(
                f"/api/v1/households/{t.households[0].id}", headers=auth(session, outsider)
            )
            assert r.status_code == 404
