"""Benchmark the API on PostgreSQL against a baseline measured in the same run.

    /work/venv/bin/python bench/api.py                # the full run (100,000 households)
    /work/venv/bin/python bench/api.py --quick        # a smoke run in well under a minute

Creates its own database on the local PostgreSQL server, runs the real migrations, loads one
community (households in buildings, a campaign with rounds and an event, staff, contacts) with
COPY, then measures:

- contact recording: ``POST /api/v1/contacts`` with fresh UUIDs from N concurrent keep-alive
  clients against ``uvicorn app.main:create_app --workers 2``, next to the same INSERT through
  a bare ASGI endpoint (``bench/baseline_app.py``, also 2 workers): throughput, p50, p99, ratio;
- the same through a bare endpoint running the API's INSERT + coverage-state statement, and
  each layer's cost one request at a time (bare SQL, the service in-process, each server);
- coverage: ``GET /api/v1/campaigns/{id}/coverage`` next to one hand-written SQL query giving
  the headline numbers (reached, eligible, excluded, by status) over the kept state, medians
  after a warm-up, and checks that both agree;
- the ledger: ``GET /api/v1/ledger`` over 50 communities and 250,000 households next to its
  raw SQL headline.

The database is dropped at the end (``--keep`` leaves it). Everything stays on loopback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import psycopg

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402

from app.auth.security import hash_password, new_token, token_hash  # noqa: E402
from app.coverage import state as coverage_state  # noqa: E402
from app.db import make_engine, make_sessionmaker  # noqa: E402

HOST = "127.0.0.1"
LOCAL = timezone(timedelta(hours=8))  # Asia/Shanghai, as the API is told to expect
# The campaign runs from four weeks ago to the day after tomorrow: every visit lies in the past
# (the API refuses contacts from the future) and the campaign is still active.
CAMPAIGN_START = datetime.now(LOCAL).date() - timedelta(days=28)
CAMPAIGN_DAYS = 31
VISIT_DAYS = 28  # rounds, walk-ins and calls fall on the 28 days before today
UNITS, FLOORS, ROOMS_PER_FLOOR = 4, 33, 6  # 792 households a building
STAFF = 20

TARGET_RECORDING_RATIO = 0.5
TARGET_COVERAGE_MS = 200.0
TARGET_COVERAGE_RATIO = 3.0
TARGET_RECORDING_P99_MS = 100.0
TARGET_LEDGER_MS = 500.0
PARTS = ("recording", "coverage", "ledger")


# --------------------------------------------------------------------------------------------
# The database


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def _sqlalchemy(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def create_database(admin_url: str) -> str:
    """A new empty database on the server; returns its libpq URL."""
    name = f"doorstep_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return _libpq(admin_url).rsplit("/", 1)[0] + f"/{name}"


def drop_database(admin_url: str, url: str) -> None:
    """Drop a database made by create_database."""
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_libpq(admin_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(url: str) -> None:
    """Build the schema the only way the project allows: the alembic migrations."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.attributes["database_url"] = _sqlalchemy(url)
    cfg.attributes["configure_logging"] = False
    command.upgrade(cfg, "head")


# --------------------------------------------------------------------------------------------
# The data set


@dataclass
class Target:
    """What a recording client may write to: an occupied household and its building's round."""

    household_id: int
    round_id: int
    round_starts_at: datetime


@dataclass
class Fixture:
    """The loaded community, as the benchmark needs it."""

    community_id: int
    campaign_id: int
    baseline_campaign_id: int
    manager_id: int
    token: str
    event_id: int
    buildings: int
    households: int
    contacts: int
    targets: list[Target] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _copy(cur: psycopg.Cursor[Any], table: str, columns: list[str], rows: Any) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _round_start(index: int) -> datetime:
    """Building ``index``'s round: one day of the campaign, 09:00–17:00 local time."""
    day = CAMPAIGN_START + timedelta(days=index % VISIT_DAYS)
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=LOCAL)


