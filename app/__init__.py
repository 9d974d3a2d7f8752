"""FBA Planner web application: `create_app` is the table of contents."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from app import cli, tasks
from app.config import load_config
from app.extensions import csrf, db, init_keyring
from app.security import proxy
from app.web import routes


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app; `config` overrides settings (tests pass a mapping, never touch environ)."""
    overrides = dict(config or {})
    instance_path = overrides.pop("INSTANCE_PATH", None) or os.environ.get("INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path or None, instance_relative_config=True)
    env = overrides.pop("ENV", None)
    app.config.update(load_config(app.instance_path, None if env is None else dict(env)))
    app.config.update(overrides)
    configure_logging(app)
    proxy.init_app(app)
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    tasks.configure_jobs(create_app)
    return app


def configure_logging(app: Flask) -> None:
    """Plain stderr logging at the configured level."""
    # Alembic announces every plugin at INFO; that is noise in a CLI run.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.basicConfig(
        level=app.config["LOG_LEVEL"], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def register_extensions(app: Flask) -> None:
    """Database, key ring, and (when present) the web-layer extensions."""
    init_keyring(app)
    db.init_app(app)
    csrf.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Every web blueprint (app.web.routes)."""
    routes.register(app)


def register_commands(app: Flask) -> None:
    """`flask --app wsgi ...` commands."""
    cli.register(app)
