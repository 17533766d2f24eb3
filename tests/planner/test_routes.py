"""Availability, plans and the calendar feed over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.campaigns.models import Campaign, Event, EventAssignee, Round, RoundAssignee
from app.communities.models import Building, Household
from app.enums import Role, RoundStatus
from app.errors import Conflict
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
)

TZ = ZoneInfo("Asia/Shanghai")
VISITING = [
    {"weekday": wd, "from": start, "to": end}
    for wd in range(7)
    for start, end in (("09:00", "12:00"), ("14:00", "20:30"))
]


def today() -> date:
    """Today in Shanghai."""
    return datetime.now(TZ).date()


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """A Shanghai wall-clock time, aware."""
    return datetime.combine(day, time(hh, mm), TZ)


@dataclass
class Scene:
    """A community mid-campaign: two buildings of two units, a pair of staff with time."""

    tenant: Tenant
    campaign: Campaign
    buildings: list[Building]
    households: list[Household] = field(default_factory=list)
    pair: list[User] = field(default_factory=list)


def make_scene(session: Session, *, per_unit: int = 6, target: float = 0.8) -> Scene:
    """The campaign started three days ago and ends in ten days."""
    tenant = make_tenant(session, households=0)
    campaign = make_campaign(
        session,
        tenant.community,
        starts_on=today() - timedelta(days=3),
        ends_on=today() + timedelta(days=10),
        target_coverage=target,
    )
    buildings = [make_building(session, tenant.community, code=f"{n}", floors=6) for n in (3, 5)]
    scene = Scene(tenant=tenant, campaign=campaign, buildings=buildings)
    for b in buildings:
        for unit in ("1", "2"):
            for i in range(per_unit):
                scene.households.append(
                    make_household(
                        session,
                        b,
                        unit=unit,
                        floor=1 + i // 2,
                        room=f"{1 + i // 2}0{1 + i % 2}",
                        flags=("elderly_alone",) if i == 0 else (),
                    )
                )
    scene.pair = [tenant.staff, make_member(session, tenant.community, Role.staff)]
    return scene


def windows_for(users: list[User], days: range) -> list[dict[str, Any]]:
    """Mornings and evenings on the given days from today."""
    out = []
    for u in users:
        for d in days:
            day = today() + timedelta(days=d)
            for start, end in ((9, 11), (18, 20)):
                out.append(
                    {
                        "user_id": u.id,
                        "starts_at": local(day, start).isoformat(),
                        "ends_at": local(day, end).isoformat(),
                    }
                )
    return out


def put_availability(client: TestClient, scene: Scene, windows: list[dict[str, Any]]) -> None:
    """Set the scene's availability as its manager."""
    r = client.put(
        f"/api/v1/campaigns/{scene.campaign.id}/availability",
        headers=scene.tenant.headers["manager"],
        json={
            "windows": windows,
            "minutes_per_door": 3,
            "minutes_per_floor": 1,
            "visiting_hours": VISITING,
        },
    )
    assert r.status_code == 200, r.text


def plan(client: TestClient, scene: Scene, *, commit: bool, role: str = "officer") -> Any:
    """POST the plan request."""
    return client.post(
        f"/api/v1/campaigns/{scene.campaign.id}/plan",
        headers=scene.tenant.headers[role],
        json={"commit": commit},
    )


def record(
    client: TestClient, scene: Scene, household: Household, outcome: str, when: datetime
) -> None:
    """Record a door contact through the API."""
    r = client.post(
        "/api/v1/contacts",
        headers=scene.tenant.headers["officer"],
        json={
            "id": str(uuid.uuid4()),
            "campaign_id": scene.campaign.id,
            "household_id": household.id,
            "channel": "door",
            "outcome": outcome,
            "occurred_at": when.isoformat(),
        },
    )
    assert r.status_code == 201, r.text


