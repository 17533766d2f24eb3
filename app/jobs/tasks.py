"""The jobs huey runs: deliveries, escalations, erasure, and the minute sweep.

Each task opens its own session on the configured database; each is safe to run twice or
concurrently (escalations and deliveries claim their rows), so huey's at-most-once hand-off
is made at-least-once by the sweep re-deriving the work from our tables every minute.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache

from huey import crontab
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.db import make_engine, make_sessionmaker, utcnow
from app.jobs.queue import huey
from app.notifications import service as notifications
from app.warnings import service as warnings

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _factory() -> sessionmaker[Session]:
    settings = get_settings()
    return make_sessionmaker(
        make_engine(settings.database_url, pool_size=4)
        if not settings.is_sqlite
        else make_engine(settings.database_url)
    )


def policy() -> notifications.DeliveryPolicy:
    """The webhook delivery policy from the settings."""
    settings = get_settings()
    return notifications.DeliveryPolicy(
        allow_private=settings.webhook_allow_private,
        retry_base_seconds=settings.webhook_retry_base_seconds,
        max_attempts=settings.webhook_max_attempts,
    )


def deliver_all_due(
    factory: sessionmaker[Session], *, now: datetime, policy: notifications.DeliveryPolicy
) -> list[datetime]:
    """One attempt at every outbox message due now; returns when the failed ones retry."""
    retries = []
    for message_id in notifications.due_messages(factory, now=now):
        retry_at = notifications.deliver(factory, message_id, now=now, policy=policy)
        if retry_at is not None:
            retries.append(retry_at)
    return retries


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
    retries = deliver_all_due(_factory(), now=utcnow(), policy=policy())
    if retries:
        deliver_due.schedule(eta=min(retries).replace(tzinfo=None))


@huey.task()
def escalate_warning(warning_id: int) -> None:
    """Run at a warning's due time: escalate it (and anything else due), then notify."""
    outcome = escalate(_factory(), now=utcnow())
    log.debug("escalation check for warning %s done", warning_id)
    if outcome.messages:
        deliver_due()


@huey.periodic_task(crontab(minute="*"))
def sweep() -> None:
    """Every minute: escalations, webhook messages and erasures any lost job would have done."""
    factory = _factory()
    now = utcnow()
    outcome = escalate(factory, now=now)
    deliver_all_due(factory, now=now, policy=policy())
    erase(factory, now=now, after_days=get_settings().warning_erase_after_days)
    if outcome.messages:
        deliver_due()
