"""Errors as RFC 9457 problem documents (`application/problem+json`).

Every refusal the API gives is one of these: the services' own messages (ValidationError,
NotFoundError, ConflictError with what changed, StorageError) and the HTTP layer's (bad JSON, a
body too large, no or a wrong token, a read-only token writing, too many requests)."""

from __future__ import annotations

import logging
from typing import Any

from starlette.responses import JSONResponse

from ticketdesk.domain.errors import (
    ConflictError,
    NotFoundError,
    StorageError,
    TicketdeskError,
    ValidationError,
)
from ticketdesk.services.ticket_json import iso

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 413: "Content too large",
    415: "Unsupported media type", 422: "Invalid input", 429: "Too many requests",
    500: "Internal error", 503: "Desk unavailable",
}


class Problem(Exception):
    """Raised anywhere in a request to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, headers: dict[str, str] | None = None,
                 **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra


def problem_response(problem: Problem, instance: str = "") -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank",
                            "title": TITLES.get(problem.status, "Error"),
                            "status": problem.status, "detail": problem.detail}
    if instance:
        body["instance"] = instance
    body.update(problem.extra)
    return JSONResponse(body, status_code=problem.status, headers=problem.headers,
                        media_type=MEDIA_TYPE)


def from_error(exc: Exception) -> Problem:
    """The problem for an exception a service raised (anything else is a 500, logged)."""
    if isinstance(exc, Problem):
        return exc
    if isinstance(exc, ConflictError):
        return Problem(409, str(exc), current_version=exc.current_version,
                       read_version=exc.read_version,
                       changes=[{"by": c.agent, "at": iso(c.at), "what": c.what}
                                for c in exc.changes])
    if isinstance(exc, NotFoundError):
        return Problem(404, str(exc))
    if isinstance(exc, ValidationError):
        return Problem(422, str(exc))
    if isinstance(exc, StorageError):
        return Problem(503, str(exc), headers={"Retry-After": "5"})
    if isinstance(exc, TicketdeskError):
        return Problem(400, str(exc))
    log.exception("unexpected error in an API call")
    return Problem(500, "The server failed to answer; nothing was changed.")
