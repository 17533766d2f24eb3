"""The benchmark's baseline: the same contact INSERT through a bare ASGI endpoint.

No framework, no validation, no auth, no ORM: read the JSON body, fill the columns the API
would fill, one ``INSERT INTO contacts`` on a plain psycopg connection from a small per-worker
pool, answer 201 with the row. Whatever the real API costs above this is its overhead.

Served by ``bench/api.py`` as ``uvicorn baseline_app:app --app-dir bench --workers 2``; reads
``BENCH_DATABASE_URL`` (a libpq URL), ``BENCH_COMMUNITY_ID``, ``BENCH_USER_ID``,
``BENCH_TIMEZONE`` and ``BENCH_POOL_SIZE`` from the environment; with ``BENCH_WITH_STATE=1``
it runs the API's own INSERT + coverage-state statement instead of the bare INSERT.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
COMMUNITY_ID = int(os.environ.get("BENCH_COMMUNITY_ID", "1"))
USER_ID = int(os.environ.get("BENCH_USER_ID", "1"))
TIMEZONE = ZoneInfo(os.environ.get("BENCH_TIMEZONE", "Asia/Shanghai"))
POOL_SIZE = int(os.environ.get("BENCH_POOL_SIZE", "10"))

WITH_STATE = os.environ.get("BENCH_WITH_STATE") == "1"
COLUMNS = [
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
]
INSERT = f"""
INSERT INTO contacts ({", ".join(COLUMNS)})
VALUES ({", ".join(f"%({c})s" for c in COLUMNS)})
"""


def _with_state() -> tuple[str, dict[str, Any]]:
    """Doorstep's own one-statement INSERT + coverage-state upsert, as SQL for psycopg.

    With ``BENCH_WITH_STATE=1`` the baseline runs exactly the statement the API runs, so the
    difference between the two baselines is what keeping the state costs in the database.
    """
    from enum import Enum

    from sqlalchemy.dialects.postgresql import psycopg as pg_psycopg

    from app.contacts.repository import ONE_ROW_PREFIX, _one_row

    named = [ONE_ROW_PREFIX + c for c in COLUMNS]
    statement = _one_row("postgresql").params(dict.fromkeys(named))
    compiled = statement.compile(
        dialect=pg_psycopg.dialect(), compile_kwargs={"render_postcompile": True}
    )
    constants = {
        k: v.value if isinstance(v, Enum) else v
        for k, v in compiled.construct_expanded_state().parameters.items()
        if k not in named
    }
    sql = str(compiled)
    for column in COLUMNS:  # the rows this server inserts are keyed by column name
        sql = sql.replace(f"%({ONE_ROW_PREFIX}{column})s", f"%({column})s")
    return sql, constants


SQL, CONSTANTS = _with_state() if WITH_STATE else (INSERT, {})


class Pool:
    """A fixed set of autocommit connections handed out one request at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.queue: asyncio.Queue[psycopg.AsyncConnection[Any]] | None = None

    async def open(self) -> None:
        """Connect every connection of the pool."""
        self.queue = asyncio.Queue()
        for _ in range(self.size):
            conn = await psycopg.AsyncConnection.connect(DATABASE_URL, autocommit=True)
            self.queue.put_nowait(conn)

    async def close(self) -> None:
        """Close every idle connection."""
        if self.queue is None:
            return
        while not self.queue.empty():
            await self.queue.get_nowait().close()


pool = Pool(POOL_SIZE)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _answer(send: Send, status: int, payload: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


async def _record(body: bytes) -> bytes:
    data = json.loads(body)
    occurred_at = datetime.fromisoformat(data["occurred_at"])
    offset = occurred_at.utcoffset()
    offset_minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    values = {
        "id": uuid.UUID(data["id"]),
        "campaign_id": data["campaign_id"],
        "community_id": COMMUNITY_ID,
        "household_id": data["household_id"],
        "channel": data["channel"],
        "outcome": data["outcome"],
        "occurred_at": occurred_at,
        "utc_offset_minutes": offset_minutes,
        "local_date": occurred_at.astimezone(TIMEZONE).date(),
        "round_id": data.get("round_id"),
        "event_id": data.get("event_id"),
        "flyer_given": bool(data.get("flyer_given", False)),
        "app_installed": bool(data.get("app_installed", False)),
        "pledge_signed": bool(data.get("pledge_signed", False)),
        "residents_reached": int(data.get("residents_reached", 0)),
        "notes": data.get("notes"),
        "body_hash": hashlib.sha256(body).hexdigest(),
        "recorded_by": USER_ID,
        "recorded_at": datetime.now(UTC),
        "voided_at": None,
        "voided_by": None,
        "void_reason": None,
        **CONSTANTS,
    }
    assert pool.queue is not None
    conn = await pool.queue.get()
    try:
        await conn.execute(SQL, values)
    finally:
        pool.queue.put_nowait(conn)
    data["recorded_by"] = USER_ID
    return json.dumps(data).encode()


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """POST /api/v1/contacts inserts one contact; GET /healthz answers ok."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await pool.open()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    if scope["path"] == "/healthz":
        await _answer(send, 200, b'{"status":"ok"}')
        return
    if scope["method"] == "POST" and scope["path"] == "/api/v1/contacts":
        body = await _read_body(receive)
        try:
            payload = await _record(body)
        except (KeyError, ValueError, psycopg.Error) as exc:
            await _answer(send, 422, json.dumps({"detail": str(exc)}).encode())
            return
        await _answer(send, 201, payload)
        return
    await _answer(send, 404, b'{"detail":"not found"}')
