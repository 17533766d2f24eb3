"""Tenant isolation over every endpoint and role: another community's resources are a 404.

The test walks the app's own route table, so a new endpoint is covered the day it is added: an
endpoint that takes a body must have a sample body below (a valid one, so the request reaches
the permission check instead of stopping at validation), or the test fails and says so.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.communities.models import Building, Household
from app.db import Base
from app.enums import Role
from tests.factories import (
    auth,
    make_campaign,
    make_member,
    make_round,
    make_tenant,
    round_day,
    utc_on,
)

WHEN = f"{round_day(0)}T10:00:00+08:00"


@dataclass
class Victim:
    """The ids of one community's resources that an outsider will probe."""

    ids: dict[str, Any]


def _ids(session: Session) -> Victim:
    from app.campaigns.models import Event, EventAssignee, EventBuilding
    from app.contacts.models import Contact
    from app.incidents.models import Incident
    from app.verification.models import Verification

    t = make_tenant(session)
    campaign = make_campaign(session, t.community)
    rnd = make_round(session, campaign, [t.building], [t.staff])
    event = Event(
        campaign_id=campaign.id,
        community_id=t.community.id,
        title="便民服务",
        services=["理发"],
        location="广场",
        starts_at=utc_on(1, 1),
        ends_at=utc_on(1, 3),
    )
    session.add(event)
    session.flush()
    session.add(EventBuilding(event_id=event.id, building_id=t.building.id))
    session.add(EventAssignee(event_id=event.id, user_id=t.staff.id))
    contact_id = uuid.uuid4()
    session.add(
        Contact(
            id=contact_id,
            campaign_id=campaign.id,
            community_id=t.community.id,
            household_id=t.households[0].id,
            channel="door",
            outcome="reached",
            occurred_at=utc_on(0, 2),
            utc_offset_minutes=480,
            local_date=round_day(0),
            round_id=rnd.id,
            body_hash="0" * 64,
            recorded_by=t.staff.id,
        )
    )
    session.flush()
    verification = Verification(
        campaign_id=campaign.id,
        community_id=t.community.id,
        household_id=t.households[0].id,
        contact_id=contact_id,
        recorder_id=t.staff.id,
        assignee_id=t.officer.id,
    )
    session.add(verification)
    incident = Incident(
        community_id=t.community.id,
        occurred_at=utc_on(0, 0),
        fraud_type="refund_scam",
        channel="电话",
        summary="冒充快递客服退款",
        status="reported",
        reported_by=t.officer.id,
    )
    session.add(incident)
    session.flush()
    from app.warnings.models import EarlyWarning, WarningAssignee

    warning = EarlyWarning(
        community_id=t.community.id,
        household_id=t.households[0].id,
        risk_level="high",
        received_at=utc_on(0, 0),
        due_at=utc_on(0, 2),
        second_due_at=utc_on(0, 4),
        person_name="王建国",
        phone="13812345678",
    )
    session.add(warning)
    session.flush()
    session.add(WarningAssignee(warning_id=warning.id, user_id=t.staff.id))
    session.commit()
    return Victim(
        ids={
            "community_id": t.community.id,
            "building_id": t.building.id,
            "household_id": t.households[0].id,
            "campaign_id": campaign.id,
            "round_id": rnd.id,
            "event_id": event.id,
            "incident_id": incident.id,
            "contact_id": str(contact_id),
            "user_id": t.staff.id,
            "staff_id": t.staff.id,
            "warning_id": warning.id,
            "verification_id": verification.id,
        }
    )


