"""The one exception hierarchy of leernet; the CLI maps it to exit codes, the API to HTTP problems."""

from __future__ import annotations


class LeernetError(Exception):
    """Base of every error leernet raises on purpose.

    ``message`` is one clear line; ``details`` may hold more lines (a SHACL report, hints);
    ``exit_code`` is what the CLI exits with; ``http_status`` what the API answers.
    """

    exit_code = 70
    http_status = 500
    title = "Internal error"

    def __init__(self, message: str, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = list(details or [])


class InputError(LeernetError):
    """The user's input is wrong: a file that does not parse, a bad option, a bad row."""

    exit_code = 2
    http_status = 400
    title = "Bad input"


class ValidationFailed(InputError):
    """Input parsed but violates the SHACL shapes; ``report`` holds the violations."""

    exit_code = 1
    http_status = 422
    title = "Validation failed"

    def __init__(self, message: str, report=None, details: list[str] | None = None):
        super().__init__(message, details)
        self.report = report


class NotFound(LeernetError):
    """A requested thing (graph, entity, file) does not exist."""

    exit_code = 3
    http_status = 404
    title = "Not found"


class StoreBusy(LeernetError):
    """Another writer holds the store and did not release it in time."""

    exit_code = 4
    http_status = 503
    title = "Store busy"


class QueryRefused(LeernetError):
    """A query was refused or stopped (too big, too deep, too slow, forbidden feature).

    ``reason`` is a machine-readable code (``too-large``, ``too-deep``, ``service-forbidden``,
    ``timeout``, ``busy`` ...); ``http_status`` the 4xx status that goes with it.
    """

    exit_code = 2
    http_status = 400
    title = "Query refused"

    def __init__(self, message: str, details: list[str] | None = None, *, reason: str = "refused",
                 http_status: int | None = None):
        super().__init__(message, details)
        self.reason = reason
        if http_status is not None:
            self.http_status = http_status


class StoreUnavailable(LeernetError):
    """A remote store (SPARQL server) cannot be reached, does not answer in time, refuses the
    credentials or fails with a server error. The message names the URL."""

    exit_code = 5
    http_status = 503
    title = "Store unavailable"


class StoreRejected(InputError, SyntaxError):
    """A remote store rejected a query or update (HTTP 400): it does not parse there or uses a feature
    the server does not support. Also a :class:`SyntaxError`, as pyoxigraph raises for a bad query."""
