"""Escalation and notifications done by the jobs, with the clock driven (never slept)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs import tasks
from app.notifications import service as notifications
from app.notifications.models import OutboxMessage
from tests.factories import make_tenant
from tests.warnings.helpers import attempt, factory, own, warn

POLICY = notifications.DeliveryPolicy(allow_private=True, retry_base_seconds=30, max_attempts=5)


class Robot:
    """A local HTTP server standing in for a chat robot's webhook."""

    def __init__(self, *, failures: int = 0, hold: threading.Event | None = None) -> None:
        self.failures = failures
        self.hold = hold
        self.calls: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if robot.hold is not None:
                    robot.hold.wait(10)
                with robot.lock:
                    robot.calls.append(body)
                    fail = robot.failures > 0
                    robot.failures -= 1 if fail else 0
                self.send_response(503 if fail else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0}' if not fail else b"busy")

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/robot/send?key=test"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def keys(self) -> list[str]:
        """Idempotency keys of the posts the receiver accepted, deduplicated as it would."""
        return sorted({c["idempotency_key"] for c in self.calls})

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot() -> Iterator[Robot]:
    r = Robot(failures=2)
    yield r
    r.close()


def _hook(session: Session, tenant: Any, url: str) -> None:
    tenant.community.notify_webhook_url = url
    session.merge(tenant.community)
    session.commit()


def _notes(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(
        "/api/v1/members/me/notifications", headers=headers
    ).json()["items"]
    return items


class TestEscalation:
    def test_the_job_escalates_at_due_and_again_after_the_same_span(
        self, client: TestClient, session: Session, app: FastAPI
    ) -> None:
        t = make_tenant(session)
        own(session, t, t.staff)
        received = datetime.now(UTC) - timedelta(minutes=1)
        w = warn(client, t, risk="high", received_at=received)
        due = datetime.fromisoformat(w["due_at"])
        url = f"/api/v1/warnings/{w['id']}"
        # reading never escalates, even long after the due time
        assert client.get(url, headers=t.headers["officer"]).json()["escalation_level"] == 0
        tasks.escalate(factory(app), now=due - timedelta(seconds=1))
        assert client.get(url, headers=t.headers["officer"]).json()["escalation_level"] == 0
        tasks.escalate(factory(app), now=due)
        body = client.get(url, headers=t.headers["officer"]).json()
        assert body["escalation_level"] == 1
        assert [n["kind"] for n in _notes(client, t.headers["officer"])] == ["warning_escalated"]
        assert _notes(client, t.headers["manager"]) == []
        tasks.escalate(factory(app), now=due + timedelta(minutes=119))  # runs again: no change
        assert len(_notes(client, t.headers["officer"])) == 1
        tasks.escalate(factory(app), now=due + timedelta(minutes=120))
        assert client.get(url, headers=t.headers["officer"]).json()["escalation_level"] == 2
        kinds = [n["kind"] for n in _notes(client, t.headers["manager"])]
        assert kinds == ["warning_escalated"]
        staff_kinds = sorted(n["kind"] for n in _notes(client, t.headers["staff"]))
        assert staff_kinds == ["warning_escalated", "warning_escalated", "warning_new"]

    def test_a_reached_warning_never_escalates(
        self, client: TestClient, session: Session, app: FastAPI
    ) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="high")
        client.post(
            f"/api/v1/warnings/{w['id']}/attempts", json=attempt(), headers=t.headers["officer"]
        )
        tasks.escalate(factory(app), now=datetime.now(UTC) + timedelta(days=3))
        body = client.get(f"/api/v1/warnings/{w['id']}", headers=t.headers["officer"]).json()
        assert body["escalation_level"] == 0
        assert body["status"] == "reached"

    def test_a_worker_down_for_long_notifies_both_levels(
        self, client: TestClient, session: Session, app: FastAPI
    ) -> None:
        t = make_tenant(session)
        w = warn(client, t, risk="medium")
        tasks.escalate(factory(app), now=datetime.now(UTC) + timedelta(days=3))
        body = client.get(f"/api/v1/warnings/{w['id']}", headers=t.headers["officer"]).json()
        assert body["escalation_level"] == 2
        escalated = [n for n in _notes(client, t.headers["officer"]) if n["kind"] != "warning_new"]
        assert len(escalated) == 2


