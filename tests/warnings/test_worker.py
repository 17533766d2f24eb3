"""The real worker (``doorstep worker``, huey) killed in the middle of work loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.notifications.models import Notification, OutboxMessage
from tests.factories import make_tenant
from tests.warnings.helpers import warn
from tests.warnings.test_jobs import Robot


def _worker(settings: Settings, tmp_path: Path) -> subprocess.Popen[bytes]:
    jobs = settings.database_url if not settings.is_sqlite else f"sqlite:///{tmp_path / 'jobs.db'}"
    env = {
        **os.environ,
        "DOORSTEP_DATABASE_URL": settings.database_url,
        "DOORSTEP_ENVIRONMENT": "development",
        "DOORSTEP_JOBS_URL": jobs,
        "DOORSTEP_WEBHOOK_ALLOW_PRIVATE": "true",
        "DOORSTEP_WEBHOOK_LEASE_SECONDS": "2",
        "DOORSTEP_WEBHOOK_RETRY_BASE_SECONDS": "0.5",
        "DOORSTEP_DOCUMENT_CACHE_DIR": str(tmp_path / "cache"),
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "worker.log", "ab"),
    )


def _until(check: Callable[[], bool], seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


@pytest.mark.real_clock
def test_killed_worker_loses_no_escalation_or_notification(
    client: TestClient, session: Session, settings: Settings, tmp_path: Path
) -> None:
    hold = threading.Event()
    robot = Robot(hold=hold)
    arrived = threading.Event()
    original = robot.server.RequestHandlerClass.do_POST  # type: ignore[attr-defined]

    def noting(self: object) -> None:
        arrived.set()
        original(self)

    robot.server.RequestHandlerClass.do_POST = noting  # type: ignore[attr-defined]
    first = second = None
    try:
        t = make_tenant(session)
        t.community.notify_webhook_url = robot.url
        session.merge(t.community)
        session.commit()
        long_ago = datetime.now(UTC) - timedelta(hours=5)  # high risk: due 3 h ago, again 1 h ago
        warnings = [warn(client, t, risk="high", received_at=long_ago, household=i) for i in (0, 1)]
        expected = set()
        for w in warnings:
            expected |= {
                f"warning_new:w{w['id']}:0",
                f"warning_escalated:w{w['id']}:1",
                f"warning_escalated:w{w['id']}:2",
            }

        first = _worker(settings, tmp_path)
        assert arrived.wait(60), (tmp_path / "worker.log").read_text()
        first.send_signal(signal.SIGKILL)  # mid-post: the receiver holds the request
        first.wait(10)
        hold.set()

        second = _worker(settings, tmp_path)

        def all_sent() -> bool:
            session.rollback()  # a fresh snapshot of what the worker committed
            rows = session.scalars(select(OutboxMessage.status)).all()
            return len(rows) == len(expected) and set(rows) == {"sent"}

        assert _until(all_sent), (
            [
                (r.key, r.status, r.attempts, r.last_error)
                for r in session.scalars(select(OutboxMessage))
            ],
            (tmp_path / "worker.log").read_text()[-3000:],
        )
        assert set(robot.keys()) == expected  # every message, each key at least once
        officer_notes = session.scalars(
            select(Notification.key).where(Notification.user_id == t.officer.id)
        ).all()
        assert len(officer_notes) == len(set(officer_notes)) == 6  # new + two escalations, ×2
    finally:
        hold.set()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(15)
                except subprocess.TimeoutExpired:
                    proc.kill()
        robot.close()
