"""The API's one error shape, {"error": {"code", "message", "details"}}, and its handlers."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"

# Short machine codes for the HTTP errors the API can answer with.
HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


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


def not_found(what: str = "resource") -> ApiError:
    """404 for missing rows and for rows of another tenant alike (never reveal which)."""
    return ApiError(404, "not_found", f"{what} not found")


def error_response(
    status: int, code: str, message: str, details: dict[str, Any] | None = None
) -> Response:
    """Build the JSON error response."""
    response = jsonify(error={"code": code, "message": message, "details": details or {}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="fba-planner"'
    return response


def _from_http(exc: HTTPException) -> Response:
    status = exc.code or 500
    code = HTTP_CODES.get(status, "http_error")
    response = error_response(status, code, exc.description or code)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


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
        return _from_http(exc)

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
            return _from_http(exc)
        return None
