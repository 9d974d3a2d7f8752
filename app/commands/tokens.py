"""`flask --app wsgi tokens ...`: create, list and revoke per-user API tokens."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApiToken, Membership, Tenant, User
from app.tenancy import create_token

tokens_cli = AppGroup("tokens", help="API tokens for /api/v1 (only their digests are stored).")


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    return user


def _tenant_id(user: User, tenant: str | None) -> int:
    rows = db.session.execute(
        select(Tenant.id, Tenant.name)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(Membership.user_id == user.id)
        .order_by(Tenant.id)
    ).all()
    if tenant is not None:
        rows = [r for r in rows if tenant in (str(r.id), r.name)]
    if not rows:
        raise click.ClickException(f"{user.email} is not a member of {tenant or 'any business'}")
    if len(rows) > 1:
        names = ", ".join(f"{r.id} ({r.name})" for r in rows)
        raise click.ClickException(
            f"{user.email} belongs to several businesses; pass --tenant: {names}"
        )
    return int(rows[0].id)


@tokens_cli.command("create")
@click.option("--email", required=True, help="the user the token acts as")
@click.option("--name", required=True, help="what the token is for (e.g. 'reporting script')")
@click.option("--tenant", default=None, help="business id or name, if the user has several")
def create(email: str, name: str, tenant: str | None) -> None:
    """Create a token and print it once (it cannot be shown again)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise click.BadParameter("must be 1-100 characters", param_hint="--name")
    user = _user(email)
    if not user.active:
        raise click.ClickException(f"{user.email} is deactivated")
    row, secret = create_token(db.session, user, _tenant_id(user, tenant), name)
    db.session.commit()
    click.echo(secret)
    click.echo(
        f"token {row.id} created for {user.email}; store it now, it is not shown again", err=True
    )


@tokens_cli.command("list")
@click.option("--email", required=True)
def list_tokens(email: str) -> None:
    """List a user's tokens (ids, names, last use; never the secrets)."""
    user = _user(email)
    for row in db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ):
        state = "revoked" if row.revoked_at else "active"
        used = row.last_used_at.isoformat() if row.last_used_at else "never"
        click.echo(f"{row.id}\t{row.name}\ttenant={row.tenant_id}\t{state}\tlast used {used}")


@tokens_cli.command("revoke")
@click.argument("token_id", type=int)
def revoke(token_id: int) -> None:
    """Revoke a token by id: it stops authenticating at once."""
    row = db.session.get(ApiToken, token_id)
    if row is None:
        raise click.ClickException(f"no token {token_id}")
    if row.revoked_at is None:
        row.revoke()
        db.session.commit()
    click.echo(f"token {token_id} revoked")
