"""Keeps secrets in URLs out of the access log: ``?token=…`` is written as ``token=[redacted]``.

Calendar apps can only send their feed token in the URL, and uvicorn's access log writes
every URL with its query. A filter on the ``uvicorn.access`` logger rewrites the line's
arguments before any handler sees them, however uvicorn was started (the CLI, ``doorstep
serve``, a test server), because the app factory installs it in every worker.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
# Any query parameter whose name ends in "token", and passwords or secrets, wherever they are.
_SECRET_PARAM = re.compile(
    r"(?P<key>(?:^|[?&;])[^=&;?#\s]*(?:token|password|secret)=)[^&;#\s\"]*", re.IGNORECASE
)
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """The text with the values of secret query parameters blanked."""
    return _SECRET_PARAM.sub(lambda m: m.group("key") + REDACTED, text)


class RedactSecrets(logging.Filter):
    """Blanks secret query parameters in a log record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record in place; never drops it."""
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Put the filter on uvicorn's access logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactSecrets) for f in logger.filters):
        logger.addFilter(RedactSecrets())
