"""Bounded work per request: body limits enforced before the body is read, credentials checked
before a large body is read at all.

A pure ASGI middleware, so that nothing (FastAPI's form parser, a JSON decoder) has buffered the
body before the limit applies: a ``Content-Length`` over the limit answers 413 at once, a body
sent without one (chunked) is counted as it arrives and cut off at the limit. A body over
``auth_first_bytes`` is read only once its bearer token is known to be valid: a 150 MB upload
without a login costs nothing but the 401.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem

Authenticate = Callable[[Scope, str], Awaitable[bool | None]]
"""Whether a bearer token is valid, for the app in ``scope`` (None: the database cannot say)."""


def _too_large(limit: int) -> str:
    return (
        f"The request body is larger than {limit // 1024} KiB; nothing was read or saved. "
        f"请求内容过大 (send fewer items at a time, or a smaller file)"
    )


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            raw: bytes = value
            scheme, _, token = raw.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


class BodyLimit:
    """Refuse request bodies over their limit (413) and large bodies without valid credentials
    (401), before reading them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        json_bytes: int,
        upload_bytes: int,
        auth_first_bytes: int,
        authenticate: Authenticate,
    ) -> None:
        self.app = app
        self.json_bytes = json_bytes
        self.upload_bytes = upload_bytes
        self.auth_first_bytes = auth_first_bytes
        self.authenticate = authenticate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        limit = self.upload_bytes if upload else self.json_bytes
        length_header = headers.get(b"content-length")
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        length: int | None = None
        if length_header is not None:
            try:
                length = int(length_header)
            except ValueError:
                await self._answer(scope, receive, send, 400, "Bad request", "Bad Content-Length")
                return
            if length < 0:
                await self._answer(scope, receive, send, 400, "Bad request", "Bad Content-Length")
                return
        large = chunked if length is None else length > self.auth_first_bytes
        if large:
            token = _bearer(scope)
            valid = False if token is None else await self.authenticate(scope, token)
            if valid is None:
                await self._answer(
                    scope,
                    receive,
                    send,
                    503,
                    "Service unavailable",
                    "The database could not check the login; nothing was read. Try again.",
                    headers={"Retry-After": "5"},
                )
                return
            if not valid:
                await self._answer(
                    scope,
                    receive,
                    send,
                    401,
                    "Unauthorized",
                    "Not logged in: a body this large is read only with a valid "
                    "Authorization: Bearer token",
                    headers={"WWW-Authenticate": "Bearer"},
                )
                return
        if length is not None and length > limit:
            detail = _too_large(limit)
            await self._answer(scope, receive, send, 413, "Content too large", detail)
            return
        # Counted even with a Content-Length, which the server already holds the body to. Past
        # the limit the 413 is sent from here and the app sees the client gone: whatever it
        # answers then is dropped (an exception raised into the app would reach FastAPI's body
        # parser, which turns any failure into a 400).
        received = 0
        answered = False

        async def counted() -> Message:
            nonlocal received, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    answered = True
                    detail = _too_large(limit)
                    await self._answer(scope, receive, send, 413, "Content too large", detail)
                    return {"type": "http.disconnect"}
            return message

        async def unless_answered(message: Message) -> None:
            if not answered:
                await send(message)

        await self.app(scope, counted, unless_answered)

    @staticmethod
    async def _answer(
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        title: str,
        detail: str,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        response = problem(status, title, detail, headers=headers)
        # The unread body is left unread: the server closes the connection after this answer.
        response.headers["Connection"] = "close"
        await response(scope, receive, send)
