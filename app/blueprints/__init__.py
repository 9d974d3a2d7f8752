"""Blueprints of the web app; each module registers its own."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Register every blueprint of the web app."""
    from app.blueprints import health

    app.register_blueprint(health.bp)
