"""Campaigns, rounds and events, and the scheduling rules they obey."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.enums import Role
from tests.factories import (
    Tenant,
    auth,
    make_building,
    make_campaign,
    make_community,
    make_household,
    make_member,
    make_round,
    make_tenant,
)

MORNING = {"starts_at": "2026-11-20T09:00:00+08:00", "ends_at": "2026-11-20T12:00:00+08:00"}


def new_round(client: TestClient, t: Tenant, campaign_id: int, **body: Any) -> Any:
    """POST a round as the officer."""
    payload = {"building_ids": [t.building.id], "assignee_ids": [t.staff.id], **MORNING, **body}
    return client.post(
        f"/api/v1/campaigns/{campaign_id}/rounds", json=payload, headers=t.headers["officer"]
    )


class TestCampaigns:
    def test_create_with_catalogue_topics(self, client: TestClient, session: Session):
        t = make_tenant(session)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/campaigns",
            headers=t.headers["officer"],
            json={
                "name": "冬季反诈",
                "starts_on": "2026-11-01",
                "ends_on": "2026-11-30",
                "target_coverage": 0.95,
                "topics": ["fake_customer_service_video", "refund_scam"],
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["topics"] == ["fake_customer_service_video", "refund_scam"]
        listed = client.get(
            f"/api/v1/communities/{t.community.id}/campaigns", headers=t.headers["staff"]
        ).json()
        assert listed["total"] == 1

    def test_unknown_topic_and_reversed_dates_are_refused(
        self, client: TestClient, session: Session
    ):
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/campaigns"
        base = {
            "name": "x",
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
            "target_coverage": 0.9,
        }
        r = client.post(url, json={**base, "topics": ["ufo"]}, headers=t.headers["officer"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "topics"
        r = client.post(url, json={**base, "ends_on": "2026-10-01"}, headers=t.headers["officer"])
        assert r.status_code == 422
        r = client.post(url, json={**base, "target_coverage": 1.5}, headers=t.headers["officer"])
        assert r.json()["errors"][0]["field"] == "target_coverage"
        assert client.post(url, json=base, headers=t.headers["staff"]).status_code == 403

    def test_catalogue_is_bilingual(self, client: TestClient, session: Session):
        t = make_tenant(session)
        items = client.get("/api/v1/fraud-types", headers=t.headers["staff"]).json()["items"]
        codes = {i["code"]: i for i in items}
        assert len(items) >= 11
        video = codes["fake_customer_service_video"]
        assert "FaceTime" in video["summary_zh"] or "视频" in video["summary_zh"]
        assert all(video[k] for k in ("name_en", "advice_en", "advice_zh"))


class TestRounds:
    def test_create_and_checklist_with_statuses(self, client: TestClient, session: Session):
        t = make_tenant(session, households=3)
        campaign = make_campaign(session, t.community)
        r = new_round(client, t, campaign.id)
        assert r.status_code == 201, r.text
        rnd = r.json()
        assert rnd["building_ids"] == [t.building.id]
        assert rnd["assignee_ids"] == [t.staff.id]
        assert datetime.fromisoformat(rnd["starts_at"]) == datetime(2026, 11, 20, 1, tzinfo=UTC)
        contact = {
            "id": str(uuid.uuid4()),
            "campaign_id": campaign.id,
            "household_id": t.households[0].id,
            "channel": "door",
            "outcome": "not_home",
            "occurred_at": "2026-11-20T09:10:00+08:00",
            "round_id": rnd["id"],
        }
        assert (
            client.post("/api/v1/contacts", json=contact, headers=t.headers["staff"]).status_code
            == 201
        )
        items = client.get(
            f"/api/v1/rounds/{rnd['id']}/households", headers=t.headers["staff"]
        ).json()["items"]
        status = {i["id"]: i["status"] for i in items}
        assert status == {
            t.households[0].id: "not_home",
            t.households[1].id: "unvisited",
            t.households[2].id: "unvisited",
        }

    def test_overlapping_assignment_is_409_naming_the_clash(
        self, client: TestClient, session: Session
    ):
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        first = new_round(client, t, campaign.id).json()
        r = new_round(
            client,
            t,
            campaign.id,
            starts_at="2026-11-20T11:00:00+08:00",
            ends_at="2026-11-20T13:00:00+08:00",
        )
        assert r.status_code == 409
        assert f"round {first['id']}" in r.json()["detail"]
        assert str(t.staff.id) in r.json()["detail"]
        back_to_back = new_round(
            client,
            t,
            campaign.id,
            starts_at="2026-11-20T12:00:00+08:00",
            ends_at="2026-11-20T14:00:00+08:00",
        )
        assert back_to_back.status_code == 201

    def test_cancelled_round_does_not_clash(self, client: TestClient, session: Session):
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        first = new_round(client, t, campaign.id).json()
        r = client.patch(
            f"/api/v1/rounds/{first['id']}",
            json={"status": "cancelled"},
            headers=t.headers["officer"],
        )
        assert r.status_code == 200
        assert new_round(client, t, campaign.id).status_code == 201

    def test_events_and_rounds_clash_with_each_other(self, client: TestClient, session: Session):
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        r = client.post(
            f"/api/v1/campaigns/{campaign.id}/events",
            headers=t.headers["officer"],
            json={
                "title": "便民服务日",
                "services": ["理发", "量血压"],
                "location": "中心花园",
                "building_ids": [t.building.id],
                "assignee_ids": [t.staff.id],
                **MORNING,
            },
        )
        assert r.status_code == 201, r.text
        clash = new_round(client, t, campaign.id)
        assert clash.status_code == 409
        assert f"event {r.json()['id']}" in clash.json()["detail"]

    def test_slot_outside_campaign_and_foreign_people_are_refused(
        self, client: TestClient, session: Session
    ):
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        late = new_round(
            client,
            t,
            campaign.id,
            starts_at="2027-01-05T09:00:00+08:00",
            ends_at="2027-01-05T10:00:00+08:00",
        )
        assert late.status_code == 422
        other = make_community(session)
        foreign_building = make_building(session, other)
        foreign_person = make_member(session, other, Role.staff)
        r = new_round(client, t, campaign.id, building_ids=[foreign_building.id])
        assert r.json()["errors"][0]["field"] == "building_ids"
        r = new_round(client, t, campaign.id, assignee_ids=[foreign_person.id])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "assignee_ids"
        naive = new_round(client, t, campaign.id, starts_at="2026-11-20T09:00:00")
        assert naive.status_code == 422
        assert (
            client.get(
                f"/api/v1/campaigns/{campaign.id}/rounds", headers=t.headers["officer"]
            ).json()["total"]
            == 0
        )

    def test_staff_see_and_move_only_their_own_rounds(self, client: TestClient, session: Session):
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        colleague = make_member(session, t.community, Role.staff)
        mine = make_round(session, campaign, [t.building], [t.staff])
        theirs = make_round(session, campaign, [t.building], [colleague])
        listed = client.get(
            f"/api/v1/campaigns/{campaign.id}/rounds", headers=t.headers["staff"]
        ).json()
        assert [x["id"] for x in listed["items"]] == [mine.id]
        assert (
            client.get(f"/api/v1/rounds/{theirs.id}", headers=t.headers["staff"]).status_code == 404
        )
        r = client.patch(
            f"/api/v1/rounds/{mine.id}", json={"status": "in_progress"}, headers=t.headers["staff"]
        )
        assert r.status_code == 200
        assert r.json()["status"] == "in_progress"
        moved = client.patch(
            f"/api/v1/rounds/{mine.id}",
            json={"starts_at": "2026-11-21T09:00:00+08:00"},
            headers=t.headers["staff"],
        )
        assert moved.status_code == 403

    def test_schedule_lists_rounds_and_events_in_time_order(
        self, client: TestClient, session: Session
    ):
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        new_round(client, t, campaign.id)
        client.post(
            f"/api/v1/campaigns/{campaign.id}/events",
            headers=t.headers["officer"],
            json={
                "title": "便民服务日",
                "building_ids": [],
                "assignee_ids": [t.staff.id],
                "starts_at": "2026-11-19T09:00:00+08:00",
                "ends_at": "2026-11-19T11:00:00+08:00",
            },
        )
        r = client.get(
            "/api/v1/members/me/schedule",
            headers=t.headers["staff"],
            params={"from": "2026-11-18T00:00:00+08:00", "to": "2026-11-22T00:00:00+08:00"},
        )
        assert r.status_code == 200, r.text
        assert [i["kind"] for i in r.json()["items"]] == ["event", "round"]

    def test_concurrent_bookings_of_one_person_leave_one_round(
        self, client: TestClient, session: Session
    ):
        from concurrent.futures import ThreadPoolExecutor

        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        buildings = [make_building(session, t.community) for _ in range(4)]
        for b in buildings:
            make_household(session, b)
        headers = auth(session, t.officer)

        def book(building_id: int) -> int:
            r = client.post(
                f"/api/v1/campaigns/{campaign.id}/rounds",
                headers=headers,
                json={"building_ids": [building_id], "assignee_ids": [t.staff.id], **MORNING},
            )
            return r.status_code

        with ThreadPoolExecutor(4) as pool:
            codes = sorted(pool.map(book, [b.id for b in buildings]))
        assert codes == [201, 409, 409, 409]
