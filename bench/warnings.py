"""Warnings through the real worker: creation → webhook call, due time → escalation.

Builds a community with bench/documents.py's data (a few thousand households, two weeks of
contacts), points its webhook at a local robot on 127.0.0.1, starts ``doorstep worker`` (huey
on a SQLite queue file), and measures, for warnings created one after another:

- the time from a warning's commit to the robot receiving its ``warning_new`` post;
- the time from a warning's due time to the robot receiving its ``warning_escalated`` post
  (the escalation task is scheduled at the due time; huey's scheduler ticks every second);

first with the worker idle (the baseline, same run), then while it renders the campaign's
whole walk-sheet download (a large document job). Prints medians and the loaded/idle ratio.

    .venv/bin/python bench/warnings.py [--households 3000 --warnings 10]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


class Robot:
    """A local webhook that notes when each idempotency key first arrived."""

    def __init__(self) -> None:
        self.first: dict[str, float] = {}
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                robot.first.setdefault(body["idempotency_key"], time.time())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"errcode": 0}')

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send?key=bench"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait(self, key: str, timeout: float = 120) -> float:
        deadline = time.monotonic() + timeout
        while key not in self.first:
            if time.monotonic() > deadline:
                raise SystemExit(f"the robot never received {key}")
            time.sleep(0.01)
        return self.first[key]


def measure(
    factory: Any, community_id: int, robot: Robot, count: int
) -> tuple[list[float], list[float]]:
    """Seconds to the webhook call after creation, and after the due time, per warning."""
    from sqlalchemy import select

    from app.communities.models import Community, Household
    from app.enums import RiskLevel
    from app.warnings import service

    to_webhook: list[float] = []
    to_escalation: list[float] = []
    with factory() as s:
        community = s.get(Community, community_id)
        households = s.scalars(
            select(Household).where(Household.community_id == community_id).limit(count)
        ).all()
        span = service.deadline_for(community, RiskLevel.high)
        for household in households:
            now = datetime.now(UTC)
            outcome = service.Outcome()
            # due three seconds from now: the escalation fires while we wait
            warning = service.new_warning(
                s,
                community=community,
                household=household,
                address=None,
                risk_level=RiskLevel.high,
                received_at=now - span + timedelta(seconds=3),
                fraud_type=None,
                person_name=None,
                phone=None,
                notes=None,
                source="manual",
                source_ref=None,
                incident_id=None,
                created_by=None,
                now=now,
                outcome=outcome,
            )
            s.commit()
            committed = time.time()
            outcome.kick()
            arrived = robot.wait(f"warning_new:w{warning.id}:0")
            to_webhook.append(arrived - committed)
            escalated = robot.wait(f"warning_escalated:w{warning.id}:1")
            to_escalation.append(escalated - warning.due_at.timestamp())
    return to_webhook, to_escalation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--warnings", type=int, default=10)
    args = parser.parse_args()

    from documents import _admin, build_database  # bench/documents.py

    tmp = Path(tempfile.mkdtemp(prefix="bench-warnings-"))
    url = f"sqlite:///{tmp / 'doorstep.db'}"
    jobs = f"sqlite:///{tmp / 'jobs.db'}"
    env = {
        **os.environ,
        "DOORSTEP_DATABASE_URL": url,
        "DOORSTEP_ENVIRONMENT": "development",
        "DOORSTEP_JOBS_URL": jobs,
        "DOORSTEP_WEBHOOK_ALLOW_PRIVATE": "true",
        "DOORSTEP_DOCUMENT_CACHE_DIR": str(tmp / "cache"),
    }
    os.environ.update(env)
    ids = build_database(url, args.households, max(args.households // 120, 2))

    from sqlalchemy import select

    from app.communities.models import Community
    from app.config import get_settings
    from app.db import make_engine, make_sessionmaker
    from app.documents import delivery
    from app.documents import service as documents
    from app.jobs import queue

    get_settings.cache_clear()
    settings = get_settings()
    queue.configure(settings)
    factory = make_sessionmaker(make_engine(url))
    robot = Robot()
    with factory() as s:
        community = s.scalars(select(Community)).first()
        assert community is not None
        community.notify_webhook_url = robot.url
        s.commit()
        community_id = community.id

    log = open(tmp / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "worker"],
        env=env,
        stdout=log,
        stderr=log,
        cwd=ROOT,
    )
    try:
        time.sleep(3)  # the consumer starts and runs its first sweep
        idle = measure(factory, community_id, robot, args.warnings)

        with factory() as s:
            spec = documents.walk_sheets_spec(s, actor=_admin(), campaign_id=ids["campaign_id"])
            job = delivery.enqueue(s, spec, requested_by=None)
            job_id = job.id
        queue.render_documents_soon()
        time.sleep(1)
        loaded = measure(factory, community_id, robot, args.warnings)
        with factory() as s:
            from app.documents.models import DocumentJob

            state = s.get(DocumentJob, job_id)
            busy = state.status if state else "?"
    finally:
        worker.send_signal(signal.SIGINT)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            worker.kill()
        robot.server.shutdown()

    def line(name: str, a: list[float], b: list[float]) -> None:
        ma, mb = statistics.median(a), statistics.median(b)
        print(
            f"{name:<34} idle {ma * 1000:8.0f} ms   rendering {mb * 1000:8.0f} ms   "
            f"ratio {mb / ma if ma else float('nan'):5.2f}"
        )

    print(
        f"{args.warnings} high-risk warnings each, {ids['households']} households; "
        f"the walk-sheet job was '{busy}' when the loaded run ended"
    )
    line("creation → webhook call (median)", idle[0], loaded[0])
    line("due time → escalation post (median)", idle[1], loaded[1])


if __name__ == "__main__":
    main()
