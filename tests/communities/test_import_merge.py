"""Re-importing a roster never removes what the office recorded unless told (DESIGN §7)."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.communities import importer
from app.communities.models import Household, HouseholdFlag
from app.contacts.models import Contact
from app.enums import Channel, Occupancy, Outcome
from tests.factories import Tenant, make_campaign, make_tenant

ROSTER = Path(__file__).resolve().parents[1] / "fixtures" / "roster-jiangnan-star.xlsx"
URL = "/api/v1/communities/{}/households/import"


def upload(
    client: TestClient, t: Tenant, content: bytes, name: str = "roster.csv", **params: bool
) -> tuple[int, dict[str, Any]]:
    """Post a roster as the officer with the given query switches."""
    r = client.post(
        URL.format(t.community.id),
        params={k: str(v).lower() for k, v in params.items()},
        headers=t.headers["officer"],
        files={"file": (name, content, "application/octet-stream")},
    )
    return r.status_code, r.json()


def household(session: Session, t: Tenant, code: str) -> Household:
    """The stored household, read afresh."""
    session.rollback()
    return session.scalars(
        select(Household).where(Household.community_id == t.community.id, Household.code == code)
    ).one()


def flags(session: Session, h: Household) -> set[str]:
    """The household's stored flags."""
    session.rollback()
    return set(
        session.scalars(select(HouseholdFlag.flag).where(HouseholdFlag.household_id == h.id))
    )


def campaign_now(session: Session, t: Tenant) -> Campaign:
    """An active campaign around today."""
    session.rollback()  # a fresh snapshot: SQLite refuses to write from a stale one
    today = date.today()
    return make_campaign(
        session,
        t.community,
        name="冬季反诈宣传",
        starts_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=10),
    )


def reach(session: Session, campaign: Campaign, h: Household, **kw: Any) -> None:
    """A door contact that reached the household an hour ago."""
    session.rollback()
    when = datetime.now(UTC) - timedelta(hours=1)
    values: dict[str, Any] = {
        "channel": Channel.door,
        "outcome": Outcome.reached,
    }
    values.update(kw)
    session.add(
        Contact(
            id=uuid.uuid4(),
            campaign_id=campaign.id,
            community_id=campaign.community_id,
            household_id=h.id,
            occurred_at=when,
            local_date=when.date(),
            body_hash="0" * 64,
            **values,
        )
    )
    session.commit()


FIRST = (
    b"building,unit,floor,room,occupancy,flags\n"
    b"7,1,1,101,occupied,elderly_alone\n"
    b"7,1,1,102,occupied,\n"
    b"7,1,2,201,occupied,\n"
)


@pytest.fixture
def t(client: TestClient, session: Session) -> Tenant:
    """A community whose roster of three households was imported once."""
    tenant = make_tenant(session, households=0)
    status, body = upload(client, tenant, FIRST)
    assert (status, body["created"]) == (200, 3), body
    return tenant


def set_flags(client: TestClient, t: Tenant, session: Session, code: str, *names: str) -> None:
    """Flag a household through the API, as the office does."""
    h = household(session, t, code)
    r = client.patch(
        f"/api/v1/households/{h.id}", json={"flags": list(names)}, headers=t.headers["officer"]
    )
    assert r.status_code == 200, r.text


