"""Security headers on every answer, pages and API alike: a pure ASGI middleware.

The Content-Security-Policy lets a page run only the service's own script and style files (no
inline script or style, no handler or style attributes, nothing from another host) and be
framed by nobody. Scripts set widths through the CSSOM (``node.style``), which it allows.
``/docs`` needs nothing more: Swagger UI's files are served from here and started by a file.
HSTS goes out only on HTTPS (behind a proxy: when uvicorn trusts its X-Forwarded-Proto), and
never for ``localhost``, where it would pin every development port to HTTPS for a year.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Feed URLs carry their token: never send a URL of ours to anyone, ourselves included.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"


def _is_localhost(scope: Scope) -> bool:
    """Whether the request names localhost: HSTS there would pin every local port to HTTPS."""
    for name, value in scope.get("headers", ()):
        if name == b"host":
            host: str = bytes(value).decode("latin-1").rsplit(":", 1)[0].lower().rstrip(".")
            return host == "localhost" or host.endswith(".localhost")
    return False


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = scope.get("scheme") == "https" and not _is_localhost(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
