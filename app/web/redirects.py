"""Where a page may send the user after logging in: only a path of this site.

Checked by parsing, never by the first characters: browsers read ``/\\host`` and ``/<tab>/host``
as ``//host``, another site. So any backslash, control character or space refuses the value
outright, and what is left must parse with no scheme and no host and start with one slash.
The login page's script applies the browser's own parser to the same value (``DS.safeNext``),
because an offline copy of the page never asks the server.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def safe_next(raw: str | None) -> str | None:
    """The same-origin path in ``raw`` (path, query, fragment), or None when it is not one."""
    if not raw or "\\" in raw or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in raw):
        return None
    if not raw.startswith("/") or raw.startswith("//"):
        return None
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
