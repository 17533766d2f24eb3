"""The coverage rules on a hand-built scenario where every figure is known."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.enums import Occupancy
from tests.factories import Tenant, make_building, make_campaign, make_household, make_tenant

DAY1 = "2026-11-20T10:00:00+08:00"
DAY1_LATE = "2026-11-20T23:30:00+08:00"
DAY2_EARLY = "2026-11-21T00:30:00+08:00"  # still 20 November in UTC


def record(
    client: TestClient,
    headers: dict[str, str],
    campaign_id: int,
    household_id: int,
    outcome: str,
    when: str,
    channel: str = "door",
    **extra: Any,
) -> str:
    """Record one contact through the API and return its id."""
    cid = str(uuid.uuid4())
    r = client.post(
        "/api/v1/contacts",
        headers=headers,
        json={
            "id": cid,
            "campaign_id": campaign_id,
            "household_id": household_id,
            "channel": channel,
            "outcome": outcome,
            "occurred_at": when,
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    return cid


@pytest.fixture
def scenario(client: TestClient, session: Session) -> tuple[Tenant, int, dict[str, Any]]:
    """Eleven households whose statuses exercise every rule."""
    t = make_tenant(session, households=0)
    a, b = t.building, make_building(session, t.community, code="B2")
    h = {
        n: make_household(session, a if n <= 6 else b, floor=n, room=f"{n}01") for n in range(1, 12)
    }
    h[4].occupancy = Occupancy.vacant
    h[7].__dict__.get("id")
    session.commit()
    make_household(session, a, flags=("elderly_alone",), room="999", floor=9)  # h12 unvisited
    campaign = make_campaign(session, t.community)
    officer = t.headers["officer"]
    c = campaign.id
    record(
        client,
        officer,
        c,
        h[1].id,
        "reached",
        DAY1,
        flyer_given=True,
        app_installed=True,
        residents_reached=2,
    )
    record(client, officer, c, h[2].id, "not_home", DAY1)
    record(
        client, officer, c, h[2].id, "reached", DAY2_EARLY, pledge_signed=True, residents_reached=1
    )
    record(client, officer, c, h[3].id, "refused", DAY1)
    record(client, officer, c, h[5].id, "not_home", DAY1)
    record(client, officer, c, h[5].id, "vacant", DAY1_LATE)
    record(client, officer, c, h[6].id, "vacant", DAY1)
    record(client, officer, c, h[6].id, "reached", DAY1_LATE)
    record(client, officer, c, h[7].id, "reached", DAY1, app_installed=True)
    record(client, officer, c, h[7].id, "reached", DAY2_EARLY, channel="event", app_installed=True)
    voided = record(client, officer, c, h[8].id, "reached", DAY1)
    r = client.post(f"/api/v1/contacts/{voided}/void", json={"reason": "点错了"}, headers=officer)
    assert r.status_code == 200
    record(client, officer, c, h[9].id, "not_home", DAY1)
    record(client, officer, c, h[11].id, "materials_left", DAY1, flyer_given=True)
    return t, c, {"b2": b.id, "a": a.id, "h": h}


class TestCoverageFigures:
    def test_headline(self, client: TestClient, scenario: tuple[Tenant, int, dict[str, Any]]):
        t, campaign_id, _ = scenario
        r = client.get(f"/api/v1/campaigns/{campaign_id}/coverage", headers=t.headers["manager"])
        assert r.status_code == 200, r.text
        cov = r.json()
        # 12 households; h4 (vacant occupancy) and h5 (latest contact vacant) are excluded.
        assert (cov["households"], cov["excluded"], cov["eligible"]) == (12, 2, 10)
        # h1, h2 (after not home), h6 (vacant then reached), h7 (door and event).
        assert cov["reached"] == 4
        assert cov["coverage"] == pytest.approx(0.4)
        assert cov["by_status"] == {
            "reached": 4,
            "refused": 1,
            "materials_left": 1,
            "not_home": 1,
            "unvisited": 3,
        }
        assert cov["by_channel"] == {"door": 4, "event": 1, "walk_in": 0, "phone": 0}
        assert cov["never_visited"] == 3  # h8 (voided only), h10, h12
        assert cov["revisits"] == {
            "first_not_home": 3,
            "revisited": 2,
            "reached_since": 1,
            "not_yet_revisited": 1,
        }
        assert cov["extras"]["app_installs"] == 2  # h1 and h7, once each
        assert cov["extras"]["residents_reached"] == 3
        assert cov["extras"]["pledges_signed"] == 1

    def test_per_building_and_flags(
        self, client: TestClient, scenario: tuple[Tenant, int, dict[str, Any]]
    ):
        t, campaign_id, ids = scenario
        cov = client.get(
            f"/api/v1/campaigns/{campaign_id}/coverage", headers=t.headers["officer"]
        ).json()
        by_id = {b["building_id"]: b for b in cov["by_building"]}
        a, b2 = by_id[ids["a"]], by_id[ids["b2"]]
        assert (a["households"], a["excluded"], a["eligible"], a["reached"]) == (7, 2, 5, 3)
        assert (b2["households"], b2["excluded"], b2["eligible"], b2["reached"]) == (5, 0, 5, 1)
        assert b2["coverage"] == pytest.approx(0.2)
        assert cov["flagged"]["by_flag"]["elderly_alone"] == {
            "reached": 0,
            "eligible": 1,
            "excluded": 0,
            "coverage": 0.0,
        }

    def test_days_are_local_dates(
        self, client: TestClient, scenario: tuple[Tenant, int, dict[str, Any]]
    ):
        t, campaign_id, _ = scenario
        cov = client.get(
            f"/api/v1/campaigns/{campaign_id}/coverage", headers=t.headers["manager"]
        ).json()
        days = {d["date"]: d for d in cov["by_day"]}
        assert sorted(days) == ["2026-11-20", "2026-11-21"]
        # 00:30 on 21 November in Shanghai is the 21st, though still the 20th in UTC.
        assert days["2026-11-21"]["newly_reached"] == 1  # h2; h7 was reached on the 20th
        assert days["2026-11-21"]["reached"] == 2
        assert days["2026-11-20"]["newly_reached"] == 3
        assert days["2026-11-21"]["cumulative_reached"] == 4
        assert days["2026-11-21"]["cumulative_coverage"] == pytest.approx(0.4)

    def test_staff_cannot_read_coverage(
        self, client: TestClient, scenario: tuple[Tenant, int, dict[str, Any]]
    ):
        t, campaign_id, _ = scenario
        r = client.get(f"/api/v1/campaigns/{campaign_id}/coverage", headers=t.headers["staff"])
        assert r.status_code == 403

    def test_re_recording_never_double_counts(self, client: TestClient, session: Session):
        t = make_tenant(session, households=2)
        campaign = make_campaign(session, t.community)
        for _ in range(3):
            record(client, t.headers["officer"], campaign.id, t.households[0].id, "reached", DAY1)
        cov = client.get(
            f"/api/v1/campaigns/{campaign.id}/coverage", headers=t.headers["manager"]
        ).json()
        assert (cov["reached"], cov["eligible"]) == (1, 2)
        assert cov["coverage"] == pytest.approx(0.5)
        assert cov["by_day"][0]["contacts"] == 3
        assert cov["by_day"][0]["visited"] == 1

    def test_ledger_ranks_communities(self, client: TestClient, session: Session):
        from app.auth.models import Membership
        from app.enums import Role
        from tests.factories import auth, make_user

        first, second = make_tenant(session, households=2), make_tenant(session, households=2)
        c1, c2 = make_campaign(session, first.community), make_campaign(session, second.community)
        record(client, first.headers["officer"], c1.id, first.households[0].id, "reached", DAY1)
        for h in second.households:
            record(client, second.headers["officer"], c2.id, h.id, "reached", DAY1)
        boss = make_user(session)
        for community in (first.community, second.community):
            session.add(Membership(user_id=boss.id, community_id=community.id, role=Role.manager))
        session.commit()
        r = client.get(
            "/api/v1/ledger",
            params={"from": "2026-11-01", "to": "2026-11-30"},
            headers=auth(session, boss),
        )
        assert r.status_code == 200, r.text
        rows = r.json()["items"]
        assert [(x["community_id"], x["rank"], x["reached"]) for x in rows] == [
            (second.community.id, 1, 2),
            (first.community.id, 2, 1),
        ]
        only_first = client.get(
            "/api/v1/ledger", params={"from": "2026-11-01"}, headers=first.headers["manager"]
        ).json()
        assert [x["community_id"] for x in only_first["items"]] == [first.community.id]