def load(url: str, *, households: int, contacts: int, seed: int) -> Fixture:
    """Load one community with COPY: buildings, households, staff, campaign, contacts."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    per_building = UNITS * FLOORS * ROOMS_PER_FLOOR
    n_buildings = max(1, -(-households // per_building))
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO communities (name, slug, city, district, timezone,"
            " service_centre_phone, contact_consent_recorded, created_at)"
            " VALUES (%s, 'bench', '杭州市', '西湖区', 'Asia/Shanghai', '0571-88001234', false, %s)"
            " RETURNING id",
            ("基准测试小区", now),
        )
        community_id = _one(cur)
        password_hash = hash_password(uuid.uuid4().hex)
        users: dict[str, int] = {}
        for username, role in [("bench-manager", "manager"), ("bench-officer", "officer")] + [
            (f"bench-staff-{i}", "staff") for i in range(STAFF)
        ]:
            cur.execute(
                "INSERT INTO users (username, password_hash, display_name, is_admin, is_active,"
                " created_at) VALUES (%s, %s, %s, false, true, %s) RETURNING id",
                (username, password_hash, username, now),
            )
            users[username] = _one(cur)
            cur.execute(
                "INSERT INTO memberships (user_id, community_id, role, created_at)"
                " VALUES (%s, %s, %s, %s)",
                (users[username], community_id, role, now),
            )
        manager_id = users["bench-manager"]
        token = new_token()
        cur.execute(
            "INSERT INTO access_tokens (token_hash, user_id, kind, created_at, expires_at)"
            " VALUES (%s, %s, 'access', %s, %s)",
            (token_hash(token), manager_id, now, now + timedelta(days=1)),
        )

        _copy(
            cur,
            "buildings",
            ["community_id", "code", "name", "units", "floors", "created_at"],
            (
                (community_id, str(b + 1), f"{b + 1}幢", UNITS, FLOORS, now)
                for b in range(n_buildings)
            ),
        )
        cur.execute("SELECT id FROM buildings WHERE community_id = %s ORDER BY id", (community_id,))
        building_ids = [r[0] for r in cur.fetchall()]

        def household_rows() -> Iterator[tuple[Any, ...]]:
            for i in range(households):
                b, rest = divmod(i, per_building)
                unit, rest = divmod(rest, FLOORS * ROOMS_PER_FLOOR)
                floor, room = divmod(rest, ROOMS_PER_FLOOR)
                room_code = f"{floor + 1}{room + 1:02d}"
                r = rng.random()
                occupancy = "vacant" if r < 0.05 else "unknown" if r < 0.10 else "occupied"
                yield (
                    community_id,
                    building_ids[b],
                    str(unit + 1),
                    floor + 1,
                    room_code,
                    f"{b + 1}-{unit + 1}-{room_code}",
                    occupancy,
                    False,
                    now,
                    now,
                )

        _copy(
            cur,
            "households",
            [
                "community_id",
                "building_id",
                "unit",
                "floor",
                "room",
                "code",
                "occupancy",
                "contact_consent",
                "created_at",
                "updated_at",
            ],
            household_rows(),
        )
        cur.execute(
            "SELECT id, building_id, occupancy FROM households WHERE community_id = %s",
            (community_id,),
        )
        homes: list[tuple[int, int, str]] = cur.fetchall()
        flags = []
        for hid, _b, _o in homes:
            r = rng.random()
            if r < 0.08:
                flags.append((hid, "elderly_alone"))
            elif r < 0.10:
                flags.append((hid, "previous_victim"))
        _copy(cur, "household_flags", ["household_id", "flag"], flags)

        cur.execute(
            "INSERT INTO campaigns (community_id, name, starts_on, ends_on, target_coverage,"
            " topics, status, created_at) VALUES (%s, %s, %s, %s, 0.95, %s, 'active', %s)"
            " RETURNING id",
            (
                community_id,
                "冬季反诈宣传",
                CAMPAIGN_START,
                CAMPAIGN_START + timedelta(days=CAMPAIGN_DAYS - 1),
                json.dumps(["fake_customer_service_video", "refund"]),
                now,
            ),
        )
        campaign_id = _one(cur)
        # The bare INSERT baseline writes here: it keeps no coverage state, and the real
        # campaign's state is checked against its contacts after the run.
        cur.execute(
            "INSERT INTO campaigns (community_id, name, starts_on, ends_on, target_coverage,"
            " topics, status, created_at) VALUES (%s, '基准对照', %s, %s, 0.95, '[]', 'active', %s)"
            " RETURNING id",
            (
                community_id,
                CAMPAIGN_START,
                CAMPAIGN_START + timedelta(days=CAMPAIGN_DAYS - 1),
                now,
            ),
        )
        baseline_campaign_id = _one(cur)
        rounds: dict[int, tuple[int, datetime]] = {}
        staff_ids = [users[f"bench-staff-{i}"] for i in range(STAFF)]
        for index, building_id in enumerate(building_ids):
            starts = _round_start(index)
            cur.execute(
                "INSERT INTO rounds (campaign_id, community_id, starts_at, ends_at, status,"
                " created_at) VALUES (%s, %s, %s, %s, 'in_progress', %s) RETURNING id",
                (campaign_id, community_id, starts, starts + timedelta(hours=8), now),
            )
            round_id = _one(cur)
            rounds[building_id] = (round_id, starts)
            cur.execute(
                "INSERT INTO round_buildings (round_id, building_id) VALUES (%s, %s)",
                (round_id, building_id),
            )
            cur.execute(
                "INSERT INTO round_assignees (round_id, user_id) VALUES (%s, %s)",
                (round_id, staff_ids[index % STAFF]),
            )
        event_day = CAMPAIGN_START + timedelta(days=11)
        event_start = datetime(event_day.year, event_day.month, event_day.day, 14, tzinfo=LOCAL)
        cur.execute(
            "INSERT INTO events (campaign_id, community_id, title, services, location, starts_at,"
            " ends_at, status, created_at) VALUES (%s, %s, '便民服务日·反诈宣传', %s, '中心广场',"
            " %s, %s, 'done', %s) RETURNING id",
            (
                campaign_id,
                community_id,
                json.dumps(["理发", "磨刀", "量血压"]),
                event_start,
                event_start + timedelta(hours=3),
                now,
            ),
        )
        event_id = _one(cur)
        conn.commit()
        t_households = time.perf_counter()

        def contact_rows() -> Iterator[tuple[Any, ...]]:
            for _ in range(contacts):
                hid, building_id, occupancy = homes[rng.randrange(len(homes))]
                round_id: int | None = None
                event: int | None = None
                r = rng.random()
                if occupancy == "vacant" or r < 0.85:
                    channel = "door"
                    round_id, starts = rounds[building_id]
                    at = starts + timedelta(
                        seconds=rng.randrange(480 * 60), microseconds=rng.randrange(10**6)
                    )
                    if occupancy == "vacant":
                        outcome = rng.choice(("vacant", "materials_left"))
                    else:
                        o = rng.random()
                        outcome = (
                            "reached"
                            if o < 0.50
                            else "not_home"
                            if o < 0.80
                            else "materials_left"
                            if o < 0.90
                            else "refused"
                            if o < 0.97
                            else "vacant"
                        )
                elif r < 0.93:
                    channel, outcome, event = "event", "reached", event_id
                    at = event_start + timedelta(
                        seconds=rng.randrange(180 * 60), microseconds=rng.randrange(10**6)
                    )
                else:
                    channel = "walk_in" if r < 0.97 else "phone"
                    outcome = (
                        "reached"
                        if channel == "walk_in"
                        else rng.choice(("reached", "not_home", "refused"))
                    )
                    day = CAMPAIGN_START + timedelta(days=rng.randrange(VISIT_DAYS))
                    at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=LOCAL) + timedelta(
                        seconds=rng.randrange(540 * 60), microseconds=rng.randrange(10**6)
                    )
                reached = outcome == "reached"
                voided = rng.random() < 0.01
                ident = uuid.UUID(int=rng.getrandbits(128), version=4)
                yield (
                    ident,
                    campaign_id,
                    community_id,
                    hid,
                    channel,
                    outcome,
                    at,
                    480,
                    at.date(),
                    round_id,
                    event,
                    reached and rng.random() < 0.9,
                    reached and rng.random() < 0.3,
                    reached and rng.random() < 0.4,
                    rng.randint(1, 3) if reached else 0,
                    None,
                    hashlib.sha256(ident.bytes).hexdigest(),
                    staff_ids[rng.randrange(STAFF)],
                    at + timedelta(seconds=30),
                    at + timedelta(minutes=5) if voided else None,
                    manager_id if voided else None,
                    "误触" if voided else None,
                )

        _copy(
            cur,
            "contacts",
            [
                "id",
                "campaign_id",
                "community_id",
                "household_id",
                "channel",
                "outcome",
                "occurred_at",
                "utc_offset_minutes",
                "local_date",
                "round_id",
                "event_id",
                "flyer_given",
                "app_installed",
                "pledge_signed",
                "residents_reached",
                "notes",
                "body_hash",
                "recorded_by",
                "recorded_at",
                "voided_at",
                "voided_by",
                "void_reason",
            ],
            contact_rows(),
        )
        conn.commit()
        t_contacts = time.perf_counter()
    build_state(url)
    t_state = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    t_vacuum = time.perf_counter()
    fixture = Fixture(
        community_id=community_id,
        campaign_id=campaign_id,
        baseline_campaign_id=baseline_campaign_id,
        manager_id=manager_id,
        token=token,
        event_id=event_id,
        buildings=n_buildings,
        households=households,
        contacts=contacts,
        targets=[Target(hid, *rounds[b]) for hid, b, occ in homes if occ != "vacant"],
    )
    fixture.timings = {
        "households": t_households - t0,
        "contacts": t_contacts - t_households,
        "state": t_state - t_contacts,
        "vacuum": t_vacuum - t_state,
    }
    return fixture


@dataclass
class LedgerFixture:
    """The communities the ledger ranks (the first is the coverage community)."""

    community_ids: list[int]
    households: int
    contacts: int
    seconds: float = 0.0


def load_ledger(
    url: str, fixture: Fixture, *, communities: int, households: int, contacts: int, seed: int
) -> LedgerFixture:
    """More communities beside the coverage one, up to ``communities`` and ``households`` in
    all, each with a campaign and door contacts over the visit days; the bench manager plans
    in every one of them."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    t0 = time.perf_counter()
    others = max(communities - 1, 0)
    per_community = max((households - fixture.households) // others, 1) if others else 0
    ids = [fixture.community_id]
    extra_contacts = max(contacts - fixture.contacts, 0)
    homes: list[tuple[int, int, int, str]] = []  # household, community, campaign, occupancy
    per_building = UNITS * FLOORS * ROOMS_PER_FLOOR
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        for n in range(others):
            cur.execute(
                "INSERT INTO communities (name, slug, timezone, contact_consent_recorded,"
                " created_at) VALUES (%s, %s, 'Asia/Shanghai', false, %s) RETURNING id",
                (f"第{n + 2}社区", f"ledger-{n + 2}", now),
            )
            community_id = _one(cur)
            ids.append(community_id)
            cur.execute(
                "INSERT INTO memberships (user_id, community_id, role, created_at)"
                " VALUES (%s, %s, 'manager', %s)",
                (fixture.manager_id, community_id, now),
            )
            cur.execute(
                "INSERT INTO campaigns (community_id, name, starts_on, ends_on, target_coverage,"
                " topics, status, created_at) VALUES (%s, '冬季反诈宣传', %s, %s, 0.95, '[]',"
                " 'active', %s) RETURNING id",
                (
                    community_id,
                    CAMPAIGN_START,
                    CAMPAIGN_START + timedelta(days=CAMPAIGN_DAYS - 1),
                    now,
                ),
            )
            campaign_id = _one(cur)
            buildings = -(-per_community // per_building)
            _copy(
                cur,
                "buildings",
                ["community_id", "code", "units", "floors", "created_at"],
                ((community_id, str(b + 1), UNITS, FLOORS, now) for b in range(buildings)),
            )
            cur.execute(
                "SELECT id FROM buildings WHERE community_id = %s ORDER BY id", (community_id,)
            )
            building_ids = [r[0] for r in cur.fetchall()]

            def rows(
                community_id: int = community_id, building_ids: list[int] = building_ids
            ) -> Iterator[tuple[Any, ...]]:
                for i in range(per_community):
                    b, rest = divmod(i, per_building)
                    occupancy = "vacant" if rng.random() < 0.05 else "occupied"
                    code = f"{b + 1}-{rest}"
                    yield (
                        community_id,
                        building_ids[b],
                        "1",
                        1 + rest % FLOORS,
                        str(rest),
                        code,
                        occupancy,
                        False,
                        now,
                        now,
                    )

            _copy(
                cur,
                "households",
                [
                    "community_id",
                    "building_id",
                    "unit",
                    "floor",
                    "room",
                    "code",
                    "occupancy",
                    "contact_consent",
                    "created_at",
                    "updated_at",
                ],
                rows(),
            )
            cur.execute(
                "SELECT id, occupancy FROM households WHERE community_id = %s", (community_id,)
            )
            homes += [(hid, community_id, campaign_id, occ) for hid, occ in cur.fetchall()]
        conn.commit()

        def contact_rows() -> Iterator[tuple[Any, ...]]:
            for _ in range(extra_contacts if homes else 0):
                hid, community_id, campaign_id, occupancy = homes[rng.randrange(len(homes))]
                day = CAMPAIGN_START + timedelta(days=rng.randrange(VISIT_DAYS))
                at = datetime(day.year, day.month, day.day, 9, 0, tzinfo=LOCAL) + timedelta(
                    seconds=rng.randrange(8 * 3600)
                )
                o = rng.random()
                outcome = (
                    "vacant"
                    if occupancy == "vacant" and o < 0.5
                    else "reached"
                    if o < 0.5
                    else "not_home"
                    if o < 0.8
                    else "materials_left"
                    if o < 0.9
                    else "refused"
                )
                reached = outcome == "reached"
                ident = uuid.UUID(int=rng.getrandbits(128), version=4)
                yield (
                    ident,
                    campaign_id,
                    community_id,
                    hid,
                    "door",
                    outcome,
                    at,
                    480,
                    at.date(),
                    reached and rng.random() < 0.9,
                    reached and rng.random() < 0.3,
                    reached and rng.random() < 0.4,
                    rng.randint(1, 3) if reached else 0,
                    hashlib.sha256(ident.bytes).hexdigest(),
                    fixture.manager_id,
                    at,
                )

        _copy(
            cur,
            "contacts",
            [
                "id",
                "campaign_id",
                "community_id",
                "household_id",
                "channel",
                "outcome",
                "occurred_at",
                "utc_offset_minutes",
                "local_date",
                "flyer_given",
                "app_installed",
                "pledge_signed",
                "residents_reached",
                "body_hash",
                "recorded_by",
                "recorded_at",
            ],
            contact_rows(),
        )
        conn.commit()
    build_state(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return LedgerFixture(
        community_ids=ids,
        households=fixture.households + per_community * others,
        contacts=fixture.contacts + extra_contacts,
        seconds=time.perf_counter() - t0,
    )


def verify_state(url: str, campaign_id: int) -> int:
    """How many rows of the campaign's kept state differ from a recomputation (should be 0)."""
    engine = make_engine(_sqlalchemy(url))
    try:
        with make_sessionmaker(engine)() as session:
            return len(coverage_state.differences(session, campaign_id))
    finally:
        engine.dispose()


def build_state(url: str) -> None:
    """Fill the kept coverage state from the COPYed contacts, as ``verify-coverage --repair``
    would (COPY bypasses the recording path that keeps it)."""
    engine = make_engine(_sqlalchemy(url))
    try:
        with make_sessionmaker(engine)() as session:
            coverage_state.rebuild(session)
            session.commit()
    finally:
        engine.dispose()


def _one(cur: psycopg.Cursor[Any]) -> int:
    row = cur.fetchone()
    assert row is not None
    return int(row[0])


# --------------------------------------------------------------------------------------------
# Servers


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(name: str, args: list[str], env: dict[str, str], port: int) -> Iterator[int]:
    """Run uvicorn with ``args`` until the block ends; yields the parent's pid."""
    with tempfile.NamedTemporaryFile(prefix=f"bench-{name}-", suffix=".log") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                *args,
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-access-log",
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_healthy(proc, port, log.name)
            yield proc.pid
        finally:
            # The server runs in its own session: stop it and its workers, and nothing else.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _wait_healthy(proc: subprocess.Popen[bytes], port: int, log_path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if httpx.get(f"http://{HOST}:{port}/healthz", timeout=1).status_code == 200:
                time.sleep(0.5)  # let the second worker finish starting too
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    tail = Path(log_path).read_text(errors="replace")[-3000:]
    raise RuntimeError(f"server on port {port} did not become healthy:\n{tail}")


def _process_tree(pid: int) -> list[int]:
    """The process and its descendants (uvicorn's parent and its workers)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        with contextlib.suppress(OSError):
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
    return found


def _backends(database: str) -> list[int]:
    """The PostgreSQL backends serving ``database`` on this machine (if they are visible)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                cmdline = (entry / "cmdline").read_bytes()
                if cmdline.startswith(b"postgres: ") and database.encode() in cmdline:
                    found.append(int(entry.name))
    return found


def _cpu_seconds(pids: list[int]) -> dict[int, float]:
    ticks = os.sysconf("SC_CLK_TCK")
    result = {}
    for pid in pids:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            result[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return result


@dataclass
class CpuMeter:
    """CPU seconds spent by the server's processes and by its database backends meanwhile."""

    server_pid: int
    database: str

    def snapshot(self) -> tuple[dict[int, float], dict[int, float]]:
        """CPU seconds so far of each server process and each backend."""
        return _cpu_seconds(_process_tree(self.server_pid)), _cpu_seconds(_backends(self.database))

    @staticmethod
    def spent(before: dict[int, float], after: dict[int, float]) -> float:
        """CPU seconds between two snapshots (processes born meanwhile count in full)."""
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


# --------------------------------------------------------------------------------------------
# A lean HTTP/1.1 load generator (keep-alive, one connection per client)


class Connection:
    """One keep-alive HTTP/1.1 connection; small enough not to be the bottleneck."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    async def close(self) -> None:
        """Close the socket."""
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(Exception):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(self, raw: bytes) -> tuple[int, bytes]:
        """Send one request; the status and body of its response."""
        if self.writer is None:
            await self._open()
        assert self.reader is not None
        assert self.writer is not None
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length, chunked, close = -1, False, False
        for line in lines[1:]:
            key, _, value = line.partition(b":")
            key = key.strip().lower()
            value = value.strip().lower()
            if key == b"content-length":
                length = int(value)
            elif key == b"transfer-encoding":
                chunked = b"chunked" in value
            elif key == b"connection":
                close = value == b"close"
        if chunked:
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            body = b"".join(p[:-2] for p in parts)
        elif length >= 0:
            body = await self.reader.readexactly(length)
        else:
            body, close = await self.reader.read(), True
        if close:
            await self.close()
        return status, body


@dataclass
class Run:
    """One recording run's figures."""

    name: str
    requests: int = 0
    seconds: float = 0.0
    throughput: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    first_error: str | None = None
    client_cpu: float = 0.0  # CPU seconds the load generator used per wall second
    client_cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    ok_total: int = 0  # successful requests, warm-up included (CPU is measured over those)
    server_cpu_seconds: float = 0.0
    db_cpu_seconds: float = 0.0
    server_cpu_ms: float = 0.0  # per successful request, in the server's processes
    db_cpu_ms: float = 0.0  # per successful request, in its PostgreSQL backends
    backends_gone: int = 0  # backends that exited during the run: their CPU is missed
    created_ids: list[str] = field(default_factory=list, repr=False)
    latencies: list[float] = field(default_factory=list, repr=False)


def drive(
    run: Run,
    port: int,
    make_request: Callable[[], tuple[str, bytes]],
    *,
    clients: int,
    seconds: float,
    warmup: float,
    max_requests: int,
    meter: CpuMeter | None = None,
) -> None:
    """Fire requests from ``clients`` connections for ``warmup + seconds`` or ``max_requests``.

    Adds to ``run``: only successful requests started after the warm-up count towards
    throughput and latency; failures are counted by status and the first one is kept to show.
    """
    statuses: Counter[int] = Counter()
    budget = [max_requests]
    last_end = [0.0]

    async def client(start: float) -> None:
        conn = Connection(port)
        measure_from, deadline = start + warmup, start + warmup + seconds
        try:
            while budget[0] > 0:
                t0 = time.perf_counter()
                if t0 >= deadline:
                    break
                budget[0] -= 1
                ident, raw = make_request()
                status, body = await conn.request(raw)
                t1 = time.perf_counter()
                if status in (200, 201):
                    run.created_ids.append(ident)
                    run.ok_total += 1
                elif run.first_error is None:
                    run.first_error = f"{status} {body[:500].decode(errors='replace')}"
                if t0 >= measure_from:
                    statuses[status] += 1
                    last_end[0] = max(last_end[0], t1)
                    if status in (200, 201):
                        run.latencies.append(t1 - t0)
        finally:
            await conn.close()

    async def main() -> float:
        start = time.perf_counter()
        await asyncio.gather(*(client(start) for _ in range(clients)))
        return start

    cpu0 = time.process_time()
    before = meter.snapshot() if meter else None
    with _event_loop() as runner:
        start = runner.run(main())
    run.client_cpu_seconds += time.process_time() - cpu0
    if meter and before:
        after = meter.snapshot()
        run.server_cpu_seconds += meter.spent(before[0], after[0])
        run.db_cpu_seconds += meter.spent(before[1], after[1])
        run.backends_gone += len(set(before[1]) - set(after[1]))
    run.wall_seconds += time.perf_counter() - start
    run.seconds += max(last_end[0] - (start + warmup), 0.0)
    for status, count in statuses.items():
        run.statuses[str(status)] = run.statuses.get(str(status), 0) + count


def finish(run: Run) -> Run:
    """Compute the run's figures from what its slices collected."""
    run.latencies.sort()
    run.requests = len(run.latencies)
    run.throughput = run.requests / run.seconds if run.requests and run.seconds else 0.0
    run.p50_ms = _percentile(run.latencies, 0.50) * 1000
    run.p99_ms = _percentile(run.latencies, 0.99) * 1000
    run.client_cpu = run.client_cpu_seconds / run.wall_seconds if run.wall_seconds else 0.0
    if run.ok_total:
        run.server_cpu_ms = 1000 * run.server_cpu_seconds / run.ok_total
        run.db_cpu_ms = 1000 * run.db_cpu_seconds / run.ok_total
    run.statuses = dict(sorted(run.statuses.items()))
    return run


@contextlib.contextmanager
def _event_loop() -> Iterator[asyncio.Runner]:
    try:
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        yield runner


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def contact_requests(
    fixture: Fixture, seed: int, *, campaign_id: int | None = None
) -> Callable[[], tuple[str, bytes]]:
    """A maker of fresh ``POST /api/v1/contacts`` requests, as a phone in a stairwell sends."""
    rng = random.Random(seed)
    campaign = campaign_id or fixture.campaign_id
    head = (
        f"POST /api/v1/contacts HTTP/1.1\r\nHost: {HOST}\r\n"
        f"Authorization: Bearer {fixture.token}\r\nContent-Type: application/json\r\n"
        "Content-Length: "
    ).encode()

    def make() -> tuple[str, bytes]:
        target = fixture.targets[rng.randrange(len(fixture.targets))]
        ident = str(uuid.uuid4())
        outcome = rng.choice(("reached", "reached", "not_home", "materials_left", "refused"))
        at = target.round_starts_at + timedelta(minutes=rng.randrange(480))
        body = {
            "id": ident,
            "campaign_id": campaign,
            "household_id": target.household_id,
            "channel": "door",
            "outcome": outcome,
            "occurred_at": at.isoformat(),
            "round_id": target.round_id,
            "flyer_given": outcome == "reached",
            "app_installed": False,
            "pledge_signed": outcome == "reached",
            "residents_reached": 2 if outcome == "reached" else 0,
        }
        payload = json.dumps(body, separators=(",", ":")).encode()
        return ident, head + str(len(payload)).encode() + b"\r\n\r\n" + payload

    return make


def count_stored(url: str, ids: list[str]) -> int:
    """How many of these contact ids are in the database."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM contacts WHERE id = ANY(%s::uuid[])", (ids,)
        ).fetchone()
    return int(row[0]) if row else 0


# --------------------------------------------------------------------------------------------
# Coverage

# The coverage rules of DESIGN.md for the headline figures, by hand, over the contacts (what
# the endpoint did before the state was kept): a household's best outcome, whether its latest
# outcome is `vacant`, vacant exclusions; voided contacts count nowhere. (The loaded data has
# no two contacts of a household at the same instant, so "latest" needs no tie-break here.)
RAW_COVERAGE_CONTACTS_SQL = """
WITH per_household AS (
    SELECT household_id,
           bool_or(outcome = 'reached' OR channel IN ('event', 'walk_in')) AS reached,
           bool_or(outcome = 'refused') AS refused,
           bool_or(outcome = 'materials_left') AS materials_left,
           bool_or(outcome = 'not_home') AS not_home,
           max(occurred_at) FILTER (WHERE outcome = 'vacant') >= max(occurred_at)
               AS latest_vacant
    FROM contacts
    WHERE campaign_id = %(campaign)s AND voided_at IS NULL
    GROUP BY household_id
), status AS (
    SELECT (h.occupancy = 'vacant'
            OR coalesce(c.latest_vacant AND NOT c.reached, false)) AS excluded,
           CASE WHEN c.reached THEN 'reached' WHEN c.refused THEN 'refused'
                WHEN c.materials_left THEN 'materials_left' WHEN c.not_home THEN 'not_home'
                ELSE 'unvisited' END AS status
    FROM households h LEFT JOIN per_household c ON c.household_id = h.id
    WHERE h.community_id = %(community)s
)
SELECT count(*) FILTER (WHERE NOT excluded AND status = 'reached') AS reached,
       count(*) FILTER (WHERE NOT excluded) AS eligible,
       count(*) FILTER (WHERE excluded) AS excluded,
       count(*) FILTER (WHERE NOT excluded AND status = 'refused') AS refused,
       count(*) FILTER (WHERE NOT excluded AND status = 'materials_left') AS materials_left,
       count(*) FILTER (WHERE NOT excluded AND status = 'not_home') AS not_home,
       count(*) FILTER (WHERE NOT excluded AND status = 'unvisited') AS unvisited
FROM status
"""

# The same headline figures by hand over the kept state (coverage_states), the baseline the
# endpoint is judged against: one join of the registry to the state, one aggregate.
RAW_COVERAGE_STATE_SQL = """
WITH status AS (
    SELECT (h.occupancy = 'vacant'
            OR coalesce(s.last_vacant_at >= s.last_at AND s.best_rank < 4, false)) AS excluded,
           coalesce(s.best_rank, -1) AS best_rank
    FROM households h
    LEFT JOIN coverage_states s ON s.household_id = h.id AND s.campaign_id = %(campaign)s
    WHERE h.community_id = %(community)s
)
SELECT count(*) FILTER (WHERE NOT excluded AND best_rank = 4) AS reached,
       count(*) FILTER (WHERE NOT excluded) AS eligible,
       count(*) FILTER (WHERE excluded) AS excluded,
       count(*) FILTER (WHERE NOT excluded AND best_rank = 3) AS refused,
       count(*) FILTER (WHERE NOT excluded AND best_rank = 2) AS materials_left,
       count(*) FILTER (WHERE NOT excluded AND best_rank = 1) AS not_home,
       count(*) FILTER (WHERE NOT excluded AND best_rank <= 0) AS unvisited
FROM status
"""


def _median_sql(
    url: str, sql: str, params: dict[str, Any], samples: int, warmup: int
) -> tuple[float, dict[str, int]]:
    """Median milliseconds of a one-row query, and its row by column name."""
    with psycopg.connect(url) as conn:
        conn.execute("SET jit = off")
        times = []
        row = None
        for i in range(warmup + samples):
            t0 = time.perf_counter()
            cur = conn.execute(sql, params)
            row = cur.fetchone()
            t1 = time.perf_counter()
            if i >= warmup:
                times.append(t1 - t0)
        assert row is not None
        assert cur.description is not None
        numbers = {d.name: int(v) for d, v in zip(cur.description, row, strict=True)}
    return statistics.median(times) * 1000, numbers


@dataclass
class Coverage:
    """Coverage latency, API and raw SQL, and whether their numbers agree."""

    api_ms: float = 0.0
    raw_ms: float = 0.0  # the headline by hand over the kept state: the baseline
    raw_contacts_ms: float = 0.0  # the same over the contacts, for reference
    ratio: float = 0.0
    api_numbers: dict[str, Any] = field(default_factory=dict)
    raw_numbers: dict[str, int] = field(default_factory=dict)
    agree: bool = False
    error: str | None = None


def time_coverage(url: str, port: int, fixture: Fixture, *, samples: int, warmup: int) -> Coverage:
    """Median latency of the coverage endpoint and of the raw SQL aggregate."""
    result = Coverage()
    params = {"campaign": fixture.campaign_id, "community": fixture.community_id}
    result.raw_ms, result.raw_numbers = _median_sql(
        url, RAW_COVERAGE_STATE_SQL, params, samples, warmup
    )
    result.raw_contacts_ms, from_contacts = _median_sql(
        url, RAW_COVERAGE_CONTACTS_SQL, params, samples, warmup
    )
    if from_contacts != result.raw_numbers:
        result.error = f"the kept state {result.raw_numbers} != the contacts {from_contacts}"
    headers = {"Authorization": f"Bearer {fixture.token}"}
    path = f"http://{HOST}:{port}/api/v1/campaigns/{fixture.campaign_id}/coverage"
    with httpx.Client(headers=headers, timeout=60) as client:
        times = []
        for i in range(warmup + samples):
            t0 = time.perf_counter()
            response = client.get(path)
            t1 = time.perf_counter()
            if response.status_code != 200:
                result.error = f"{response.status_code} {response.text[:500]}"
                return result
            if i >= warmup:
                times.append(t1 - t0)
        result.api_numbers = response.json()
        result.api_ms = statistics.median(times) * 1000
    result.ratio = result.api_ms / result.raw_ms if result.raw_ms else 0.0
    api = result.api_numbers
    raw = result.raw_numbers
    by_status = api.get("by_status") or {}
    result.agree = all(api.get(k) == raw[k] for k in ("reached", "eligible", "excluded")) and all(
        by_status.get(k) == raw[k] for k in ("refused", "materials_left", "not_home", "unvisited")
    )
    return result


# The ledger's headline per community by hand over the kept days: each household's days in the
# dates rolled up across campaigns, joined to the registry.
RAW_LEDGER_SQL = """
WITH d AS (
    SELECT household_id, max(best_rank) AS best_rank, max(last_at) AS last_at,
           max(last_vacant_at) AS last_vacant_at
    FROM coverage_days
    WHERE community_id = ANY(%(ids)s) AND local_date BETWEEN %(start)s AND %(end)s
    GROUP BY household_id
), status AS (
    SELECT (h.occupancy = 'vacant'
            OR coalesce(d.last_vacant_at >= d.last_at AND d.best_rank < 4, false)) AS excluded,
           coalesce(d.best_rank, -1) AS best_rank
    FROM households h LEFT JOIN d ON d.household_id = h.id
    WHERE h.community_id = ANY(%(ids)s)
)
SELECT count(*) FILTER (WHERE NOT excluded AND best_rank = 4) AS reached,
       count(*) FILTER (WHERE NOT excluded) AS eligible,
       count(*) FILTER (WHERE excluded) AS excluded
FROM status
"""


@dataclass
class Ledger:
    """Ledger latency, API and raw SQL, and whether their totals agree."""

    communities: int = 0
    households: int = 0
    contacts: int = 0
    api_ms: float = 0.0
    raw_ms: float = 0.0
    agree: bool = False
    error: str | None = None


def time_ledger(
    url: str, port: int, fixture: Fixture, ledger: LedgerFixture, *, samples: int, warmup: int
) -> Ledger:
    """Median latency of ``GET /api/v1/ledger`` (its default period) and of the raw SQL."""
    result = Ledger(len(ledger.community_ids), ledger.households, ledger.contacts)
    end = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    params = {"ids": ledger.community_ids, "start": end - timedelta(days=29), "end": end}
    result.raw_ms, raw = _median_sql(url, RAW_LEDGER_SQL, params, samples, warmup)
    headers = {"Authorization": f"Bearer {fixture.token}"}
    with httpx.Client(headers=headers, timeout=120) as client:
        times = []
        for i in range(warmup + samples):
            t0 = time.perf_counter()
            response = client.get(f"http://{HOST}:{port}/api/v1/ledger")
            t1 = time.perf_counter()
            if response.status_code != 200:
                result.error = f"{response.status_code} {response.text[:500]}"
                return result
            if i >= warmup:
                times.append(t1 - t0)
    result.api_ms = statistics.median(times) * 1000
    body = response.json()
    overall = body["overall"]
    result.agree = (
        body["total"] == len(ledger.community_ids)
        and (body["from"], body["to"]) == (str(params["start"]), str(end))
        and all(overall[k] == raw[k] for k in ("reached", "eligible", "excluded"))
    )
    if not result.agree:
        result.error = f"API {overall} / {body['from']}–{body['to']} vs raw SQL {raw}"
    return result


# --------------------------------------------------------------------------------------------
# What each layer of the recording path costs, one request at a time


@dataclass
class Layer:
    """One layer's latency per request, one client, nothing else running."""

    name: str
    p50_ms: float
    p99_ms: float


def _interleaved(calls: list[tuple[str, Callable[[], None]]], samples: int) -> list[Layer]:
    """Time each call ``samples`` times, one of each in turn (the first tenth warms up), so
    that whatever else the machine does hits every layer alike."""
    times: dict[str, list[float]] = {name: [] for name, _ in calls}
    warmup = samples // 10
    for i in range(samples + warmup):
        for name, call in calls[i % len(calls) :] + calls[: i % len(calls)]:
            t0 = time.perf_counter()
            call()
            if i >= warmup:
                times[name].append(time.perf_counter() - t0)
    found = []
    for name, _ in calls:
        values = sorted(times[name])
        found.append(
            Layer(name, statistics.median(values) * 1000, _percentile(values, 0.99) * 1000)
        )
    return found


def _http_call(port: int, make: Callable[[], tuple[str, bytes]]) -> Callable[[], None]:
    """One keep-alive connection; each call sends one fresh request and reads the answer."""
    sock = socket.create_connection((HOST, port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    reader = sock.makefile("rb")

    def call() -> None:
        _, raw = make()
        sock.sendall(raw)
        status = reader.readline()
        if b" 20" not in status:
            raise RuntimeError(f"layer request failed: {status!r}")
        length = 0
        while (line := reader.readline()) not in (b"\r\n", b""):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        reader.read(length)

    return call


def _sql_row(fixture: Fixture, rng: random.Random, *, bare: bool = False) -> dict[str, Any]:
    target = fixture.targets[rng.randrange(len(fixture.targets))]
    at = target.round_starts_at + timedelta(minutes=rng.randrange(480))
    ident = uuid.uuid4()
    return {
        "id": ident,
        "campaign_id": fixture.baseline_campaign_id if bare else fixture.campaign_id,
        "community_id": fixture.community_id,
        "household_id": target.household_id,
        "channel": "door",
        "outcome": rng.choice(("reached", "not_home", "refused")),
        "occurred_at": at,
        "utc_offset_minutes": 480,
        "local_date": at.date(),
        "round_id": target.round_id,
        "event_id": None,
        "flyer_given": True,
        "app_installed": False,
        "pledge_signed": False,
        "residents_reached": 1,
        "notes": None,
        "body_hash": hashlib.sha256(ident.bytes).hexdigest(),
        "recorded_by": fixture.manager_id,
        "recorded_at": datetime.now(UTC),
        "voided_at": None,
        "voided_by": None,
        "void_reason": None,
    }


def time_layers(
    url: str, fixture: Fixture, servers: list[tuple[str, int, int]], *, samples: int, seed: int
) -> list[Layer]:
    """Latency of one contact through each layer, from the bare SQL up to the whole API."""
    import baseline_app

    from app.auth.models import User
    from app.auth.permissions import Actor
    from app.contacts import service as contacts
    from app.contacts.schemas import ContactCreate
    from app.enums import Role

    rng = random.Random(seed)
    state_sql, constants = baseline_app._with_state()
    engine = make_engine(_sqlalchemy(url))
    try:
        with (
            psycopg.connect(url, autocommit=True) as conn,
            make_sessionmaker(engine)() as session,
        ):
            user = session.get(User, fixture.manager_id)
            assert user is not None
            actor = Actor(user=user, roles={fixture.community_id: Role.manager})
            make = contact_requests(fixture, seed + 7)
            session.rollback()

            def record() -> None:
                _, raw = make()
                body = json.loads(raw.split(b"\r\n\r\n", 1)[1])
                payload = ContactCreate.model_validate(body)
                contacts.record_contact(session, actor=actor, payload=payload)

            calls: list[tuple[str, Callable[[], None]]] = [
                (
                    "SQL: INSERT contact",
                    lambda: (
                        conn.execute(baseline_app.INSERT, _sql_row(fixture, rng, bare=True))
                        and None
                    ),
                ),
                (
                    "SQL: INSERT + state + round (1 stmt)",
                    lambda: conn.execute(state_sql, _sql_row(fixture, rng) | constants) and None,
                ),
                ("service in-process (checks+ORM)", record),
            ]
            for name, port, campaign_id in servers:  # label, port, its requests' campaign
                make_one = contact_requests(fixture, seed + port, campaign_id=campaign_id)
                calls.append((name, _http_call(port, make_one)))
            return _interleaved(calls, samples)
    finally:
        engine.dispose()


# --------------------------------------------------------------------------------------------
# Profiling (optional)


@contextlib.contextmanager
def profiled(directory: Path | None, pid: int, name: str, seconds: float) -> Iterator[None]:
    """Sample ``pid`` and its worker processes with py-spy while the block runs."""
    if directory is None:
        yield
        return
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"{name}.txt"
    cmd = [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid)]
    cmd += ["--subprocesses", "--nonblocking", "--gil", "--rate", "250", "--format", "raw"]
    cmd += ["--output", str(out)]
    if seconds:
        cmd += ["--duration", str(int(seconds + 1))]
    spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)  # py-spy needs a moment to attach
    try:
        yield
    finally:
        if not seconds:
            spy.send_signal(signal.SIGINT)
        _, err = spy.communicate(timeout=60)
        if out.exists():
            print(f"\nprofile {name} ({out}):")
            summarise_profile(out)
        else:
            print(f"py-spy wrote nothing: {err.decode(errors='replace')[-500:]}")


def summarise_profile(path: Path, top: int = 30) -> None:
    """Print the frames with the most inclusive samples (each counted once per stack)."""
    plumbing = (
        "multiprocessing/",
        "asyncio/runners",
        "uvicorn/_",
        "uvicorn/supervisors",
        "uvicorn/main",
        "uvicorn/server",
        "click/",
        "runpy",
        "threading.py",
        "<string>",
    )
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [f for f in stack.split(";") if f.endswith(")") and ".py:" in f]
        total += count
        for frame in set(frames):
            if not any(p in frame for p in plumbing):
                inclusive[frame] += count
        if frames:
            leaf[frames[-1]] += count
    if not total:
        print("  no samples")
        return
    print(f"  {total} samples on CPU; inclusive share of the busiest frames:")
    for frame, count in inclusive.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {frame[:150]}")
    print("  leaf (self) share:")
    for frame, count in leaf.most_common(10):
        print(f"  {100 * count / total:5.1f}%  {frame[:150]}")


# --------------------------------------------------------------------------------------------
# The run


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def report(
    args: argparse.Namespace,
    fixture: Fixture,
    load_seconds: float,
    server: str,
    runs: list[Run],
    stored: dict[str, tuple[int, int]],
    coverage: Coverage | None,
    ledger: Ledger | None,
    layers: list[Layer],
    differences: int,
) -> dict[str, Any]:
    """Print the table of figures; return them for --json."""
    baseline, with_state, api = runs
    ratio = api.throughput / baseline.throughput if baseline.throughput else 0.0
    state_ratio = api.throughput / with_state.throughput if with_state.throughput else 0.0
    t = fixture.timings
    print()
    print(f"Doorstep API benchmark · {server} · {os.cpu_count()} CPUs · loopback")
    print(
        f"data: {fixture.households:,} households in {fixture.buildings} buildings, "
        f"{fixture.contacts:,} contacts, 1 campaign"
        + (
            f"; ledger: {ledger.communities} communities, {ledger.households:,} households, "
            f"{ledger.contacts:,} contacts"
            if ledger
            else ""
        )
    )
    print(
        f"load: {load_seconds:.1f} s (migrations {t['migrations']:.1f} s, households "
        f"{t['households']:.1f} s, contacts {t['contacts']:.1f} s, coverage state "
        f"{t['state']:.1f} s, vacuum {t['vacuum']:.1f} s, ledger communities {t['ledger']:.1f} s)"
    )
    if "recording" in args.only:
        print()
        print(
            f"contact recording · POST /api/v1/contacts · {args.clients} clients · "
            f"{args.seconds:g} s each in {args.slices} rotating slice(s), each after "
            f"{args.warmup:g} s warm-up · uvicorn --workers 2"
        )
        print(
            f"  {'':30}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}  {'non-2xx':>8}  stored/created"
            "  client CPU  server CPU/req  db CPU/req"
        )
        for run in runs:
            bad = sum(v for k, v in run.statuses.items() if not k.startswith("2"))
            s, c = stored[run.name]
            print(
                f"  {run.name:30}{run.throughput:10,.0f}{run.p50_ms:10.1f}{run.p99_ms:10.1f}"
                f"  {bad:8}  {f'{s}/{c}':>14}  {run.client_cpu:9.0%}  {run.server_cpu_ms:11.2f} ms"
                f"  {run.db_cpu_ms:7.2f} ms"
            )
            if run.first_error:
                print(f"    first error: {run.first_error}")
            if run.backends_gone:
                print(
                    f"    db CPU undercounted: {run.backends_gone} PostgreSQL backends exited"
                    " during the run (connections opened and closed per request burst)"
                )
        failed = any(run.first_error or stored[run.name][0] != stored[run.name][1] for run in runs)
        verdict = (
            "ERROR (failed or lost requests)"
            if failed
            else _verdict(ratio >= TARGET_RECORDING_RATIO)
        )
        print(
            f"  {'ratio API / bare INSERT':30}{ratio:10.2f}{'':22}"
            f"  target ≥ {TARGET_RECORDING_RATIO}  {verdict}"
        )
        print(f"  {'ratio API / INSERT + state':30}{state_ratio:10.2f}")
        print(
            f"  {'API p99':30}{api.p99_ms:10.1f} ms{'':17}target ≤ {TARGET_RECORDING_P99_MS:.0f} ms"
            f"  {_verdict(api.p99_ms <= TARGET_RECORDING_P99_MS)}"
        )
        print(
            f"  kept state of the campaign after recording: {differences} difference(s) from a"
            " recomputation"
        )
        print()
        print("recording, layer by layer · one client, one request at a time · latency per request")
        print(f"  {'':38}{'p50 ms':>10}{'p99 ms':>10}")
        by_name = {layer.name: layer for layer in layers}
        for layer in layers:
            print(f"  {layer.name:38}{layer.p50_ms:10.2f}{layer.p99_ms:10.2f}")

        def p50(name: str) -> float:
            return by_name[name].p50_ms if name in by_name else float("nan")

        sql, sql_state = p50("SQL: INSERT contact"), p50("SQL: INSERT + state + round (1 stmt)")
        service = p50("service in-process (checks+ORM)")
        bare_http = p50("HTTP: bare ASGI + INSERT + state")
        print("  what each layer adds (p50):")
        for label, ms in (
            ("keeping the state and round, in SQL", sql_state - sql),
            ("HTTP + uvicorn + a bare ASGI endpoint", bare_http - sql_state),
            ("service: checks, lookup query, ORM, commit", service - sql_state),
            (
                "FastAPI: routing, auth query, validation, JSON",
                p50("HTTP: Doorstep API") - bare_http - (service - sql_state),
            ),
        ):
            print(f"    {label:48}{ms:8.2f} ms")
        print()
    if coverage is not None:
        print(
            f"coverage · GET /api/v1/campaigns/{fixture.campaign_id}/coverage · median of "
            f"{args.coverage_samples} after {args.coverage_warmup} warm-up"
        )
        if coverage.error:
            print(f"  error: {coverage.error}")
        if coverage.api_numbers:
            print(
                f"  {'API endpoint':28}{coverage.api_ms:10.1f} ms{'':10}target ≤ "
                f"{TARGET_COVERAGE_MS:.0f} ms  {_verdict(coverage.api_ms <= TARGET_COVERAGE_MS)}"
            )
            print(f"  {'raw SQL over the kept state':28}{coverage.raw_ms:10.1f} ms")
            print(
                f"  {'raw SQL over the contacts':28}{coverage.raw_contacts_ms:10.1f} ms"
                "  (what the endpoint rescanned before the state was kept)"
            )
            print(
                f"  {'ratio API / raw SQL (state)':28}{coverage.ratio:10.2f}{'':13}target ≤ "
                f"{TARGET_COVERAGE_RATIO:.0f}   {_verdict(coverage.ratio <= TARGET_COVERAGE_RATIO)}"
            )
            raw = coverage.raw_numbers
            print(
                f"  numbers: raw SQL reached {raw['reached']:,} / eligible {raw['eligible']:,} "
                f"(excluded {raw['excluded']:,}); API "
                f"{coverage.api_numbers.get('reached')} / {coverage.api_numbers.get('eligible')}"
                f" (excluded {coverage.api_numbers.get('excluded')}) → "
                f"{'agree' if coverage.agree else 'DISAGREE'}"
            )
        print()
    if ledger is not None:
        print(
            f"ledger · GET /api/v1/ledger (default period) · {ledger.communities} communities, "
            f"{ledger.households:,} households · median of {args.coverage_samples}"
        )
        if ledger.error:
            print(f"  error: {ledger.error}")
        print(
            f"  {'API endpoint':28}{ledger.api_ms:10.1f} ms{'':10}target ≤ "
            f"{TARGET_LEDGER_MS:.0f} ms  {_verdict(ledger.api_ms <= TARGET_LEDGER_MS)}"
        )
        print(
            f"  {'raw SQL headline (days)':28}{ledger.raw_ms:10.1f} ms  totals "
            f"{'agree' if ledger.agree else 'DISAGREE'}"
        )
        print()
    return {
        "server": server,
        "cpus": os.cpu_count(),
        "args": vars(args),
        "load_seconds": load_seconds,
        "load_timings": fixture.timings,
        "recording": {
            "baseline": _run_dict(baseline),
            "baseline_with_state": _run_dict(with_state),
            "api": _run_dict(api),
            "ratio": ratio,
            "ratio_to_state_baseline": state_ratio,
            "state_differences": differences,
        },
        "layers": [asdict(layer) for layer in layers],
        "coverage": asdict(coverage) if coverage else None,
        "ledger": asdict(ledger) if ledger else None,
    }


def _run_dict(run: Run) -> dict[str, Any]:
    data = asdict(run)
    data.pop("created_ids")
    data.pop("latencies")
    return data


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; --quick shrinks everything for a smoke run."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    p.add_argument("--households", type=int, default=100_000)
    p.add_argument("--contacts", type=int, default=300_000)
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--seconds", type=float, default=20.0, help="measured seconds per server")
    p.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds per slice")
    p.add_argument(
        "--slices", type=int, default=2, help="alternate baseline and API this many times each"
    )
    p.add_argument("--max-requests", type=int, default=500_000, help="per run, warm-up included")
    p.add_argument("--ledger-communities", type=int, default=50)
    p.add_argument(
        "--ledger-households", type=int, default=250_000, help="in all, the coverage ones too"
    )
    p.add_argument(
        "--ledger-contacts", type=int, default=600_000, help="in all, the coverage ones too"
    )
    p.add_argument("--layer-samples", type=int, default=300, help="requests per layer")
    p.add_argument("--coverage-samples", type=int, default=10)
    p.add_argument("--coverage-warmup", type=int, default=3)
    p.add_argument("--pool-size", type=int, default=10, help="baseline connections per worker")
    p.add_argument("--seed", type=int, default=20261201)
    p.add_argument(
        "--postgres",
        default=os.environ.get(
            "DOORSTEP_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="an admin URL of the server to create the bench database on",
    )
    p.add_argument(
        "--only",
        nargs="+",
        choices=PARTS,
        default=list(PARTS),
        help="measure only these parts (default: all); the load is the same",
    )
    p.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample the API workers with py-spy (pip install py-spy) while recording and while"
        " serving coverage; writes collapsed stacks to DIR and prints where the time goes",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 5,000 households, 15,000 contacts, 3 s runs",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.households, args.contacts = 5_000, 15_000
        args.ledger_communities, args.ledger_households, args.ledger_contacts = 5, 10_000, 30_000
        args.layer_samples = 100
        args.seconds, args.warmup, args.slices = 3.0, 0.5, 1
        args.coverage_samples, args.coverage_warmup = 5, 1
    return args


def main(argv: list[str] | None = None) -> int:
    """Create, load, measure, report, drop."""
    args = parse_args(argv)
    # A terminated run still drops its database and stops its servers (the finally blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = create_database(args.postgres)
    print(f"database: {url}", flush=True)
    try:
        t0 = time.perf_counter()
        migrate(url)
        t_migrated = time.perf_counter()
        fixture = load(url, households=args.households, contacts=args.contacts, seed=args.seed)
        fixture.timings["migrations"] = t_migrated - t0
        ledger_fixture = load_ledger(
            url,
            fixture,
            communities=args.ledger_communities,
            households=args.ledger_households,
            contacts=args.ledger_contacts,
            seed=args.seed + 3,
        )
        fixture.timings["ledger"] = ledger_fixture.seconds
        load_seconds = time.perf_counter() - t0
        print(f"loaded in {load_seconds:.1f} s", flush=True)
        with psycopg.connect(url) as conn:
            row = conn.execute("SHOW server_version").fetchone()
        server = f"PostgreSQL {row[0] if row else '?'}"

        api_env = {
            "DOORSTEP_DATABASE_URL": _sqlalchemy(url),
            "DOORSTEP_ENVIRONMENT": "production",
            "DOORSTEP_SECRET_KEY": uuid.uuid4().hex,
        }
        api_args = ["app.main:create_app", "--factory", "--workers", "2"]
        base_env = {
            "BENCH_DATABASE_URL": url,
            "BENCH_COMMUNITY_ID": str(fixture.community_id),
            "BENCH_USER_ID": str(fixture.manager_id),
            "BENCH_TIMEZONE": "Asia/Shanghai",
            "BENCH_POOL_SIZE": str(args.pool_size),
        }
        base_args = ["baseline_app:app", "--app-dir", str(Path(__file__).parent), "--workers", "2"]
        state_env = {**base_env, "BENCH_WITH_STATE": "1"}
        api_port, base_port, state_port = free_port(), free_port(), free_port()
        api = Run("Doorstep API")
        baseline = Run("bare ASGI + psycopg INSERT")
        with_state = Run("bare ASGI + INSERT + state")
        api_requests = contact_requests(fixture, args.seed + 1)
        base_requests = contact_requests(
            fixture, args.seed + 2, campaign_id=fixture.baseline_campaign_id
        )
        state_requests = contact_requests(fixture, args.seed + 4)
        with (
            serve("api", api_args, api_env, api_port) as api_pid,
            serve("baseline", base_args, base_env, base_port) as base_pid,
            serve("baseline-state", base_args, state_env, state_port) as state_pid,
        ):
            database = url.rsplit("/", 1)[1]
            meters = {
                api.name: CpuMeter(api_pid, database),
                baseline.name: CpuMeter(base_pid, database),
                with_state.name: CpuMeter(state_pid, database),
            }
            coverage = ledger = None
            layers: list[Layer] = []
            if "coverage" in args.only:
                print("coverage …", flush=True)
                coverage = time_coverage(
                    url,
                    api_port,
                    fixture,
                    samples=args.coverage_samples,
                    warmup=args.coverage_warmup,
                )
            if "ledger" in args.only:
                print("ledger …", flush=True)
                ledger = time_ledger(
                    url,
                    api_port,
                    fixture,
                    ledger_fixture,
                    samples=args.coverage_samples,
                    warmup=args.coverage_warmup,
                )
            if "recording" in args.only:
                print("layers, one request at a time …", flush=True)
                layers = time_layers(
                    url,
                    fixture,
                    [
                        ("HTTP: bare ASGI + INSERT", base_port, fixture.baseline_campaign_id),
                        ("HTTP: bare ASGI + INSERT + state", state_port, fixture.campaign_id),
                        ("HTTP: Doorstep API", api_port, fixture.campaign_id),
                    ],
                    samples=args.layer_samples,
                    seed=args.seed + 5,
                )
                # Slices rotate A B C, C B A, …, so that drift on a shared machine hits all alike.
                slice_seconds = args.seconds / args.slices
                for i in range(args.slices):
                    order = [
                        (baseline, base_port, base_requests),
                        (with_state, state_port, state_requests),
                        (api, api_port, api_requests),
                    ]
                    for run, port, requests in order if i % 2 == 0 else order[::-1]:
                        print(
                            f"recording through the {run.name} ({i + 1}/{args.slices}) …",
                            flush=True,
                        )
                        sample = args.profile if run is api and i == 0 else None
                        with profiled(
                            sample, api_pid, "api-recording", args.warmup + slice_seconds
                        ):
                            drive(
                                run,
                                port,
                                requests,
                                clients=args.clients,
                                seconds=slice_seconds,
                                warmup=args.warmup,
                                max_requests=args.max_requests // args.slices,
                                meter=meters[run.name],
                            )
            if args.profile and "coverage" in args.only:
                with profiled(args.profile, api_pid, "api-coverage", 0):
                    time_coverage(url, api_port, fixture, samples=args.coverage_samples, warmup=0)
        stored = {
            run.name: (count_stored(url, run.created_ids), len(run.created_ids))
            for run in (finish(api), finish(baseline), finish(with_state))
        }
        differences = verify_state(url, fixture.campaign_id)

        figures = report(
            args,
            fixture,
            load_seconds,
            server,
            [baseline, with_state, api],
            stored,
            coverage,
            ledger,
            layers,
            differences,
        )
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(figures, indent=2, default=str))
        return 0
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            drop_database(args.postgres, url)


if __name__ == "__main__":
    raise SystemExit(main())
