"""Recording contacts through the API: idempotency, batches, voids, roles, concurrency."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.campaigns.models import Campaign, Event, EventAssignee, RoundAssignee
from app.communities.models import Household
from app.contacts.models import Contact
from app.enums import Role
from tests.factories import (
    Tenant,
    auth,
    make_building,
    make_campaign,
    make_household,
    make_member,
    make_round,
    make_tenant,
    round_day,
    utc_on,
)

URL = "/api/v1/contacts"


def body(campaign: Campaign, household: Household, **kw: Any) -> dict[str, Any]:
    """A door contact (reached) by default, with a fresh id."""
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "campaign_id": campaign.id,
        "household_id": household.id,
        "channel": "door",
        "outcome": "reached",
        "occurred_at": f"{round_day(-18)}T09:30:00+08:00",
    }
    values.update(kw)
    return values


def make_event(session: Session, campaign: Campaign, assignees: list[User], **kw: Any) -> Event:
    """A convenience-service event of the campaign on 12 November afternoon."""
    starts = utc_on(-8, 6)
    event = Event(
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        title=kw.pop("title", "便民服务日"),
        services=["理发"],
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
        **kw,
    )
    session.add(event)
    session.flush()
    for user in assignees:
        session.add(EventAssignee(event_id=event.id, user_id=user.id))
    session.commit()
    return event


def stored(session: Session) -> int:
    """How many contacts the database holds (on a connection of its own, released at once)."""
    engine = session.get_bind()
    assert isinstance(engine, Engine)  # the fixture's session is bound to an engine
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Contact)) or 0


@pytest.fixture
def tenant(session: Session) -> Tenant:
    """A community with members of each role and four households."""
    return make_tenant(session)


@pytest.fixture
def campaign(session: Session, tenant: Tenant) -> Campaign:
    """An active campaign of the tenant, 30 days ago to yesterday (no contact is dated ahead)."""
    return make_campaign(session, tenant.community, starts_on=round_day(-19), ends_on=round_day(10))


class TestRecordContact:
    def test_new_contact_is_201_with_its_time_as_given(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        sent = body(campaign, tenant.households[0], flyer_given=True, residents_reached=2)
        r = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert r.status_code == 201, r.text
        got = r.json()
        assert got["id"] == sent["id"]
        assert got["occurred_at"] == f"{round_day(-18)}T09:30:00+08:00"
        assert got["local_date"] == f"{round_day(-18)}"
        assert got["recorded_by"] == tenant.officer.id
        assert got["community_id"] == tenant.community.id
        assert got["flyer_given"] is True
        assert got["residents_reached"] == 2
        assert got["voided_at"] is None
        assert stored(session) == 1

    def test_local_date_is_the_communitys_day_not_utc(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        # 23:30 UTC on 2 November is 07:30 on 3 November in Shanghai.
        sent = body(campaign, tenant.households[0], occurred_at=f"{round_day(-18)}T23:30:00Z")
        r = client.post(URL, json=sent, headers=tenant.headers["manager"])
        assert r.status_code == 201, r.text
        assert r.json()["local_date"] == f"{round_day(-17)}"
        answered = datetime.fromisoformat(r.json()["occurred_at"])
        assert answered.utcoffset() == timedelta(0)
        assert answered == utc_on(-18, 23, 30)

    def test_same_id_and_body_answers_the_stored_contact_with_200(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        sent = body(campaign, tenant.households[0])
        first = client.post(URL, json=sent, headers=tenant.headers["officer"])
        again = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        assert stored(session) == 1

    def test_same_instant_at_another_offset_is_the_same_body(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        sent = body(campaign, tenant.households[0], occurred_at=f"{round_day(-18)}T09:30:00+08:00")
        assert client.post(URL, json=sent, headers=tenant.headers["officer"]).status_code == 201
        retry = {**sent, "occurred_at": f"{round_day(-18)}T01:30:00Z", "flyer_given": False}
        r = client.post(URL, json=retry, headers=tenant.headers["officer"])
        assert r.status_code == 200, r.text
        # Answered as it was first given.
        assert r.json()["occurred_at"] == f"{round_day(-18)}T09:30:00+08:00"
        assert stored(session) == 1

    def test_same_id_with_another_body_is_409(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        sent = body(campaign, tenant.households[0], outcome="not_home")
        assert client.post(URL, json=sent, headers=tenant.headers["officer"]).status_code == 201
        r = client.post(URL, json={**sent, "outcome": "reached"}, headers=tenant.headers["officer"])
        assert r.status_code == 409
        assert r.headers["content-type"].startswith("application/problem+json")
        assert stored(session) == 1
        listed = client.get(
            f"/api/v1/campaigns/{campaign.id}/contacts", headers=tenant.headers["officer"]
        ).json()
        assert listed["items"][0]["outcome"] == "not_home"

    def test_a_retry_after_losing_the_round_still_answers_200(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        sent = body(campaign, tenant.households[0], round_id=rnd.id)
        assert client.post(URL, json=sent, headers=tenant.headers["staff"]).status_code == 201
        # The phone lost the answer; meanwhile the staff member is taken off the round.
        session.execute(delete(RoundAssignee).where(RoundAssignee.round_id == rnd.id))
        session.commit()
        r = client.post(URL, json=sent, headers=tenant.headers["staff"])
        assert r.status_code == 200, r.text


class TestValidation:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"occurred_at": f"{round_day(-18)}T09:30:00"}, "occurred_at"),
            ({"occurred_at": "1999-12-31T09:30:00+08:00"}, "occurred_at"),
            ({"occurred_at": "0001-01-01T00:00:00+08:00"}, "occurred_at"),
            ({"residents_reached": 51}, "residents_reached"),
            ({"residents_reached": -1}, "residents_reached"),
            ({"notes": "x" * 2001}, "notes"),
            ({"notes": "门口\x00"}, "notes"),
            ({"outcome": "maybe"}, "outcome"),
            ({"channel": "email"}, "channel"),
            ({"id": "not-a-uuid"}, "id"),
            ({"household_id": 2**40}, "household_id"),
            ({"colour": "red"}, "colour"),
        ],
    )
    def test_bad_field_is_422_naming_it(
        self,
        client: TestClient,
        tenant: Tenant,
        campaign: Campaign,
        session: Session,
        change: dict[str, Any],
        field: str,
    ) -> None:
        r = client.post(
            URL,
            json=body(campaign, tenant.households[0], **change),
            headers=tenant.headers["officer"],
        )
        assert r.status_code == 422, r.text
        assert field in {e["field"] for e in r.json()["errors"]}
        assert stored(session) == 0

    def test_time_more_than_a_day_ahead_is_refused(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        ahead = (datetime.now(UTC) + timedelta(days=2)).isoformat()
        r = client.post(
            URL,
            json=body(campaign, tenant.households[0], occurred_at=ahead),
            headers=tenant.headers["officer"],
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "occurred_at"

    def test_missing_campaign_is_404(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        sent = body(campaign, tenant.households[0], campaign_id=campaign.id + 1000)
        assert client.post(URL, json=sent, headers=tenant.headers["officer"]).status_code == 404

    def test_campaign_of_another_community_is_404(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        other = make_tenant(session, households=1)
        sent = body(campaign, other.households[0])
        r = client.post(URL, json=sent, headers=other.headers["manager"])
        assert r.status_code == 404

    def test_household_of_another_community_is_422(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        other = make_tenant(session, households=1)
        r = client.post(
            URL, json=body(campaign, other.households[0]), headers=tenant.headers["officer"]
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "household_id"

    @pytest.mark.parametrize("channel", ["event", "walk_in"])
    def test_event_and_walk_in_must_be_reached(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, channel: str
    ) -> None:
        sent = body(campaign, tenant.households[0], channel=channel, outcome="not_home")
        r = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "outcome"

    def test_round_only_with_a_door_contact(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        sent = body(campaign, tenant.households[0], channel="walk_in", round_id=rnd.id)
        r = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "round_id"

    def test_event_only_with_an_event_contact(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        event = make_event(session, campaign, [tenant.staff])
        sent = body(campaign, tenant.households[0], channel="door", event_id=event.id)
        r = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "event_id"

    def test_round_of_another_campaign_is_422(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        other_campaign = make_campaign(session, tenant.community, name="春节")
        rnd = make_round(session, other_campaign, [tenant.building], [tenant.staff])
        sent = body(campaign, tenant.households[0], round_id=rnd.id)
        r = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "round_id"

    def test_event_of_another_campaign_is_422(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        other_campaign = make_campaign(session, tenant.community, name="春节")
        event = make_event(session, other_campaign, [tenant.staff])
        sent = body(campaign, tenant.households[0], channel="event", event_id=event.id)
        r = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "event_id"

    def test_household_outside_the_rounds_buildings_is_422(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        elsewhere = make_building(session, tenant.community)
        household = make_household(session, elsewhere)
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        sent = body(campaign, household, round_id=rnd.id)
        r = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "household_id"


class TestStaffRules:
    def test_staff_records_door_contacts_in_their_round(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        sent = body(campaign, tenant.households[0], round_id=rnd.id)
        assert client.post(URL, json=sent, headers=tenant.headers["staff"]).status_code == 201

    def test_staff_door_contact_without_their_round_is_403(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        colleague = make_member(session, tenant.community, Role.staff)
        rnd = make_round(session, campaign, [tenant.building], [colleague])
        for extra in ({}, {"round_id": rnd.id}):
            sent = body(campaign, tenant.households[0], **extra)
            r = client.post(URL, json=sent, headers=tenant.headers["staff"])
            assert r.status_code == 403, extra
        assert stored(session) == 0

    def test_staff_record_walk_ins_anywhere_in_their_community(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        sent = body(campaign, tenant.households[3], channel="walk_in", outcome="reached")
        assert client.post(URL, json=sent, headers=tenant.headers["staff"]).status_code == 201

    @pytest.mark.parametrize("outcome", ["reached", "not_home"])
    def test_staff_phone_contacts_are_refused_for_any_household(
        self,
        client: TestClient,
        tenant: Tenant,
        campaign: Campaign,
        session: Session,
        outcome: str,
    ) -> None:
        make_round(session, campaign, [tenant.building], [tenant.staff])
        sent = body(campaign, tenant.households[3], channel="phone", outcome=outcome)
        r = client.post(URL, json=sent, headers=tenant.headers["staff"])
        assert r.status_code == 403
        assert "phone" in r.json()["detail"]
        batch = client.post(
            f"{URL}/batch", json={"contacts": [sent]}, headers=tenant.headers["staff"]
        )
        assert [x["status"] for x in batch.json()["results"]] == [403]
        assert stored(session) == 0
        ok = client.post(URL, json=sent, headers=tenant.headers["officer"])
        assert ok.status_code == 201

    def test_staff_record_attendance_only_at_their_events(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        theirs = make_event(session, campaign, [tenant.staff])
        not_theirs = make_event(session, campaign, [tenant.officer], title="磨刀")
        ok = body(campaign, tenant.households[0], channel="event", event_id=theirs.id)
        no = body(campaign, tenant.households[0], channel="event", event_id=not_theirs.id)
        assert client.post(URL, json=ok, headers=tenant.headers["staff"]).status_code == 201
        assert client.post(URL, json=no, headers=tenant.headers["staff"]).status_code == 403

    def test_no_token_is_401(self, client: TestClient, tenant: Tenant, campaign: Campaign) -> None:
        assert client.post(URL, json=body(campaign, tenant.households[0])).status_code == 401


class TestBatch:
    def test_mixed_items_each_get_their_own_status(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        h = tenant.headers["officer"]
        existing = body(campaign, tenant.households[0])
        assert client.post(URL, json=existing, headers=h).status_code == 201
        other = make_tenant(session, households=1)
        good = body(campaign, tenant.households[1], outcome="not_home")
        items: list[Any] = [
            good,
            existing,  # a retry
            {**existing, "outcome": "refused"},  # another body under a stored id
            body(campaign, other.households[0]),  # household of another community
            body(campaign, tenant.households[2], residents_reached=-3),  # bad field
            body(campaign, tenant.households[2], campaign_id=campaign.id + 999),
            "not an object",
            body(campaign, tenant.households[3], outcome="materials_left"),
        ]
        r = client.post(f"{URL}/batch", json={"contacts": items}, headers=h)
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert [x["status"] for x in results] == [201, 200, 409, 422, 422, 404, 422, 201]
        assert [x["id"] for x in results[:6]] == [i["id"] for i in items[:6]]
        assert results[6]["id"] is None
        assert "error" not in results[0] or results[0]["error"] is None
        assert results[3]["error"]["errors"][0]["field"] == "household_id"
        assert results[4]["error"]["errors"][0]["field"] == "residents_reached"
        assert stored(session) == 3

    def test_staff_batch_refuses_only_what_they_may_not_record(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        items = [
            body(campaign, tenant.households[0], round_id=rnd.id, outcome="not_home"),
            body(campaign, tenant.households[1], outcome="not_home"),  # door, no round
            body(campaign, tenant.households[2], channel="walk_in"),
        ]
        r = client.post(f"{URL}/batch", json={"contacts": items}, headers=tenant.headers["staff"])
        assert [x["status"] for x in r.json()["results"]] == [201, 403, 201]
        assert stored(session) == 2

    def test_a_whole_floor_not_home_in_one_batch_of_500(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        items = [body(campaign, tenant.households[i % 4], outcome="not_home") for i in range(500)]
        r = client.post(f"{URL}/batch", json={"contacts": items}, headers=tenant.headers["officer"])
        assert r.status_code == 200
        assert [x["status"] for x in r.json()["results"]] == [201] * 500
        assert stored(session) == 500
        again = client.post(
            f"{URL}/batch", json={"contacts": items}, headers=tenant.headers["officer"]
        )
        assert [x["status"] for x in again.json()["results"]] == [200] * 500
        assert stored(session) == 500

    def test_501_items_are_refused_whole(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        items = [body(campaign, tenant.households[0]) for _ in range(501)]
        r = client.post(f"{URL}/batch", json={"contacts": items}, headers=tenant.headers["officer"])
        assert r.status_code == 422
        assert "contacts" in {e["field"] for e in r.json()["errors"]}
        assert stored(session) == 0

    def test_the_same_id_twice_in_one_batch(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        a = body(campaign, tenant.households[0])
        items = [a, dict(a), {**a, "outcome": "refused"}]
        r = client.post(f"{URL}/batch", json={"contacts": items}, headers=tenant.headers["officer"])
        assert [x["status"] for x in r.json()["results"]] == [201, 200, 409]
        assert stored(session) == 1

    def test_empty_batch_answers_no_results(self, client: TestClient, tenant: Tenant) -> None:
        r = client.post(f"{URL}/batch", json={"contacts": []}, headers=tenant.headers["officer"])
        assert r.status_code == 200
        assert r.json() == {"results": []}


class TestListContacts:
    def test_newest_first_with_filters(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        h = tenant.headers["officer"]
        first = body(campaign, tenant.households[0], occurred_at=f"{round_day(-18)}T09:00:00+08:00")
        second = body(
            campaign,
            tenant.households[1],
            channel="walk_in",
            occurred_at=f"{round_day(-17)}T09:00:00+08:00",
        )
        for sent in (first, second):
            assert client.post(URL, json=sent, headers=h).status_code == 201
        path = f"/api/v1/campaigns/{campaign.id}/contacts"
        listed = client.get(path, headers=h).json()
        assert listed["total"] == 2
        assert [c["id"] for c in listed["items"]] == [second["id"], first["id"]]
        by_channel = client.get(path, params={"channel": "walk_in"}, headers=h).json()
        assert [c["id"] for c in by_channel["items"]] == [second["id"]]
        by_household = client.get(
            path, params={"household_id": tenant.households[0].id}, headers=h
        ).json()
        assert [c["id"] for c in by_household["items"]] == [first["id"]]

    def test_voided_are_listed_unless_excluded(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        h = tenant.headers["officer"]
        sent = body(campaign, tenant.households[0])
        client.post(URL, json=sent, headers=h)
        client.post(f"{URL}/{sent['id']}/void", json={"reason": "误触"}, headers=h)
        path = f"/api/v1/campaigns/{campaign.id}/contacts"
        assert client.get(path, headers=h).json()["total"] == 1
        assert client.get(path, params={"include_voided": False}, headers=h).json()["total"] == 0

    def test_staff_see_their_own_and_their_rounds(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        in_round = body(campaign, tenant.households[0], round_id=rnd.id)
        walk_in = body(campaign, tenant.households[1], channel="walk_in")
        officers = body(campaign, tenant.households[2], channel="walk_in")
        client.post(URL, json=in_round, headers=tenant.headers["officer"])
        client.post(URL, json=walk_in, headers=tenant.headers["staff"])
        client.post(URL, json=officers, headers=tenant.headers["officer"])
        path = f"/api/v1/campaigns/{campaign.id}/contacts"
        seen = client.get(path, headers=tenant.headers["staff"]).json()
        assert {c["id"] for c in seen["items"]} == {in_round["id"], walk_in["id"]}
        assert client.get(path, headers=tenant.headers["officer"]).json()["total"] == 3
        h = tenant.headers["staff"]
        assert client.get(f"{URL}/{in_round['id']}", headers=h).status_code == 200
        assert client.get(f"{URL}/{officers['id']}", headers=h).status_code == 404

    def test_another_communitys_campaign_is_404(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        other = make_tenant(session, households=0)
        path = f"/api/v1/campaigns/{campaign.id}/contacts"
        assert client.get(path, headers=other.headers["manager"]).status_code == 404


class TestVoid:
    def test_void_keeps_the_contact_with_who_when_and_why(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        sent = body(campaign, tenant.households[0])
        client.post(URL, json=sent, headers=tenant.headers["officer"])
        r = client.post(
            f"{URL}/{sent['id']}/void", json={"reason": "点错了"}, headers=tenant.headers["manager"]
        )
        assert r.status_code == 200, r.text
        got = r.json()
        assert got["voided_by"] == tenant.manager.id
        assert got["void_reason"] == "点错了"
        assert got["voided_at"] is not None
        assert got["occurred_at"] == f"{round_day(-18)}T09:30:00+08:00"
        assert stored(session) == 1

    def test_voiding_twice_is_harmless_and_keeps_the_first(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        sent = body(campaign, tenant.households[0])
        client.post(URL, json=sent, headers=tenant.headers["officer"])
        first = client.post(
            f"{URL}/{sent['id']}/void", json={"reason": "first"}, headers=tenant.headers["officer"]
        )
        second = client.post(
            f"{URL}/{sent['id']}/void", json={"reason": "second"}, headers=tenant.headers["manager"]
        )
        assert (first.status_code, second.status_code) == (200, 200)
        assert second.json()["void_reason"] == "first"
        assert second.json()["voided_by"] == tenant.officer.id
        assert second.json()["voided_at"] == first.json()["voided_at"]

    def test_staff_void_only_what_they_recorded(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        officers = body(campaign, tenant.households[0], channel="walk_in")
        theirs = body(campaign, tenant.households[1], channel="walk_in")
        client.post(URL, json=officers, headers=tenant.headers["officer"])
        client.post(URL, json=theirs, headers=tenant.headers["staff"])
        h = tenant.headers["staff"]
        assert (
            client.post(f"{URL}/{officers['id']}/void", json={"reason": "x"}, headers=h).status_code
            == 403
        )
        assert (
            client.post(f"{URL}/{theirs['id']}/void", json={"reason": "x"}, headers=h).status_code
            == 200
        )

    def test_another_communitys_contact_is_404(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        sent = body(campaign, tenant.households[0])
        client.post(URL, json=sent, headers=tenant.headers["officer"])
        other = make_tenant(session, households=0)
        r = client.post(
            f"{URL}/{sent['id']}/void", json={"reason": "x"}, headers=other.headers["manager"]
        )
        assert r.status_code == 404
        assert (
            client.get(f"{URL}/{sent['id']}", headers=other.headers["manager"]).status_code == 404
        )

    def test_unknown_contact_and_empty_reason(
        self, client: TestClient, tenant: Tenant, campaign: Campaign
    ) -> None:
        h = tenant.headers["officer"]

        def void(contact_id: str, reason: str) -> int:
            r = client.post(f"{URL}/{contact_id}/void", json={"reason": reason}, headers=h)
            return int(r.status_code)

        assert void(str(uuid.uuid4()), "x") == 404
        assert void("not-a-uuid", "x") == 422
        sent = body(campaign, tenant.households[0])
        client.post(URL, json=sent, headers=h)
        assert void(sent["id"], "") == 422
        assert void(sent["id"], "误触\x00") == 422
        assert client.get(f"{URL}/{sent['id']}", headers=h).json()["voided_at"] is None


def _post_all(
    client: TestClient, bodies: list[dict[str, Any]], headers: list[dict[str, str]]
) -> list[int]:
    """Send every body at once from its own thread; the statuses in order."""
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = [0] * len(bodies)

    def send(i: int) -> None:
        barrier.wait()
        statuses[i] = client.post(URL, json=bodies[i], headers=headers[i]).status_code

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


class TestConcurrency:
    def test_the_same_id_sent_eight_times_at_once_is_stored_once(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        sent = body(campaign, tenant.households[0])
        statuses = _post_all(client, [sent] * 8, [tenant.headers["officer"]] * 8)
        assert sorted(statuses) == [200] * 7 + [201]
        assert stored(session) == 1

    def test_eight_staff_recording_one_household_at_once_all_land(
        self, client: TestClient, tenant: Tenant, campaign: Campaign, session: Session
    ) -> None:
        staff = [make_member(session, tenant.community, Role.staff) for _ in range(8)]
        headers = [auth(session, s) for s in staff]
        rnd = make_round(session, campaign, [tenant.building], staff)
        bodies = [body(campaign, tenant.households[0], round_id=rnd.id) for _ in staff]
        assert _post_all(client, bodies, headers) == [201] * 8
        assert stored(session) == 8


class TestRoundProgress:
    """A round is in progress from its first contact, done once every door has an outcome."""

    def status(self, client: TestClient, tenant: Tenant, round_id: int) -> str:
        r = client.get(f"/api/v1/rounds/{round_id}", headers=tenant.headers["staff"])
        status: str = r.json()["status"]
        return status

    def test_first_contact_starts_and_last_door_finishes_the_round(
        self, client: TestClient, session: Session
    ) -> None:
        from app.enums import Occupancy

        tenant = make_tenant(session, households=4)
        vacant = tenant.households[3]
        vacant.occupancy = Occupancy.vacant
        session.commit()
        campaign = make_campaign(session, tenant.community)
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        staff = tenant.headers["staff"]
        assert self.status(client, tenant, rnd.id) == "planned"

        first, second, third = tenant.households[:3]
        r = client.post(URL, json=body(campaign, first, round_id=rnd.id), headers=staff)
        assert r.status_code == 201
        assert self.status(client, tenant, rnd.id) == "in_progress"

        # A contact outside the round (no round_id) moves nothing.
        client.post(URL, json=body(campaign, second), headers=tenant.headers["officer"])
        assert self.status(client, tenant, rnd.id) == "in_progress"

        batch = [body(campaign, h, round_id=rnd.id, outcome="not_home") for h in (second, third)]
        r = client.post(f"{URL}/batch", json={"contacts": batch}, headers=staff)
        assert [i["status"] for i in r.json()["results"]] == [201, 201]
        # The registry-vacant household has no door to knock: the round is done without it.
        assert self.status(client, tenant, rnd.id) == "done"

    def test_a_round_narrowed_to_units_is_done_when_those_units_are(
        self, client: TestClient, session: Session
    ) -> None:
        tenant = make_tenant(session, households=4)  # units 1 and 2
        campaign = make_campaign(session, tenant.community)
        units = {str(tenant.building.id): ["2"]}
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff], units=units)
        whole = make_round(session, campaign, [tenant.building], [tenant.staff])
        staff = tenant.headers["staff"]
        in_unit = [h for h in tenant.households if h.unit == "2"]
        assert in_unit
        assert len(in_unit) < len(tenant.households)
        for household in in_unit:
            sent = body(campaign, household, round_id=rnd.id, outcome="refused")
            assert client.post(URL, json=sent, headers=staff).status_code == 201
        assert self.status(client, tenant, rnd.id) == "done"
        # The same doors do not finish a round of the whole building.
        first = body(campaign, in_unit[0], round_id=whole.id)
        assert client.post(URL, json=first, headers=staff).status_code == 201
        assert self.status(client, tenant, whole.id) == "in_progress"

    def test_contacts_of_another_campaign_finish_no_round(
        self, client: TestClient, session: Session
    ) -> None:
        tenant = make_tenant(session, households=2)
        earlier = make_campaign(session, tenant.community)
        campaign = make_campaign(session, tenant.community)
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        first, second = tenant.households[:2]
        officer = tenant.headers["officer"]
        assert client.post(URL, json=body(earlier, second), headers=officer).status_code == 201
        sent = body(campaign, first, round_id=rnd.id)
        assert client.post(URL, json=sent, headers=tenant.headers["staff"]).status_code == 201
        assert self.status(client, tenant, rnd.id) == "in_progress"
        assert client.post(URL, json=body(campaign, second), headers=officer).status_code == 201
        again = body(campaign, first, round_id=rnd.id, outcome="reached")
        assert client.post(URL, json=again, headers=tenant.headers["staff"]).status_code == 201
        assert self.status(client, tenant, rnd.id) == "done"

    def test_a_voided_contact_is_no_outcome_for_its_door(
        self, client: TestClient, session: Session
    ) -> None:
        tenant = make_tenant(session, households=2)
        campaign = make_campaign(session, tenant.community)
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        staff = tenant.headers["staff"]
        first, second = tenant.households[:2]
        sent = body(campaign, first, round_id=rnd.id)
        assert client.post(URL, json=sent, headers=staff).status_code == 201
        r = client.post(f"{URL}/{sent['id']}/void", json={"reason": "wrong door"}, headers=staff)
        assert r.status_code == 200
        later = body(campaign, second, round_id=rnd.id)
        assert client.post(URL, json=later, headers=staff).status_code == 201
        assert self.status(client, tenant, rnd.id) == "in_progress"

    def test_staff_mark_their_round_done(self, client: TestClient, session: Session) -> None:
        tenant = make_tenant(session)
        campaign = make_campaign(session, tenant.community)
        rnd = make_round(session, campaign, [tenant.building], [tenant.staff])
        r = client.patch(
            f"/api/v1/rounds/{rnd.id}", json={"status": "done"}, headers=tenant.headers["staff"]
        )
        assert r.status_code == 200
        assert r.json()["status"] == "done"
