"""`flask --app wsgi sellers add|list`: connect a seller account (Amazon or the simulator)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.connections import ConnectError, add_marketplaces, connect, parse_marketplaces
from app.extensions import db
from app.models import SellerAccount, Tenant
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
    default=None,
    help="SP-API endpoint (default: the marketplace's region, e.g. "
    "https://sellingpartnerapi-eu.amazon.com for UK).",
)
@click.option(
    "--token-url",
    default=None,
    help="LWA token URL (default: the region's, e.g. https://api.amazon.co.uk/auth/o2/token).",
)
@click.option("--refresh-token", required=True, help="LWA refresh token of the seller.")
@click.option("--client-id", required=True, help="LWA client id of the application.")
@click.option("--client-secret", required=True, help="LWA client secret of the application.")
@click.option(
    "--marketplace",
    default="US",
    show_default=True,
    help="Marketplace code, or several of one region separated by commas (US,CA or "
    "UK,DE,FR): one account each, named NAME CODE, sharing the credentials and rate limits.",
)
@click.option(
    "--tenant",
    "tenant_name",
    default=None,
    help="Tenant (created when missing; default: the only tenant, or 'default').",
)
@click.option(
    "--inactive",
    is_flag=True,
    help="Store the account paused: nothing syncs it until `sellers set-active --name N on`.",
)
def add_seller(
    name: str,
    endpoint: str | None,
    token_url: str | None,
    refresh_token: str,
    client_id: str,
    client_secret: str,
    marketplace: str,
    tenant_name: str | None,
    inactive: bool,
) -> None:
    """Store a seller account per marketplace (secrets encrypted, once) and print each one's
    webhook URL and secret."""
    try:
        markets = parse_marketplaces(marketplace)
    except ConnectError as exc:
        raise click.BadParameter(str(exc), param_hint="--marketplace") from None
    market = markets[0]
    policy = OutboundPolicy.from_config(current_app.config)
    endpoint = endpoint or market.endpoint
    token_url = token_url or market.token_url
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
    try:
        accounts = connect(
            session, tenant.id, name, markets,
            endpoint=endpoint, token_url=token_url, client_id=client_id,
            client_secret=client_secret, refresh_token=refresh_token, active=not inactive,
        )  # fmt: skip
    except ConnectError as exc:
        session.rollback()
        raise click.ClickException(f"tenant {tenant.name!r} {exc}") from None
    session.commit()
    _report(accounts, tenant.name)


def _report(accounts: list[SellerAccount], tenant: str) -> None:
    first = accounts[0]
    click.echo(f"endpoint:       {first.endpoint}")
    click.echo(f"token URL:      {first.token_url}")
    if len(accounts) > 1:
        codes = ", ".join(a.marketplace for a in accounts)
        click.echo(f"credentials:    stored once for {codes} (connection {first.connection_id})")
    for account in accounts:
        m = account.market
        click.echo(f"seller {account.name!r} added to tenant {tenant!r} (id {account.id})")
        click.echo(f"marketplace:    {m.code} ({m.region_name}, {m.currency})")
        click.echo(f"webhook URL:    {webhook_url(account)}")
        click.echo(f"webhook secret: {account.webhook_secret}")


@sellers_cli.command("add-marketplace")
@click.option("--name", required=True, help="An account of the connection to extend.")
@click.option("--marketplace", required=True, help="Code(s) of the region's marketplaces: MX.")
@click.option("--tenant", "tenant_name", default=None, help="Its tenant (default: the only one).")
def add_marketplace(name: str, marketplace: str, tenant_name: str | None) -> None:
    """Add marketplaces of the same region to a connected seller (its stored credentials)."""
    try:
        markets = parse_marketplaces(marketplace)
    except ConnectError as exc:
        raise click.BadParameter(str(exc), param_hint="--marketplace") from None
    session = db.session
    account = _find(name, tenant_name)
    tenant = session.get(Tenant, account.tenant_id)
    try:
        accounts = add_marketplaces(session, account, markets)
    except ConnectError as exc:
        session.rollback()
        raise click.ClickException(str(exc)) from None
    session.commit()
    _report(accounts, tenant.name if tenant else "")


def _find(name: str, tenant_name: str | None) -> SellerAccount:
    query = (
        select(SellerAccount)
        .join(Tenant, Tenant.id == SellerAccount.tenant_id)
        .where(SellerAccount.name == name)
    )
    if tenant_name is not None:
        query = query.where(Tenant.name == tenant_name)
    found = db.session.scalars(query).all()
    if not found:
        raise click.ClickException(f"no seller account named {name!r}")
    if len(found) > 1:
        raise click.ClickException(f"several tenants have {name!r}: say which with --tenant")
    return found[0]


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
            f"\t{'active' if account.active else 'inactive'}\tconnection {account.connection_id}"
        )


@sellers_cli.command("set-active")
@click.option("--name", required=True, help="The seller account's name.")
@click.option("--tenant", "tenant_name", default=None, help="Its tenant (default: the only one).")
@click.argument("state", type=click.Choice(["on", "off"]))
def set_active(name: str, tenant_name: str | None, state: str) -> None:
    """Resume (on) or pause (off) an account's scheduled syncs and plans."""
    account = _find(name, tenant_name)
    account.active = state == "on"
    db.session.commit()
    click.echo(f"seller {name!r} is {'active' if account.active else 'paused'}")
