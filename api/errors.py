"""Every error leaves the service as RFC 9457 problem details, never a stack trace.

The body is ``application/problem+json``: ``type`` (``tag:maas-demand,2026:{code}``, a tag
URI, RFC 4151: it names the problem type and is not meant to be dereferenced), ``title``
(the HTTP status phrase), ``status``, ``detail`` (a message a person can act on), the
stable machine ``code``, the error's extension members (``next_bookable``,
``alternatives``...), and ``error`` ``{"code", "message", ...}``, the body of API v1
before problem details, kept for clients written against it.

Routers raise ``ApiError`` (or let a typed ``maas.errors.MaasError`` through); the handlers
registered here map them, request-validation failures and anything unexpected, in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException as StarletteHTTPException

from maas.errors import InvalidInput, MaasError

log = logging.getLogger("maas.api")


class ApiError(Exception):
    """An error with its HTTP status, a stable machine code and a message a person can act on."""

    def __init__(
        self, status: int, code: str, message: str, extra: dict[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra or {}
        self.retry_after = retry_after


def unavailable(message: str, code: str = "unavailable") -> ApiError:
    """503: the service cannot answer now (Redis away, too busy); retry after a moment."""
    return ApiError(503, code, message)


def too_many(message: str, retry_after: int) -> ApiError:
    """429: this caller sent more than its share; retry after ``retry_after`` seconds."""
    return ApiError(429, "too_many_requests", message, retry_after=retry_after)


def unauthorized(message: str = "missing or unknown bearer token") -> ApiError:
    """401: no token, or one the service does not know."""
    return ApiError(401, "unauthorized", message)


def forbidden(message: str = "this role may not use this endpoint") -> ApiError:
    """403: a known caller asking for an operation its role never has."""
    return ApiError(403, "forbidden", message)


def not_found(what: str) -> ApiError:
    """404: absent, or not the caller's (the two look the same so existence does not leak)."""
    return ApiError(404, "not_found", f"{what} not found")


def conflict(code: str, message: str, **extra: Any) -> ApiError:
    """409: well-formed, but the current state of the service area does not allow it."""
    return ApiError(409, code, message, extra)


def invalid(message: str, code: str = "invalid_input") -> ApiError:
    """422: input that can never be served as given."""
    return ApiError(422, code, message)


PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE = "tag:maas-demand,2026:"


def error_body(code: str, message: str, status: int = 400, **extra: Any) -> dict[str, Any]:
    """The one error shape of the API (problem details, see the module's docstring)."""
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    return {"type": f"{PROBLEM_TYPE}{code}", "title": title, "status": status, "detail": message,
            "code": code, **extra, "error": {"code": code, "message": message, **extra}}


def problem(code: str, message: str, status: int, headers: Mapping[str, str] | None = None,
            **extra: Any) -> JSONResponse:
    """A problem-details response."""
    return JSONResponse(error_body(code, message, status, **extra), status,
                        headers=dict(headers) if headers else None, media_type=PROBLEM_JSON)


class Problem(BaseModel):
    """RFC 9457 problem details: every error of the API (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="tag:maas-demand,2026:{code}: the kind of problem")
    title: str = Field(description="the HTTP status phrase")
    status: int
    detail: str = Field(description="what went wrong, for a person")
    code: str = Field(description="stable machine code (e.g. not_operating, no_capacity)")
    error: dict[str, Any] = Field(description="the same code and message (and extension "
                                               "members) in the shape of API v1 before RFC 9457")


_DOCUMENTED = {
    "401": "no or unknown bearer token", "403": "the caller's role may not do this",
    "404": "absent, or not the caller's", "409": "the state of the service does not allow it",
    "422": "invalid input (the bad field named)", "429": "too many requests (see Retry-After)",
    "503": "the state store is not reachable (see Retry-After)",
}


def describe_problems(app: FastAPI) -> None:
    """Make the OpenAPI document describe the error bodies actually sent: the ``Problem``
    schema under ``application/problem+json`` for each error status of every operation
    (replacing FastAPI's ``HTTPValidationError``, which the service never sends)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        doc = build()
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        content = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
        for item in doc.get("paths", {}).values():
            for operation in item.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                responses = operation["responses"]
                for status, description in _DOCUMENTED.items():
                    given = responses.get(status, {})
                    responses[status] = {"description": given.get("description", description),
                                         "content": content}
        app.openapi_schema = doc
        return doc

    app.openapi = openapi  # type: ignore[method-assign]


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "too_many_requests",
    503: "unavailable",
}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg")))
    return "; ".join(parts) or "invalid request"


def install_error_handlers(app: FastAPI, retry_after_s: int = 2) -> None:
    """Register the handlers that give every error the one JSON shape; a 503 or 429 says
    when to retry (``Retry-After``, ``retry_after_s`` unless the error names its own)."""

    def _retry_headers(status: int, retry_after: int | None = None) -> dict[str, str] | None:
        if status in (429, 503):
            return {"Retry-After": str(retry_after or retry_after_s)}
        return None

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else \
            _retry_headers(exc.status, exc.retry_after)
        return problem(exc.code, exc.message, exc.status, headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        malformed = any(e.get("type") == "json_invalid" for e in exc.errors())
        code = "malformed_json" if malformed else "invalid_input"
        return problem(code, _validation_message(exc), 422)

    @app.exception_handler(InvalidInput)
    async def _invalid_input(_: Request, exc: InvalidInput) -> JSONResponse:
        return problem(exc.code, str(exc), 422)

    @app.exception_handler(MaasError)
    async def _maas_error(_: Request, exc: MaasError) -> JSONResponse:
        log.warning("engine error: %s", exc)
        return problem(exc.code, str(exc), 409)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        headers = exc.headers or _retry_headers(exc.status_code)
        return problem(code, str(exc.detail), exc.status_code, headers)

    # A Redis that is down, restarting or hung (socket timeouts, ``TimeoutError``) is a 503
    # the client may retry, never a hang: the client's timeouts are in ``api.main._connect``.
    @app.exception_handler(RedisError)
    @app.exception_handler(TimeoutError)
    async def _redis_down(_: Request, exc: Exception) -> JSONResponse:
        log.warning("Redis unavailable: %s: %s", type(exc).__name__, exc)
        return problem(
            "unavailable", "the state store (Redis) is not reachable; retry shortly (a "
            "repeated Idempotency-Key never books twice)", 503, _retry_headers(503))

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return problem("internal", "internal error; it has been logged", 500)
