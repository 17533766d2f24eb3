"""One error hierarchy carrying its HTTP status, rendered as RFC 9457 problem+json."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    """A failure the client can act on; carries the HTTP status it answers with.

    A subclass names its status and the problem's title in its header:
    ``class NotFound(AppError, status=404, title="Not found")``.
    """

    status_code = 400
    title = "Bad request"

    def __init_subclass__(cls, *, status: int, title: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.status_code = status
        cls.title = title

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.extra = extra or {}


class NotFound(AppError, status=404, title="Not found"):
    """The resource does not exist, or belongs to a community the caller cannot see."""


class Conflict(AppError, status=409, title="Conflict"):
    """The request clashes with what is stored."""


@contextmanager
def conflict_on_integrity_error(session: Session, detail: str) -> Iterator[None]:
    """Run the block (which writes and commits); a constraint it breaks, most often because
    another request stored the same key meanwhile, is rolled back and answered 409 ``detail``."""
    try:
        yield
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(detail) from exc


class Forbidden(AppError, status=403, title="Forbidden"):
    """The caller may see the resource but not do this to it."""


class Unauthorized(AppError, status=401, title="Unauthorized"):
    """No valid credentials."""


class Invalid(AppError, status=422, title="Unprocessable content"):
    """The request is well-formed but breaks a rule."""


class TooManyRequests(AppError, status=429, title="Too many requests"):
    """The caller must slow down; ``retry_after`` seconds go out in ``Retry-After``."""

    def __init__(self, detail: str, *, retry_after: int | None = None) -> None:
        extra = {"retry_after": retry_after} if retry_after is not None else None
        super().__init__(detail, extra=extra)
        self.retry_after = retry_after


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    """A problem+json response (``extra`` adds extension members, RFC 9457 section 3.2)."""
    body: dict[str, Any] = {
        **(extra or {}),
        "type": "about:blank",
        "status": status,
        "title": title,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _clean_validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    cleaned = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        field = ".".join(p for p in loc if p not in ("body", "query", "path", "form"))
        cleaned.append(
            {
                "field": field or ".".join(loc),
                "location": loc[0] if loc else "",
                "message": str(err.get("msg", "invalid")),
                "type": err.get("type", ""),
            }
        )
    return cleaned


def allowed_methods(request: Request) -> list[str]:
    """Every method some route answers at the request's path, with OPTIONS (HEAD with GET)."""
    path = request.url.path
    matching = [
        route
        for route in _flat_routes(request.app.router.routes)
        if getattr(route, "path_regex", None) is not None and route.path_regex.match(path)
    ]
    # A path spelled out (/contacts/batch) is that resource, not an id (/contacts/{id}).
    exact = [route for route in matching if getattr(route, "path", None) == path]
    methods = {"OPTIONS"}
    for route in exact or matching:
        methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _flat_routes(routes: Iterable[Any]) -> Iterator[Any]:
    # FastAPI keeps an included router as one entry whose effective routes carry the paths.
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from _flat_routes(nested() if callable(nested) else nested)
        else:
            yield route


def install_error_handlers(app: FastAPI) -> None:
    """Route every failure through problem+json; never leak a stack trace."""

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
        if isinstance(exc, TooManyRequests) and exc.retry_after is not None:
            headers = {"Retry-After": str(exc.retry_after)}
        return problem(
            exc.status_code,
            exc.title,
            exc.detail,
            errors=exc.errors,
            headers=headers,
            extra=exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _clean_validation_errors(exc)
        fields = ", ".join(sorted({e["field"] for e in errors if e["field"]}))
        detail = f"Invalid input: {fields}" if fields else "Invalid input"
        return problem(422, "Validation failed", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names only the first route matching the path; list every method of it.
            # OPTIONS is answered, not refused: 204 with the same Allow header.
            allow = ", ".join(allowed_methods(request))
            if request.method == "OPTIONS":
                return Response(status_code=204, headers={"Allow": allow})
            headers = {**(headers or {}), "Allow": allow}
        title = {
            400: "Bad request",
            404: "Not found",
            405: "Method not allowed",
            401: "Unauthorized",
        }.get(exc.status_code, "Error")
        return problem(exc.status_code, title, str(exc.detail), headers=headers)

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def _out_of_range(request: Request, exc: Exception) -> JSONResponse:
        # A safety net: schemas bound ids and numbers, but a value the database cannot hold
        # is still the client's input, never a server failure.
        return problem(422, "Validation failed", "A value is out of range for this field.")

    @app.exception_handler(OperationalError)
    async def _database_unavailable(request: Request, exc: OperationalError) -> JSONResponse:
        log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return problem(
            503,
            "Service unavailable",
            "The database could not complete the request; nothing was saved. Try again shortly.",
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal server error", "An unexpected error occurred.")
