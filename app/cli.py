"""`flask --app wsgi` commands: schema migrations and key rotation (more register themselves)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from app import migrate
from app.commands.planning import recommend_command, train_command
from app.commands.sellers import sellers_cli
from app.commands.sync import export_cli, sync_command
from app.commands.tokens import tokens_cli
from app.commands.worker import worker_command
from app.extensions import db
from app.models import SellerAccount

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")
keys_cli = AppGroup("keys", help="Encryption keys for marketplace secrets.")


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Build or update the schema."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@db_cli.command("downgrade")
@click.argument("revision", default="-1")
def db_downgrade(revision: str) -> None:
    """Step the schema back (default: one revision)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database at {revision}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored secret under the newest key (the first of ENCRYPTION_KEYS)."""
    count = rotate_secrets()
    click.echo(f"re-encrypted {count} secret(s) under the newest key")


def rotate_secrets() -> int:
    """Rewrite every encrypted column under the newest key; returns how many values changed."""
    session = db.session
    count = 0
    for account in session.scalars(select(SellerAccount)):
        for field in (
            "lwa_client_secret",
            "refresh_token",
            "webhook_secret",
            "previous_webhook_secret",
        ):
            value = getattr(account, field)
            if value is not None:
                # Re-assigning the decrypted value makes the type re-encrypt with the newest key.
                setattr(account, field, value)
                flag_modified(account, field)
                count += 1
    session.commit()
    return count


def register(app: Flask) -> None:
    """Attach every command group."""
    for command in (
        db_cli,
        keys_cli,
        train_command,
        recommend_command,
        tokens_cli,
        sellers_cli,
        sync_command,
        export_cli,
        worker_command,
    ):
        app.cli.add_command(command)
