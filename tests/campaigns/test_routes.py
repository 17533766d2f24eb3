"""Campaigns, rounds and events, and the scheduling rules they obey."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.models import Membership
from app.enums import Occupancy, Role
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
    round_day,
    utc_on,
)

MORNING = {
    "starts_at": f"{round_day(0)}T09:00:00+08:00",
    "ends_at": f"{round_day(0)}T12:00:00+08:00",
}


def new_round(client: TestClient, t: Tenant, campaign_id: int, **body: Any) -> Any:
    """POST a round as the officer."""
    payload = {"building_ids": [t.building.id], "assignee_ids": [t.staff.id], **MORNING, **body}
    return client.post(
        f"/api/v1/campaigns/{campaign_id}/rounds", json=payload, headers=t.headers["officer"]
    )


class TestCampaigns:
    def test_create_with_catalogue_topics(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/campaigns",
            headers=t.headers["officer"],
            json={
                "name": "冬季反诈",
                "starts_on": f"{round_day(-19)}",
                "ends_on": f"{round_day(10)}",
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
    ) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/campaigns"
        base = {
            "name": "x",
            "starts_on": f"{round_day(-19)}",
            "ends_on": f"{round_day(10)}",
            "target_coverage": 0.9,
        }
        r = client.post(url, json={**base, "topics": ["ufo"]}, headers=t.headers["officer"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "topics"
        r = client.post(
            url, json={**base, "ends_on": f"{round_day(-50)}"}, headers=t.headers["officer"]
        )
        assert r.status_code == 422
        r = client.post(url, json={**base, "target_coverage": 1.5}, headers=t.headers["officer"])
        assert r.json()["errors"][0]["field"] == "target_coverage"
        assert client.post(url, json=base, headers=t.headers["staff"]).status_code == 403

    def test_catalogue_is_bilingual(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        items = client.get("/api/v1/fraud-types", headers=t.headers["staff"]).json()["items"]
        codes = {i["code"]: i for i in items}
        assert len(items) >= 11
        video = codes["fake_customer_service_video"]
        assert "FaceTime" in video["summary_zh"] or "视频" in video["summary_zh"]
        assert all(video[k] for k in ("name_en", "advice_en", "advice_zh"))


class TestRounds:
    def test_create_and_checklist_with_statuses(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=3)
        campaign = make_campaign(session, t.community)
        r = new_round(client, t, campaign.id)
        assert r.status_code == 201, r.text
        rnd = r.json()
        assert rnd["building_ids"] == [t.building.id]
        assert rnd["assignee_ids"] == [t.staff.id]
        assert datetime.fromisoformat(rnd["starts_at"]) == utc_on(0, 1)
        contact = {
            "id": str(uuid.uuid4()),
            "campaign_id": campaign.id,
            "household_id": t.households[0].id,
            "channel": "door",
            "outcome": "not_home",
            "occurred_at": f"{round_day(0)}T09:10:00+08:00",
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
    ) -> None:
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        first = new_round(client, t, campaign.id).json()
        r = new_round(
            client,
            t,
            campaign.id,
            starts_at=f"{round_day(0)}T11:00:00+08:00",
            ends_at=f"{round_day(0)}T13:00:00+08:00",
        )
        assert r.status_code == 409
        assert f"round {first['id']}" in r.json()["detail"]
        assert str(t.staff.id) in r.json()["detail"]
        back_to_back = new_round(
            client,
            t,
            campaign.id,
            starts_at=f"{round_day(0)}T12:00:00+08:00",
            ends_at=f"{round_day(0)}T14:00:00+08:00",
        )
        assert back_to_back.status_code == 201

    def test_cancelled_round_does_not_clash(self, client: TestClient, session: Session) -> None:
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

    def test_events_and_rounds_clash_with_each_other(
        self, client: TestClient, session: Session
    ) -> None:
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
    ) -> None:
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        late = new_round(
            client,
            t,
            campaign.id,
            starts_at=f"{round_day(46)}T09:00:00+08:00",
            ends_at=f"{round_day(46)}T10:00:00+08:00",
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
        naive = new_round(client, t, campaign.id, starts_at=f"{round_day(0)}T09:00:00")
        assert naive.status_code == 422
        assert (
            client.get(
                f"/api/v1/campaigns/{campaign.id}/rounds", headers=t.headers["officer"]
            ).json()["total"]
            == 0
        )

    def test_staff_see_and_move_only_their_own_rounds(
        self, client: TestClient, session: Session
    ) -> None:
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
            json={"starts_at": f"{round_day(1)}T09:00:00+08:00"},
            headers=t.headers["staff"],
        )
        assert moved.status_code == 403

    def test_schedule_lists_rounds_and_events_in_time_order(
        self, client: TestClient, session: Session
    ) -> None:
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
                "starts_at": f"{round_day(-1)}T09:00:00+08:00",
                "ends_at": f"{round_day(-1)}T11:00:00+08:00",
            },
        )
        r = client.get(
            "/api/v1/members/me/schedule",
            headers=t.headers["staff"],
            params={
                "from": f"{round_day(-2)}T00:00:00+08:00",
                "to": f"{round_day(2)}T00:00:00+08:00",
            },
        )
        assert r.status_code == 200, r.text
        assert [i["kind"] for i in r.json()["items"]] == ["event", "round"]

    def test_concurrent_bookings_of_one_person_leave_one_round(
        self, client: TestClient, session: Session
    ) -> None:
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
            return int(r.status_code)

        with ThreadPoolExecutor(4) as pool:
            codes = sorted(pool.map(book, [b.id for b in buildings]))
        assert codes == [201, 409, 409, 409]


def record(client: TestClient, t: Tenant, campaign_id: int, household_id: int, **kw: Any) -> None:
    """Record one contact through the API, as the staff member on the round."""
    body = {
        "id": str(uuid.uuid4()),
        "campaign_id": campaign_id,
        "household_id": household_id,
        "channel": "door",
        "outcome": "reached",
        "occurred_at": f"{round_day(0)}T09:30:00+08:00",
        **kw,
    }
    r = client.post("/api/v1/contacts", json=body, headers=t.headers["staff"])
    assert r.status_code == 201, r.text


def new_event(client: TestClient, t: Tenant, campaign_id: int, **body: Any) -> Any:
    """POST an event as the officer."""
    payload = {
        "title": "便民服务日",
        "services": ["磨刀"],
        "location": "中心花园",
        "building_ids": [t.building.id],
        "assignee_ids": [t.staff.id],
        **MORNING,
        **body,
    }
    return client.post(
        f"/api/v1/campaigns/{campaign_id}/events", json=payload, headers=t.headers["officer"]
    )


class TestCatalogue:
    def test_one_entry_by_code(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        r = client.get("/api/v1/fraud-types/refund_scam", headers=t.headers["staff"])
        assert r.status_code == 200
        assert r.json()["code"] == "refund_scam"
        assert r.json()["name_zh"]

    def test_unknown_code_is_404_and_login_is_needed(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        assert client.get("/api/v1/fraud-types/ufo", headers=t.headers["staff"]).status_code == 404
        assert client.get("/api/v1/fraud-types").status_code == 401


class TestUpdateCampaign:
    def test_rename_and_close(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        r = client.patch(
            f"/api/v1/campaigns/{campaign.id}",
            json={"name": "春节前走访", "status": "closed", "topics": ["refund_scam"]},
            headers=t.headers["manager"],
        )
        assert r.status_code == 200, r.text
        assert r.json()["name"] == "春节前走访"
        assert r.json()["status"] == "closed"
        assert r.json()["topics"] == ["refund_scam"]

    def test_bad_changes_are_refused_and_change_nothing(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        url = f"/api/v1/campaigns/{campaign.id}"
        officer = t.headers["officer"]
        r = client.patch(url, json={"topics": ["refund_scam", "refund_scam"]}, headers=officer)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "topics"
        r = client.patch(url, json={"ends_on": f"{round_day(-50)}"}, headers=officer)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "ends_on"
        r = client.patch(url, json={"name": None}, headers=officer)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "name"
        assert client.patch(url, json={"name": "x"}, headers=t.headers["staff"]).status_code == 403
        assert client.get(url, headers=officer).json()["name"] == campaign.name

    def test_new_dates_must_still_hold_the_rounds(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        rnd = new_round(client, t, campaign.id).json()  # 20 November
        url = f"/api/v1/campaigns/{campaign.id}"
        r = client.patch(url, json={"starts_on": f"{round_day(5)}"}, headers=t.headers["officer"])
        assert r.status_code == 409
        assert f"round {rnd['id']}" in r.json()["detail"]
        assert (
            client.get(url, headers=t.headers["officer"]).json()["starts_on"] == f"{round_day(-19)}"
        )
        client.patch(
            f"/api/v1/rounds/{rnd['id']}",
            json={"status": "cancelled"},
            headers=t.headers["officer"],
        )
        r = client.patch(url, json={"starts_on": f"{round_day(5)}"}, headers=t.headers["officer"])
        assert r.status_code == 200
        assert r.json()["starts_on"] == f"{round_day(5)}"


class TestSchedulingRules:
    def test_campaign_dates_are_the_community_local_dates(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)  # from 1 November, Asia/Shanghai
        # 00:30 on 1 November in Shanghai is still 31 October in UTC: inside the campaign.
        early = new_round(
            client,
            t,
            campaign.id,
            starts_at=f"{round_day(-19)}T00:30:00+08:00",
            ends_at=f"{round_day(-19)}T01:30:00+08:00",
        )
        assert early.status_code == 201, early.text
        too_early = new_round(
            client,
            t,
            campaign.id,
            starts_at=f"{round_day(-20)}T23:30:00+08:00",
            ends_at=f"{round_day(-19)}T00:15:00+08:00",
        )
        assert too_early.status_code == 422
        assert too_early.json()["errors"][0]["field"] == "starts_at"

    def test_empty_buildings_reversed_times_and_unknown_units_are_refused(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        r = new_round(client, t, campaign.id, building_ids=[])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "building_ids"
        r = new_round(client, t, campaign.id, ends_at=MORNING["starts_at"])
        assert r.status_code == 422
        r = new_round(client, t, campaign.id, units={"999999": ["1"]})
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "units"
        r = new_round(client, t, campaign.id, building_ids=[2_147_483_648])
        assert r.status_code == 422

    def test_a_deactivated_member_cannot_be_assigned(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        gone = make_member(session, t.community, Role.staff)
        gone.is_active = False
        session.commit()
        r = new_round(client, t, campaign.id, assignee_ids=[gone.id])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "assignee_ids"

    def test_a_closed_campaign_takes_no_new_rounds_or_events(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community, status="closed")
        assert new_round(client, t, campaign.id).status_code == 409
        assert new_event(client, t, campaign.id).status_code == 409

    def test_clash_across_communities_names_the_person(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        other = make_tenant(session, households=0)
        # The same staff member also works in the other community.
        session.add(Membership(user_id=t.staff.id, community_id=other.community.id, role="staff"))
        session.commit()
        there = make_campaign(session, other.community)
        busy = client.post(
            f"/api/v1/campaigns/{there.id}/rounds",
            headers=other.headers["officer"],
            json={"building_ids": [other.building.id], "assignee_ids": [t.staff.id], **MORNING},
        )
        assert busy.status_code == 201, busy.text
        here = make_campaign(session, t.community)
        r = new_round(client, t, here.id)
        assert r.status_code == 409
        detail = r.json()["detail"]
        assert t.staff.display_name in detail
        assert f"round {busy.json()['id']}" in detail
        # Times are shown in the community's time zone.
        assert f"{round_day(0)}T09:00+08:00" in detail
        assert f"{round_day(0)}T12:00+08:00" in detail
        clash = r.json()["errors"][0]
        assert (clash["user_id"], clash["kind"], clash["id"]) == (
            t.staff.id,
            "round",
            busy.json()["id"],
        )

    def test_moving_a_round_onto_another_is_409_but_it_never_clashes_with_itself(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        first = new_round(client, t, campaign.id).json()
        second = new_round(
            client,
            t,
            campaign.id,
            starts_at=f"{round_day(0)}T14:00:00+08:00",
            ends_at=f"{round_day(0)}T16:00:00+08:00",
        ).json()
        url = f"/api/v1/rounds/{second['id']}"
        r = client.patch(
            url, json={"ends_at": f"{round_day(0)}T17:00:00+08:00"}, headers=t.headers["officer"]
        )
        assert r.status_code == 200, r.text
        r = client.patch(
            url, json={"starts_at": f"{round_day(0)}T11:00:00+08:00"}, headers=t.headers["officer"]
        )
        assert r.status_code == 409
        assert f"round {first['id']}" in r.json()["detail"]
        kept = client.get(url, headers=t.headers["officer"]).json()
        assert datetime.fromisoformat(kept["starts_at"]) == utc_on(0, 6)


class TestRoundStatus:
    def test_staff_move_forward_and_cannot_go_back_or_cancel(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        rnd = make_round(session, campaign, [t.building], [t.staff])
        url = f"/api/v1/rounds/{rnd.id}"
        staff = t.headers["staff"]
        assert client.patch(url, json={"status": "cancelled"}, headers=staff).status_code == 403
        assert client.patch(url, json={"status": "in_progress"}, headers=staff).status_code == 200
        assert client.patch(url, json={"status": "done"}, headers=staff).status_code == 200
        back = client.patch(url, json={"status": "in_progress"}, headers=staff)
        assert back.status_code == 409
        assert back.json()["errors"][0]["field"] == "status"
        assert client.get(url, headers=staff).json()["status"] == "done"

    def test_cancelled_is_final(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        rnd = make_round(session, campaign, [t.building], [t.staff])
        url = f"/api/v1/rounds/{rnd.id}"
        officer = t.headers["officer"]
        assert client.patch(url, json={"status": "cancelled"}, headers=officer).status_code == 200
        assert client.patch(url, json={"status": "planned"}, headers=officer).status_code == 409

    def test_status_changes_do_not_recheck_the_slot(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        rnd = make_round(session, campaign, [t.building], [t.staff])
        # The campaign is moved afterwards; the round under way can still be finished.
        campaign.starts_on = campaign.starts_on.replace(day=25)
        session.commit()
        r = client.patch(
            f"/api/v1/rounds/{rnd.id}", json={"status": "in_progress"}, headers=t.headers["staff"]
        )
        assert r.status_code == 200


class TestChecklist:
    def test_each_household_with_where_it_is_and_its_status(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        lonely = make_household(
            session, t.building, unit="1", floor=3, room="301", flags=("elderly_alone",)
        )
        empty = make_household(
            session, t.building, unit="1", floor=2, room="201", occupancy=Occupancy.vacant
        )
        visited = make_household(session, t.building, unit="1", floor=1, room="101")
        rnd = make_round(session, campaign, [t.building], [t.staff])
        record(client, t, campaign.id, visited.id, outcome="not_home", round_id=rnd.id)
        record(
            client,
            t,
            campaign.id,
            visited.id,
            outcome="reached",
            round_id=rnd.id,
            occurred_at=f"{round_day(0)}T10:00:00+08:00",
        )
        r = client.get(f"/api/v1/rounds/{rnd.id}/households", headers=t.headers["staff"])
        assert r.status_code == 200
        items = r.json()["items"]
        assert [i["id"] for i in items] == [visited.id, empty.id, lonely.id]  # by floor
        first = items[0]
        assert first["building_code"] == t.building.code
        assert (first["unit"], first["floor"], first["room"]) == ("1", 1, "101")
        assert first["code"] == visited.code
        assert first["status"] == "reached"
        assert first["contacts"] == 2
        assert datetime.fromisoformat(first["last_contact_at"]) == utc_on(0, 2)
        assert items[1]["occupancy"] == "vacant"
        assert items[1]["excluded"] is True
        assert items[2]["flags"] == ["elderly_alone"]
        assert items[2]["status"] == "unvisited"

    def test_units_narrow_the_checklist(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=4)  # units 1 and 2
        campaign = make_campaign(session, t.community)
        r = new_round(client, t, campaign.id, units={str(t.building.id): ["2"]})
        assert r.status_code == 201, r.text
        assert r.json()["units"] == {str(t.building.id): ["2"]}
        items = client.get(
            f"/api/v1/rounds/{r.json()['id']}/households", headers=t.headers["staff"]
        ).json()["items"]
        assert {i["unit"] for i in items} == {"2"}
        assert len(items) == 2

    def test_another_members_round_checklist_is_hidden(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        colleague = make_member(session, t.community, Role.staff)
        theirs = make_round(session, campaign, [t.building], [colleague])
        r = client.get(f"/api/v1/rounds/{theirs.id}/households", headers=t.headers["staff"])
        assert r.status_code == 404
        stranger = make_tenant(session, households=0)
        r = client.get(
            f"/api/v1/rounds/{theirs.id}/households", headers=stranger.headers["officer"]
        )
        assert r.status_code == 404


class TestEvents:
    def test_create_read_and_change(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        r = new_event(client, t, campaign.id)
        assert r.status_code == 201, r.text
        event = r.json()
        assert event["services"] == ["磨刀"]
        assert event["building_ids"] == [t.building.id]
        assert event["status"] == "planned"
        url = f"/api/v1/events/{event['id']}"
        r = client.patch(
            url, json={"title": "义诊 + 反诈咨询", "location": None}, headers=t.headers["officer"]
        )
        assert r.status_code == 200, r.text
        assert (r.json()["title"], r.json()["location"]) == ("义诊 + 反诈咨询", None)
        assert client.get(url, headers=t.headers["staff"]).json()["title"] == "义诊 + 反诈咨询"

    def test_staff_see_only_their_events_and_cannot_change_them(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        colleague = make_member(session, t.community, Role.staff)
        mine = new_event(client, t, campaign.id).json()
        theirs = new_event(client, t, campaign.id, assignee_ids=[colleague.id]).json()
        listed = client.get(
            f"/api/v1/campaigns/{campaign.id}/events", headers=t.headers["staff"]
        ).json()
        assert [e["id"] for e in listed["items"]] == [mine["id"]]
        staff = t.headers["staff"]
        assert client.get(f"/api/v1/events/{theirs['id']}", headers=staff).status_code == 404
        r = client.patch(f"/api/v1/events/{mine['id']}", json={"title": "x"}, headers=staff)
        assert r.status_code == 403

    def test_moving_an_event_onto_a_round_is_409_and_cancelling_frees_the_slot(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        rnd = new_round(client, t, campaign.id).json()
        event = new_event(
            client,
            t,
            campaign.id,
            starts_at=f"{round_day(0)}T14:00:00+08:00",
            ends_at=f"{round_day(0)}T16:00:00+08:00",
        ).json()
        url = f"/api/v1/events/{event['id']}"
        officer = t.headers["officer"]
        r = client.patch(url, json={"starts_at": f"{round_day(0)}T10:00:00+08:00"}, headers=officer)
        assert r.status_code == 409
        assert f"round {rnd['id']}" in r.json()["detail"]
        client.patch(f"/api/v1/rounds/{rnd['id']}", json={"status": "cancelled"}, headers=officer)
        r = client.patch(url, json={"starts_at": f"{round_day(0)}T10:00:00+08:00"}, headers=officer)
        assert r.status_code == 200


class TestSchedule:
    def test_only_my_items_across_communities(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        other = make_tenant(session, households=0)
        session.add(Membership(user_id=t.staff.id, community_id=other.community.id, role="staff"))
        session.commit()
        here = make_campaign(session, t.community)
        there = make_campaign(session, other.community)
        mine_here = make_round(session, here, [t.building], [t.staff])
        mine_there = make_round(
            session,
            there,
            [other.building],
            [t.staff],
            starts_at=utc_on(-1, 1),
        )
        make_round(session, here, [t.building], [t.officer])  # not mine
        r = client.get(
            "/api/v1/members/me/schedule",
            headers=t.headers["staff"],
            params={
                "from": f"{round_day(-2)}T00:00:00+08:00",
                "to": f"{round_day(2)}T00:00:00+08:00",
            },
        )
        items = r.json()["items"]
        assert [(i["community_id"], i["id"]) for i in items] == [
            (other.community.id, mine_there.id),
            (t.community.id, mine_here.id),
        ]
        assert items[0]["building_codes"] == [other.building.code]
        assert items[0]["campaign_name"] == there.name

    def test_window_outside_is_empty_and_bad_windows_are_422(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        make_round(session, campaign, [t.building], [t.staff])
        url = "/api/v1/members/me/schedule"
        staff = t.headers["staff"]
        later = {"from": f"{round_day(1)}T00:00:00+08:00", "to": f"{round_day(2)}T00:00:00+08:00"}
        assert client.get(url, headers=staff, params=later).json()["total"] == 0
        backwards = {"from": later["to"], "to": later["from"]}
        assert client.get(url, headers=staff, params=backwards).status_code == 422
        naive = {"from": f"{round_day(1)}T00:00:00"}
        assert client.get(url, headers=staff, params=naive).status_code == 422
