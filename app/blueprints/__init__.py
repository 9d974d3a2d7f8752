"""Blueprints of the web app; each module registers its own."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every blueprint of the web app."""
    from app.blueprints import health

    app.register_blueprint(health.bp)

    from app.blueprints import auth, dashboard, jobs_ui, plans, sellers, skus
    from app.web import setup as web_setup

    web_setup.init_app(app)
    for module in (auth, dashboard, sellers, skus, plans, jobs_ui):
        app.register_blueprint(module.bp)

    from app.api import bp as api_bp
    from app.extensions import csrf

    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # bearer tokens, not cookies: CSRF does not apply

    from app.blueprints import webhooks

    app.register_blueprint(webhooks.bp)
    csrf.exempt(webhooks.bp)  # HMAC-signed by the seller's forwarder, no cookies

    from jobs import inline

    inline.init_app(app)  # without Redis, the web process runs the schedule
