"""The jobs huey runs: deliveries, escalations, erasure, and the minute sweep.

Each task opens its own session on the configured database; each is safe to run twice or
concurrently (escalations and deliveries claim their rows), so huey's at-most-once hand-off
is made at-least-once by the sweep re-deriving the work from our tables every minute.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime, timedelta

from huey import crontab
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings, get_settings
from app.db import make_engine, make_sessionmaker, utcnow
from app.jobs import queue
from app.jobs.queue import huey
from app.notifications import service as notifications
from app.warnings import service as warnings

log = logging.getLogger(__name__)


_factories: dict[str, sessionmaker[Session]] = {}


def factory_for(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the settings' database, one engine per process."""
    url = settings.database_url
    if url not in _factories:
        engine = make_engine(url) if settings.is_sqlite else make_engine(url, pool_size=4)
        _factories[url] = make_sessionmaker(engine)
    return _factories[url]


def _factory() -> sessionmaker[Session]:
    return factory_for(get_settings())


def policy() -> notifications.DeliveryPolicy:
    """The webhook delivery policy from the settings."""
    settings = get_settings()
    return notifications.DeliveryPolicy(
        allow_private=settings.webhook_allow_private,
        retry_base_seconds=settings.webhook_retry_base_seconds,
        max_attempts=settings.webhook_max_attempts,
        lease=timedelta(seconds=settings.webhook_lease_seconds),
    )


def deliver_all_due(
    factory: sessionmaker[Session], *, now: datetime, policy: notifications.DeliveryPolicy
) -> datetime | None:
    """One attempt at every outbox message due now; returns when to look again (a retry or a
    lease running out), or None when nothing is pending."""
    for message_id in notifications.due_messages(factory, now=now):
        notifications.deliver(factory, message_id, now=now, policy=policy)
    return notifications.next_wakeup(factory)


def escalate(factory: sessionmaker[Session], *, now: datetime) -> warnings.Outcome:
    """Escalate every warning due by ``now``."""
    with factory() as session:
        return warnings.escalate_due(session, now=now)


def erase(factory: sessionmaker[Session], *, now: datetime, after_days: int) -> list[int]:
    """Erase the personal data of warnings closed long enough ago."""
    with factory() as session:
        return warnings.erase_expired(session, now=now, after_days=after_days)


@huey.task()
def deliver_due() -> None:
    """Deliver every webhook message due; schedule this again for the earliest retry."""
    again = deliver_all_due(_factory(), now=utcnow(), policy=policy())
    if again is not None and again - utcnow() < timedelta(minutes=5):
        # soon enough to chase here; anything later the minute sweep picks up
        deliver_due.schedule(eta=max(again, utcnow()).astimezone(UTC).replace(tzinfo=None))


@huey.task()
def escalate_warning(warning_id: int) -> None:
    """Run at a warning's due time: escalate it (and anything else due), then notify."""
    outcome = escalate(_factory(), now=utcnow())
    log.debug("escalation check for warning %s done", warning_id)
    if outcome.messages:
        deliver_due()


def _documents_settings() -> Settings:
    return get_settings()


@huey.task()
def render_documents() -> None:
    """Render every queued document job (large reports, walk sheets, flyers)."""
    from app.documents import delivery

    done = delivery.run_pending(_factory(), _documents_settings())
    log.info("rendered %d document job(s)", done)


@huey.periodic_task(crontab(minute="*"))
def sweep() -> None:
    """Every minute: escalations, webhook messages and erasures any lost job would have done."""
    _sweep()


@huey.task()
def sweep_now() -> None:
    """The sweep, once, now (queued when a worker starts)."""
    _sweep()


def _sweep() -> None:
    factory = _factory()
    now = utcnow()
    outcome = escalate(factory, now=now)
    deliver_all_due(factory, now=now, policy=policy())
    erase(factory, now=now, after_days=get_settings().warning_erase_after_days)
    if outcome.messages or notifications.next_wakeup(factory) is not None:
        deliver_due()
    from app.documents import delivery

    if delivery.has_pending(factory):  # queued, or left running by a worker that died
        render_documents()


queue.tasks.provide(sys.modules[__name__])  # what the queue's calls enqueue (queue.tasks)
