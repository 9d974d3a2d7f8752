"""`flask --app wsgi` commands: schema migrations and key rotation (more register themselves)."""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from app import migrate
from app.commands.alerts import alerts_cli
from app.commands.planning import recommend_command, train_command
from app.commands.scheduler import scheduler_command
from app.commands.sellers import sellers_cli
from app.commands.summaries import summaries_cli
from app.commands.sync import export_cli, sync_command
from app.commands.tokens import tokens_cli
from app.commands.users import users_cli
from app.commands.worker import worker_command
from app.extensions import db
from app.models import SellerAccount, SellerConnection

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


@db_cli.command("current")
def db_current() -> None:
    """Show the revision the database is at, and whether that is the newest."""
    revisions = migrate.current(current_app.config["DATABASE_URL"])
    heads = set(migrate.heads())
    if not revisions:
        click.echo("no revision: the schema was never built (run `flask --app wsgi db upgrade`)")
    for rev in revisions:
        click.echo(f"{rev} (head)" if rev in heads else f"{rev} (behind: run db upgrade)")


@db_cli.command("history")
def db_history() -> None:
    """List the migrations, newest first."""
    for rev in migrate.history():
        title = rev.message.splitlines()[0] if rev.message else ""
        head = " (head)" if rev.is_head else ""
        click.echo(f"{rev.down_revision or '<base>'} -> {rev.revision}{head}, {title}")


@db_cli.command("stamp")
@click.argument("revision", default="head")
def db_stamp(revision: str) -> None:
    """Mark the database as at REVISION without running migrations (a schema built elsewhere)."""
    migrate.stamp(current_app.config["DATABASE_URL"], revision)
    click.echo(f"database stamped at {revision}")


@db_cli.command("revision")
@click.option("-m", "--message", required=True, help="what the migration changes")
@click.option(
    "--autogenerate",
    is_flag=True,
    help="compare the models with the database (at head) and write the difference",
)
def db_revision(message: str, autogenerate: bool) -> None:
    """Write a new migration script in migrations/versions, chained to the head."""
    if not message.strip():
        raise click.BadParameter("must not be blank", param_hint="--message")
    path = migrate.revision(current_app.config["DATABASE_URL"], message.strip(), autogenerate)
    click.echo(f"wrote {path}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored secret under the newest key (the first of ENCRYPTION_KEYS)."""
    count = rotate_secrets()
    click.echo(f"re-encrypted {count} secret(s) under the newest key")


def rotate_secrets() -> int:
    """Rewrite every encrypted column under the newest key; returns how many values changed."""
    session = db.session
    count = 0
    owners: list[tuple[type[SellerConnection] | type[SellerAccount], tuple[str, ...]]] = [
        (SellerConnection, ("lwa_client_secret", "refresh_token")),
        (SellerAccount, ("webhook_secret", "previous_webhook_secret")),
    ]
    for model, fields in owners:
        rows: list[SellerConnection | SellerAccount] = list(session.scalars(select(model)))
        for row in rows:
            for field in fields:
                value = getattr(row, field)
                if value is not None:
                    # Re-assigning the decrypted value makes the type re-encrypt with the newest
                    # key.
                    setattr(row, field, value)
                    flag_modified(row, field)
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
        summaries_cli,
        sync_command,
        export_cli,
        worker_command,
        scheduler_command,
        alerts_cli,
        users_cli,
    ):
        app.cli.add_command(command)