class TestWebhook:
    def test_fails_twice_then_accepts_every_message_once(
        self, client: TestClient, session: Session, app: FastAPI, robot: Robot
    ) -> None:
        t = make_tenant(session)
        _hook(session, t, robot.url)
        now = datetime.now(UTC)
        w = warn(client, t, risk="high")
        client.post(
            f"/api/v1/warnings/{w['id']}/attempts", json=attempt(), headers=t.headers["officer"]
        )
        clock = now + timedelta(seconds=1)
        for _ in range(6):  # the worker's passes: at once, then at each backoff
            tasks.deliver_all_due(factory(app), now=clock, policy=POLICY)
            clock += timedelta(minutes=5)
        expected = [f"warning_new:w{w['id']}:0", f"warning_reached:w{w['id']}:1"]
        assert robot.keys() == sorted(expected)
        assert len(robot.calls) == 4  # two refused, then one each
        rows = session.scalars(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {"sent"}
        payload = robot.calls[-1]
        assert payload["msgtype"] == "text"
        assert "【" in payload["text"]["content"]

    def test_backoff_grows_and_nothing_is_posted_before_its_time(
        self, client: TestClient, session: Session, app: FastAPI, robot: Robot
    ) -> None:
        t = make_tenant(session)
        _hook(session, t, robot.url)
        warn(client, t)
        start = datetime.now(UTC) + timedelta(seconds=1)
        tasks.deliver_all_due(factory(app), now=start, policy=POLICY)
        tasks.deliver_all_due(factory(app), now=start + timedelta(seconds=29), policy=POLICY)
        assert len(robot.calls) == 1
        tasks.deliver_all_due(factory(app), now=start + timedelta(seconds=30), policy=POLICY)
        assert len(robot.calls) == 2
        tasks.deliver_all_due(factory(app), now=start + timedelta(seconds=89), policy=POLICY)
        assert len(robot.calls) == 2
        tasks.deliver_all_due(factory(app), now=start + timedelta(seconds=90), policy=POLICY)
        assert len(robot.calls) == 3
        assert robot.keys() == [robot.calls[0]["idempotency_key"]]

    def test_nothing_blocks_a_request_while_the_receiver_hangs(
        self, client: TestClient, session: Session, app: FastAPI
    ) -> None:
        hold = threading.Event()
        slow = Robot(hold=hold)
        try:
            t = make_tenant(session)
            _hook(session, t, slow.url)
            delivering = threading.Thread(
                target=tasks.deliver_all_due,
                args=(factory(app),),
                kwargs={"now": datetime.now(UTC) + timedelta(hours=1), "policy": POLICY},
            )
            warn(client, t)  # the first message, which the worker will hang on
            delivering.start()
            second = warn(client, t, risk="low")  # answered while the receiver holds the first
            assert second["status"] == "open"
            assert slow.calls == []
            hold.set()
            delivering.join(10)
            assert len(slow.calls) >= 1
        finally:
            hold.set()
            slow.close()

    def test_a_private_address_is_refused_at_send_time_without_the_setting(
        self, client: TestClient, session: Session, app: FastAPI, robot: Robot
    ) -> None:
        t = make_tenant(session)
        _hook(session, t, robot.url)
        warn(client, t)
        strict = notifications.DeliveryPolicy(allow_private=False)
        tasks.deliver_all_due(
            factory(app), now=datetime.now(UTC) + timedelta(seconds=1), policy=strict
        )
        assert robot.calls == []
        row = session.scalars(select(OutboxMessage)).one()
        assert row.status == "failed"
        assert "refused" in (row.last_error or "")
