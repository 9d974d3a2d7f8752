"""Liveness and readiness endpoints for load balancers and the demo script."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    """The process is up."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():  # type: ignore[no-untyped-def]
    """The database answers."""
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ready")