def rounds_of(session: Session, campaign: Campaign) -> list[Round]:
    """The campaign's rounds as stored."""
    session.expire_all()
    found = list(
        session.scalars(select(Round).where(Round.campaign_id == campaign.id).order_by(Round.id))
    )
    session.commit()  # end the read: SQLite writers wait for it
    return found


def assert_rules_hold(session: Session, scene: Scene, windows: list[dict[str, Any]]) -> None:
    """Every stored round obeys the scheduling rules and the planner's own."""
    session.expire_all()
    spans: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for u_id, s, e in session.execute(
        select(RoundAssignee.user_id, Round.starts_at, Round.ends_at)
        .join(Round, Round.id == RoundAssignee.round_id)
        .where(Round.status != RoundStatus.cancelled)
    ):
        spans[u_id].append((s, e))
    for u_id, s, e in session.execute(
        select(EventAssignee.user_id, Event.starts_at, Event.ends_at)
        .join(Event, Event.id == EventAssignee.event_id)
        .where(Event.status != RoundStatus.cancelled)
    ):
        spans[u_id].append((s, e))
    for items in spans.values():
        items.sort()
        for (_s1, e1), (s2, _e2) in itertools.pairwise(items):
            assert e1 <= s2, "an assignee is in two places at once"
    free: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for w in windows:
        free[w["user_id"]].append(
            (datetime.fromisoformat(w["starts_at"]), datetime.fromisoformat(w["ends_at"]))
        )
    planned = [r for r in rounds_of(session, scene.campaign) if r.notes and "Planner" in r.notes]
    assert planned
    for r in planned:
        start, end = r.starts_at.astimezone(TZ), r.ends_at.astimezone(TZ)
        assert scene.campaign.starts_on <= start.date() <= end.date() <= scene.campaign.ends_on
        assert any(
            v["weekday"] == start.weekday()
            and v["from"] <= start.strftime("%H:%M")
            and end.strftime("%H:%M") <= v["to"]
            for v in VISITING
        )
        assignees = session.scalars(
            select(RoundAssignee.user_id).where(RoundAssignee.round_id == r.id)
        ).all()
        assert assignees
        for u in assignees:
            assert any(s <= r.starts_at and r.ends_at <= e for s, e in free[u])
        assert (r.ends_at - r.starts_at) <= timedelta(hours=3)
    session.commit()