def sample_body(method: str, path: str, v: dict[str, Any]) -> Any:
    """A valid body for each endpoint that takes one (None: it takes none)."""
    household = {"building_id": v["building_id"], "unit": "9", "floor": 9, "room": "909"}
    contact = {
        "id": str(uuid.uuid4()),
        "campaign_id": v["campaign_id"],
        "household_id": v["household_id"],
        "channel": "walk_in",
        "outcome": "reached",
        "occurred_at": WHEN,
    }
    attempt = {
        "id": str(uuid.uuid4()),
        "method": "door",
        "outcome": "reached",
        "occurred_at": WHEN,
    }
    times = {
        "starts_at": f"{round_day(2)}T09:00:00+08:00",
        "ends_at": f"{round_day(2)}T11:00:00+08:00",
    }
    bodies: dict[tuple[str, str], Any] = {
        ("PATCH", "/api/v1/communities/{community_id}"): {"name": "改名"},
        ("POST", "/api/v1/communities/{community_id}/buildings"): {"code": "X9"},
        ("PATCH", "/api/v1/buildings/{building_id}"): {"name": "改名"},
        ("POST", "/api/v1/communities/{community_id}/households"): household,
        ("PATCH", "/api/v1/households/{household_id}"): {"occupancy": "vacant"},
        ("POST", "/api/v1/communities/{community_id}/members"): {
            "user_id": v["user_id"],
            "role": "manager",
        },
        ("PATCH", "/api/v1/communities/{community_id}/members/{user_id}"): {"is_active": False},
        ("POST", "/api/v1/communities/{community_id}/campaigns"): {
            "name": "x",
            "starts_on": f"{round_day(11)}",
            "ends_on": f"{round_day(41)}",
            "target_coverage": 0.9,
            "topics": ["refund_scam"],
        },
        ("PATCH", "/api/v1/campaigns/{campaign_id}"): {"name": "改名"},
        ("POST", "/api/v1/campaigns/{campaign_id}/rounds"): {
            "building_ids": [v["building_id"]],
            "assignee_ids": [],
            **times,
        },
        ("PATCH", "/api/v1/rounds/{round_id}"): {"status": "cancelled"},
        ("POST", "/api/v1/campaigns/{campaign_id}/events"): {
            "title": "x",
            "services": [],
            "location": "x",
            "building_ids": [v["building_id"]],
            "assignee_ids": [],
            **times,
        },
        ("PATCH", "/api/v1/events/{event_id}"): {"title": "改名"},
        ("POST", "/api/v1/contacts"): contact,
        ("POST", "/api/v1/contacts/batch"): {"contacts": [contact]},
        ("POST", "/api/v1/contacts/{contact_id}/void"): {"reason": "误点"},
        ("POST", "/api/v1/communities/{community_id}/incidents"): {
            "occurred_at": WHEN,
            "fraud_type": "refund_scam",
            "channel": "电话",
            "summary": "x",
            "status": "reported",
        },
        ("PATCH", "/api/v1/incidents/{incident_id}"): {"status": "resolved"},
        ("PUT", "/api/v1/campaigns/{campaign_id}/availability"): {
            "windows": [],
            "minutes_per_door": 3,
            "minutes_per_floor": 1,
            "visiting_hours": [],
        },
        ("POST", "/api/v1/campaigns/{campaign_id}/plan"): {"commit": False},
        ("POST", "/api/v1/communities/{community_id}/warnings"): {
            "household_id": v["household_id"],
            "risk_level": "high",
            "received_at": WHEN,
        },
        ("PATCH", "/api/v1/warnings/{warning_id}"): {"notes": "x"},
        ("POST", "/api/v1/warnings/{warning_id}/attempts"): attempt,
        ("POST", "/api/v1/warnings/attempts/batch"): {
            "attempts": [{**attempt, "warning_id": v["warning_id"]}]
        },
        ("POST", "/api/v1/campaigns/{campaign_id}/verifications"): {"size": 1},
        ("PATCH", "/api/v1/verifications/{verification_id}"): {"assignee_id": v["user_id"]},
        ("POST", "/api/v1/verifications/{verification_id}/result"): {
            "id": str(uuid.uuid4()),
            "outcome": "confirmed",
            "method": "phone",
            "occurred_at": WHEN,
        },
    }
    return bodies.get((method, path))


