"""Error answers: friendly HTML pages, and one JSON body for the API, webhooks and .json endpoints.

The JSON body is an RFC 9457 problem document (`application/problem+json`): `type`, `title`,
`status`, `detail`, plus two extension members: `code`, a short stable machine code, and, for
field errors, `errors` (field or parameter -> what is wrong with it). `type` is `about:blank`
when the status says everything (title: the HTTP phrase), else a tag URI naming the problem.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

PROBLEM_JSON = "application/problem+json"
TYPE_PREFIX = "tag:fba-planner,2025:problem:"

# The code of a problem that is just its HTTP status.
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
# Problems more specific than their status: a title per type (the same for every occurrence).
TITLES = {
    "bad_json": "Malformed JSON body",
    "bad_query": "Bad query parameter",
    "queue_unavailable": "Job queue unavailable",
    "unsupported_notification": "Unsupported notification type",
    "invalid_notification": "Notification does not match its schema",
}
CODES = (*HTTP_CODES.values(), *TITLES)

MESSAGES = {
    400: "The request could not be understood (the form may have expired; go back and retry).",
    401: "Please log in.",
    403: "You do not have access to this.",
    404: "There is nothing here.",
    405: "That action is not allowed here.",
    413: "The upload is too large.",
    429: "Too many requests; wait a moment and try again.",
}


def problem_body(
    status: int,
    detail: str | None = None,
    code: str | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The problem document for `status` (code defaults to the status's own)."""
    generic = HTTP_CODES.get(status, "http_error")
    code = code or generic
    phrase = HTTP_STATUS_CODES.get(status, "Error")
    if code == generic:
        kind, title = "about:blank", phrase
    else:
        kind, title = TYPE_PREFIX + code, TITLES.get(code, phrase)
    body: dict[str, Any] = {
        "type": kind,
        "title": title,
        "status": status,
        "detail": detail or title,
        "code": code,
    }
    if errors:
        body["errors"] = errors
    return body


def problem(
    status: int,
    detail: str | None = None,
    code: str | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    """An application/problem+json response (401s also say how to authenticate)."""
    response = Response(
        json.dumps(problem_body(status, detail, code, errors)),
        status=status,
        mimetype=PROBLEM_JSON,
    )
    if status == 401 and request.path.startswith("/api/"):
        response.headers["WWW-Authenticate"] = 'Bearer realm="fba-planner"'
    return response


def problem_from_http(exc: HTTPException) -> Response:
    """The problem document of an HTTP exception (a 405 keeps its Allow header)."""
    response = problem(exc.code or 500, exc.description)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


def _render(exc: HTTPException) -> Any:
    code = exc.code or 500
    message = MESSAGES.get(code, exc.description or "Error")
    if request.path.startswith("/api/"):
        # Flask prefers these per-status handlers to the API blueprint's HTTPException one, so
        # answer as the API does: its detail (e.g. "SKU not found"), not the page's wording.
        return problem_from_http(exc)
    if request.path.startswith("/webhooks/"):
        return problem_from_http(exc)
    if request.path.endswith(".json"):
        return problem(code, message)
    return render_template("error.html", code=code, name=exc.name, message=message), code


def register(app: Flask) -> None:
    """Install the handlers for the common client errors."""
    for code in MESSAGES:
        app.register_error_handler(code, _render)
