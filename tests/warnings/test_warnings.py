"""Warnings through the API: deadlines, assignees, attempts, personal data, figures."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.enums import Role
from app.incidents.models import Incident
from app.warnings import service
from app.warnings.models import WarningAccess, WarningAttempt
from tests.factories import auth, make_campaign, make_member, make_round, make_tenant
from tests.warnings.helpers import attempt, factory, own, warn


def _at(body: dict[str, str], key: str) -> datetime:
    return datetime.fromisoformat(body[key])


class TestDeadlinesAndAssignees:
    def test_due_time_per_level_and_per_community(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        other = make_tenant(session)
        client.patch(
            f"/api/v1/communities/{other.community.id}",
            json={"warning_deadlines": {"high": 30, "low": 600}},
            headers=other.headers["manager"],
        )
        received = datetime.now(UTC) - timedelta(minutes=5)
        expected = {"high": 120, "medium": 1440, "low": 4320}
        for level, minutes in expected.items():
            body = warn(client, t, risk=level, received_at=received)
            assert _at(body, "due_at") - received == timedelta(minutes=minutes)
            assert body["status"] == "open"
            assert body["escalation_level"] == 0
        mine = {"high": 30, "medium": 1440, "low": 600}
        for level, minutes in mine.items():
            body = warn(client, other, risk=level, received_at=received)
            assert _at(body, "due_at") - received == timedelta(minutes=minutes)

    def test_assignees_are_the_owners_else_the_officers(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        body = warn(client, t)
        assert body["assignee_ids"] == [t.officer.id]
        own(session, t, t.staff)
        body = warn(client, t, household_code=None)
        assert body["assignee_ids"] == [t.staff.id]

    def test_household_by_code_and_bad_households(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        other = make_tenant(session)
        url = f"/api/v1/communities/{t.community.id}/warnings"
        now = datetime.now(UTC).isoformat()
        r = client.post(
            url,
            json={"household_code": t.households[1].code, "risk_level": "low", "received_at": now},
            headers=t.headers["officer"],
        )
        assert r.status_code == 201
        assert r.json()["household_id"] == t.households[1].id
        bad: list[dict[str, Any]] = [
            {"household_id": other.households[0].id, "risk_level": "high", "received_at": now},
            {"household_code": "nope-1-1", "risk_level": "high", "received_at": now},
            {"risk_level": "high", "received_at": now},
            {"household_id": t.households[0].id, "risk_level": "urgent", "received_at": now},
            {"household_id": t.households[0].id, "risk_level": "high", "received_at": "today"},
            {
                "household_id": t.households[0].id,
                "household_code": t.households[0].code,
                "risk_level": "high",
                "received_at": now,
            },
        ]
        for body in bad:
            assert client.post(url, json=body, headers=t.headers["officer"]).status_code == 422
        staff = client.post(
            url, json=bad[0] | {"household_id": t.households[0].id}, headers=t.headers["staff"]
        )
        assert staff.status_code == 403
        listed = client.get(url, headers=t.headers["officer"]).json()
        assert listed["total"] == 1


class TestAttempts:
    def test_high_risk_is_not_reached_by_a_phone_call(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="high")
        r = client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt("phone", "reached"),
            headers=t.headers["officer"],
        )
        assert r.status_code == 201
        assert r.json()["attempt"]["counts_as_reached"] is False
        assert r.json()["warning"]["status"] == "open"
        r = client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt("door", "reached"),
            headers=t.headers["officer"],
        )
        assert r.json()["warning"]["status"] == "reached"
        assert r.json()["warning"]["reached_in_time"] is True

    def test_medium_risk_may_be_reached_by_phone(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="medium")
        r = client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt("phone", "reached"),
            headers=t.headers["officer"],
        )
        assert r.json()["warning"]["status"] == "reached"

    def test_late_reach_is_not_in_time(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="high", received_at=datetime.now(UTC) - timedelta(hours=3))
        r = client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt("door", "reached"),
            headers=t.headers["officer"],
        )
        assert r.json()["warning"]["reached_in_time"] is False
        assert r.json()["warning"]["minutes_to_reach"] >= 179

    def test_idempotent_like_contacts(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="high")
        url = f"/api/v1/warnings/{w['id']}/attempts"
        body = attempt("door", "not_home")
        first = client.post(url, json=body, headers=t.headers["officer"])
        assert first.status_code == 201
        again = client.post(url, json=body, headers=t.headers["officer"])
        assert again.status_code == 200
        assert again.json()["attempt"] == first.json()["attempt"]
        changed = client.post(url, json=body | {"outcome": "reached"}, headers=t.headers["officer"])
        assert changed.status_code == 409
        count = session.scalar(select(func.count()).select_from(WarningAttempt))
        assert count == 1
        assert (
            client.get(f"/api/v1/warnings/{w['id']}", headers=t.headers["officer"]).json()["status"]
            == "open"
        )

    def test_concurrent_writers_store_one_attempt(
        self, client: TestClient, session: Session, app: FastAPI
    ) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="high")
        body = attempt("door", "reached")
        statuses: list[int] = []

        def send() -> None:
            with TestClient(app) as c:
                r = c.post(
                    f"/api/v1/warnings/{w['id']}/attempts", json=body, headers=t.headers["officer"]
                )
                statuses.append(r.status_code)

        threads = [threading.Thread(target=send) for _ in range(6)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(statuses) == [200] * 5 + [201]
        assert session.scalar(select(func.count()).select_from(WarningAttempt)) == 1

    def test_staff_record_only_their_own(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        helper = make_member(session, t.community, Role.staff)
        campaign = make_campaign(session, t.community)
        make_round(session, campaign, [t.building], [t.staff, helper])
        own(session, t, t.staff)
        w = warn(client, t)
        url = f"/api/v1/warnings/{w['id']}/attempts"
        r = client.post(url, json=attempt(), headers=auth(session, helper))
        assert r.status_code == 403
        r = client.post(url, json=attempt(), headers=t.headers["staff"])
        assert r.status_code == 201

    def test_money_lost_opens_a_linked_incident(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="medium", fraud_type="fake_customer_service_video")
        r = client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt("door", "reached", money_lost=5000, notes="已转账"),
            headers=t.headers["officer"],
        )
        incident_id = r.json()["attempt"]["incident_id"]
        incident = session.get(Incident, incident_id)
        assert incident is not None
        assert float(incident.amount_lost or 0) == 5000
        assert incident.household_id == t.households[0].id
        assert incident.fraud_type == "fake_customer_service_video"

    def test_batch_answers_each_item(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="low")
        good = attempt("phone", "not_home") | {"warning_id": w["id"]}
        r = client.post(
            "/api/v1/warnings/attempts/batch",
            json={"attempts": [good, good, {"warning_id": 999999, **attempt()}, {"x": 1}]},
            headers=t.headers["officer"],
        )
        assert [x["status"] for x in r.json()["results"]] == [201, 200, 404, 422]


class TestPersonalData:
    def test_masked_to_staff_not_assigned_and_reads_recorded(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        helper = make_member(session, t.community, Role.staff)
        campaign = make_campaign(session, t.community)
        make_round(session, campaign, [t.building], [helper])
        own(session, t, t.staff)
        w = warn(client, t, person_name="王建国", phone="13812345678")
        url = f"/api/v1/warnings/{w['id']}"
        seen = client.get(url, headers=auth(session, helper)).json()
        assert seen["person_name"] == "王**"
        assert seen["phone"] == "138****5678"
        assert seen["personal_data"] == "masked"
        for role in ("staff", "officer", "manager"):
            body = client.get(url, headers=t.headers[role]).json()
            assert body["person_name"] == "王建国", role
            assert body["phone"] == "13812345678"
        reads = session.scalars(
            select(WarningAccess.user_id).where(WarningAccess.warning_id == w["id"])
        ).all()
        # the creation answer, then the three reads that showed it; the masked read is not one
        assert Counter(reads) == Counter([t.officer.id, t.staff.id, t.officer.id, t.manager.id])
        log = client.get(f"{url}/accesses", headers=t.headers["manager"]).json()
        assert len(log) >= 4

    def test_staff_outside_see_nothing(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        w = warn(client, t, person_name="王建国")
        assert (
            client.get(f"/api/v1/warnings/{w['id']}", headers=t.headers["staff"]).status_code == 404
        )

    def test_erased_thirty_days_after_close_and_figures_stay(
        self, client: TestClient, session: Session, app: FastAPI
    ) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="high", person_name="王建国", phone="13812345678")
        client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt("door", "reached", notes="王先生已知晓"),
            headers=t.headers["officer"],
        )
        summary_url = f"/api/v1/communities/{t.community.id}/warnings/summary"
        before = client.get(summary_url, headers=t.headers["officer"]).json()
        with factory(app)() as s:
            assert service.erase_expired(s, now=datetime.now(UTC) + timedelta(days=29)) == []
            assert service.erase_expired(s, now=datetime.now(UTC) + timedelta(days=31)) == [w["id"]]
        body = client.get(f"/api/v1/warnings/{w['id']}", headers=t.headers["officer"]).json()
        assert body["person_name"] is None
        assert body["phone"] is None
        assert body["personal_data"] == "erased"
        tried = client.get(f"/api/v1/warnings/{w['id']}/attempts", headers=t.headers["officer"])
        assert tried.json()[0]["notes"] is None
        after = client.get(summary_url, headers=t.headers["officer"]).json()
        assert after == before
        assert after["reached"] == {"numerator": 1, "denominator": 1, "rate": 1.0}


class TestSummaryAndList:
    def test_figures_with_numerators_and_denominators(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        now = datetime.now(UTC)
        a = warn(client, t, risk="high", received_at=now - timedelta(minutes=30))
        warn(client, t, risk="high", received_at=now - timedelta(hours=5))  # overdue
        c = warn(client, t, risk="low", received_at=now - timedelta(minutes=10))
        client.post(
            f"/api/v1/warnings/{a['id']}/attempts", json=attempt(), headers=t.headers["officer"]
        )
        client.post(
            f"/api/v1/warnings/{c['id']}/attempts",
            json=attempt("phone", "unreachable"),
            headers=t.headers["officer"],
        )
        s = client.get(
            f"/api/v1/communities/{t.community.id}/warnings/summary",
            headers=t.headers["manager"],
        ).json()
        assert s["received"] == 3
        assert s["reached"]["numerator"] == 1
        assert s["reached"]["denominator"] == 3
        assert s["reached_in_time"]["numerator"] == 1
        assert s["open"]["numerator"] == 2
        assert s["overdue"]["numerator"] == 1
        assert s["unreachable"]["numerator"] == 1
        assert s["by_level"]["high"]["received"] == 2
        assert s["by_level"]["low"]["unreachable"] == {
            "numerator": 1,
            "denominator": 1,
            "rate": 1.0,
        }
        assert 29 <= s["median_minutes_to_reach"] <= 31
        listed = client.get(
            f"/api/v1/communities/{t.community.id}/warnings?overdue=true",
            headers=t.headers["officer"],
        ).json()
        assert listed["total"] == 1
        assert (
            client.get(
                f"/api/v1/communities/{t.community.id}/warnings?status=reached",
                headers=t.headers["officer"],
            ).json()["items"][0]["id"]
            == a["id"]
        )

    def test_reassign_and_close_with_reason(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        w = warn(client, t)
        url = f"/api/v1/warnings/{w['id']}"
        r = client.patch(url, json={"assignee_ids": [t.staff.id]}, headers=t.headers["officer"])
        assert r.json()["assignee_ids"] == [t.staff.id]
        assert (
            client.patch(url, json={"status": "closed"}, headers=t.headers["officer"]).status_code
            == 422
        )
        assert (
            client.patch(
                url, json={"status": "closed", "close_reason": "已搬走"}, headers=t.headers["staff"]
            ).status_code
            == 403
        )
        r = client.patch(
            url,
            json={"status": "closed", "close_reason": "已搬走 moved away"},
            headers=t.headers["officer"],
        )
        assert r.json()["status"] == "closed"
        assert r.json()["close_reason"] == "已搬走 moved away"
        assert (
            client.patch(
                url, json={"assignee_ids": [99999]}, headers=t.headers["officer"]
            ).status_code
            == 422
        )


class TestTenantIsolation:
    def test_every_endpoint_answers_404_to_other_communities(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        other = make_tenant(session)
        w = warn(client, t)
        cid = t.community.id
        for role in ("manager", "officer", "staff"):
            h = other.headers[role]
            assert client.get(f"/api/v1/warnings/{w['id']}", headers=h).status_code == 404
            assert (
                client.patch(
                    f"/api/v1/warnings/{w['id']}", json={"notes": "x"}, headers=h
                ).status_code
                == 404
            )
            assert (
                client.post(
                    f"/api/v1/warnings/{w['id']}/attempts", json=attempt(), headers=h
                ).status_code
                == 404
            )
            assert client.get(f"/api/v1/warnings/{w['id']}/attempts", headers=h).status_code == 404
            assert client.get(f"/api/v1/warnings/{w['id']}/accesses", headers=h).status_code == 404
            assert client.get(f"/api/v1/communities/{cid}/warnings", headers=h).status_code == 404
            assert (
                client.get(f"/api/v1/communities/{cid}/warnings/summary", headers=h).status_code
                == 404
            )
            assert (
                client.get(f"/api/v1/communities/{cid}/warnings.xlsx", headers=h).status_code == 404
            )
            assert (
                client.post(
                    f"/api/v1/communities/{cid}/warnings",
                    json={
                        "household_id": t.households[0].id,
                        "risk_level": "high",
                        "received_at": datetime.now(UTC).isoformat(),
                    },
                    headers=h,
                ).status_code
                == 404
            )
            assert (
                client.post(
                    f"/api/v1/communities/{cid}/warnings/import",
                    files={"file": ("a.csv", b"x")},
                    headers=h,
                ).status_code
                == 404
            )
            mine = client.get("/api/v1/members/me/warnings", headers=h).json()
            assert all(x["id"] != w["id"] for x in mine)
            notes = client.get("/api/v1/members/me/notifications", headers=h).json()
            assert all(n["warning_id"] != w["id"] for n in notes["items"])


class TestLedgerAndCampaignFigures:
    def test_each_community_of_the_ledger_has_its_own_warning_figures(
        self, client: TestClient, session: Session
    ) -> None:
        from datetime import date

        from app.auth.models import Membership
        from app.enums import Role

        first, second = make_tenant(session), make_tenant(session)
        second.community.timezone = "Europe/Berlin"
        session.add(
            Membership(
                user_id=first.manager.id, community_id=second.community.id, role=Role.manager
            )
        )
        session.commit()
        warn(client, first, risk="high")
        warn(client, first, risk="low")
        w = warn(client, second, risk="high")
        client.post(
            f"/api/v1/warnings/{w['id']}/attempts",
            json=attempt(),
            headers=second.headers["officer"],
        )
        today = date.today()
        period = f"from={today - timedelta(days=1)}&to={today + timedelta(days=1)}"
        r = client.get(f"/api/v1/ledger?{period}", headers=first.headers["manager"])
        assert r.status_code == 200, r.text
        rows = {row["community_id"]: row["warnings"] for row in r.json()["items"]}
        assert rows[first.community.id]["received"] == 2
        assert rows[first.community.id]["by_level"]["low"]["received"] == 1
        assert rows[second.community.id]["received"] == 1
        assert rows[second.community.id]["reached"]["numerator"] == 1
        for tenant in (first, second):
            mine = rows[tenant.community.id]
            alone = client.get(
                f"/api/v1/communities/{tenant.community.id}/warnings/summary",
                params={"from": mine["start"], "to": mine["end"]},
                headers=first.headers["manager"],
            )
            assert alone.status_code == 200, alone.text
            assert alone.json() == mine

    def test_the_ledger_and_a_campaign_carry_the_warning_figures(
        self, client: TestClient, session: Session
    ) -> None:
        from datetime import date

        from tests.factories import make_campaign as campaign_of

        t = make_tenant(session)
        today = date.today()
        campaign = campaign_of(
            session,
            t.community,
            starts_on=today - timedelta(days=2),
            ends_on=today + timedelta(days=2),
        )
        w = warn(client, t, risk="high")
        client.post(
            f"/api/v1/warnings/{w['id']}/attempts", json=attempt(), headers=t.headers["officer"]
        )
        warn(client, t, risk="low")
        r = client.get(
            f"/api/v1/ledger?from={today - timedelta(days=1)}&to={today + timedelta(days=1)}",
            headers=t.headers["manager"],
        )
        assert r.status_code == 200, r.text
        row = r.json()["items"][0]
        assert row["warnings"]["received"] == 2
        assert row["warnings"]["reached_in_time"] == {"numerator": 1, "denominator": 2, "rate": 0.5}
        s = client.get(
            f"/api/v1/communities/{t.community.id}/warnings/summary?campaign_id={campaign.id}",
            headers=t.headers["manager"],
        ).json()
        assert s["received"] == 2
        other = make_tenant(session)
        bad = client.get(
            f"/api/v1/communities/{other.community.id}/warnings/summary?campaign_id={campaign.id}",
            headers=other.headers["manager"],
        )
        assert bad.status_code == 422
