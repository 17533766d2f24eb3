"""Login throttling per username and per client address, atomic across workers.

Every password check is paid for before it is made: the attempt locks the rows of its two
keys (the username, the client address), is refused while either must still wait, and is
otherwise counted as a failure and committed before the password is even looked at. Parallel
guesses therefore queue on the lock, and at most the free number of them are ever checked.
A right password then forgets the username's failures and takes back the client's charge.

Past the free failures a key waits ``login_delay_seconds``, doubling with each further
failure up to ``login_max_delay_seconds``: the right password is asked to wait, never refused
for good, and the answer (429, ``Retry-After``) says how long. A key's failures are forgotten
after ``login_window_seconds`` without one (counted from the end of its last wait).

The keys are keyed digests under the secret key: the table holds neither the usernames tried
nor the clients' addresses. An IPv6 client counts by its /64 network, which one household or
one attacker usually holds whole.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from app.auth import repository as repo
from app.auth.security import keyed_digest
from app.config import Settings
from app.errors import TooManyRequests

# 2**20 times the first delay is already past any sensible cap; bounds the exponent.
_MAX_DOUBLINGS = 20


def client_label(host: str) -> str:
    """What counts as one client: the address, or its /64 network for IPv6."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _limits(settings: Settings, *, username: str, client: str) -> dict[str, int]:
    """Each key of the attempt with the failures it is allowed before it must wait."""
    secret = settings.secret_key.get_secret_value()
    return {
        keyed_digest(secret, f"username:{username}"): settings.login_max_failures,
        keyed_digest(secret, f"client:{client_label(client)}"): (
            settings.login_max_failures_per_client
        ),
    }


def delay_after(failures: int, *, free: int, settings: Settings) -> timedelta:
    """The wait after a key's ``failures``-th failure (none before ``free`` of them)."""
    if failures < free:
        return timedelta(0)
    doublings = min(failures - free, _MAX_DOUBLINGS)
    seconds = min(settings.login_delay_seconds * 2**doublings, settings.login_max_delay_seconds)
    return timedelta(seconds=seconds)


def charge(
    session: Session, *, username: str, client: str, settings: Settings, now: datetime
) -> None:
    """Count an attempt as failed before its password is checked; 429 while a key must wait.

    Commits, so that the charge holds even if the worker dies while checking the password.
    """
    limits = _limits(settings, username=username, client=client)
    rows = repo.lock_throttles(session, list(limits))
    waits = [row.blocked_until - now for row in rows if row.blocked_until is not None]
    waits = [wait for wait in waits if wait > timedelta(0)]
    if waits:
        session.rollback()
        seconds = max(1, math.ceil(max(waits).total_seconds()))
        raise TooManyRequests(
            f"Too many failed logins: try again in {seconds} seconds", retry_after=seconds
        )
    window = timedelta(seconds=settings.login_window_seconds)
    for row in rows:
        last = max(filter(None, (row.last_failure_at, row.blocked_until)), default=None)
        if last is None or last <= now - window:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        free = limits[row.key]
        row.blocked_until = now + delay_after(row.failures, free=free, settings=settings)
        if row.blocked_until <= now:
            row.blocked_until = None
    session.commit()


def settle(
    session: Session, *, username: str, client: str, settings: Settings, now: datetime
) -> None:
    """After a right password: forget the username's failures, refund the client's charge.

    Part of the caller's transaction (the caller commits).
    """
    user_key, client_key = _limits(settings, username=username, client=client)
    repo.forget_failures(session, user_key)
    repo.refund_failure(session, client_key, free=settings.login_max_failures_per_client)
    quiet = timedelta(seconds=settings.login_window_seconds + settings.login_max_delay_seconds)
    repo.prune_throttles(session, quiet_since=now - quiet, now=now)
