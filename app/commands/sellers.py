"""`flask --app wsgi sellers add|list`: connect a seller account (Amazon or the simulator)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.extensions import db
from app.models import SellerAccount, Tenant
from app.models.seller import MARKETPLACES as MARKETPLACES_BY_CODE
from app.security.outbound import EndpointRefused, OutboundPolicy, Purpose, check_endpoint

sellers_cli = AppGroup("sellers", help="Seller accounts (SP-API credentials).")


def webhook_url(account: SellerAccount) -> str:
    """Where the seller's notification forwarder posts."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return f"{base}/webhooks/sp-api/{account.public_id}"


def _tenant(name: str | None) -> Tenant:
    session = db.session
    if name:
        tenant = session.scalars(select(Tenant).where(Tenant.name == name)).one_or_none()
        if tenant is None:
            tenant = Tenant(name=name)
            session.add(tenant)
            session.flush()
            click.echo(f"created tenant {name!r}")
        return tenant
    tenants = session.scalars(select(Tenant).order_by(Tenant.id)).all()
    if len(tenants) > 1:
        raise click.ClickException("several tenants exist: say which with --tenant NAME")
    if tenants:
        return tenants[0]
    tenant = Tenant(name="default")
    session.add(tenant)
    session.flush()
    click.echo("created tenant 'default'")
    return tenant


@sellers_cli.command("add")
@click.option("--name", required=True, help="A name for this account, unique in the tenant.")
@click.option(
    "--endpoint",
    required=True,
    help="SP-API endpoint, e.g. https://sellingpartnerapi-na.amazon.com",
)
@click.option(
    "--token-url", required=True, help="LWA token URL, e.g. https://api.amazon.com/auth/o2/token"
)
@click.option("--refresh-token", required=True, help="LWA refresh token of the seller.")
@click.option("--client-id", required=True, help="LWA client id of the application.")
@click.option("--client-secret", required=True, help="LWA client secret of the application.")
@click.option(
    "--marketplace",
    default="US",
    show_default=True,
    type=click.Choice(sorted(MARKETPLACES_BY_CODE)),
    help="Marketplace code.",
)
@click.option(
    "--tenant",
    "tenant_name",
    default=None,
    help="Tenant (created when missing; default: the only tenant, or 'default').",
)
def add_seller(
    name: str,
    endpoint: str,
    token_url: str,
    refresh_token: str,
    client_id: str,
    client_secret: str,
    marketplace: str,
    tenant_name: str | None,
) -> None:
    """Store a seller account (secrets encrypted) and print its webhook URL and secret."""
    policy = OutboundPolicy.from_config(current_app.config)
    checked: list[str] = []
    targets: tuple[tuple[str, str, Purpose], ...] = (
        ("--endpoint", endpoint, "api"),
        ("--token-url", token_url, "token"),
    )
    for label, url, purpose in targets:
        try:
            checked.append(check_endpoint(url, policy, purpose))
        except EndpointRefused as exc:
            raise click.BadParameter(str(exc), param_hint=label) from None
    endpoint, token_url = checked
    session = db.session
    tenant = _tenant(tenant_name)
    taken = session.scalars(
        select(SellerAccount).where(
            SellerAccount.tenant_id == tenant.id, SellerAccount.name == name
        )
    ).one_or_none()
    if taken is not None:
        raise click.ClickException(f"tenant {tenant.name!r} already has a seller named {name!r}")
    marketplace_id, region = MARKETPLACES_BY_CODE[marketplace]
    account = SellerAccount(
        tenant_id=tenant.id,
        name=name,
        marketplace=marketplace,
        marketplace_id=marketplace_id,
        region=region,
        endpoint=endpoint.rstrip("/"),
        token_url=token_url,
        lwa_client_id=client_id,
        lwa_client_secret=client_secret,
        refresh_token=refresh_token,
    )
    session.add(account)
    session.commit()
    click.echo(f"seller {name!r} added to tenant {tenant.name!r} (id {account.id})")
    click.echo(f"webhook URL:    {webhook_url(account)}")
    click.echo(f"webhook secret: {account.webhook_secret}")


@sellers_cli.command("list")
def list_sellers() -> None:
    """Seller accounts with their tenant, marketplace and endpoint (no secrets)."""
    rows = db.session.execute(
        select(SellerAccount, Tenant.name)
        .join(Tenant, Tenant.id == SellerAccount.tenant_id)
        .order_by(Tenant.name, SellerAccount.name)
    ).all()
    for account, tenant in rows:
        click.echo(
            f"{tenant}\t{account.name}\t{account.marketplace}\t{account.endpoint}"
            f"\t{'active' if account.active else 'inactive'}"
        )