class TestFlags:
    def test_flags_from_the_file_are_added_to_the_recorded_ones(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        set_flags(client, t, session, "7-1-101", "elderly_alone", "previous_victim")
        set_flags(client, t, session, "7-1-102", "previous_victim")
        status, body = upload(
            client, t, FIRST.replace(b"1,102,occupied,", b"1,102,occupied,disabled")
        )
        assert status == 200, body
        assert flags(session, household(session, t, "7-1-101")) == {
            "elderly_alone",
            "previous_victim",
        }
        assert flags(session, household(session, t, "7-1-102")) == {"disabled", "previous_victim"}
        assert (body["updated"], body["unchanged"]) == (1, 2)
        assert body["changes"] == [
            {
                "row": 3,
                "code": "7-1-102",
                "field": "flags",
                "old": ["previous_victim"],
                "new": ["disabled", "previous_victim"],
            }
        ]

    def test_replace_flags_makes_the_file_the_truth(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        set_flags(client, t, session, "7-1-101", "elderly_alone", "previous_victim")
        status, body = upload(client, t, FIRST, replace_flags=True)
        assert status == 200, body
        assert flags(session, household(session, t, "7-1-101")) == {"elderly_alone"}
        assert body["changes"][0]["field"] == "flags"
        assert body["changes"][0]["new"] == ["elderly_alone"]

    def test_replace_flags_without_a_flags_column_keeps_them(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        set_flags(client, t, session, "7-1-101", "previous_victim")
        status, body = upload(
            client, t, b"building,unit,floor,room\n7,1,1,101\n", replace_flags=True
        )
        assert (status, body["unchanged"]) == (200, 1), body
        assert flags(session, household(session, t, "7-1-101")) == {"previous_victim"}


class TestEmptyCells:
    def test_an_empty_cell_changes_nothing(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        status, body = upload(
            client, t, b"building,unit,floor,room,occupancy\n7,1,,101,\n7,1,2,201,vacant\n"
        )
        assert status == 200, body
        assert household(session, t, "7-1-101").occupancy == Occupancy.occupied
        assert household(session, t, "7-1-101").floor == 1
        assert (body["updated"], body["unchanged"]) == (1, 1)
        assert body["changes"] == [
            {"row": 3, "code": "7-1-201", "field": "occupancy", "old": "occupied", "new": "vacant"}
        ]

    def test_unknown_written_out_is_a_change(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        status, body = upload(client, t, "楼栋,单元,房号,居住状态\n7,1,101,未知\n".encode())
        assert (status, body["updated"]) == (200, 1), body
        assert household(session, t, "7-1-101").occupancy == Occupancy.unknown

    def test_every_changed_field_is_listed(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        content = b"code,building,unit,floor,room\n7-1-201,7,2,3,301\n"
        status, body = upload(client, t, content)
        assert status == 200, body
        assert sorted((c["field"], c["old"], c["new"]) for c in body["changes"]) == [
            ("floor", 2, 3),
            ("room", "201", "301"),
            ("unit", "1", "2"),
        ]
        assert {c["row"] for c in body["changes"]} == {2}
        h = household(session, t, "7-1-201")
        assert (h.unit, h.floor, h.room) == ("2", 3, "301")


class TestReachedNeverVacantSilently:
    def test_the_row_is_refused_until_confirmed(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        campaign = campaign_now(session, t)
        reach(session, campaign, household(session, t, "7-1-101"))
        content = FIRST.replace(b"1,101,occupied", b"1,101,vacant").replace(
            b"2,201,occupied", b"2,201,vacant"
        )
        status, body = upload(client, t, content)
        assert status == 422, body
        assert [e["row"] for e in body["errors"]] == [2]
        assert "confirm_vacant" in body["errors"][0]["reason"]
        assert "冬季反诈宣传" in body["errors"][0]["reason"]
        assert body["result"]["needs_confirmation"] == [
            {"row": 2, "code": "7-1-101", "field": "occupancy", "old": "occupied", "new": "vacant"}
        ]
        assert household(session, t, "7-1-101").occupancy == Occupancy.occupied
        assert household(session, t, "7-1-201").occupancy == Occupancy.occupied

        status, body = upload(client, t, content, partial=True)
        assert (status, body["updated"]) == (200, 1), body
        assert household(session, t, "7-1-101").occupancy == Occupancy.occupied
        assert household(session, t, "7-1-201").occupancy == Occupancy.vacant

        status, body = upload(client, t, content, confirm_vacant=True)
        assert (status, body["updated"]) == (200, 1), body
        assert body["changes"] == [
            {"row": 2, "code": "7-1-101", "field": "occupancy", "old": "occupied", "new": "vacant"}
        ]
        assert household(session, t, "7-1-101").occupancy == Occupancy.vacant

    @pytest.mark.parametrize(
        ("channel", "outcome", "voided", "guarded"),
        [
            (Channel.walk_in, Outcome.reached, False, True),
            (Channel.door, Outcome.not_home, False, False),
            (Channel.door, Outcome.reached, True, False),
        ],
        ids=["walk-in", "not-home", "voided"],
    )
    def test_only_what_coverage_counts_as_reached_is_guarded(
        self,
        client: TestClient,
        session: Session,
        t: Tenant,
        channel: Channel,
        outcome: Outcome,
        voided: bool,
        guarded: bool,
    ) -> None:
        campaign = campaign_now(session, t)
        reach(
            session,
            campaign,
            household(session, t, "7-1-101"),
            channel=channel,
            outcome=outcome,
            voided_at=datetime.now(UTC) if voided else None,
        )
        status, _ = upload(client, t, b"building,unit,room,occupancy\n7,1,101,vacant\n")
        assert status == (422 if guarded else 200)


class TestDryRun:
    def test_answers_the_same_and_stores_nothing(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        set_flags(client, t, session, "7-1-102", "previous_victim")
        content = FIRST + b"7,1,2,202,vacant,elderly_alone\n"
        content = content.replace(b"2,201,occupied,", b"2,201,vacant,disabled")
        status, dry = upload(client, t, content, dry_run=True)
        assert status == 200, dry
        assert dry["dry_run"] is True
        assert household(session, t, "7-1-201").occupancy == Occupancy.occupied
        assert flags(session, household(session, t, "7-1-201")) == set()
        session.rollback()
        assert session.scalar(select(Household).where(Household.code == "7-1-202")) is None

        status, real = upload(client, t, content)
        assert status == 200, real
        assert real["dry_run"] is False
        assert {k: v for k, v in dry.items() if k != "dry_run"} == {
            k: v for k, v in real.items() if k != "dry_run"
        }
        assert (real["created"], real["updated"], real["unchanged"]) == (1, 1, 2)
        assert real["created_households"] == [{"row": 5, "code": "7-1-202"}]
        assert household(session, t, "7-1-201").occupancy == Occupancy.vacant

    def test_a_refused_file_answers_the_same_with_a_preview(
        self, client: TestClient, session: Session, t: Tenant
    ) -> None:
        content = FIRST + b"7,1,2,202,martian,\n7,1,3,301,vacant,\n"
        dry_status, dry = upload(client, t, content, dry_run=True)
        status, real = upload(client, t, content)
        assert dry_status == status == 422
        assert dry["errors"] == real["errors"] == [real["errors"][0]]
        assert real["errors"][0]["row"] == 5
        assert real["preview"]["created_households"] == [{"row": 6, "code": "7-1-301"}]
        assert real["result"]["created"] == 0
        session.rollback()
        assert session.scalar(select(Household).where(Household.code == "7-1-301")) is None


class TestSharedRosterReimport:
    def test_office_flags_and_reached_households_survive(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        status, body = upload(client, t, ROSTER.read_bytes(), ROSTER.name)
        assert (status, body["created"]) == (200, 840), body
        session.rollback()
        stored = list(
            session.scalars(
                select(Household)
                .where(Household.community_id == t.community.id)
                .order_by(Household.id)
            )
        )
        victims = [h for h in stored if h.occupancy != Occupancy.vacant][:7]
        for h in victims:
            set_flags(client, t, session, h.code, "previous_victim")
        vacant = [h for h in stored if h.occupancy == Occupancy.vacant][:4]
        campaign = campaign_now(session, t)
        for h in vacant:
            r = client.patch(
                f"/api/v1/households/{h.id}",
                json={"occupancy": "occupied"},
                headers=t.headers["officer"],
            )
            assert r.status_code == 200
            reach(session, campaign, h)

        status, body = upload(client, t, ROSTER.read_bytes(), ROSTER.name, dry_run=True)
        assert status == 422
        assert {c["code"] for c in body["result"]["needs_confirmation"]} == {h.code for h in vacant}
        status, body = upload(client, t, ROSTER.read_bytes(), ROSTER.name, partial=True)
        assert status == 200, body
        assert len(body["rejected"]) == 4
        assert all("previous_victim" in flags(session, h) for h in victims)
        assert all(household(session, t, h.code).occupancy == Occupancy.occupied for h in vacant)


class TestSqliteWriteLock:
    def test_a_contact_is_recorded_while_an_import_parses(
        self,
        client: TestClient,
        session: Session,
        t: Tenant,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        campaign = campaign_now(session, t)
        target = household(session, t, "7-1-102")
        parsing, go = threading.Event(), threading.Event()
        real_parse = importer.parse_roster

        def slow_parse(data: bytes) -> importer.Roster:
            parsing.set()
            assert go.wait(60)
            return real_parse(data)

        monkeypatch.setattr(importer, "parse_roster", slow_parse)
        answer: dict[str, int] = {}
        worker = threading.Thread(
            target=lambda: answer.update(status=upload(client, t, FIRST)[0]), daemon=True
        )
        worker.start()
        try:
            assert parsing.wait(60)
            r = client.post(
                "/api/v1/contacts",
                headers=t.headers["officer"],
                json={
                    "id": str(uuid.uuid4()),
                    "campaign_id": campaign.id,
                    "household_id": target.id,
                    "channel": "walk_in",
                    "outcome": "reached",
                    "occurred_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
                },
            )
        finally:
            go.set()
            worker.join(60)
        assert r.status_code == 201, r.text
        assert answer["status"] == 200
