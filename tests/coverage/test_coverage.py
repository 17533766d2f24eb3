"""The coverage rules on a hand-built scenario where every figure is known in advance.

Community in Asia/Shanghai, campaign over twenty days ending nine days ago, written below as
1–20 November (every date is relative to today, the 20th being the factory round's day).
Building A (a1–a6), building B (b1–b8), building C (empty). What each household went through
(times are Shanghai time):

    a1  reached 10 Nov 10:00 (flyer, app, 2 residents)
    a2  not_home 10 Nov 10:00, reached 11 Nov 00:30 (pledge, 1 resident)  ← across midnight
    a3  refused 10 Nov 10:00, reached 10 Nov 15:00                        ← refused then reached
    a4  registered vacant; materials_left 10 Nov 10:00 (flyer)           ← excluded
    a5  not_home 10 Nov 10:00, vacant 10 Nov 23:30; flag elderly_alone   ← excluded (latest vacant)
    a6  vacant 10 Nov 10:00, reached 10 Nov 23:30                         ← vacant, later reached
    b1  door reached 10 Nov 10:00 (app, 1 resident), event 11 Nov 00:30 (app, 3 residents)
    b2  reached 10 Nov 10:00, voided                                       ← counts nowhere
    b3  not_home 10 Nov 10:00                                              ← not yet revisited
    b4  nothing; flag elderly_alone                                        ← never visited
    b5  materials_left 10 Nov 10:00 (flyer); flags elderly_alone, previous_victim
    b6  walk_in 11 Nov 09:00; flag previous_victim
    b7  phone reached 12 Nov 09:30 (sent as 01:30Z)
    b8  refused 11 Nov 10:00
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.models import Membership
from app.campaigns.models import Campaign
from app.communities.models import Building, Household
from app.coverage import service as coverage
from app.enums import IncidentStatus, Occupancy, Role
from app.incidents.models import Incident
from tests.factories import (
    Tenant,
    auth,
    make_building,
    make_campaign,
    make_household,
    make_tenant,
    make_user,
    round_day,
    utc_on,
)

D1 = f"{round_day(-10)}T10:00:00+08:00"
D1_AFTERNOON = f"{round_day(-10)}T15:00:00+08:00"
D1_LATE = f"{round_day(-10)}T23:30:00+08:00"
D2_EARLY = f"{round_day(-9)}T00:30:00+08:00"  # still 10 November in UTC
D2 = f"{round_day(-9)}T09:00:00+08:00"
D2_LATER = f"{round_day(-9)}T10:00:00+08:00"
D3_UTC = f"{round_day(-8)}T01:30:00Z"  # 09:30 on 12 November in Shanghai


def record(
    client: TestClient,
    headers: dict[str, str],
    campaign: Campaign,
    household: Household,
    outcome: str,
    when: str,
    channel: str = "door",
    **extra: Any,
) -> str:
    """Record one contact through the API; its id."""
    contact_id = str(uuid.uuid4())
    r = client.post(
        "/api/v1/contacts",
        headers=headers,
        json={
            "id": contact_id,
            "campaign_id": campaign.id,
            "household_id": household.id,
            "channel": channel,
            "outcome": outcome,
            "occurred_at": when,
            **extra,
        },
    )
    assert r.status_code == 201, r.text
    return contact_id


def incident(session: Session, community_id: int, when: str, **kw: Any) -> None:
    """A scam report."""
    session.add(
        Incident(
            community_id=community_id,
            occurred_at=datetime.fromisoformat(when),
            fraud_type="fake_customer_service_video",
            channel="FaceTime",
            summary="冒充客服",
            **kw,
        )
    )
    session.commit()


@dataclass
class Scenario:
    """The tenant, its campaign, the buildings and the households by name."""

    tenant: Tenant
    campaign: Campaign
    a: Building
    b: Building
    c: Building
    h: dict[str, Household]
    phone_reach: str


@pytest.fixture
def scenario(client: TestClient, session: Session) -> Scenario:
    """The households of the module docstring, recorded through the API."""
    t = make_tenant(session, households=0)
    a = t.building
    b = make_building(session, t.community, code="B")
    c = make_building(session, t.community, code="C")
    h: dict[str, Household] = {}
    for n in range(1, 7):
        h[f"a{n}"] = make_household(
            session,
            a,
            floor=n,
            room=f"{n}01",
            occupancy=Occupancy.vacant if n == 4 else Occupancy.occupied,
            flags=("elderly_alone",) if n == 5 else (),
        )
    flags = {"b4": ("elderly_alone",), "b5": ("elderly_alone", "previous_victim")}
    flags["b6"] = ("previous_victim",)
    for n in range(1, 9):
        h[f"b{n}"] = make_household(
            session, b, floor=n, room=f"{n}01", flags=flags.get(f"b{n}", ())
        )
    campaign = make_campaign(session, t.community, starts_on=round_day(-19), ends_on=round_day(0))
    o = t.headers["officer"]

    def rec(name: str, outcome: str, when: str, channel: str = "door", **extra: Any) -> str:
        return record(client, o, campaign, h[name], outcome, when, channel, **extra)

    rec("a1", "reached", D1, flyer_given=True, app_installed=True, residents_reached=2)
    rec("a2", "not_home", D1)
    rec("a2", "reached", D2_EARLY, pledge_signed=True, residents_reached=1)
    rec("a3", "refused", D1)
    rec("a3", "reached", D1_AFTERNOON)
    rec("a4", "materials_left", D1, flyer_given=True)
    rec("a5", "not_home", D1)
    rec("a5", "vacant", D1_LATE)
    rec("a6", "vacant", D1)
    rec("a6", "reached", D1_LATE)
    rec("b1", "reached", D1, app_installed=True, residents_reached=1)
    rec("b1", "reached", D2_EARLY, "event", app_installed=True, residents_reached=3)
    voided = rec("b2", "reached", D1)
    r = client.post(f"/api/v1/contacts/{voided}/void", json={"reason": "点错了"}, headers=o)
    assert r.status_code == 200
    rec("b3", "not_home", D1)
    rec("b5", "materials_left", D1, flyer_given=True)
    rec("b6", "reached", D2, "walk_in")
    phone = rec("b7", "reached", D3_UTC, "phone")
    rec("b8", "refused", D2_LATER)

    c_id = t.community.id
    incident(session, c_id, f"{round_day(-10)}T20:00:00+08:00", amount_prevented=Decimal(5000))
    incident(session, c_id, f"{round_day(-8)}T20:00:00+08:00", amount_lost=Decimal(2000))
    incident(session, c_id, f"{round_day(0)}T23:00:00+08:00", status=IncidentStatus.resolved)
    incident(session, c_id, f"{round_day(1)}T00:30:00+08:00", amount_prevented=Decimal(100))
    incident(session, make_tenant(session, households=0).community.id, D1, amount_lost=Decimal(9))
    return Scenario(t, campaign, a, b, c, h, phone)


def coverage_of(client: TestClient, s: Scenario, role: str = "manager") -> dict[str, Any]:
    """The campaign's coverage as the role reads it."""
    r = client.get(f"/api/v1/campaigns/{s.campaign.id}/coverage", headers=s.tenant.headers[role])
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


