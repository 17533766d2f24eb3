"""The OpenAPI document tells the truth: errors as problem+json, every status declared.

The last test runs schemathesis over the whole document against a live server with the demo
community, once per backend, with a fixed seed and a fixed example budget (a minute or two):
no 5xx, every answer's status, content type, headers and body as declared, schema-violating
input refused, OPTIONS and unsupported methods answered with the right ``Allow``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.auth.models import User
from app.campaigns.models import Event, Round
from app.communities.models import Building, Household
from app.config import Settings
from app.demo import DEMO_PASSWORD, load_demo
from app.incidents.models import Incident
from app.main import create_app
from tests.factories import make_campaign, make_tenant
from tests.web.conftest import _free_port

PROBLEM = "application/problem+json"
SEED = 20261201
MAX_EXAMPLES = 12


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    document: dict[str, Any] = client.get("/openapi.json").json()
    return document


class TestDocument:
    def test_every_error_is_declared_as_problem_json(self, spec: dict[str, Any]) -> None:
        assert "HTTPValidationError" not in spec["components"]["schemas"]
        problem = spec["components"]["schemas"]["Problem"]
        assert {"status", "title", "detail", "errors"} <= set(problem["properties"])
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                errors = {c: r for c, r in operation["responses"].items() if int(c) >= 400}
                assert "503" in errors, (method, path)
                for code, response in errors.items():
                    assert list(response["content"]) == [PROBLEM], (method, path, code)

    def test_the_statuses_an_operation_answers_are_listed(self, spec: dict[str, Any]) -> None:
        households = spec["paths"]["/api/v1/communities/{community_id}/households"]
        assert {"201", "400", "401", "403", "404", "409", "422"} <= set(
            households["post"]["responses"]
        )
        contacts = spec["paths"]["/api/v1/contacts"]["post"]["responses"]
        assert {"200", "201"} <= set(contacts)
        login = spec["paths"]["/api/v1/auth/token"]["post"]["responses"]
        assert {"200", "401", "422", "429"} <= set(login)
        assert "409" not in login
        fraud_types = spec["paths"]["/api/v1/fraud-types"]["get"]["responses"]
        assert "409" not in fraud_types

    def test_an_oversized_body_is_declared_and_answered_as_413(
        self, client: TestClient, session: Session, spec: dict[str, Any]
    ) -> None:
        for path, item in spec["paths"].items():
            for method, operation in item.items():
                if "requestBody" in operation:
                    assert {"401", "413"} <= set(operation["responses"]), (method, path)
        assert "413" in spec["paths"]["/api/v1/contacts/batch"]["post"]["responses"]
        t = make_tenant(session)
        too_big = b'{"contacts": [' + b" " * (4 * 1024 * 1024) + b"]}"
        r = client.post(
            "/api/v1/contacts/batch",
            content=too_big,
            headers={**t.headers["staff"], "Content-Type": "application/json"},
        )
        assert r.status_code == 413
        assert r.headers["content-type"].startswith(PROBLEM)
        assert r.json()["status"] == 413
        r = client.post(
            "/api/v1/public/reports",
            content=too_big,
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code == 401  # a large body is read only with a valid login
        assert r.headers["content-type"].startswith(PROBLEM)

    def test_a_validation_error_answers_the_declared_shape(self, client: TestClient) -> None:
        r = client.post("/api/v1/auth/token", data={})
        assert r.status_code == 422
        assert r.headers["content-type"].startswith(PROBLEM)
        body = r.json()
        assert {"status", "title", "detail", "errors"} <= set(body)
        assert "loc" not in body["errors"][0]


class TestNumbersAndDates:
    def test_a_boolean_is_not_a_floor(self, client: TestClient, session: Session) -> None:
        t = make_tenant(session)
        building = client.post(
            f"/api/v1/communities/{t.community.id}/buildings",
            json={"code": "9"},
            headers=t.headers["officer"],
        ).json()
        for name in ("floor", "building_id"):
            body = {"building_id": building["id"], "unit": "1", "room": "301", "floor": 3}
            body[name] = True
            r = client.post(
                f"/api/v1/communities/{t.community.id}/households",
                json=body,
                headers=t.headers["officer"],
            )
            assert r.status_code == 422, r.text
            assert r.headers["content-type"].startswith(PROBLEM)
            assert [e["field"] for e in r.json()["errors"]] == [name]
        stored = select(Household).where(Household.building_id == building["id"])
        assert session.scalars(stored).all() == []

    def test_a_boolean_in_a_list_of_ids_is_refused(
        self, client: TestClient, session: Session
    ) -> None:
        t = make_tenant(session)
        campaign = make_campaign(session, t.community)
        r = client.post(
            f"/api/v1/campaigns/{campaign.id}/rounds",
            json={
                "building_ids": [True],
                "starts_at": "2030-01-01T09:00:00+08:00",
                "ends_at": "2030-01-01T12:00:00+08:00",
            },
            headers=t.headers["officer"],
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "building_ids"

    @pytest.mark.parametrize("value", [0, 1, "true", None])
    def test_a_number_is_not_a_boolean(
        self, client: TestClient, session: Session, value: object
    ) -> None:
        t = make_tenant(session)
        r = client.patch(
            f"/api/v1/communities/{t.community.id}",
            json={"contact_consent_recorded": value},
            headers=t.headers["manager"],
        )
        if value is None:
            assert r.status_code in (200, 422)
        else:
            assert r.status_code == 422, r.text
            assert r.json()["errors"][0]["field"] == "contact_consent_recorded"

    @pytest.mark.parametrize("value", ["0", "0.5", "1700000000"])
    def test_a_number_is_not_a_date(self, client: TestClient, session: Session, value: str) -> None:
        t = make_tenant(session)
        r = client.get(f"/api/v1/ledger?to={value}", headers=t.headers["manager"])
        assert r.status_code == 422, r.text
        r = client.get(f"/api/v1/members/me/schedule?from={value}", headers=t.headers["staff"])
        assert r.status_code == 422, r.text


class TestOptions:
    def test_options_lists_every_method_of_the_path(self, client: TestClient) -> None:
        r = client.options("/api/v1/communities")
        assert r.status_code == 204
        assert r.headers["allow"] == "GET, OPTIONS, POST"
        assert client.options("/api/v1/contacts/batch").headers["allow"] == "OPTIONS, POST"

    def test_an_unsupported_method_answers_405_with_the_whole_allow(
        self, client: TestClient
    ) -> None:
        r = client.delete("/api/v1/communities")
        assert r.status_code == 405
        assert r.headers["allow"] == "GET, OPTIONS, POST"
        assert r.headers["content-type"].startswith(PROBLEM)


@pytest.fixture
def demo_server(db: Engine, settings: Settings) -> Iterator[tuple[str, dict[str, int]]]:
    """The demo community served by uvicorn on a free port, and ids of each kind in it."""
    app = create_app(settings)
    with app.state.sessionmaker() as s:
        summary = load_demo(s)
        ids = _demo_ids(s, summary.community_id, summary.campaign_id)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", ids
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()
    app.state.read_engine.dispose()


def _demo_ids(s: Session, community_id: int, campaign_id: int) -> dict[str, int]:
    def first(model: Any, *where: Any) -> int:
        value: int = s.scalars(select(model.id).where(*where).order_by(model.id)).first()
        return value

    return {
        "community_id": community_id,
        "campaign_id": campaign_id,
        "building_id": first(Building, Building.community_id == community_id),
        "household_id": first(Household, Household.community_id == community_id),
        "round_id": first(Round, Round.campaign_id == campaign_id),
        "event_id": first(Event, Event.campaign_id == campaign_id),
        "incident_id": first(Incident, Incident.community_id == community_id),
        # A staff member: DELETE .../members/{user_id} may remove them, never the caller.
        "user_id": first(User, User.username == "staff2"),
    }


@pytest.mark.slow
@pytest.mark.skipif(
    bool(os.environ.get("DOORSTEP_TEST_CLOCK_SHIFT_DAYS")),
    reason="the fuzz runs once per backend; the shifted-clock run repeats date-dependent tests",
)
def test_schemathesis_finds_no_server_error_and_no_undeclared_answer(
    demo_server: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    import httpx

    url, ids = demo_server
    token = httpx.post(
        f"{url}/api/v1/auth/token", data={"username": "admin", "password": DEMO_PASSWORD}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    contact = httpx.get(
        f"{url}/api/v1/campaigns/{ids['campaign_id']}/contacts?limit=1", headers=headers
    ).json()["items"][0]["id"]
    config = tmp_path / "schemathesis.toml"
    lines = ["[parameters]"] + [f'"path.{name}" = {value}' for name, value in ids.items()]
    lines.append(f'"path.contact_id" = "{contact}"')
    config.write_text("\n".join(lines) + "\n")
    executable = shutil.which("schemathesis", path=str(Path(sys.executable).parent))
    assert executable, "schemathesis is a dev dependency (pip install -e '.[dev]')"
    result = subprocess.run(
        [
            executable,
            "--config-file",
            str(config),
            "run",
            f"{url}/openapi.json",
            "--header",
            f"Authorization: Bearer {token}",
            "--checks",
            "all",
            # Schema-valid input that breaks a business rule (a round outside its campaign's
            # dates, a clash) is refused with a declared 409/422: not a fault of the schema.
            "--exclude-checks",
            "positive_data_acceptance",
            # Logging out would revoke the token every other request runs with.
            "--exclude-path",
            "/api/v1/auth/logout",
            "--phases",
            "examples,coverage,fuzzing",
            "--seed",
            str(SEED),
            "--max-examples",
            str(MAX_EXAMPLES),
            # One worker: CPython 3.11 before 3.11.5 can fail compiling in parallel threads
            # ("AST constructor recursion depth mismatch"), and CI has two cores anyway.
            "--workers",
            "1",
            # PDFs render in a few seconds on a busy machine: a slow answer is not a failure.
            "--request-timeout",
            "120",
            # Speed is measured by bench/, not here (a year of ledger PDF takes ~20 s on a
            # loaded two-core machine).
            "--max-response-time",
            "120",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # schemathesis keeps a cache folder where it runs
        timeout=900,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-20000:]
