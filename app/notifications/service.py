"""Notifying members in the app and the community's webhook, at least once, never in a request.

``notify`` is called inside the transaction that caused the event (a new warning, an
escalation, a reached warning, a resident report): it adds one in-app notification per
recipient and, when the community has a webhook, one outbox row. Both carry a key made of the
event, so the same event never notifies twice however often the job that noticed it runs.
After the commit the caller asks the job queue to deliver; ``deliver`` posts one outbox row
and, when the receiver fails, schedules the next try with exponential backoff. The periodic
sweep delivers whatever the queue lost (a worker killed mid-post, a queue that was down).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from app.auth.permissions import Actor
from app.communities.models import Community
from app.db import utcnow
from app.notifications import repository as repo
from app.notifications.models import Notification, OutboxMessage
from app.schemas import PageParams
from app.webhooks import WebhookRefused, resolve_target

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
"""How long one delivery attempt holds its row by default; a killed worker's row is free
again after it (``DOORSTEP_WEBHOOK_LEASE_SECONDS``)."""
TIMEOUT = httpx.Timeout(10.0, connect=5.0)


@dataclass(frozen=True)
class Event:
    """Something worth telling people: its kind, a key unique to it, and what to say."""

    kind: str  # warning_new, warning_escalated, warning_reached, resident_report
    key: str  # e.g. "warning_escalated:w12:1"
    text: str
    data: dict[str, Any]
    warning_id: int | None = None
    incident_id: int | None = None


def notify(
    session: Session,
    *,
    community: Community,
    event: Event,
    recipients: Iterable[int],
    now: datetime,
) -> bool:
    """Record the event for each recipient and, with a webhook, in the outbox (no commit).

    Returns whether a webhook message was queued (the caller kicks the worker after commit).
    """
    rows = [
        {
            "key": f"{event.key}:u{user_id}",
            "community_id": community.id,
            "user_id": user_id,
            "kind": event.kind,
            "warning_id": event.warning_id,
            "incident_id": event.incident_id,
            "text": event.text,
            "created_at": now,
        }
        for user_id in sorted(set(recipients))
    ]
    repo.insert_ignoring_duplicates(session, Notification, rows)
    if not community.notify_webhook_url:
        return False
    payload = {
        "msgtype": "text",
        "text": {"content": event.text},
        "idempotency_key": event.key,
        "event": {"kind": event.kind, "community_id": community.id, **event.data},
    }
    new = repo.insert_ignoring_duplicates(
        session,
        OutboxMessage,
        [
            {
                "key": event.key,
                "community_id": community.id,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        ],
    )
    return new > 0


def list_mine(
    session: Session, *, actor: Actor, unread: bool, page: PageParams
) -> tuple[Sequence[Notification], int]:
    """The actor's notifications, newest first, in every community they belong to."""
    communities = None if actor.is_admin else list(actor.roles)
    return repo.list_for_user(
        session,
        actor.id,
        communities=communities,
        unread=unread,
        limit=page.limit,
        offset=page.offset,
    )


def mark_read(session: Session, *, actor: Actor, ids: Sequence[int]) -> int:
    """Mark some of the actor's notifications read; others' ids change nothing."""
    count = repo.mark_read(session, actor.id, ids, utcnow())
    session.commit()
    return count


# --- delivery ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryPolicy:
    """How the webhook is posted to: retries, backoff, and whether private hosts are allowed."""

    allow_private: bool = False
    retry_base_seconds: float = 30.0
    max_attempts: int = 10
    lease: timedelta = LEASE

    def backoff(self, attempts: int) -> timedelta:
        """The wait after the n-th failed attempt: base × 2^(n-1), at most an hour."""
        return timedelta(seconds=min(self.retry_base_seconds * 2 ** max(attempts - 1, 0), 3600))


def _post(url: str, payload: dict[str, Any], policy: DeliveryPolicy) -> str | None:
    """Post once; None on success, else why it failed."""
    try:
        target = resolve_target(url, allow_private=policy.allow_private)
        with httpx.Client(timeout=TIMEOUT, follow_redirects=False) as client:
            request = client.build_request(
                "POST",
                target.url,
                json=payload,
                headers=target.headers,
                extensions=target.extensions,
            )
            response = client.send(request)
    except WebhookRefused as exc:
        return f"refused: {exc}"
    except httpx.HTTPError as exc:
        return f"{type(exc).__name__}: {exc}"
    if not 200 <= response.status_code < 300:
        return f"HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return None
    # Chat robots answer 200 with {"errcode": n} and n ≠ 0 when they refuse a message.
    if isinstance(body, dict) and body.get("errcode") not in (None, 0):
        return f"errcode {body.get('errcode')}: {str(body.get('errmsg', ''))[:200]}"
    return None


def deliver(
    factory: sessionmaker[Session], message_id: int, *, now: datetime, policy: DeliveryPolicy
) -> datetime | None:
    """One delivery attempt of one outbox row (claimed under a lease, posted outside any
    transaction). Returns when to try again, or None when sent, given up or not ours."""
    with factory() as session:
        if not repo.claim(session, message_id, now, now + policy.lease):
            session.rollback()
            return None
        session.commit()
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        community = session.get(Community, message.community_id)
        url = community.notify_webhook_url if community else None
        payload = dict(message.payload)
        attempts = message.attempts
    error = _post(url, payload, policy) if url else "the community has no webhook any more"
    with factory() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        message.leased_until = None
        retry_at: datetime | None = None
        if error is None:
            message.status = "sent"
            message.sent_at = utcnow()
            message.last_error = None
        elif url is None or attempts >= policy.max_attempts or error.startswith("refused"):
            message.status = "failed"
            message.last_error = error
            log.warning("webhook message %s given up: %s", message_id, error)
        else:
            retry_at = now + policy.backoff(attempts)
            message.next_attempt_at = retry_at
            message.last_error = error
            log.info("webhook message %s failed (%s); retry at %s", message_id, error, retry_at)
        session.commit()
    return retry_at


def next_wakeup(factory: sessionmaker[Session]) -> datetime | None:
    """When the earliest pending message may be tried (its retry time or its lease's end)."""
    with factory() as session:
        return repo.next_wakeup(session)


def due_messages(factory: sessionmaker[Session], *, now: datetime, limit: int = 200) -> list[int]:
    """Outbox rows to deliver now (the sweep's list)."""
    with factory() as session:
        return repo.due_messages(session, now, limit=limit)
