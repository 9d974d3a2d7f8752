"""Every blueprint of the web app, one package per area, registered in one place."""

from __future__ import annotations

from flask import Flask

from app.extensions import csrf
from app.web import formatting, health, setup
from app.web.alerts import views as alerts
from app.web.api import bp as api_bp
from app.web.auth import views as auth
from app.web.dashboard import views as dashboard
from app.web.jobs import views as jobs_ui
from app.web.overview import views as overview
from app.web.plans import views as plans
from app.web.sellers import views as sellers
from app.web.skus import views as skus
from app.web.supply import views as supply
from app.web.tokens import views as tokens
from app.web.webhooks import views as webhooks
from jobs import inline


def register(app: Flask) -> None:
    """Register every blueprint of the web app."""
    setup.init_app(app)  # first: it installs the `<id:...>` URL converter the routes use
    formatting.init_app(app)
    app.register_blueprint(health.bp)
    areas = (auth, dashboard, overview, sellers, skus, plans, supply, jobs_ui, alerts, tokens)
    for module in areas:
        app.register_blueprint(module.bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # bearer tokens, not cookies: CSRF does not apply
    app.register_blueprint(webhooks.bp)
    csrf.exempt(webhooks.bp)  # HMAC-signed by the seller's forwarder, no cookies
    inline.init_app(app)  # without Redis, the web process runs the schedule
