"""The Flask app that speaks the SP-API for a Marketplace of simulated sellers."""

from __future__ import annotations

import secrets
from typing import Any

from flask import Flask

from simulator.marketplace import Marketplace
from simulator.markets import REGIONS
from simulator.ratelimit import RateLimiter


def create_app(marketplace: Marketplace, config: dict[str, Any] | None = None) -> Flask:
    """App factory: one Marketplace behind every SP-API path, the token endpoint and /_sim/."""
    app = Flask(__name__)
    app.config.update(
        SIM_MARKETPLACE=marketplace,
        SIM_LIMITER=RateLimiter(marketplace.rate_scale, clock=marketplace.clock),
        SIM_URL_KEY=secrets.token_bytes(16),
        SIM_REPORT_HOOKS=[],
        SIM_NOTIFIER=None,
        JSON_SORT_KEYS=False,
    )
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep Amazon's field order
    if config:
        app.config.update(config)
    register_blueprints(app)
    register_error_handlers(app)
    app.wsgi_app = RegionPrefix(app.wsgi_app)  # type: ignore[method-assign]
    return app


class RegionPrefix:
    """`/eu/orders/v0/orders` is `/orders/v0/orders` on the EU "host" (one local server stands
    in for Amazon's regional hosts): the prefix is stripped and kept as `simulator.region`; no
    prefix is North America. SP-API and LWA calls of a seller through another region's prefix
    are refused (simulator.server.common.region_refusal)."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        environ["simulator.region"] = "na"
        for region in REGIONS:
            if path.startswith(f"/{region}/"):
                environ["PATH_INFO"] = path[len(region) + 1 :]
                environ["simulator.region"] = region
                break
        return self.wsgi_app(environ, start_response)


def register_error_handlers(app: Flask) -> None:
    """Unknown paths and methods answer in Amazon's JSON error shape, not Flask's HTML."""
    from werkzeug.exceptions import HTTPException

    from simulator.server.common import error_response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = {404: "NotFound", 405: "MethodNotAllowed", 403: "Unauthorized"}.get(
            exc.code or 500, "InvalidInput"
        )
        return error_response(exc.code or 500, code, exc.description or exc.name)


def register_blueprints(app: Flask) -> None:
    """Every route group, one blueprint each."""
    from simulator.server import (
        auth,
        awd_api,
        control,
        fees_api,
        finances_api,
        inbound_api,
        inbound_plans_api,
        inbound_v0_api,
        inventory_api,
        orders_api,
        reports_api,
    )

    for module in (
        auth,
        control,
        orders_api,
        inventory_api,
        finances_api,
        fees_api,
        reports_api,
        inbound_api,
        inbound_plans_api,
        inbound_v0_api,
        awd_api,
    ):
        app.register_blueprint(module.bp)
