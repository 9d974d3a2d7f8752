"""Marketplaces from sp_api's table: a code sets region, SP-API endpoint and LWA host.

The accounts stored here are paused (`--inactive`) and rolled back with the test, so nothing ever
connects to the Amazon hosts they name.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.models import SellerAccount
from app.security.outbound import OutboundPolicy, check_endpoint
from integrations.amazon import marketplaces

EXPECTED = {
    "US": ("https://sellingpartnerapi-na.amazon.com", "https://api.amazon.com/auth/o2/token",
           "USD"),
    "UK": ("https://sellingpartnerapi-eu.amazon.com", "https://api.amazon.co.uk/auth/o2/token",
           "GBP"),
    "DE": ("https://sellingpartnerapi-eu.amazon.com", "https://api.amazon.co.uk/auth/o2/token",
           "EUR"),
    "JP": ("https://sellingpartnerapi-fe.amazon.com", "https://api.amazon.co.jp/auth/o2/token",
           "JPY"),
}  # fmt: skip


def test_every_sp_api_marketplace_has_a_region_token_url_currency_and_zone() -> None:
    from sp_api.base import Marketplaces

    table = marketplaces.table()
    assert len(table) == len(list(Marketplaces))
    for code, (endpoint, token_url, currency) in EXPECTED.items():
        m = marketplaces.get(code)
        assert (m.endpoint, m.token_url, m.currency) == (endpoint, token_url, currency)
    assert marketplaces.get("gb") is marketplaces.get("UK")
    with pytest.raises(KeyError, match="XX"):
        marketplaces.get("XX")


@pytest.mark.parametrize("code", ["UK", "JP", "DE"])
def test_cli_add_without_endpoint_uses_the_marketplace_region(app: Any, db_session: Any,
                                                              code: str) -> None:
    args = ["sellers", "add", "--name", f"shop-{code}", "--marketplace", code.lower(),
            "--refresh-token", "Atzr|r", "--client-id", "c", "--client-secret", "s",
            "--tenant", "cli", "--inactive"]  # fmt: skip
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    account = db_session.scalars(select(SellerAccount).where(SellerAccount.name == f"shop-{code}")
                                 ).one()  # fmt: skip
    endpoint, token_url, _ = EXPECTED[code]
    m = marketplaces.get(code)
    assert (account.marketplace, account.marketplace_id, account.region) == (
        m.code, m.marketplace_id, m.region)
    assert (account.endpoint, account.token_url) == (endpoint, token_url)
    assert account.active is False
    assert endpoint in result.output and token_url in result.output
    # The regional hosts are Amazon's, so the allowlist takes them without ALLOW_CUSTOM_ENDPOINTS.
    strict = OutboundPolicy(allow_custom=False)
    assert check_endpoint(endpoint, strict, "api") == endpoint
    assert check_endpoint(token_url, strict, "token") == token_url


def test_set_active_resumes_and_pauses(app: Any, db_session: Any) -> None:
    runner = app.test_cli_runner()
    add = ["sellers", "add", "--name", "p", "--endpoint", "http://127.0.0.1:8100",
           "--token-url", "http://127.0.0.1:8100/auth/o2/token", "--refresh-token", "Atzr|r",
           "--client-id", "c", "--client-secret", "s", "--tenant", "cli", "--inactive"]  # fmt: skip
    assert runner.invoke(args=add).exit_code == 0
    account = db_session.scalars(select(SellerAccount).where(SellerAccount.name == "p")).one()
    assert runner.invoke(args=["sellers", "set-active", "--name", "p", "on"]).exit_code == 0
    db_session.refresh(account)
    assert account.active is True
    result = runner.invoke(args=["sellers", "set-active", "--name", "nobody", "off"])
    assert result.exit_code != 0 and "no seller account named 'nobody'" in result.output
