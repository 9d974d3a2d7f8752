"""The JSON API under /api/v1: bearer-token auth, tenant-scoped resources, an OpenAPI document.

Register with `app.register_blueprint(bp)` and exempt it from CSRF (no cookies are used).
"""

from __future__ import annotations

# Views register themselves on `bp` (app.web.api.blueprint) when imported; the document is
# imported last since it reads the views' field specs.
from app.web.api import (  # noqa: F401, I001
    openapi,  # noqa: F401
    operations,
    plans,
    recommendations,
    skus,
    supply,
)
from app.web.api.blueprint import bp

__all__ = ["bp"]
