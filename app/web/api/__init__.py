"""The JSON API under /api/v1: bearer-token auth, tenant-scoped resources, an OpenAPI document.

Register with `app.register_blueprint(bp)` and exempt it from CSRF (no cookies are used).
"""

from __future__ import annotations

from flask import Blueprint

from app.web.api.auth import authenticate, release
from app.web.api.errors import API_PREFIX, register_error_handlers

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)
bp.before_request(authenticate)
bp.teardown_request(release)
register_error_handlers(bp)

# Views register themselves on `bp` when imported; the document is imported last since it reads
# the views' field specs.
from app.web.api import operations, plans, recommendations, skus  # noqa: E402, F401, I001
from app.web.api import openapi  # noqa: E402, F401
