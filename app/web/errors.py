"""Friendly error pages (JSON under /api and for .json endpoints)."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

MESSAGES = {
    400: "The request could not be understood (the form may have expired; go back and retry).",
    401: "Please log in.",
    403: "You do not have access to this.",
    404: "There is nothing here.",
    405: "That action is not allowed here.",
    413: "The upload is too large.",
    429: "Too many requests; wait a moment and try again.",
}


def _render(exc: HTTPException):  # type: ignore[no-untyped-def]
    code = exc.code or 500
    message = MESSAGES.get(code, exc.description or "Error")
    if request.path.startswith("/api/"):
        # The API blueprint answers its own errors in its own shape; leave the rest alone.
        return exc
    if request.path.endswith(".json"):
        return jsonify(error=exc.name, message=message), code
    return render_template("error.html", code=code, name=exc.name, message=message), code


def register(app: Flask) -> None:
    """Install the handlers for the common client errors."""
    for code in MESSAGES:
        app.register_error_handler(code, _render)
