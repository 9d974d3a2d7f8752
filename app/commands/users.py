"""`flask --app wsgi users set-password`: an operator sets a user's password (no e-mail needed)."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import update

from app.commands.tokens import _user
from app.extensions import db
from app.models import utcnow
from app.models.tenancy import UserSession
from app.security.passwords import problem as password_problem

MIN_PASSWORD = 10  # as app.web.forms (commands sit beside web, not above it)
users_cli = AppGroup("users", help="User accounts.")


@users_cli.command("set-password")
@click.option("--email", required=True)
@click.password_option("--password", help="prompted for (twice) when not given")
def set_password(email: str, password: str) -> None:
    """Set a user's password and end every session of theirs."""
    user = _user(email)
    if len(password) < MIN_PASSWORD:
        raise click.BadParameter(f"use at least {MIN_PASSWORD} characters", param_hint="--password")
    refused = password_problem(password, user.email)
    if refused:
        raise click.BadParameter(refused, param_hint="--password")
    user.set_password(password)
    result: Any = db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    ended = int(result.rowcount)
    db.session.commit()
    click.echo(f"password of {user.email} set; {ended} session(s) logged out")
