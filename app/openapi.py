"""The OpenAPI document as the API really answers: every error is problem+json, declared.

FastAPI declares a 422 with its own ``HTTPValidationError`` body, which Doorstep never sends,
and no other error. This rewrites each operation's responses after FastAPI builds them: the
default 422 goes, and each status the operation can answer is declared with the ``Problem``
schema under ``application/problem+json``:

- 401 and 403 where the operation needs a login (a bearer token or a feed token);
- 404 where it names a resource (a path parameter), or needs a login (another community's
  resources answer 404, and ids in bodies name resources too);
- 409 on every write (a clash with what is stored);
- 422 where it takes any parameter or body, and 400 for a body that cannot be read at all;
- 413 where it takes a body (over the body limit, refused before it is read), and 401 there
  even without a login (a large body is read only with a valid bearer token);
- 401 and 429 on the login form (a wrong password; failed logins are throttled), not 409;
- 503 everywhere (the database could not complete the request; nothing was saved).

A status a route declares itself (``responses=`` in its decorator) is kept, and given the
problem body when it is an error.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error, as RFC 9457 problem details. `errors` names each bad field.",
    "type": "object",
    "required": ["type", "status", "title", "detail"],
    "properties": {
        "type": {"type": "string", "example": "about:blank"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599, "example": 422},
        "title": {"type": "string", "example": "Validation failed"},
        "detail": {"type": "string", "example": "Invalid input: floor"},
        "errors": {
            "type": "array",
            "description": "One item per bad field (validation) or rejected row (imports).",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "example": "floor"},
                    "location": {"type": "string", "example": "body"},
                    "message": {"type": "string"},
                    "type": {"type": "string"},
                },
                "additionalProperties": True,
            },
        },
    },
    "additionalProperties": True,
}

DESCRIPTIONS = {
    400: "Bad request",
    401: "No valid credentials",
    403: "Not allowed for your role",
    404: "Not found, or in a community you cannot see",
    409: "Conflicts with what is stored",
    413: "The body is over its limit; nothing was read or saved",
    422: "Invalid input: `errors` names each bad field",
    429: "Too many requests; wait and try again",
    503: "The database could not complete the request; nothing was saved",
}

WRITES = {"post", "put", "patch", "delete"}
LOGIN = ("/api/v1/auth/token", "post")  # a form, not a write: wrong password 401, throttled 429
PUBLIC_REPORT = ("/api/v1/public/reports", "post")  # no login: unknown token 404, throttled 429
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _error_codes(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    parameters = operation.get("parameters", [])
    secured = bool(operation.get("security")) or any(
        p.get("name") == "token" and p.get("in") == "query" for p in parameters
    )
    names_resource = any(p.get("in") == "path" for p in parameters)
    codes = {503}
    if secured:
        codes |= {401, 403, 404}
    if names_resource:
        codes.add(404)
    if method in WRITES:
        codes.add(409)
    if parameters or "requestBody" in operation:
        codes.add(422)
    if "requestBody" in operation:
        codes.add(400)  # a body that cannot be read at all (not UTF-8, a broken form)
        codes |= {401, 413}  # app/limits.py: over the limit; large and without a valid login
    if (path, method) == LOGIN:
        codes = (codes - {409}) | {401, 429}
    if (path, method) == PUBLIC_REPORT:
        codes |= {404, 429}
    return codes


def problem_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite an OpenAPI document in place so that every error is declared as problem+json."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    components["Problem"] = PROBLEM_SCHEMA
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            responses.pop("422", None)
            declared = {int(code) for code in responses if code.isdigit()}
            for code in sorted(_error_codes(path, method, operation) | declared):
                if code < 400:
                    continue
                entry = responses.setdefault(str(code), {})
                entry.setdefault("description", DESCRIPTIONS.get(code, "Error"))
                entry["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
            operation["responses"] = dict(sorted(responses.items()))
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve the rewritten document at ``/openapi.json`` (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = problem_responses(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    summary=app.summary,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
