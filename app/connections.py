"""Connecting a seller in one or several marketplaces of one region.

One connection (credentials, endpoint, token URL: app.models.SellerConnection) and one seller
account per marketplace. The CLI (`sellers add --marketplace US,CA`) and the connect form both
come through here, so both refuse the same things with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import SellerAccount, SellerConnection
from integrations.amazon import marketplaces
from integrations.amazon.marketplaces import Marketplace


class ConnectError(ValueError):
    """A connection that cannot be made as asked (the message says why, for the seller)."""


def parse_marketplaces(codes: str | Iterable[str]) -> list[Marketplace]:
    """The marketplaces of `US,CA` (or a list of codes), in the order given, all of one region.

    Refuses an empty list, an unknown code, a repeat, and marketplaces of several regions (one
    refresh token and one set of rate limits are one region's)."""
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    wanted = [c.strip() for c in items if c and c.strip()]
    if not wanted:
        raise ConnectError("name at least one marketplace, e.g. US or US,CA")
    found: list[Marketplace] = []
    for code in wanted:
        try:
            market = marketplaces.get(code)
        except KeyError:
            known = ", ".join(sorted(marketplaces.table()))
            raise ConnectError(f"unknown marketplace {code!r} (known: {known})") from None
        if market in found:
            raise ConnectError(f"marketplace {market.code} is named twice")
        found.append(market)
    regions = {m.region for m in found}
    if len(regions) > 1:
        by_region = "; ".join(
            f"{marketplaces.REGION_NAMES.get(r, r)}: "
            + ", ".join(m.code for m in found if m.region == r)
            for r in sorted(regions)
        )
        raise ConnectError(
            "one connection holds the marketplaces of one region (one refresh token, one set "
            f"of rate limits); these are in several ({by_region}). Connect each region "
            "separately."
        )
    return found


def account_name(name: str, market: Marketplace, several: bool) -> str:
    """The account's name: the one given, with the marketplace code when there are several."""
    return f"{name} {market.code}" if several else name


def connect(
    session: Session,
    tenant_id: int,
    name: str,
    markets: list[Marketplace],
    *,
    endpoint: str,
    token_url: str,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    seller_id: str | None = None,
    active: bool = True,
) -> list[SellerAccount]:
    """One connection and an account per marketplace, added to the session (not committed).

    Refuses a name (or name with code) the tenant already uses: nothing is added then."""
    several = len(markets) > 1
    names = [account_name(name, m, several) for m in markets]
    taken = set(
        session.scalars(
            select(SellerAccount.name).where(
                SellerAccount.tenant_id == tenant_id, SellerAccount.name.in_(names)
            )
        )
    )
    if taken:
        raise ConnectError(f"already has a seller named {', '.join(sorted(taken))}")
    connection = SellerConnection(
        tenant_id=tenant_id,
        region=markets[0].region,
        endpoint=endpoint.rstrip("/"),
        token_url=token_url,
        lwa_client_id=client_id,
        lwa_client_secret=client_secret,
        refresh_token=refresh_token,
    )
    session.add(connection)
    accounts = [
        SellerAccount(
            tenant_id=tenant_id,
            connection=connection,
            name=label,
            marketplace=m.code,
            marketplace_id=m.marketplace_id,
            region=m.region,
            seller_id=seller_id,
            active=active,
        )
        for m, label in zip(markets, names, strict=True)
    ]
    session.add_all(accounts)
    return accounts


def add_marketplaces(
    session: Session, account: SellerAccount, markets: list[Marketplace], name: str | None = None
) -> list[SellerAccount]:
    """New accounts on `account`'s connection for more marketplaces of its region (the same
    credentials; named `<name> <code>`, `name` defaulting to the account's)."""
    connection = account.connection
    have = {a.marketplace for a in connection.accounts}
    for m in markets:
        if m.region != connection.region:
            raise ConnectError(
                f"marketplace {m.code} is in {m.region_name}, the connection in "
                f"{marketplaces.REGION_NAMES.get(connection.region, connection.region)}: "
                "connect that region separately"
            )
        if m.code in have:
            raise ConnectError(f"the connection already has marketplace {m.code}")
    base = name or account.name
    names = [account_name(base, m, True) for m in markets]
    taken = set(
        session.scalars(
            select(SellerAccount.name).where(
                SellerAccount.tenant_id == account.tenant_id, SellerAccount.name.in_(names)
            )
        )
    )
    if taken:
        raise ConnectError(f"already has a seller named {', '.join(sorted(taken))}")
    added = [
        SellerAccount(
            tenant_id=account.tenant_id,
            connection=connection,
            name=n,
            marketplace=m.code,
            marketplace_id=m.marketplace_id,
            region=m.region,
            seller_id=account.seller_id,
            active=account.active,
        )
        for m, n in zip(markets, names, strict=True)
    ]
    session.add_all(added)
    return added
