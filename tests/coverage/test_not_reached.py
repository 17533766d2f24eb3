"""``GET /campaigns/{id}/not-reached``: the households the manager's page lists as gaps."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.enums import Occupancy
from tests.factories import Tenant, make_campaign, make_household, make_round, make_tenant, utc_on


def record(
    client: TestClient,
    tenant: Tenant,
    campaign_id: int,
    household_id: int,
    outcome: str,
    **kw: object,
) -> None:
    """Record one contact through the API as the manager."""
    body = {
        "id": str(uuid.uuid4()),
        "campaign_id": campaign_id,
        "household_id": household_id,
        "channel": kw.pop("channel", "phone"),
        "outcome": outcome,
        "occurred_at": utc_on(0, 2).isoformat(),
        **kw,
    }
    res = client.post("/api/v1/contacts", json=body, headers=tenant.headers["manager"])
    assert res.status_code == 201, res.text


class TestNotReached:
    def test_lists_eligible_households_not_reached_in_building_order(
        self, client: TestClient, session: Session
    ) -> None:
        tenant = make_tenant(session, households=4)
        vacant = make_household(
            session, tenant.building, unit="2", floor=3, room="301", occupancy=Occupancy.vacant
        )
        campaign = make_campaign(session, tenant.community)
        h101, h102, h201, h202 = tenant.households
        record(client, tenant, campaign.id, h101.id, "reached")
        record(client, tenant, campaign.id, h102.id, "not_home")
        record(client, tenant, campaign.id, h201.id, "refused")
        record(client, tenant, campaign.id, h201.id, "reached", channel="walk_in")

        res = client.get(
            f"/api/v1/campaigns/{campaign.id}/not-reached", headers=tenant.headers["officer"]
        )
        assert res.status_code == 200
        body = res.json()
        assert body["total"] == 2
        # Unit 2 (h102 on floor 1, h202 on floor 2); h101 and h201 were reached.
        assert [(h["code"], h["status"]) for h in body["items"]] == [
            (h102.code, "not_home"),
            (h202.code, "unvisited"),
        ]
        assert vacant.code not in {h["code"] for h in body["items"]}

    def test_pages(self, client: TestClient, session: Session) -> None:
        tenant = make_tenant(session, households=4)
        campaign = make_campaign(session, tenant.community)
        res = client.get(
            f"/api/v1/campaigns/{campaign.id}/not-reached?limit=3&offset=3",
            headers=tenant.headers["manager"],
        )
        assert res.json()["total"] == 4
        assert len(res.json()["items"]) == 1

    def test_staff_may_not_read_it(self, client: TestClient, session: Session) -> None:
        tenant = make_tenant(session)
        campaign = make_campaign(session, tenant.community)
        make_round(session, campaign, [tenant.building], [tenant.staff])
        res = client.get(
            f"/api/v1/campaigns/{campaign.id}/not-reached", headers=tenant.headers["staff"]
        )
        assert res.status_code == 403

    def test_another_community_answers_404(self, client: TestClient, session: Session) -> None:
        mine = make_tenant(session)
        theirs = make_tenant(session)
        campaign = make_campaign(session, theirs.community)
        res = client.get(
            f"/api/v1/campaigns/{campaign.id}/not-reached", headers=mine.headers["manager"]
        )
        assert res.status_code == 404
        assert res.headers["content-type"] == "application/problem+json"

    def test_needs_a_login(self, client: TestClient, session: Session) -> None:
        tenant = make_tenant(session)
        campaign = make_campaign(session, tenant.community)
        assert client.get(f"/api/v1/campaigns/{campaign.id}/not-reached").status_code == 401
