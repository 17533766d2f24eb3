"""The verification sample through the API: the draw, call-backs, figures, roles.

Every test runs on SQLite and on PostgreSQL; the golden draw below is the same on both.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.campaigns.models import Campaign
from app.communities.models import Household
from app.contacts.models import Contact
from app.enums import Occupancy, Role
from app.verification import stats
from app.verification.models import Verification, VerificationResult
from tests.factories import (
    Tenant,
    auth,
    make_campaign,
    make_household,
    make_member,
    make_tenant,
)

NOW = datetime.now(UTC)


def contact(
    session: Session,
    campaign: Campaign,
    household: Household,
    recorder: User,
    *,
    outcome: str = "reached",
    channel: str = "door",
    voided: bool = False,
) -> Contact:
    """A contact stored directly (the contacts API is tested elsewhere)."""
    when = NOW - timedelta(days=1)
    row = Contact(
        id=uuid.uuid4(),
        campaign_id=campaign.id,
        community_id=campaign.community_id,
        household_id=household.id,
        channel=channel,
        outcome=outcome,
        occurred_at=when,
        utc_offset_minutes=480,
        local_date=when.date(),
        body_hash="0" * 64,
        recorded_by=recorder.id,
        voided_at=NOW if voided else None,
        voided_by=recorder.id if voided else None,
        void_reason="误点" if voided else None,
    )
    session.add(row)
    session.commit()
    return row


@dataclass
class Street:
    """A tenant, a campaign, recorders who reached households at the door, and headers."""

    t: Tenant
    campaign: Campaign
    recorders: list[User]
    reached: dict[int, list[Household]] = field(default_factory=dict)  # recorder id → homes
    others: list[Household] = field(default_factory=list)  # eligible, not reached

    def url(self) -> str:
        return f"/api/v1/campaigns/{self.campaign.id}/verifications"


def make_street(
    session: Session, *, per_recorder: tuple[int, ...] = (15, 10, 5), not_reached: int = 4
) -> Street:
    """Recorder i reaches per_recorder[i] households at the door; a few stay not home."""
    t = make_tenant(session, households=sum(per_recorder) + not_reached)
    today = date.today()
    campaign = make_campaign(
        session, t.community, starts_on=today - timedelta(days=10), ends_on=today + timedelta(10)
    )
    street = Street(t=t, campaign=campaign, recorders=[])
    homes = iter(t.households)
    for n in per_recorder:
        recorder = make_member(session, t.community, Role.staff)
        street.recorders.append(recorder)
        street.reached[recorder.id] = []
        for _ in range(n):
            home = next(homes)
            contact(session, campaign, home, recorder)
            street.reached[recorder.id].append(home)
    for home in homes:
        knocker = street.recorders[0] if street.recorders else t.officer
        contact(session, campaign, home, knocker, outcome="not_home")
        street.others.append(home)
    return street


def result(
    client: TestClient,
    headers: dict[str, str],
    verification_id: int,
    outcome: str,
    *,
    result_id: str | None = None,
    method: str = "phone",
    **extra: Any,
) -> Any:
    """Post a call-back result; the response."""
    body = {
        "id": result_id or str(uuid.uuid4()),
        "outcome": outcome,
        "method": method,
        "occurred_at": NOW.isoformat(),
        **extra,
    }
    return client.post(
        f"/api/v1/verifications/{verification_id}/result", headers=headers, json=body
    )


def draw(client: TestClient, street: Street, **body: Any) -> Any:
    return client.post(street.url(), headers=street.t.headers["officer"], json=body)


def coverage(client: TestClient, street: Street) -> dict[str, Any]:
    r = client.get(
        f"/api/v1/campaigns/{street.campaign.id}/coverage", headers=street.t.headers["officer"]
    )
    assert r.status_code == 200, r.text
    figures: dict[str, Any] = r.json()
    return figures


class TestDraw:
    def test_strata_in_proportion_and_never_to_the_recorder(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session)
        r = draw(client, street, size=12, seed=7)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["population"] == 30
        assert body["size"] == body["total"] == 12
        by_recorder = Counter(i["recorder_id"] for i in body["items"])
        # 15 : 10 : 5 of 30 → 6 : 4 : 2 of 12
        assert [by_recorder[u.id] for u in street.recorders] == [6, 4, 2]
        for item in body["items"]:
            assert item["assignee_id"] is not None
            assert item["assignee_id"] != item["recorder_id"]
            assert item["household_id"] in {h.id for h in street.reached[item["recorder_id"]]}
            assert item["status"] == "pending"

    def test_nobody_calls_back_a_household_they_visited(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(6, 6), not_reached=0)
        # The officer and the other recorder also left a note at every door.
        for homes in street.reached.values():
            for home in homes:
                contact(session, street.campaign, home, street.t.officer, outcome="not_home")
        r = draw(client, street, size=12, seed=3)
        assert r.status_code == 201, r.text
        assignees = {i["assignee_id"] for i in r.json()["items"]}
        assert street.t.officer.id not in assignees
        assert assignees <= {
            street.t.manager.id,
            street.t.staff.id,
            *(u.id for u in street.recorders),
        }
        for item in r.json()["items"]:
            assert item["assignee_id"] != item["recorder_id"]

    def test_call_backs_are_spread_over_the_members(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session)
        items = draw(client, street, size=24, seed=5).json()["items"]
        load = Counter(i["assignee_id"] for i in items)
        # six members; each may call back 24 / 6 = 4, give or take what they visited
        assert len(load) == 6
        assert max(load.values()) - min(load.values()) <= 2

    def test_the_same_seed_draws_the_same_households(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session)
        twin = make_campaign(session, street.t.community, name="双胞胎")
        for recorder_id, homes in street.reached.items():
            recorder = session.get(User, recorder_id)
            assert recorder is not None
            for home in homes:
                contact(session, twin, home, recorder)

        def sample(campaign: Campaign, seed: int) -> list[int]:
            url = f"/api/v1/campaigns/{campaign.id}/verifications"
            r = client.post(
                url, headers=street.t.headers["officer"], json={"size": 8, "seed": seed}
            )
            assert r.status_code == 201, r.text
            return sorted(i["household_id"] for i in r.json()["items"])

        assert sample(street.campaign, 11) == sample(twin, 11)
        r = draw(client, street, size=8, seed=11)
        assert r.status_code == 201  # more households, none drawn twice
        ids = [
            v.household_id
            for v in session.scalars(
                select(Verification).where(Verification.campaign_id == street.campaign.id)
            )
        ]
        assert len(ids) == len(set(ids)) == 16
        assert r.json()["seed"] == 11

    def test_a_draw_without_a_seed_is_random(self, client: TestClient, session: Session) -> None:
        samples = set()
        for _ in range(3):
            street = make_street(session, per_recorder=(10, 10), not_reached=0)
            r = draw(client, street, size=5)
            assert r.status_code == 201
            codes = tuple(sorted(i["household_code"].split("-", 1)[1] for i in r.json()["items"]))
            samples.add(codes)
            assert isinstance(r.json()["seed"], int)
        assert len(samples) > 1

    def test_golden_draw_is_the_same_on_every_backend(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(8, 4), not_reached=2)
        r = draw(client, street, size=6, seed=2026)
        rooms = sorted(
            (i["unit"], i["room"], street.recorders.index(session.get(User, i["recorder_id"])))  # type: ignore[arg-type]
            for i in r.json()["items"]
        )
        assert rooms == GOLDEN

    def test_without_a_size_the_suggested_size_is_drawn(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session)
        r = draw(client, street, seed=1)
        assert r.status_code == 201, r.text
        assert r.json()["suggested_size"] == stats.suggested_size(30) == 28
        assert r.json()["size"] == 28
        again = draw(client, street)
        assert again.status_code == 409
        assert "suggested size" in again.json()["detail"]
        more = draw(client, street, size=5)
        assert more.status_code == 201
        assert more.json()["size"] == 2  # only two were left
        assert draw(client, street, size=1).status_code == 409

    def test_only_households_reached_at_the_door_are_drawn(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(3,), not_reached=0)
        recorder = street.recorders[0]
        door_reached = [h.id for h in street.t.households]
        # Reached only at an event or as a walk-in, by a voided door tap, or refused at the door;
        # a door 'reached' on a registered-vacant household (excluded from the denominator).
        for kind in ("event", "walk_in"):
            contact(session, street.campaign, _new_home(session, street), recorder, channel=kind)
        contact(session, street.campaign, _new_home(session, street), recorder, voided=True)
        contact(session, street.campaign, _new_home(session, street), recorder, outcome="refused")
        vacant = _new_home(session, street, occupancy=Occupancy.vacant)
        contact(session, street.campaign, vacant, recorder)
        # Another community's campaign: never seen here.
        other = make_street(session, per_recorder=(3,), not_reached=0)
        del other
        r = draw(client, street, size=50, seed=1)
        assert r.status_code == 201, r.text
        assert r.json()["population"] == 3
        assert sorted(i["household_id"] for i in r.json()["items"]) == sorted(door_reached)

    def test_no_one_left_to_call_back_is_a_conflict(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(4,), not_reached=0)
        only = street.recorders[0]
        r = draw(client, street, size=2, assignee_ids=[only.id])
        assert r.status_code == 409
        assert "widen assignee_ids" in r.json()["detail"]
        assert session.scalar(select(func.count()).select_from(Verification)) == 0

    def test_assignees_must_be_members(self, client: TestClient, session: Session) -> None:
        street = make_street(session, per_recorder=(4,), not_reached=0)
        outsider = make_tenant(session, households=0).staff
        r = draw(client, street, size=2, assignee_ids=[outsider.id])
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "assignee_ids"

    @pytest.mark.parametrize("body", [{"size": 0}, {"size": "many"}, {"seed": -1}, {"x": 1}])
    def test_bad_bodies_are_422(
        self, client: TestClient, session: Session, body: dict[str, Any]
    ) -> None:
        street = make_street(session, per_recorder=(4,), not_reached=0)
        assert draw(client, street, **body).status_code == 422
        assert session.scalar(select(func.count()).select_from(Verification)) == 0

    def test_nothing_reached_is_a_conflict(self, client: TestClient, session: Session) -> None:
        street = make_street(session, per_recorder=(), not_reached=3)
        r = draw(client, street, size=3)
        assert r.status_code == 409
        assert "reached at the door" in r.json()["detail"]

    def test_staff_may_not_draw(self, client: TestClient, session: Session) -> None:
        street = make_street(session, per_recorder=(4,), not_reached=0)
        r = client.post(street.url(), headers=street.t.headers["staff"], json={"size": 2})
        assert r.status_code == 403
        r = client.post(street.url(), headers=street.t.headers["manager"], json={"size": 2})
        assert r.status_code == 201


def _new_home(session: Session, street: Street, **kw: Any) -> Household:
    return make_household(session, street.t.building, unit="3", floor=9, **kw)


GOLDEN = [
    ("1", "301", 0),
    ("1", "601", 1),
    ("2", "102", 0),
    ("2", "302", 0),
    ("2", "402", 0),
    ("2", "602", 1),
]
"""Seed 2026 over 8 + 4 visits: (unit, room, which recorder), 4 : 2 in proportion."""


class TestList:
    def test_staff_see_only_theirs_and_not_who_ticked_them(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session)
        draw(client, street, size=24, seed=9)
        staff = street.t.headers["staff"]
        mine = client.get(street.url(), headers=staff).json()
        assert mine["total"] == len(mine["items"]) > 0
        assert {i["assignee_id"] for i in mine["items"]} == {street.t.staff.id}
        assert all(i["recorder_id"] is None and i["recorder_name"] is None for i in mine["items"])
        everywhere = client.get("/api/v1/members/me/verifications", headers=staff).json()
        assert sorted(i["id"] for i in everywhere["items"]) == sorted(
            i["id"] for i in mine["items"]
        )
        everything = client.get(street.url(), headers=street.t.headers["officer"]).json()
        assert everything["total"] == 24
        assert all(i["recorder_name"] for i in everything["items"])

    def test_staff_cannot_open_someone_elses(self, client: TestClient, session: Session) -> None:
        street = make_street(session)
        items = draw(client, street, size=24, seed=9).json()["items"]
        other = next(i for i in items if i["assignee_id"] != street.t.staff.id)
        r = client.get(f"/api/v1/verifications/{other['id']}", headers=street.t.headers["staff"])
        assert r.status_code == 404
        r = result(client, street.t.headers["staff"], other["id"], "confirmed")
        assert r.status_code == 404
        assert session.scalar(select(func.count()).select_from(VerificationResult)) == 0

    def test_filter_by_status(self, client: TestClient, session: Session) -> None:
        street = make_street(session)
        items = draw(client, street, size=6, seed=9).json()["items"]
        manager = street.t.headers["manager"]
        assert result(client, manager, items[0]["id"], "denied").status_code == 201
        officer = street.t.headers["officer"]
        pending = client.get(street.url() + "?status=pending", headers=officer).json()
        denied = client.get(street.url() + "?status=denied", headers=officer).json()
        assert (pending["total"], denied["total"]) == (5, 1)
        assert client.get(street.url() + "?status=maybe", headers=officer).status_code == 422


class TestReassign:
    def test_officer_gives_a_call_back_to_someone_who_did_not_visit(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(4, 4), not_reached=0)
        items = draw(client, street, size=8, seed=6).json()["items"]
        item = next(i for i in items if i["assignee_id"] != street.t.staff.id)
        url = f"/api/v1/verifications/{item['id']}"
        officer = street.t.headers["officer"]
        r = client.patch(url, headers=officer, json={"assignee_id": street.t.staff.id})
        assert r.status_code == 200, r.text
        assert r.json()["assignee_id"] == street.t.staff.id
        mine = client.get("/api/v1/members/me/verifications", headers=street.t.headers["staff"])
        assert item["id"] in {i["id"] for i in mine.json()["items"]}
        recorder = item["recorder_id"]
        r = client.patch(url, headers=officer, json={"assignee_id": recorder})
        assert r.status_code == 422
        assert "recorded a visit" in r.json()["detail"]
        outsider = make_tenant(session, households=0).staff.id
        assert client.patch(url, headers=officer, json={"assignee_id": outsider}).status_code == 422
        staff = street.t.headers["staff"]
        assert (
            client.patch(url, headers=staff, json={"assignee_id": street.t.manager.id}).status_code
            == 403
        )
        assert result(client, staff, item["id"], "confirmed").status_code == 201
        settled = client.patch(url, headers=officer, json={"assignee_id": street.t.manager.id})
        assert settled.status_code == 409


class TestResult:
    def _one(self, client: TestClient, session: Session) -> tuple[Street, dict[str, Any]]:
        street = make_street(session, per_recorder=(4,), not_reached=0)
        items = draw(client, street, size=4, seed=1).json()["items"]
        return street, next(i for i in items if i["assignee_id"] == street.t.staff.id)

    def test_same_id_same_body_is_stored_once(self, client: TestClient, session: Session) -> None:
        street, item = self._one(client, session)
        staff = street.t.headers["staff"]
        rid = str(uuid.uuid4())
        first = result(client, staff, item["id"], "confirmed", result_id=rid)
        assert first.status_code == 201, first.text
        again = result(client, staff, item["id"], "confirmed", result_id=rid)
        assert again.status_code == 200
        assert again.json() == first.json()
        other = result(client, staff, item["id"], "denied", result_id=rid)
        assert other.status_code == 409
        assert session.scalar(select(func.count()).select_from(VerificationResult)) == 1
        v = client.get(f"/api/v1/verifications/{item['id']}", headers=staff).json()
        assert (v["status"], v["attempts"], v["method"]) == ("confirmed", 1, "phone")

    def test_unreachable_stays_open_and_a_settled_one_refuses_more(
        self, client: TestClient, session: Session
    ) -> None:
        street, item = self._one(client, session)
        staff = street.t.headers["staff"]
        assert result(client, staff, item["id"], "unreachable").status_code == 201
        assert result(client, staff, item["id"], "unreachable").status_code == 201
        assert result(client, staff, item["id"], "denied", method="door").status_code == 201
        late = result(client, staff, item["id"], "confirmed")
        assert late.status_code == 409
        v = client.get(f"/api/v1/verifications/{item['id']}", headers=staff).json()
        assert (v["status"], v["attempts"], v["method"]) == ("denied", 3, "door")
        history = client.get(f"/api/v1/verifications/{item['id']}/results", headers=staff).json()
        assert [h["outcome"] for h in history] == ["unreachable", "unreachable", "denied"]

    def test_whoever_visited_the_household_may_not_verify_it(
        self, client: TestClient, session: Session
    ) -> None:
        street, item = self._one(client, session)
        home = session.get(Household, item["household_id"])
        assert home is not None
        contact(session, street.campaign, home, street.t.officer, outcome="not_home")
        r = result(client, street.t.headers["officer"], item["id"], "confirmed")
        assert r.status_code == 403
        recorder = auth(session, street.recorders[0])
        assert result(client, recorder, item["id"], "confirmed").status_code in (403, 404)
        assert session.scalar(select(func.count()).select_from(VerificationResult)) == 0

    @pytest.mark.parametrize(
        "change",
        [
            {"outcome": "maybe"},
            {"method": "letter"},
            {"occurred_at": "2026-12-01T09:00:00"},
            {"occurred_at": (NOW + timedelta(days=3)).isoformat()},
            {"id": "not-a-uuid"},
            {"notes": "x" * 2001},
        ],
    )
    def test_bad_results_are_422_and_change_nothing(
        self, client: TestClient, session: Session, change: dict[str, Any]
    ) -> None:
        street, item = self._one(client, session)
        body = {"id": str(uuid.uuid4()), "outcome": "confirmed", "method": "phone"}
        body["occurred_at"] = NOW.isoformat()
        body.update(change)
        r = client.post(
            f"/api/v1/verifications/{item['id']}/result",
            headers=street.t.headers["staff"],
            json=body,
        )
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert session.scalar(select(func.count()).select_from(VerificationResult)) == 0

    def test_unknown_verification_is_404(self, client: TestClient, session: Session) -> None:
        street, _item = self._one(client, session)
        assert result(client, street.t.headers["officer"], 999_999, "confirmed").status_code == 404


class TestConcurrency:
    def _all_at_once(
        self, client: TestClient, url: str, bodies: list[dict[str, Any]], headers: dict[str, str]
    ) -> list[int]:
        barrier = threading.Barrier(len(bodies))
        statuses = [0] * len(bodies)

        def send(i: int) -> None:
            barrier.wait()
            statuses[i] = client.post(url, json=bodies[i], headers=headers).status_code

        threads = [threading.Thread(target=send, args=(i,)) for i in range(len(bodies))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return statuses

    def test_one_answer_sent_six_times_at_once_is_stored_once(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(2,), not_reached=0)
        item = draw(client, street, size=1, seed=1).json()["items"][0]
        body = {
            "id": str(uuid.uuid4()),
            "outcome": "confirmed",
            "method": "door",
            "occurred_at": NOW.isoformat(),
        }
        url = f"/api/v1/verifications/{item['id']}/result"
        statuses = self._all_at_once(client, url, [body] * 6, street.t.headers["manager"])
        assert sorted(statuses) == [200] * 5 + [201]
        assert session.scalar(select(func.count()).select_from(VerificationResult)) == 1

    def test_two_different_verdicts_at_once_settle_it_once(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(2,), not_reached=0)
        item = draw(client, street, size=1, seed=1).json()["items"][0]
        bodies = [
            {
                "id": str(uuid.uuid4()),
                "outcome": o,
                "method": "phone",
                "occurred_at": NOW.isoformat(),
            }
            for o in ("confirmed", "denied", "confirmed", "denied")
        ]
        url = f"/api/v1/verifications/{item['id']}/result"
        statuses = self._all_at_once(client, url, bodies, street.t.headers["manager"])
        assert sorted(statuses) == [201, 409, 409, 409]
        assert session.scalar(select(func.count()).select_from(VerificationResult)) == 1


class TestFigures:
    def test_interval_is_the_hand_computation(self, client: TestClient, session: Session) -> None:
        # 16 eligible households, 12 reached at the door by three recorders (4 each).
        street = make_street(session, per_recorder=(4, 4, 4), not_reached=4)
        items = draw(client, street, size=12, seed=4).json()["items"]
        manager = street.t.headers["manager"]
        outcomes = ["confirmed"] * 8 + ["denied"] * 2 + ["unreachable"] * 2
        for item, outcome in zip(items, outcomes, strict=True):
            assert result(client, manager, item["id"], outcome).status_code == 201
        figures = coverage(client, street)
        v = figures["verification"]
        assert (figures["reached"], figures["eligible"]) == (12, 16)
        assert {k: v[k] for k in ("sampled", "pending", "confirmed", "denied", "unreachable")} == {
            "sampled": 12,
            "pending": 0,
            "confirmed": 8,
            "denied": 2,
            "unreachable": 2,
        }
        assert v["confirmed_rate"] == 0.8
        assert v["population"] == figures["by_channel"]["door"] == 12
        assert v["claimed_coverage"] == 0.75
        # Wilson 95% for 8/10 is 0.4902–0.9433 (Newcombe 1998), times 12/16.
        assert v["verified_coverage"]["low"] == pytest.approx(0.4902 * 0.75, abs=1e-4)
        assert v["verified_coverage"]["high"] == pytest.approx(0.9433 * 0.75, abs=1e-4)
        assert sum(r["sampled"] for r in v["by_recorder"]) == 12

    def test_a_denial_changes_coverage_only_when_the_officer_voids_the_visit(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(4,), not_reached=0)
        item = draw(client, street, size=1, seed=2).json()["items"][0]
        assert result(client, street.t.headers["manager"], item["id"], "denied").status_code == 201
        assert coverage(client, street)["reached"] == 4
        r = client.post(
            f"/api/v1/contacts/{item['contact_id']}/void",
            headers=street.t.headers["officer"],
            json={"reason": "回访住户否认有人上门 / the resident denies the visit"},
        )
        assert r.status_code == 200
        after = coverage(client, street)
        assert after["reached"] == 3
        assert after["verification"]["denied"] == 1  # the evidence stays
        listed = client.get(street.url(), headers=street.t.headers["officer"]).json()["items"]
        assert listed[0]["contact_voided"] is True

    def test_a_recorder_with_improbable_denials_is_flagged(
        self, client: TestClient, session: Session
    ) -> None:
        street = make_street(session, per_recorder=(20, 20, 10), not_reached=0)
        items = draw(client, street, size=50, seed=8).json()["items"]
        liar = street.recorders[2]
        manager = street.t.headers["manager"]
        denied_so_far = 0
        for item in items:
            outcome = "confirmed"
            if item["recorder_id"] == liar.id and denied_so_far < 6:
                outcome, denied_so_far = "denied", denied_so_far + 1
            assert result(client, manager, item["id"], outcome).status_code == 201
        v = coverage(client, street)["verification"]
        rows = {r["recorder_id"]: r for r in v["by_recorder"]}
        assert v["denial_rate"] == 0.12  # 6 of 50
        assert rows[liar.id]["flagged"] is True
        assert (rows[liar.id]["confirmed"], rows[liar.id]["denied"]) == (4, 6)
        assert rows[liar.id]["confirmed_rate"] == 0.4
        # Everyone else: 0 denied of 40, plus one of each → 1/42; P(X ≥ 6), X ~ Bin(10, 1/42)
        assert rows[liar.id]["expected_denial_rate"] == round(1 / 42, 4)
        assert rows[liar.id]["p_value"] == pytest.approx(
            stats.binomial_upper_tail(6, 10, 1 / 42), abs=1e-6
        )
        assert rows[liar.id]["p_value"] < 0.01
        honest = [rows[u.id] for u in street.recorders[:2]]
        assert [r["flagged"] for r in honest] == [False, False]
        assert [r["confirmed_rate"] for r in honest] == [1.0, 1.0]

    def test_no_sample_answers_zeros(self, client: TestClient, session: Session) -> None:
        street = make_street(session, per_recorder=(4,), not_reached=0)
        v = coverage(client, street)["verification"]
        assert (v["sampled"], v["confirmed_rate"], v["verified_coverage"]) == (
            0,
            None,
            {"low": None, "high": None},
        )
        assert v["population"] == 4
        assert v["suggested_size"] == 4
