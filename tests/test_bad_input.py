"""Inputs found to cause a 500 or unbounded work now get a clear 4xx and change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.incidents.models import Incident
from app.planner.solver import (
    Interval,
    OpenHousehold,
    Problem,
    ReachModel,
    StaffMember,
    VisitingHours,
    solve,
)
from tests.factories import make_campaign, make_tenant

EDGES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "1899-12-31T23:00:00Z"]


def stored(session: Session, model: type[Incident] | type[Campaign]) -> int:
    """How many rows of the model are stored, in a fresh snapshot."""
    session.rollback()
    return session.scalar(select(func.count()).select_from(model)) or 0


class TestCalendarEdges:
    @pytest.mark.parametrize("when", EDGES)
    def test_incident_at_an_edge_is_refused(
        self, client: TestClient, session: Session, when: str
    ) -> None:
        t = make_tenant(session, households=0)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/incidents",
            headers=t.headers["officer"],
            json={
                "occurred_at": when,
                "fraud_type": "refund_scam",
                "channel": "phone",
                "summary": "自称客服要求退款",
            },
        )
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "occurred_at"
        assert stored(session, Incident) == 0

    @pytest.mark.parametrize("when", EDGES)
    def test_moving_an_incident_to_an_edge_is_refused(
        self, client: TestClient, session: Session, when: str
    ) -> None:
        t = make_tenant(session, households=0)
        created = client.post(
            f"/api/v1/communities/{t.community.id}/incidents",
            headers=t.headers["officer"],
            json={
                "occurred_at": datetime.now(UTC).isoformat(),
                "fraud_type": "refund_scam",
                "channel": "phone",
                "summary": "自称客服要求退款",
            },
        )
        assert created.status_code == 201, created.text
        r = client.patch(
            f"/api/v1/incidents/{created.json()['id']}",
            headers=t.headers["officer"],
            json={"occurred_at": when},
        )
        assert r.status_code == 422, r.text

    @pytest.mark.parametrize("when", EDGES)
    def test_listing_from_an_edge_is_refused(
        self, client: TestClient, session: Session, when: str
    ) -> None:
        t = make_tenant(session, households=0)
        r = client.get(
            f"/api/v1/communities/{t.community.id}/incidents",
            headers=t.headers["officer"],
            params={"from": when},
        )
        assert r.status_code == 422, r.text


class TestStaticFiles:
    @pytest.mark.parametrize(
        "path", ["/static/app%00.js", "/static/%00", "/fonts/x%00.otf", "/static/" + "a" * 5000]
    )
    def test_a_nul_or_an_overlong_name_is_404(self, client: TestClient, path: str) -> None:
        r = client.get(path)
        assert r.status_code == 404, r.text
        assert r.headers["content-type"].startswith("application/problem+json")


class TestCampaignDates:
    @pytest.mark.parametrize(
        ("starts", "ends"),
        [
            ("0001-01-01", "9999-12-31"),
            ("2026-01-01", "2029-01-01"),
            ("1999-12-31", "2000-01-10"),
        ],
        ids=["whole-calendar", "three-years", "before-2000"],
    )
    def test_dates_beyond_a_sane_span_are_refused(
        self, client: TestClient, session: Session, starts: str, ends: str
    ) -> None:
        t = make_tenant(session, households=0)
        r = client.post(
            f"/api/v1/communities/{t.community.id}/campaigns",
            headers=t.headers["officer"],
            json={"name": "长期宣传", "starts_on": starts, "ends_on": ends, "topics": []},
        )
        assert r.status_code == 422, r.text
        assert stored(session, Campaign) == 0

    def test_two_years_is_fine(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=0)
        today = date.today()
        r = client.post(
            f"/api/v1/communities/{t.community.id}/campaigns",
            headers=t.headers["officer"],
            json={
                "name": "两年宣传",
                "starts_on": today.isoformat(),
                "ends_on": (today + timedelta(days=730)).isoformat(),
                "topics": [],
            },
        )
        assert r.status_code == 201, r.text

    def test_stretching_a_campaign_past_two_years_is_refused(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        today = date.today()
        campaign = make_campaign(
            session, t.community, starts_on=today, ends_on=today + timedelta(days=30)
        )
        r = client.patch(
            f"/api/v1/campaigns/{campaign.id}",
            headers=t.headers["officer"],
            json={"ends_on": (today + timedelta(days=900)).isoformat()},
        )
        assert r.status_code == 422, r.text
        session.rollback()
        assert session.get(Campaign, campaign.id).ends_on == today + timedelta(days=30)  # type: ignore[union-attr]


class TestPlannerTimeLimit:
    def test_a_spent_time_limit_stops_the_passes(self) -> None:
        tz = ZoneInfo("Asia/Shanghai")
        first = date.today() + timedelta(days=1)

        def at(day: date, hour: int) -> datetime:
            return datetime.combine(day, time(hour), tz).astimezone(UTC)

        homes = tuple(
            OpenHousehold(id=i + 1, building_id=1 + i // 24, unit="1", floor=1 + (i % 24) // 2)
            for i in range(96)
        )
        free = tuple(
            Interval(at(first + timedelta(days=d), 9), at(first + timedelta(days=d), 20))
            for d in range(7)
        )
        problem = Problem(
            timezone=tz,
            starts_on=first,
            ends_on=first + timedelta(days=6),
            now=at(first, 7),
            target_coverage=0.95,
            eligible=len(homes),
            reached=0,
            households=homes,
            staff=(StaffMember(1, free), StaffMember(2, free)),
            visiting_hours=tuple(VisitingHours(wd, time(8), time(21)) for wd in range(7)),
            reach=ReachModel(),
            building_codes={b: str(b) for b in range(1, 5)},
            time_limit_seconds=0.0,
        )
        plan = solve(problem)
        assert plan.rounds, "the greedy fill still proposes rounds"
        assert "TIME_LIMIT" in plan.solver_status
        assert "OPTIMAL" not in plan.solver_status
        assert "FEASIBLE" not in plan.solver_status
