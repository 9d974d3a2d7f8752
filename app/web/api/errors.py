"""The API's errors: `ApiError`, and handlers answering every error as an RFC 9457 problem.

The body is app.web.errors' problem document, shared with the webhooks: `code` is the short
machine code and `errors` names each offending field (the ApiError's `details`).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from app.web.errors import problem, problem_from_http

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"


class ApiError(Exception):
    """An error the API reports to the client; `details` names the offending fields."""

    def __init__(
        self, status: int, code: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    """The problem+json response of one error."""
    return problem(status, message, code, details)


def _rollback() -> None:
    from app.extensions import db

    db.session.rollback()


def register_error_handlers(bp: Blueprint) -> None:
    """JSON errors for everything under /api/v1, including URLs that match no route."""

    @bp.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return problem_from_http(exc)

    @bp.errorhandler(IntegrityError)
    def _integrity(exc: IntegrityError) -> Response:
        # Validation runs before any write, so this is a concurrent change (e.g. two requests
        # adding the same SKU to a plan): nothing of this request was saved; the client retries.
        _rollback()
        log.info("integrity conflict in %s %s: %s", request.method, request.path, exc.orig)
        return error_response(409, "conflict", "changed concurrently; nothing was saved, retry")

    @bp.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        # A bug: log the traceback for the operator, tell the client nothing internal.
        _rollback()
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, "internal_error", "internal server error")

    @bp.before_app_request
    def _api_routing_errors() -> Response | None:
        # Unmatched API URLs never reach a blueprint error handler (there is no endpoint yet), and
        # the UI's HTML error pages must not answer a JSON client: answer in JSON here instead.
        exc = request.routing_exception
        if isinstance(exc, NotFound | MethodNotAllowed) and (
            request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")
        ):
            return problem_from_http(exc)
        return None
