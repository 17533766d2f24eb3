"""Suspected-scam reports: logging, follow-up with history, who sees what."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_tenant, round_day

REPORT = {
    "occurred_at": f"{round_day(0)}T15:20:00+08:00",
    "fraud_type": "fake_customer_service_video",
    "channel": "FaceTime 视频通话",
    "summary": "自称视频网站客服，要求共享屏幕",
    "amount_prevented": 50000,
    "status": "reported",
}


class TestIncidents:
    def test_staff_report_is_followed_up_by_officer_with_history(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/incidents"
        r = client.post(
            url, json={**REPORT, "household_id": t.households[0].id}, headers=t.headers["staff"]
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["occurred_at"] == f"{round_day(0)}T15:20:00+08:00"
        assert body["amount_prevented"] == 50000
        assert body["reported_by"] == t.staff.id
        iid = body["id"]
        r = client.patch(
            f"/api/v1/incidents/{iid}",
            headers=t.headers["officer"],
            json={"status": "escalated", "escalated_to": "police", "note": "已报派出所"},
        )
        assert r.status_code == 200
        assert r.json()["status"] == "escalated"
        history = client.get(
            f"/api/v1/incidents/{iid}/history", headers=t.headers["officer"]
        ).json()["items"]
        assert len(history) == 2
        assert history[1]["changes"]["status"] == ["reported", "escalated"]
        assert history[1]["changed_by"] == t.officer.id
        assert history[1]["note"] == "已报派出所"

    def test_staff_cannot_follow_up_and_see_only_their_own(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/incidents"
        mine = client.post(url, json=REPORT, headers=t.headers["staff"]).json()
        other = client.post(url, json=REPORT, headers=t.headers["officer"]).json()
        listed = client.get(url, headers=t.headers["staff"]).json()
        assert [i["id"] for i in listed["items"]] == [mine["id"]]
        assert (
            client.get(f"/api/v1/incidents/{other['id']}", headers=t.headers["staff"]).status_code
            == 404
        )
        assert (
            client.patch(
                f"/api/v1/incidents/{mine['id']}",
                json={"status": "resolved"},
                headers=t.headers["staff"],
            ).status_code
            == 403
        )
        assert client.get(url, headers=t.headers["manager"]).json()["total"] == 2

    def test_bad_input_names_the_field(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/incidents"
        for bad, field in (
            ({"fraud_type": "aliens"}, "fraud_type"),
            ({"amount_lost": -5}, "amount_lost"),
            ({"occurred_at": f"{round_day(0)}T15:20:00"}, "occurred_at"),
            ({"status": "lost"}, "status"),
        ):
            r = client.post(url, json={**REPORT, **bad}, headers=t.headers["officer"])
            assert r.status_code == 422, bad
            assert r.json()["errors"][0]["field"] == field
        assert client.get(url, headers=t.headers["officer"]).json()["total"] == 0

    def test_filters(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/incidents"
        client.post(url, json=REPORT, headers=t.headers["officer"])
        client.post(
            url,
            json={**REPORT, "fraud_type": "refund_scam", "status": "resolved"},
            headers=t.headers["officer"],
        )
        h = t.headers["officer"]
        assert client.get(url, params={"status": "resolved"}, headers=h).json()["total"] == 1
        assert client.get(url, params={"fraud_type": "refund_scam"}, headers=h).json()["total"] == 1
