"""Which webhook addresses Doorstep may post to: https, public hosts only (DESIGN §8).

A community's robot webhook is typed in by a manager; without these checks it would let anyone
with that role make the server call its own loopback or the office's private network. A
deployment that really runs its chat robot inside the office network sets
``DOORSTEP_WEBHOOK_ALLOW_PRIVATE=true``, which also permits plain http.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


class WebhookRefused(ValueError):
    """The URL may not be posted to; the message says why."""


def _is_private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, if its form is allowed; ``WebhookRefused`` otherwise. No DNS lookup here."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.hostname:
        raise WebhookRefused("the webhook must be an https:// address")
    if scheme == "http" and not allow_private:
        raise WebhookRefused("the webhook must use https")
    if parts.username or parts.password:
        raise WebhookRefused("the webhook may not carry a user name or password")
    if allow_private:
        return url.strip()
    host = parts.hostname.lower().rstrip(".")
    if host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES) or "." not in host:
        raise WebhookRefused("the webhook may not point at a local or private address")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return url.strip()
    if _is_private(literal):
        raise WebhookRefused("the webhook may not point at a local or private address")
    return url.strip()


@dataclass(frozen=True)
class Target:
    """Where one post goes: the URL to connect to, and the headers and TLS name that keep the
    original host's identity (``Host``, SNI and the certificate check)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, str] = field(default_factory=dict)


def resolve_target(url: str, *, allow_private: bool) -> Target:
    """Look the host up once, refuse a loopback or private answer, and connect to that answer.

    Connecting by the address that was checked (not by the name, which a second lookup could
    answer differently: DNS rebinding) closes the gap between the check and the connection.
    The request still names the host in ``Host`` and in TLS, so the certificate is checked
    against the host name, as for any https call.
    """
    url = check_url(url, allow_private=allow_private)
    if allow_private:
        return Target(url)
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        return Target(url)  # check_url has judged the literal address already
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise WebhookRefused(f"the webhook host does not resolve: {exc}") from exc
    addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if not addresses:
        raise WebhookRefused("the webhook host does not resolve")
    if any(_is_private(a) for a in addresses):
        raise WebhookRefused("the webhook host resolves to a local or private address")
    pinned = addresses[0]
    shown = f"[{pinned}]" if pinned.version == 6 else str(pinned)
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    host_header = f"{host}:{parts.port}" if parts.port else host
    return Target(
        url=urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)),
        headers={"Host": host_header},
        extensions={"sni_hostname": host} if parts.scheme.lower() == "https" else {},
    )