class TestHeadline:
    def test_reached_over_households_less_excluded(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        cov = coverage_of(client, scenario)
        # 14 households; a4 (registered vacant) and a5 (latest vacant, never reached) are out.
        assert (cov["households"], cov["excluded"], cov["eligible"]) == (14, 2, 12)
        # a1, a2, a3, a6, b1, b6, b7: b2's reach was voided, b1 counts once.
        assert cov["reached"] == 7
        assert cov["coverage"] == pytest.approx(0.5833)
        assert cov["target_coverage"] == pytest.approx(0.9)

    def test_status_counts_eligible_households_only(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        cov = coverage_of(client, scenario)
        assert cov["by_status"] == {
            "reached": 7,
            "refused": 1,  # b8; a3 was refused, then reached
            "materials_left": 1,  # b5; a4 is excluded
            "not_home": 1,  # b3
            "unvisited": 2,  # b2 (voided only), b4
        }
        assert cov["never_visited"] == 2
        assert cov["visited"] == 12

    def test_a_household_reached_two_ways_counts_in_both_channels(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        cov = coverage_of(client, scenario)
        assert cov["by_channel"] == {"door": 5, "event": 1, "walk_in": 1, "phone": 1}

    def test_revisits_of_households_first_not_home(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        cov = coverage_of(client, scenario)
        # a2 (reached since), a5 (found vacant since), b3 (not tried again).
        assert cov["revisits"] == {
            "first_not_home": 3,
            "revisited": 2,
            "reached_since": 1,
            "not_yet_revisited": 1,
        }

    def test_extras_count_each_household_once(self, client: TestClient, scenario: Scenario) -> None:
        cov = coverage_of(client, scenario)
        assert cov["extras"] == {
            "app_installs": 2,  # a1, b1 (twice, once counted)
            "pledges_signed": 1,  # a2
            "flyers_given": 3,  # a1, a4, b5
            "residents_reached": 6,  # a1 2 + a2 1 + b1 max(1, 3)
            "contacts": 17,  # voided b2 not among them
        }

    def test_incidents_during_the_campaigns_local_dates(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        cov = coverage_of(client, scenario)
        # 20 Nov 23:00 is inside, 21 Nov 00:30 is not, though both are 20 Nov in UTC.
        assert cov["incidents"] == {
            "total": 3,
            "dissuaded": 2,  # money kept safe; resolved without loss
            "amount_lost": 2000.0,
            "amount_prevented": 5000.0,
        }


class TestBreakdowns:
    def test_per_building_including_an_empty_one(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        cov = coverage_of(client, scenario, role="officer")
        by_id = {b["building_id"]: b for b in cov["by_building"]}
        a, b, c = by_id[scenario.a.id], by_id[scenario.b.id], by_id[scenario.c.id]
        assert (a["households"], a["excluded"], a["eligible"], a["reached"]) == (6, 2, 4, 4)
        assert a["coverage"] == pytest.approx(1.0)
        assert (b["households"], b["excluded"], b["eligible"], b["reached"]) == (8, 0, 8, 3)
        assert b["coverage"] == pytest.approx(0.375)
        assert b["by_status"] == {
            "reached": 3,
            "refused": 1,
            "materials_left": 1,
            "not_home": 1,
            "unvisited": 2,
        }
        assert (c["households"], c["eligible"], c["coverage"]) == (0, 0, None)

    def test_flagged_households_any_and_per_flag(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        flagged = coverage_of(client, scenario)["flagged"]
        # a5 (excluded), b4, b5, b6: only b6 reached.
        assert flagged["any"] == {"reached": 1, "eligible": 3, "excluded": 1, "coverage": 0.3333}
        assert flagged["by_flag"] == {
            "elderly_alone": {"reached": 0, "eligible": 2, "excluded": 1, "coverage": 0.0},
            "previous_victim": {"reached": 1, "eligible": 2, "excluded": 0, "coverage": 0.5},
        }

    def test_days_are_the_communitys_local_dates(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        days = coverage_of(client, scenario)["by_day"]
        assert [d["date"] for d in days] == [
            f"{round_day(-10)}",
            f"{round_day(-9)}",
            f"{round_day(-8)}",
        ]
        d1, d2, d3 = days
        assert {k: d1[k] for k in d1 if k != "date"} == {
            "contacts": 12,
            "visited": 9,
            "reached": 4,  # a1, a3, a6, b1
            "newly_reached": 4,
            "cumulative_reached": 4,
            "cumulative_coverage": 0.3333,
            "app_installs": 2,
            "pledges_signed": 0,
            "flyers_given": 3,
            "residents_reached": 3,
        }
        # 00:30 on the 11th belongs to the 11th: a2 first reached, b1 reached again.
        assert {k: d2[k] for k in d2 if k != "date"} == {
            "contacts": 4,
            "visited": 4,
            "reached": 3,  # a2, b1, b6
            "newly_reached": 2,  # a2, b6
            "cumulative_reached": 6,
            "cumulative_coverage": 0.5,
            "app_installs": 1,
            "pledges_signed": 1,
            "flyers_given": 0,
            "residents_reached": 4,
        }
        assert (d3["contacts"], d3["newly_reached"], d3["cumulative_reached"]) == (1, 1, 7)
        assert d3["cumulative_coverage"] == pytest.approx(0.5833)


class TestChanges:
    def test_voiding_a_reach_takes_it_out_everywhere(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        r = client.post(
            f"/api/v1/contacts/{scenario.phone_reach}/void",
            json={"reason": "打错电话"},
            headers=scenario.tenant.headers["manager"],
        )
        assert r.status_code == 200
        cov = coverage_of(client, scenario)
        assert (cov["reached"], cov["eligible"]) == (6, 12)
        assert cov["by_channel"]["phone"] == 0
        assert cov["by_status"]["unvisited"] == 3
        assert [d["date"] for d in cov["by_day"]] == [f"{round_day(-10)}", f"{round_day(-9)}"]

    def test_re_recording_never_double_counts(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session, households=2)
        campaign = make_campaign(session, t.community)
        for _ in range(3):
            record(client, t.headers["officer"], campaign, t.households[0], "reached", D1)
        cov = client.get(
            f"/api/v1/campaigns/{campaign.id}/coverage", headers=t.headers["manager"]
        ).json()
        assert (cov["reached"], cov["eligible"], cov["coverage"]) == (1, 2, 0.5)
        assert (cov["by_day"][0]["contacts"], cov["by_day"][0]["visited"]) == (3, 1)

    def test_a_campaign_without_households_or_contacts(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session, households=0)
        campaign = make_campaign(session, t.community)
        cov = client.get(
            f"/api/v1/campaigns/{campaign.id}/coverage", headers=t.headers["manager"]
        ).json()
        assert (cov["households"], cov["reached"], cov["eligible"], cov["coverage"]) == (
            0,
            0,
            0,
            None,
        )
        assert cov["by_day"] == []
        assert cov["flagged"]["by_flag"] == {}


class TestWhoMayRead:
    def test_staff_are_refused_and_other_communities_see_nothing(
        self, client: TestClient, session: Session, scenario: Scenario
    ) -> None:
        path = f"/api/v1/campaigns/{scenario.campaign.id}/coverage"
        assert client.get(path, headers=scenario.tenant.headers["staff"]).status_code == 403
        other = make_tenant(session, households=0)
        assert client.get(path, headers=other.headers["manager"]).status_code == 404
        admin = make_user(session, is_admin=True)
        assert client.get(path, headers=auth(session, admin)).status_code == 200
        assert client.get(path).status_code == 401
        assert (
            client.get(
                "/api/v1/campaigns/999999/coverage", headers=auth(session, admin)
            ).status_code
            == 404
        )


class TestHouseholdStates:
    def test_states_follow_the_coverage_rules(self, session: Session, scenario: Scenario) -> None:
        states = coverage.household_states(session, campaign_id=scenario.campaign.id)
        h = scenario.h
        assert len(states) == 14
        got = {name: (states[x.id].status, states[x.id].excluded) for name, x in h.items()}
        assert got == {
            "a1": ("reached", False),
            "a2": ("reached", False),
            "a3": ("reached", False),
            "a4": ("materials_left", True),
            "a5": ("not_home", True),
            "a6": ("reached", False),
            "b1": ("reached", False),
            "b2": ("unvisited", False),
            "b3": ("not_home", False),
            "b4": ("unvisited", False),
            "b5": ("materials_left", False),
            "b6": ("reached", False),
            "b7": ("reached", False),
            "b8": ("refused", False),
        }
        assert states[h["a5"].id].contacts == 2
        assert states[h["a5"].id].last_contact_at == utc_on(-10, 15, 30)
        assert states[h["b4"].id].last_contact_at is None

    def test_narrowed_to_buildings_or_households(
        self, session: Session, scenario: Scenario
    ) -> None:
        by_building = coverage.household_states(
            session, campaign_id=scenario.campaign.id, building_ids=[scenario.a.id]
        )
        assert set(by_building) == {scenario.h[f"a{n}"].id for n in range(1, 7)}
        chosen = [scenario.h["b2"].id, scenario.h["b7"].id]
        by_id = coverage.household_states(
            session, campaign_id=scenario.campaign.id, household_ids=chosen
        )
        assert {k: v.status for k, v in by_id.items()} == {
            chosen[0]: "unvisited",
            chosen[1]: "reached",
        }
        assert (
            coverage.household_states(session, campaign_id=scenario.campaign.id, household_ids=[])
            == {}
        )


class TestLedger:
    def test_ranked_by_coverage_across_the_managers_communities(
        self, client: TestClient, session: Session, scenario: Scenario
    ) -> None:
        other = make_tenant(session, households=2)
        campaign = make_campaign(session, other.community, name="第二小区")
        for household in other.households:
            record(client, other.headers["officer"], campaign, household, "reached", D1)
        boss = make_user(session)
        for community in (scenario.tenant.community, other.community):
            session.add(Membership(user_id=boss.id, community_id=community.id, role=Role.manager))
        session.commit()
        r = client.get(
            "/api/v1/ledger",
            params={"from": f"{round_day(-10)}", "to": f"{round_day(-9)}"},
            headers=auth(session, boss),
        )
        assert r.status_code == 200, r.text
        ledger = r.json()
        assert (ledger["from"], ledger["to"], ledger["total"]) == (
            f"{round_day(-10)}",
            f"{round_day(-9)}",
            2,
        )
        first, second = ledger["items"]
        assert (first["community_id"], first["rank"], first["coverage"]) == (
            other.community.id,
            1,
            1.0,
        )
        # Within the two days: b7 (12 Nov) is not yet reached; 11 households visited.
        assert second["community_id"] == scenario.tenant.community.id
        assert {
            k: second[k]
            for k in ("rank", "households", "excluded", "eligible", "reached", "visited")
        } == {
            "rank": 2,
            "households": 14,
            "excluded": 2,
            "eligible": 12,
            "reached": 6,
            "visited": 11,
        }
        assert second["coverage"] == pytest.approx(0.5)
        assert (second["incidents"], second["scams_dissuaded"]) == (1, 1)
        assert [d["date"] for d in second["days"]] == [f"{round_day(-10)}", f"{round_day(-9)}"]
        assert (second["days"][1]["visited"], second["days"][1]["newly_reached"]) == (4, 2)
        assert ledger["overall"] == {
            "reached": 8,
            "eligible": 14,
            "excluded": 2,
            "coverage": 0.5714,
        }

    def test_a_household_in_two_campaigns_on_one_day_counts_once(
        self, client: TestClient, session: Session, scenario: Scenario
    ) -> None:
        """The other community runs two campaigns; the scenario's runs one, in the same ledger."""
        other = make_tenant(session, households=2)
        first = make_campaign(session, other.community, name="第一轮")
        second = make_campaign(session, other.community, name="第二轮")
        h1, h2 = other.households
        officer = other.headers["officer"]
        record(client, officer, first, h1, "not_home", D1)
        record(client, officer, second, h1, "reached", D1_AFTERNOON, residents_reached=2)
        record(client, officer, first, h2, "reached", D1, residents_reached=1, app_installed=True)
        boss = make_user(session)
        for community in (scenario.tenant.community, other.community):
            session.add(Membership(user_id=boss.id, community_id=community.id, role=Role.manager))
        session.commit()
        r = client.get(
            "/api/v1/ledger",
            params={"from": f"{round_day(-10)}", "to": f"{round_day(-10)}"},
            headers=auth(session, boss),
        )
        assert r.status_code == 200, r.text
        rows = {row["community_id"]: row for row in r.json()["items"]}
        two = rows[other.community.id]
        figures = ("visited", "reached", "contacts", "residents_reached", "app_installs")
        assert {k: two[k] for k in figures} == {
            "visited": 2,
            "reached": 2,
            "contacts": 3,
            "residents_reached": 3,
            "app_installs": 1,
        }
        (day,) = two["days"]
        assert {k: day[k] for k in (*figures, "newly_reached")} == {
            "visited": 2,
            "reached": 2,
            "contacts": 3,
            "residents_reached": 3,
            "app_installs": 1,
            "newly_reached": 2,
        }
        # The scenario's community (one campaign) on 10 November: a1–a6, b1, b3, b5.
        (one,) = rows[scenario.tenant.community.id]["days"]
        assert (one["date"], one["visited"]) == (f"{round_day(-10)}", 9)

    @pytest.mark.parametrize("days_before", [0, 1])
    def test_over_a_whole_campaign_it_says_what_the_coverage_says(
        self, client: TestClient, scenario: Scenario, days_before: int
    ) -> None:
        """Dates holding every contact of the community's one campaign; and, for comparison,
        dates that leave out its first day (then only the days in them count)."""
        headers = scenario.tenant.headers["manager"]
        campaign = scenario.campaign
        coverage = client.get(f"/api/v1/campaigns/{campaign.id}/coverage", headers=headers).json()
        r = client.get(
            "/api/v1/ledger",
            params={"from": f"{round_day(-10 + days_before)}", "to": f"{round_day(0)}"},
            headers=headers,
        )
        assert r.status_code == 200, r.text
        (row,) = r.json()["items"]
        figures = ("households", "eligible", "excluded", "reached", "visited", "contacts")
        extras = ("app_installs", "pledges_signed", "flyers_given", "residents_reached")
        if days_before == 0:
            assert {k: row[k] for k in figures} == {k: coverage[k] for k in figures[:-1]} | {
                "contacts": coverage["extras"]["contacts"]
            }
            assert {k: row[k] for k in extras} == {k: coverage["extras"][k] for k in extras}
            assert [(d["date"], d["newly_reached"]) for d in row["days"]] == [
                (d["date"], d["newly_reached"]) for d in coverage["by_day"]
            ]
        else:
            # From 11 November: a2, b1 (event), b6, b7 reached; b8 refused; 5 visited.
            assert {k: row[k] for k in ("reached", "visited")} == {"reached": 4, "visited": 5}

    def test_a_manager_sees_only_their_community_and_staff_none(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        t = scenario.tenant
        mine = client.get(
            "/api/v1/ledger", params={"from": f"{round_day(-19)}"}, headers=t.headers["manager"]
        )
        assert mine.status_code == 200
        assert [x["community_id"] for x in mine.json()["items"]] == [t.community.id]
        assert client.get("/api/v1/ledger", headers=t.headers["staff"]).status_code == 403

    @pytest.mark.parametrize(
        "params",
        [
            {"from": f"{round_day(-8)}", "to": f"{round_day(-10)}"},
            {"from": "2020-01-01", "to": f"{round_day(-10)}"},
            {"from": "someday"},
        ],
    )
    def test_bad_dates_are_422(
        self, client: TestClient, scenario: Scenario, params: dict[str, str]
    ) -> None:
        r = client.get("/api/v1/ledger", params=params, headers=scenario.tenant.headers["manager"])
        assert r.status_code == 422


class TestLedgerDefaultPeriod:
    def test_ends_on_the_communities_own_today(self) -> None:
        today = date.today()
        evening_utc = datetime.combine(today, time(20, 0), UTC)  # already tomorrow in Shanghai
        tomorrow = today + timedelta(days=1)
        assert coverage.default_period(["Asia/Shanghai"], evening_utc) == (
            tomorrow - timedelta(days=29),
            tomorrow,
        )
        assert coverage.default_period(["America/New_York"], evening_utc)[1] == today
        # Across time zones, one period that leaves no community's today out.
        assert coverage.default_period(["America/New_York", "Asia/Shanghai"], evening_utc) == (
            tomorrow - timedelta(days=29),
            tomorrow,
        )

    def test_the_api_and_the_pdf_default_to_the_same_period(
        self, client: TestClient, scenario: Scenario
    ) -> None:
        headers = scenario.tenant.headers["manager"]
        ledger = client.get("/api/v1/ledger", headers=headers).json()
        shanghai_today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        assert (ledger["from"], ledger["to"]) == (
            (shanghai_today - timedelta(days=29)).isoformat(),
            shanghai_today.isoformat(),
        )
        pdf = client.get("/api/v1/reports/ledger.pdf", headers=headers)
        assert pdf.status_code == 200
        expected = f"ledger-{ledger['from']}-{ledger['to']}.pdf"
        assert expected in pdf.headers["content-disposition"]