class TestAvailability:
    def test_defaults_until_set(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        r = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/availability",
            headers=scene.tenant.headers["officer"],
        )
        assert r.status_code == 200
        body = r.json()
        assert body["configured"] is False
        assert body["windows"] == []
        assert body["minutes_per_door"] == 3
        assert {"weekday": 0, "from": "09:00", "to": "12:00"} in body["visiting_hours"]
        assert body["timezone"] == "Asia/Shanghai"

    def test_put_then_get(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        windows = windows_for(scene.pair, range(1, 3))
        put_availability(client, scene, windows)
        r = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/availability",
            headers=scene.tenant.headers["manager"],
        )
        body = r.json()
        assert body["configured"] is True
        assert len(body["windows"]) == len(windows)
        first = body["windows"][0]
        assert datetime.fromisoformat(first["starts_at"]) == datetime.fromisoformat(
            windows[0]["starts_at"]
        )
        assert first["starts_at"].endswith("+08:00")
        assert body["visiting_hours"] == VISITING

    def test_put_replaces_the_windows(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        put_availability(client, scene, windows_for(scene.pair, range(1, 4)))
        put_availability(client, scene, windows_for(scene.pair[:1], range(1, 2)))
        body = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/availability",
            headers=scene.tenant.headers["manager"],
        ).json()
        assert {w["user_id"] for w in body["windows"]} == {scene.pair[0].id}
        assert len(body["windows"]) == 2

    def test_a_window_of_a_non_member_is_422_naming_it(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        stranger = make_tenant(session, households=0).staff
        windows = windows_for(scene.pair, range(1, 2)) + windows_for([stranger], range(1, 2))
        r = client.put(
            f"/api/v1/campaigns/{scene.campaign.id}/availability",
            headers=scene.tenant.headers["manager"],
            json={"windows": windows},
        )
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        fields = {e["field"] for e in r.json()["errors"]}
        assert fields == {"windows.4.user_id", "windows.5.user_id"}
        # Nothing was stored.
        body = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/availability",
            headers=scene.tenant.headers["manager"],
        ).json()
        assert body["configured"] is False

    def test_a_window_outside_the_campaign_is_422(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        late = today() + timedelta(days=30)
        r = client.put(
            f"/api/v1/campaigns/{scene.campaign.id}/availability",
            headers=scene.tenant.headers["manager"],
            json={
                "windows": [
                    {
                        "user_id": scene.pair[0].id,
                        "starts_at": local(late, 9).isoformat(),
                        "ends_at": local(late, 11).isoformat(),
                    }
                ]
            },
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "windows.0.starts_at"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"visiting_hours": [{"weekday": 7, "from": "09:00", "to": "12:00"}]}, "weekday"),
            ({"visiting_hours": [{"weekday": 1, "from": "9am", "to": "12:00"}]}, "from"),
            ({"visiting_hours": [{"weekday": 1, "from": "24:00", "to": "12:00"}]}, "from"),
            ({"visiting_hours": [{"weekday": 1, "from": "12:00", "to": "09:00"}]}, "0"),
            ({"minutes_per_door": 0}, "minutes_per_door"),
            ({"minutes_per_floor": -1}, "minutes_per_floor"),
            (
                {
                    "windows": [
                        {
                            "user_id": 1,
                            "starts_at": f"{round_day(11)}T09:00:00",
                            "ends_at": f"{round_day(11)}T10:00:00+08:00",
                        }
                    ]
                },
                "starts_at",
            ),
            (
                {
                    "windows": [
                        {
                            "user_id": 1,
                            "starts_at": f"{round_day(11)}T11:00:00+08:00",
                            "ends_at": f"{round_day(11)}T10:00:00+08:00",
                        }
                    ]
                },
                "windows.0",
            ),
            ({"windows": [{"user_id": 99999999999, "starts_at": "x", "ends_at": "y"}]}, "user_id"),
            ({"surprise": 1}, "surprise"),
        ],
    )
    def test_bad_input_is_422_naming_the_field(
        self, client: TestClient, session: Session, body: dict[str, Any], field: str
    ) -> None:
        scene = make_scene(session)
        r = client.put(
            f"/api/v1/campaigns/{scene.campaign.id}/availability",
            headers=scene.tenant.headers["manager"],
            json=body,
        )
        assert r.status_code == 422, r.text
        assert any(field in e["field"] for e in r.json()["errors"]), r.json()

    def test_roles(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        other = make_tenant(session, households=0)
        url = f"/api/v1/campaigns/{scene.campaign.id}/availability"
        assert client.get(url, headers=scene.tenant.headers["staff"]).status_code == 403
        assert client.put(url, headers=scene.tenant.headers["staff"], json={}).status_code == 403
        assert client.get(url, headers=other.headers["manager"]).status_code == 404
        assert client.put(url, headers=other.headers["manager"], json={}).status_code == 404
        assert client.get(url).status_code == 401
        admin = make_member(session, other.community, Role.staff, is_admin=True)
        assert client.get(url, headers=auth(session, admin)).status_code == 200
        assert client.get(url, headers=scene.tenant.headers["officer"]).status_code == 200


class TestPlan:
    def test_a_preview_creates_nothing(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        put_availability(client, scene, windows_for(scene.pair, range(1, 8)))
        r = plan(client, scene, commit=False)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["committed"] is False
        assert body["rounds"]
        assert all(x["round_id"] is None for x in body["rounds"])
        assert rounds_of(session, scene.campaign) == []
        assert body["eligible"] == len(scene.households)
        assert body["explanation"]["zh"]
        assert body["explanation"]["en"]
        assert body["reach"]["source"] == "prior"
        first = body["rounds"][0]
        assert set(first) >= {
            "building_ids",
            "units",
            "starts_at",
            "ends_at",
            "assignee_ids",
            "household_ids",
        }
        assert first["starts_at"].endswith("+08:00")
        days = [d["date"] for d in body["expected_by_day"]]
        assert days[0] == today().isoformat()
        assert days[-1] == scene.campaign.ends_on.isoformat()

    def test_commit_creates_rounds_that_obey_every_rule(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        windows = windows_for(scene.pair, range(1, 8))
        # One of the pair is already busy on another campaign's round tomorrow morning.
        elsewhere = make_campaign(
            session,
            scene.tenant.community,
            starts_on=today(),
            ends_on=today() + timedelta(days=5),
        )
        busy = make_round(
            session,
            elsewhere,
            [scene.buildings[0]],
            [scene.pair[0]],
            starts_at=local(today() + timedelta(days=1), 9).astimezone(UTC),
            ends_at=local(today() + timedelta(days=1), 11).astimezone(UTC),
        )
        busy_span = (busy.starts_at, busy.ends_at)
        put_availability(client, scene, windows)
        r = plan(client, scene, commit=True)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["committed"] is True
        stored = rounds_of(session, scene.campaign)
        assert sorted(x["round_id"] for x in body["rounds"]) == [x.id for x in stored]
        assert all(x.status == RoundStatus.planned for x in stored)
        assert_rules_hold(session, scene, windows)
        assert all(not (x.starts_at < busy_span[1] and busy_span[0] < x.ends_at) for x in stored)
        listed = client.get(
            f"/api/v1/campaigns/{scene.campaign.id}/rounds",
            headers=scene.tenant.headers["officer"],
        ).json()
        assert listed["total"] == len(stored)
        # Every open household is in some committed round.
        covered = {h for x in body["rounds"] for h in x["household_ids"]}
        assert covered == {h.id for h in scene.households}

    def test_committing_a_preview_creates_exactly_the_rounds_it_showed(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session, per_unit=30, target=0.95)
        put_availability(client, scene, windows_for(scene.pair, range(1, 4)))
        preview = plan(client, scene, commit=False).json()
        assert preview["rounds"]
        sent = [
            {k: r[k] for k in ("starts_at", "ends_at", "assignee_ids", "household_ids")}
            for r in preview["rounds"]
        ]
        r = client.post(
            f"/api/v1/campaigns/{scene.campaign.id}/plan",
            headers=scene.tenant.headers["officer"],
            json={"commit": True, "rounds": sent},
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["committed"] is True
        shown = ("building_ids", "units", "starts_at", "ends_at", "assignee_ids")
        shown += ("household_ids", "kind", "doors", "expected_reached", "notes_zh", "notes_en")
        assert [{k: x[k] for k in shown} for x in body["rounds"]] == [
            {k: x[k] for k in shown} for x in preview["rounds"]
        ]
        for figure in ("expected_reached", "expected_coverage", "feasible", "expected_by_day"):
            assert body[figure] == preview[figure], figure
        assert body["shortfall_staff_hours"] == preview["shortfall_staff_hours"]
        stored = {x.id: x for x in rounds_of(session, scene.campaign)}
        assert sorted(stored) == sorted(x["round_id"] for x in body["rounds"])
        for x in body["rounds"]:
            made = stored[x["round_id"]]
            assert made.starts_at == datetime.fromisoformat(x["starts_at"])
            assert made.ends_at == datetime.fromisoformat(x["ends_at"])

    def test_previewed_rounds_that_no_longer_fit_create_nothing(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        put_availability(client, scene, windows_for(scene.pair, range(1, 8)))
        preview = plan(client, scene, commit=False).json()
        sent = [
            {k: r[k] for k in ("starts_at", "ends_at", "assignee_ids", "household_ids")}
            for r in preview["rounds"]
        ]
        # The pair's time is taken back: none of the previewed rounds fits any more.
        put_availability(client, scene, [])
        url = f"/api/v1/campaigns/{scene.campaign.id}/plan"
        r = client.post(
            url, headers=scene.tenant.headers["officer"], json={"commit": True, "rounds": sent}
        )
        assert r.status_code == 409, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert rounds_of(session, scene.campaign) == []
        wrong = [
            {"commit": False, "rounds": sent},
            {"commit": True, "rounds": [{**sent[0], "ends_at": sent[0]["starts_at"]}]},
            {"commit": True, "rounds": [{**sent[0], "household_ids": []}]},
            {"commit": True, "rounds": [{**sent[0], "kind": "evening"}]},
        ]
        for body in wrong:
            r = client.post(url, headers=scene.tenant.headers["officer"], json=body)
            assert r.status_code == 422, (body, r.text)
        assert rounds_of(session, scene.campaign) == []

    def test_commit_is_all_or_nothing(
        self, client: TestClient, session: Session, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        scene = make_scene(session)
        put_availability(client, scene, windows_for(scene.pair, range(1, 8)))
        from app.planner import service

        real = service.campaigns.schedule_round
        calls = {"n": 0}

        def flaky(session: Session, **kw: Any) -> Round:
            calls["n"] += 1
            if calls["n"] == 2:
                raise Conflict("User 1 is already in round 99")
            return real(session, **kw)

        monkeypatch.setattr(service.campaigns, "schedule_round", flaky)
        r = plan(client, scene, commit=True)
        assert r.status_code == 409
        assert "Nothing was created" in r.json()["detail"]
        assert rounds_of(session, scene.campaign) == []

    def test_an_impossible_target_says_how_many_hours_are_missing(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session, per_unit=30, target=0.95)
        day = today() + timedelta(days=1)
        short = [
            {
                "user_id": u.id,
                "starts_at": local(day, 18).isoformat(),
                "ends_at": local(day, 19).isoformat(),
            }
            for u in scene.pair
        ]
        put_availability(client, scene, short)
        body = plan(client, scene, commit=False).json()
        assert body["feasible"] is False
        assert body["shortfall_staff_hours"] > 0
        assert body["expected_coverage"] < 0.95
        assert body["confidence"]["probability_target_met"] < 0.5
        assert "staff-hours" in body["explanation"]["en"]

    def test_no_availability_plans_nothing_and_says_so(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        body = plan(client, scene, commit=True).json()
        assert body["rounds"] == []
        assert body["feasible"] is False
        assert body["committed"] is False
        assert body["shortfall_staff_hours"] > 0
        assert rounds_of(session, scene.campaign) == []

    def test_re_planning_after_progress(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        b3 = scene.buildings[0]
        in_b3 = [h for h in scene.households if h.building_id == b3.id]
        # Two days ago a round through building 3 found some in and some out.
        two_days_ago = today() - timedelta(days=2)
        done = make_round(
            session,
            scene.campaign,
            [b3],
            scene.pair,
            starts_at=local(two_days_ago, 9).astimezone(UTC),
            ends_at=local(two_days_ago, 11).astimezone(UTC),
            status=RoundStatus.done,
        )
        reached, out, refused = in_b3[:6], in_b3[6:11], in_b3[11]
        for h in reached:
            record(client, scene, h, "reached", local(two_days_ago, 10))
        for h in out:
            record(client, scene, h, "not_home", local(two_days_ago, 10))
        record(client, scene, refused, "refused", local(two_days_ago, 10))
        # Another round is under way right now through building 5.
        now = datetime.now(UTC)
        ongoing = make_round(
            session,
            scene.campaign,
            [scene.buildings[1]],
            [scene.tenant.officer],
            starts_at=now - timedelta(minutes=30),
            ends_at=now + timedelta(minutes=30),
            status=RoundStatus.in_progress,
        )
        before = {
            x.id: (x.status, x.starts_at, x.ends_at, x.units)
            for x in rounds_of(session, scene.campaign)
        }
        windows = windows_for(scene.pair, range(1, 8))
        put_availability(client, scene, windows)
        r = plan(client, scene, commit=True)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["reached"] == 6
        assert body["households_not_planned"]["refused"] == 1
        assert ongoing.id in body["kept_rounds"]
        assert done.id not in body["kept_rounds"]
        planned_ids = {h for x in body["rounds"] for h in x["household_ids"]}
        assert planned_ids.isdisjoint({h.id for h in reached})
        assert refused.id not in planned_ids
        assert {h.id for h in out} <= planned_ids
        # The households found out on a weekday morning are next tried at another kind of time.
        miss_kind = "weekday_day" if two_days_ago.weekday() < 5 else "weekend_day"
        first_try = min(
            (x for x in body["rounds"] if out[0].id in x["household_ids"]),
            key=lambda x: x["starts_at"],
        )
        assert first_try["kind"] != miss_kind
        # Rounds done or under way are untouched.
        after = {
            x.id: (x.status, x.starts_at, x.ends_at, x.units)
            for x in rounds_of(session, scene.campaign)
        }
        assert {k: after[k] for k in before} == before
        assert_rules_hold(session, scene, windows)

    def test_planning_again_keeps_the_rounds_already_planned(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        put_availability(client, scene, windows_for(scene.pair, range(1, 8)))
        first = plan(client, scene, commit=True).json()
        ids = {x["round_id"] for x in first["rounds"]}
        stored_before = {x.id: (x.starts_at, x.ends_at) for x in rounds_of(session, scene.campaign)}
        second = plan(client, scene, commit=False).json()
        assert ids <= set(second["kept_rounds"])
        # What the kept rounds will do is counted, so the new plan adds at most revisits.
        assert second["expected_coverage"] >= first["expected_coverage"] - 1e-6
        assert len(second["rounds"]) < len(first["rounds"])
        after = {x.id: (x.starts_at, x.ends_at) for x in rounds_of(session, scene.campaign)}
        assert after == stored_before

    def test_roles(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        other = make_tenant(session, households=0)
        assert plan(client, scene, commit=False, role="staff").status_code == 403
        assert plan(client, scene, commit=False, role="manager").status_code == 200
        r = client.post(
            f"/api/v1/campaigns/{scene.campaign.id}/plan",
            headers=other.headers["officer"],
            json={"commit": False},
        )
        assert r.status_code == 404

    @pytest.mark.parametrize("body", [{"commit": "maybe"}, {"commit": False, "extra": 1}, []])
    def test_bad_body_is_422(self, client: TestClient, session: Session, body: Any) -> None:
        scene = make_scene(session)
        r = client.post(
            f"/api/v1/campaigns/{scene.campaign.id}/plan",
            headers=scene.tenant.headers["officer"],
            json=body,
        )
        assert r.status_code == 422

    def test_unknown_campaign_is_404(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        for url in ("/api/v1/campaigns/999999/plan", "/api/v1/campaigns/99999999999/plan"):
            r = client.post(url, headers=scene.tenant.headers["officer"], json={})
            assert r.status_code in (404, 422)


class TestCalendarFeed:
    def _feed_url(self, client: TestClient, headers: dict[str, str]) -> str:
        r = client.post("/api/v1/members/me/feed-token", headers=headers)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["token"] in body["url"]
        assert "/api/v1/members/me/calendar.ics?token=" in body["url"]
        return str(body["url"])

    def test_the_feed_lists_the_members_rounds_and_events(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        staff = scene.pair[0]
        mine = make_round(
            session,
            scene.campaign,
            scene.buildings,
            [staff],
            starts_at=local(today() + timedelta(days=1), 9).astimezone(UTC),
            ends_at=local(today() + timedelta(days=1), 11).astimezone(UTC),
            notes="带上反诈宣传单; bring flyers, stickers\\tape",
        )
        make_round(
            session,
            scene.campaign,
            scene.buildings,
            [scene.pair[1]],
            starts_at=local(today() + timedelta(days=2), 9).astimezone(UTC),
        )
        title = "义诊、磨刀, haircuts; blood pressure \\ checks — 反诈宣传台 " * 2
        r = client.post(
            f"/api/v1/campaigns/{scene.campaign.id}/events",
            headers=scene.tenant.headers["officer"],
            json={
                "title": title.strip(),
                "location": "中心广场, 3栋南侧",
                "starts_at": local(today() + timedelta(days=3), 14).isoformat(),
                "ends_at": local(today() + timedelta(days=3), 17).isoformat(),
                "assignee_ids": [staff.id],
            },
        )
        assert r.status_code == 201, r.text
        headers = auth(session, staff)
        url = self._feed_url(client, headers)
        feed = client.get(url)
        assert feed.status_code == 200
        assert feed.headers["content-type"].startswith("text/calendar")
        raw = feed.content
        lines = raw.split(b"\r\n")
        assert raw.endswith(b"\r\n")
        assert all(len(line) <= 75 for line in lines), "lines are folded at 75 octets"
        assert b"\n" not in raw.replace(b"\r\n", b"")
        cal = icalendar.Calendar.from_ical(raw)
        events = list(cal.walk("VEVENT"))
        assert len(events) == 2
        by_uid = {str(e["UID"]): e for e in events}
        assert set(by_uid) == {f"round-{mine.id}@doorstep", f"event-{r.json()['id']}@doorstep"}
        visit = by_uid[f"round-{mine.id}@doorstep"]
        assert visit.decoded("DTSTART") == mine.starts_at
        assert visit.decoded("DTSTART").tzinfo is not None
        assert b"DTSTART:" in raw
        assert b"Z\r\n" in raw
        assert "3栋" in str(visit["SUMMARY"])
        assert "bring flyers, stickers\\tape" in str(visit["DESCRIPTION"])
        assert "DTSTAMP" in visit
        service_event = by_uid[f"event-{r.json()['id']}@doorstep"]
        assert str(service_event["SUMMARY"]) == title.strip()
        assert str(service_event["LOCATION"]) == "中心广场, 3栋南侧"

    def test_revoked_tokens_stop_working(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        headers = scene.tenant.headers["staff"]
        first = self._feed_url(client, headers)
        second = self._feed_url(client, headers)
        assert client.get(first).status_code == 200
        r = client.delete("/api/v1/members/me/feed-token", headers=headers)
        assert r.status_code == 204
        for url in (first, second):
            gone = client.get(url)
            assert gone.status_code == 401
            assert gone.headers["content-type"].startswith("application/problem+json")

    def test_wrong_missing_or_access_tokens_are_refused(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        base = "/api/v1/members/me/calendar.ics"
        assert client.get(base).status_code == 401
        assert client.get(base, params={"token": "nope"}).status_code == 401
        bearer = scene.tenant.headers["staff"]["Authorization"].split()[1]
        assert client.get(base, params={"token": bearer}).status_code == 401
        assert client.get(base, params={"token": "x" * 500}).status_code == 422

    def test_a_feed_token_is_not_a_bearer_token(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        url = self._feed_url(client, scene.tenant.headers["staff"])
        token = url.split("token=")[1]
        r = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401

    def test_issuing_needs_a_login(self, client: TestClient, session: Session) -> None:
        make_scene(session)
        assert client.post("/api/v1/members/me/feed-token").status_code == 401
        assert client.delete("/api/v1/members/me/feed-token").status_code == 401
