"""The API's blueprint, apart from the package so the views that register on it do not import
the package that imports them (no import cycle)."""

from __future__ import annotations

from flask import Blueprint

from app.web.api.auth import authenticate, release
from app.web.api.errors import API_PREFIX, register_error_handlers

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
bp.before_request(authenticate)
bp.teardown_request(release)
register_error_handlers(bp)
