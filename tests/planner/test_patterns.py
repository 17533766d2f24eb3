"""Availability as weekly patterns: stored as entered, repeated over the campaign's local days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.planner.test_routes import VISITING, make_scene, plan, today


def put(client: TestClient, campaign_id: int, headers: dict[str, str], **body: Any) -> Any:
    """PUT the availability body."""
    return client.put(
        f"/api/v1/campaigns/{campaign_id}/availability",
        headers=headers,
        json={"visiting_hours": VISITING, **body},
    )


class TestPatterns:
    def test_patterns_are_stored_and_read_back(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        every_day = [1, 2, 3, 4, 5, 6, 7]
        patterns = [
            {"user_id": u.id, "weekdays": every_day, "starts": "09:00", "ends": "12:00"}
            for u in scene.pair
        ]
        h = scene.tenant.headers["officer"]
        r = put(client, scene.campaign.id, h, patterns=patterns)
        assert r.status_code == 200, r.text
        back = client.get(f"/api/v1/campaigns/{scene.campaign.id}/availability", headers=h).json()
        assert back["patterns"] == patterns
        assert back["windows"] == []

    def test_planner_uses_the_patterns_days(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        tomorrow = today() + timedelta(days=1)
        patterns = [
            {
                "user_id": u.id,
                "weekdays": [tomorrow.isoweekday()],
                "starts": "09:00",
                "ends": "12:00",
            }
            for u in scene.pair
        ]
        r = put(client, scene.campaign.id, scene.tenant.headers["officer"], patterns=patterns)
        assert r.status_code == 200, r.text
        proposal = plan(client, scene, commit=False).json()
        assert proposal["rounds"], proposal
        for rnd in proposal["rounds"]:
            # Local Shanghai times: only that weekday, only inside 09:00-12:00.
            assert rnd["starts_at"][:10] == rnd["ends_at"][:10]
            day = rnd["starts_at"][:10]
            assert day in {(tomorrow + timedelta(days=7 * k)).isoformat() for k in range(3)}
            assert rnd["starts_at"][11:16] >= "09:00"
            assert rnd["ends_at"][11:16] <= "12:00"

    def test_without_patterns_there_is_no_one_to_plan_with(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        put(client, scene.campaign.id, scene.tenant.headers["officer"], patterns=[])
        assert plan(client, scene, commit=False).json()["rounds"] == []

    def test_a_stranger_in_a_pattern_is_refused_and_nothing_changes(
        self, client: TestClient, session: Session
    ) -> None:
        scene = make_scene(session)
        h = scene.tenant.headers["officer"]
        good = {"user_id": scene.pair[0].id, "weekdays": [1], "starts": "09:00", "ends": "10:00"}
        assert put(client, scene.campaign.id, h, patterns=[good]).status_code == 200
        stranger = make_scene(session).pair[0]
        bad = {**good, "user_id": stranger.id}
        r = put(client, scene.campaign.id, h, patterns=[bad])
        assert r.status_code == 422
        assert [e["field"] for e in r.json()["errors"]] == ["patterns.0.user_id"]
        back = client.get(f"/api/v1/campaigns/{scene.campaign.id}/availability", headers=h)
        assert back.json()["patterns"] == [good]

    def test_bad_patterns_name_the_field(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        h = scene.tenant.headers["officer"]
        uid = scene.pair[0].id
        for pattern in (
            {"user_id": uid, "weekdays": [0], "starts": "09:00", "ends": "10:00"},
            {"user_id": uid, "weekdays": [8], "starts": "09:00", "ends": "10:00"},
            {"user_id": uid, "weekdays": [1], "starts": "10:00", "ends": "09:00"},
            {"user_id": uid, "weekdays": [1], "starts": "9am", "ends": "10:00"},
            {"user_id": uid, "weekdays": [], "starts": "09:00", "ends": "10:00"},
        ):
            r = put(client, scene.campaign.id, h, patterns=[pattern])
            assert r.status_code == 422, pattern
            assert all(e["field"].startswith("patterns.0") for e in r.json()["errors"]), r.json()

    def test_staff_may_not_set_patterns(self, client: TestClient, session: Session) -> None:
        scene = make_scene(session)
        p = {"user_id": scene.pair[0].id, "weekdays": [1], "starts": "09:00", "ends": "10:00"}
        r = put(client, scene.campaign.id, scene.tenant.headers["staff"], patterns=[p])
        assert r.status_code == 403