# Endpoints that take a body but no path id: the victim's ids travel in the body.
BODY_SCOPED = {
    ("POST", "/api/v1/contacts"),
    ("POST", "/api/v1/contacts/batch"),
    ("POST", "/api/v1/warnings/attempts/batch"),
}
BATCHES = {
    ("POST", "/api/v1/contacts/batch"),
    ("POST", "/api/v1/warnings/attempts/batch"),
}
# Endpoints about the caller only, or open to every user.
NOT_SCOPED = re.compile(
    r"^/api/v1/(auth/|me$|members/me|users|fraud-types|ledger|"
    r"communities$|document-jobs|reports/)"
)


def api_operations(app: Any) -> list[tuple[str, str, bool]]:
    """Every (method, path, takes a body) of the API, from its OpenAPI document."""
    ops = []
    for path, item in app.openapi()["paths"].items():
        for method, op in item.items():
            ops.append((method.upper(), path, "requestBody" in op))
    return ops


def scoped_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) of the API that names a community's resource."""
    return [
        (method, path)
        for method, path, _ in api_operations(app)
        if (method, path) in BODY_SCOPED or ("{" in path and not NOT_SCOPED.match(path))
    ]


def _counts(session: Session) -> dict[str, int]:
    session.expire_all()
    return {
        t.name: session.scalar(select(func.count()).select_from(t)) or 0
        for t in Base.metadata.sorted_tables
        if t.name not in ("login_throttles", "access_tokens", "document_jobs")
    }


class TestTenantIsolation:
    @pytest.mark.parametrize("role", [Role.manager, Role.officer, Role.staff])
    def test_outsiders_get_404_everywhere_and_change_nothing(
        self, client: TestClient, session: Session, app: Any, role: Role
    ) -> None:
        victim = _ids(session).ids
        outsider_tenant = make_tenant(session, households=1)
        outsider = make_member(session, outsider_tenant.community, role)
        headers = auth(session, outsider)
        before = _counts(session)
        routes = scoped_routes(app)
        assert len(routes) >= 20, routes
        leaks = []
        for method, path in routes:
            url = re.sub(r"\{(\w+)\}", lambda m: str(victim[m.group(1)]), path)
            body = sample_body(method, path, victim)
            body_kw: dict[str, Any]
            if path.endswith("/households/import"):
                csv_file = ("r.csv", b"building,unit,floor,room\n1,1,1,101\n", "text/csv")
                body_kw = {"files": {"file": csv_file}}
            elif path.endswith("/warnings/import"):
                csv_file = ("w.csv", "户号,风险等级\n1-1-101,高\n".encode(), "text/csv")
                body_kw = {"files": {"file": csv_file}}
            elif method in ("POST", "PUT", "PATCH") and body is None:
                # Endpoints that take no body (or take a file) still must not leak.
                body_kw = {}
            else:
                body_kw = {"json": body} if body is not None else {}
            r = client.request(method, url, headers=headers, **body_kw)
            if (method, path) in BATCHES and r.status_code == 200:
                status = r.json()["results"][0]["status"]
            else:
                status = r.status_code
            if status != 404:
                leaks.append(f"{method} {path} → {status}: {r.text[:200]}")
        assert leaks == []
        assert _counts(session) == before

    def test_every_body_endpoint_has_a_sample(self, app: Any, session: Session) -> None:
        victim = _ids(session).ids
        scoped = set(scoped_routes(app))
        missing = [
            f"{m} {p}"
            for m, p, body in api_operations(app)
            if body and (m, p) in scoped and "import" not in p and sample_body(m, p, victim) is None
        ]
        assert missing == [], "add a valid sample body for these endpoints"

    def test_own_community_still_works(self, client: TestClient, session: Session) -> None:
        victim = _ids(session).ids
        t_headers = None
        from app.auth.models import Membership

        manager_id = session.scalar(
            select(Membership.user_id).where(
                Membership.community_id == victim["community_id"], Membership.role == Role.manager
            )
        )
        from app.auth.models import User

        t_headers = auth(session, session.get(User, manager_id))  # type: ignore[arg-type]
        assert (
            client.get(
                f"/api/v1/households/{victim['household_id']}", headers=t_headers
            ).status_code
            == 200
        )
        assert session.get(Household, victim["household_id"]) is not None
        assert session.get(Building, victim["building_id"]) is not None
