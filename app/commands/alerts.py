"""`flask --app wsgi alerts ...`: give a user a channel; evaluate and deliver alerts now."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.alerts.channels import ChannelRefused, check_channel_url
from app.alerts.events import Event
from app.alerts.service import ALL_EVENTS, run_for_seller
from app.commands.tokens import _tenant_id, _user
from app.extensions import db
from app.models import AlertSettings, SellerAccount
from app.security.outbound import OutboundPolicy

alerts_cli = AppGroup("alerts", help="Alert channels and delivery.")


@alerts_cli.command("set")
@click.option("--email", required=True, help="the user whose channel this is")
@click.option("--url", required=True, help="an Apprise URL (mailto://, json://host:port/path, ...)")
@click.option("--events", default="all", help=f"'all' or a comma list of: {', '.join(ALL_EVENTS)}")
@click.option("--tenant", default=None, help="business id or name, if the user has several")
def set_channel(email: str, url: str, events: str, tenant: str | None) -> None:
    """Give a user a channel (checked like one entered on the Alerts page)."""
    user = _user(email)
    tid = _tenant_id(user, tenant)
    try:
        url = check_channel_url(url, OutboundPolicy.from_config(current_app.config))
    except ChannelRefused as exc:
        raise click.BadParameter(str(exc), param_hint="--url") from None
    chosen = ALL_EVENTS if events.strip() == "all" else [e.strip() for e in events.split(",")]
    unknown = [e for e in chosen if e not in ALL_EVENTS]
    if unknown:
        raise click.BadParameter(f"unknown event(s): {', '.join(unknown)}", param_hint="--events")
    row = db.session.scalar(
        select(AlertSettings).where(
            AlertSettings.tenant_id == tid, AlertSettings.user_id == user.id
        )
    )
    if row is None:
        row = AlertSettings(tenant_id=tid, user_id=user.id)
        db.session.add(row)
    row.channel_url = url
    row.events = [Event(e).value for e in chosen]
    db.session.commit()
    click.echo(f"alerts for {user.email}: {', '.join(row.events)}")


@alerts_cli.command("run")
@click.option("--seller", default=None, help="only this seller account (name)")
def run(seller: str | None) -> None:
    """Evaluate the events now and deliver what is due, as the scheduled job does."""
    stmt = select(SellerAccount).where(SellerAccount.active).order_by(SellerAccount.id)
    if seller is not None:
        stmt = stmt.where(SellerAccount.name == seller)
    accounts = list(db.session.scalars(stmt))
    if seller is not None and not accounts:
        raise click.ClickException(f"no active seller account named {seller}")
    failed = 0
    for account in accounts:
        result = run_for_seller(db.session, account, current_app.config)
        db.session.commit()
        failed += result.failed
        click.echo(
            f"{account.name}: {result.announced} new, {result.sent} sent, {result.failed} failed"
        )
    if failed:
        raise click.ClickException(f"{failed} message(s) not delivered (see the log)")
