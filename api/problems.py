"""The one place that turns errors into RFC 9457 problem details (``application/problem+json``).

leernet's own exceptions (:mod:`graph.errors`) carry their HTTP status and title; HTTP errors from
routing (404, 405) and request validation errors (400, with ``invalidParams``) are mapped here too,
and anything unexpected becomes a 500 without internals.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import LeernetError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("leernet.api")

TITLES = {400: "Bad request", 404: "Not found", 405: "Method not allowed", 406: "Not acceptable",
          500: "Internal error", 503: "Service unavailable"}


class NotAcceptable(LeernetError):
    """None of the formats the client accepts can be served."""

    http_status = 406
    title = "Not acceptable"


def instance_of(request: Request) -> str:
    """The problem's ``instance``: the request's path and query under the configured base IRI."""
    context = getattr(request.app.state, "context", None)
    base = context.base if context else "/"
    root = request.scope.get("root_path", "")
    path = request.url.path[len(root):] if root and request.url.path.startswith(root) else request.url.path
    prefix = _base_path(base)
    if path.startswith(prefix):
        path = path[len(prefix):]
    query = f"?{request.url.query}" if request.url.query else ""
    return base + path.lstrip("/") + query


def _base_path(base: str) -> str:
    return urlsplit(base).path.rstrip("/")


def problem(request: Request, status: int, title: str, detail: str, **extra) -> JSONResponse:
    """A problem+json response with status, title, detail and instance (plus extension members)."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
            "instance": instance_of(request), **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def leernet_error(request: Request, error: LeernetError) -> JSONResponse:
    extra = {"hints": error.details} if error.details else {}
    if error.http_status >= 500:
        log.error("%s: %s", type(error).__name__, error.message)
    return problem(request, error.http_status, error.title, error.message, **extra)


async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
    status = error.status_code
    detail = error.detail if isinstance(error.detail, str) else TITLES.get(status, "Error")
    if status == 404 and detail == "Not Found":
        detail = f"there is nothing at {request.url.path}"
    if status == 405:
        detail = f"{request.method} is not supported here; use GET"
    response = problem(request, status, TITLES.get(status, "Error"), detail)
    for key, value in (error.headers or {}).items():
        response.headers[key] = value
    return response


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    invalid = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ()) if part not in ("query", "path", "header", "body")]
        name = ".".join(location) or "request"
        value = item.get("input")
        invalid.append({"name": name, "reason": item.get("msg", "invalid"),
                        **({"value": value} if isinstance(value, (str, int, float)) else {})})
    detail = "; ".join(f"parameter '{i['name']}'" + (f" has the value {i['value']!r}" if "value" in i else "")
                       + f": {i['reason']}" for i in invalid)
    return problem(request, 400, "Bad request", detail, invalidParams=invalid)


class UnexpectedErrors:
    """ASGI middleware: an exception nobody handled becomes a 500 problem (logged, without internals)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watch(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            log.exception("unexpected error on %s", scope.get("path"))
            if started:
                raise
            response = problem(Request(scope), 500, "Internal error",
                               "the server failed to answer this request; the error has been logged")
            await response(scope, receive, send)


def install(app: FastAPI) -> None:
    """Register the problem+json handlers and the catch-all middleware on an app."""
    app.add_exception_handler(LeernetError, leernet_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_middleware(UnexpectedErrors)


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "required": ["status", "title", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri-reference", "description": "Problem type; about:blank here."},
        "title": {"type": "string", "description": "Short summary of the kind of problem."},
        "status": {"type": "integer", "format": "int32", "description": "The HTTP status code."},
        "detail": {"type": "string", "description": "What went wrong in this case, and how to fix it."},
        "instance": {"type": "string", "format": "uri-reference", "description": "The request the problem is about."},
        "hints": {"type": "array", "items": {"type": "string"}, "description": "Further hints for a fix."},
        "invalidParams": {
            "type": "array", "description": "The request parameters that were not valid.",
            "items": {"type": "object", "required": ["name", "reason"],
                      "properties": {"name": {"type": "string"}, "reason": {"type": "string"},
                                     "value": {"description": "The offending value."}}},
        },
    },
}
