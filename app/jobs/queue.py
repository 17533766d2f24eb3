"""The huey instance and the few calls the rest of the app makes to it.

Huey carries "do this now" and "do this at that time"; the durable truth lives in our own
tables (warnings with their due times, the webhook outbox, document jobs), and the periodic
sweep re-derives any work a lost queue entry would have done. So a worker killed mid-task,
or a queue storage that was briefly down, delays a job by at most a minute and loses none.

Storage, by ``DOORSTEP_JOBS_URL`` or else beside the database: a second SQLite file next to
the embedded database (nothing to start), the deployment's own PostgreSQL (huey's tables
``huey_*``), or Redis (``redis://…``, needs the ``redis`` package). Tests use memory storage.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from huey import Huey
from huey.storage import MemoryStorage, PostgresStorage, RedisStorage, SqliteStorage
from sqlalchemy.engine import make_url

from app.config import Settings
from app.handoff import HandedIn

log = logging.getLogger(__name__)

huey = Huey("doorstep", results=False, utc=True, storage_class=MemoryStorage)

tasks: HandedIn[ModuleType] = HandedIn("job tasks", provider="app.jobs.tasks")
"""The module whose tasks the calls below queue. The queue is at the bottom of the layers
(services call it) and the tasks at the top (they run services), so ``app.jobs.tasks``
provides itself as it is imported; the app factory and ``doorstep worker`` import it."""


def _task(name: str) -> Any:
    return getattr(tasks.get(), name)


def storage_for(settings: Settings) -> tuple[type[Any], dict[str, Any]]:
    """The huey storage class and its arguments for these settings."""
    url = settings.jobs_url
    if not url:
        if settings.environment == "test":
            return MemoryStorage, {}
        if settings.is_sqlite:
            database = make_url(settings.database_url).database or "doorstep.db"
            path = Path(database)
            return SqliteStorage, {"filename": str(path.with_name(path.stem + "-jobs.db"))}
        url = settings.database_url
    if url.startswith("memory:"):
        return MemoryStorage, {}
    if url.startswith("redis"):
        return RedisStorage, {"url": url}
    if url.startswith("sqlite"):
        return SqliteStorage, {"filename": make_url(url).database or "doorstep-jobs.db"}
    if url.startswith("postgresql"):
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        return PostgresStorage, {"dsn": dsn}
    raise ValueError(f"DOORSTEP_JOBS_URL {url!r}: use sqlite:///…, postgresql://…, redis://…")


def configure(settings: Settings) -> None:
    """Point the queue at the storage these settings name (once per process, before use)."""
    cls, kwargs = storage_for(settings)
    current = huey.storage
    if isinstance(current, cls) and huey.storage_kwargs == kwargs:
        return
    huey.storage_class = cls
    huey.storage_kwargs = kwargs
    huey.storage = huey.create_storage()


def is_persistent() -> bool:
    """Whether queued tasks outlive this process (a worker elsewhere will run them)."""
    return not isinstance(huey.storage, MemoryStorage)


def render_documents_soon() -> None:
    """Queue the rendering of the document jobs just committed."""
    _safely("document render", lambda: _task("render_documents")())


def _safely(what: str, call: Callable[[], Any]) -> None:
    # Enqueueing never fails a request: the periodic sweep does whatever was not queued (also
    # in a process that never imported the tasks, such as a one-off command).
    try:
        call()
    except Exception:
        log.exception("could not queue %s; the periodic sweep will do it", what)


def deliver_pending() -> None:
    """Queue delivery of the webhook messages just committed (and any others due)."""
    _safely("webhook delivery", lambda: _task("deliver_due")())


def escalate_at(warning_id: int, at: datetime) -> None:
    """Queue a warning's escalation check for its due time (the sweep checks every minute too)."""
    eta = at.astimezone(UTC).replace(tzinfo=None)  # huey's utc=True wants naive UTC times
    _safely(
        f"escalation of warning {warning_id}",
        lambda: _task("escalate_warning").schedule((warning_id,), eta=eta),
    )
