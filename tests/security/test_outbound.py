"""The outbound allowlist: Amazon's hosts by default, vetted custom endpoints only when allowed.

Every address below that is not loopback goes only into the pure check function (with a fake
resolver) or into a form that refuses it before anything is stored: nothing here is saved as a
seller account, so the scheduler never tries to reach it.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sp_api.base import Marketplaces

from app.config import load_config
from app.security import outbound
from app.security.outbound import EndpointRefused, OutboundPolicy, check_endpoint

DEFAULT = OutboundPolicy()
CUSTOM = OutboundPolicy(allow_custom=True)
PRIVATE = OutboundPolicy(allow_custom=True, allow_private=True)


def answers(*addresses: str) -> Any:
    """A resolver that answers every name with these addresses."""
    return lambda _host, _port: list(addresses)


def refused(url: str, policy: OutboundPolicy, *, purpose: Any = "api", resolver: Any = None) -> str:
    with pytest.raises(EndpointRefused) as info:
        check_endpoint(url, policy, purpose, resolver=resolver)
    return str(info.value)


def test_amazon_hosts_come_from_the_sp_api_marketplace_table() -> None:
    hosts = outbound.amazon_hosts()
    for marketplace in Marketplaces:
        host = httpx.URL(marketplace.endpoint).host
        assert host in hosts
        assert check_endpoint(marketplace.endpoint, DEFAULT) == marketplace.endpoint
    assert "api.amazon.com" in hosts
    assert outbound.amazon_endpoint("A1PA6795UKMFR9") == "https://sellingpartnerapi-eu.amazon.com"
    token = "https://api.amazon.com/auth/o2/token"
    assert check_endpoint(token, DEFAULT, "token") == token


def test_by_default_only_amazon_is_allowed() -> None:
    message = refused("http://127.0.0.1:8100", DEFAULT)
    assert "ALLOW_CUSTOM_ENDPOINTS=1" in message
    for url in (
        "http://sellingpartnerapi-na.amazon.com",  # no TLS
        "https://sellingpartnerapi-na.amazon.com:8443",
        "https://sellingpartnerapi-na.amazon.com.evil.example",
        "https://user:pw@sellingpartnerapi-na.amazon.com",
        "https://api.amazon.com/auth/o2/token",  # a token host is not an API host
    ):
        refused(url, DEFAULT)
    refused("https://sellingpartnerapi-na.amazon.com", DEFAULT, purpose="token")


def test_custom_endpoints_are_parsed_and_resolved() -> None:
    # The simulator: loopback over plain http.
    assert check_endpoint("http://127.0.0.1:8100/", CUSTOM) == "http://127.0.0.1:8100"
    assert check_endpoint("http://localhost:8100", CUSTOM, resolver=answers("127.0.0.1"))
    assert check_endpoint("http://[::1]:8100", CUSTOM)
    cases = {
        "http://localhost:6379": "Port 6379",
        "http://[::1]:6379": "Port 6379",
        "http://127.0.0.1:5432": "Port 5432",
        "http://169.254.169.254/latest/meta-data": "metadata address",
        "http://[::ffff:169.254.169.254]/": "metadata address",
        "http://[fe80::1]:8100/": "link-local address",
        "http://0.0.0.0:8100/": "reserved address",
        "http://127.0.0.1:8100/\t/x": "control characters",
        "http://127.0.0.1:99999/": "not valid",
        "ftp://127.0.0.1/": "http(s) URL",
        "http://127.0.0.1:8100/?next=1": "query string",
    }
    for url, expected in cases.items():
        assert expected in refused(url, CUSTOM), url


def test_names_are_judged_by_what_they_resolve_to() -> None:
    # The issue's `localhost.evil.example`: a name is not loopback because it starts so.
    evil = "http://localhost.evil.example:8100"
    assert "https://" in refused(
        evil, CUSTOM, resolver=answers("1.1.1.1")
    )  # a fake resolver: never contacted
    assert "private network" in refused(evil, CUSTOM, resolver=answers("10.1.2.3"))
    # One bad answer among good ones is enough to refuse (round-robin rebinding).
    mixed = answers("127.0.0.1", "169.254.169.254")
    assert "metadata" in refused(evil, CUSTOM, resolver=mixed)
    assert "cannot be resolved" in refused(evil, CUSTOM, resolver=answers())
    # Private ranges only with their own setting, and then over TLS.
    https = "https://sim.internal.example"
    assert check_endpoint(https, PRIVATE, resolver=answers("10.1.2.3")) == https
    assert "https://" in refused(
        "http://sim.internal.example", PRIVATE, resolver=answers("10.1.2.3")
    )
    assert "metadata" in refused(https, PRIVATE, resolver=answers("169.254.169.254"))


def test_policy_comes_from_config_and_defaults_off_in_production(tmp_path) -> None:
    base = {"SECRET_KEY": "k", "ENCRYPTION_KEYS": "x" * 44}
    prod = load_config(str(tmp_path), {**base, "APP_ENV": "production"})
    assert prod["ALLOW_CUSTOM_ENDPOINTS"] is False and prod["ALLOW_PRIVATE_ENDPOINTS"] is False
    opted = load_config(
        str(tmp_path), {**base, "APP_ENV": "production", "ALLOW_CUSTOM_ENDPOINTS": "1"}
    )
    assert opted["ALLOW_CUSTOM_ENDPOINTS"] is True
    assert load_config(str(tmp_path), base)["ALLOW_CUSTOM_ENDPOINTS"] is True
    policy = OutboundPolicy.from_config({"REDIS_URL": "redis://127.0.0.1:7777/0"})
    assert not policy.allow_custom and 7777 in policy.blocked_ports


def test_the_check_is_repeated_when_the_client_is_built(app, monkeypatch) -> None:
    """DNS can change after the URL was accepted: building the client checks it again."""
    from app.models import SellerAccount
    from app.sync.clients import client_for
    from integrations.amazon.errors import PermanentError

    # Never added to a session: only the client factory sees it.
    account = SellerAccount(
        id=1,
        tenant_id=1,
        name="rebinding",
        endpoint="http://sim.test:8100",
        token_url="http://sim.test:8100/auth/o2/token",
        lwa_client_id="c",
        lwa_client_secret="s",
        refresh_token="r",
        marketplace_id="ATVPDKIKX0DER",
        region="us-east-1",
    )
    monkeypatch.setattr(outbound, "resolve", answers("127.0.0.1"))
    client_for(account, app.config).transport.close()
    monkeypatch.setattr(outbound, "resolve", answers("169.254.169.254"))
    with pytest.raises(PermanentError, match="metadata"):
        client_for(account, app.config)
    monkeypatch.setattr(outbound, "resolve", answers("127.0.0.1"))
    with pytest.raises(PermanentError, match="ALLOW_CUSTOM_ENDPOINTS"):
        client_for(account, {**app.config, "ALLOW_CUSTOM_ENDPOINTS": False})


def test_error_messages_never_echo_the_response_body() -> None:
    from integrations.amazon.errors import SpApiError
    from integrations.amazon.transport import raise_for_status

    leak = "-ERR unknown command 'POST' REDIS_PASSWORD=hunter2"
    for status in (400, 401, 404, 429, 500, 503, 599):
        response = httpx.Response(status, text=leak, extensions={"reason_phrase": leak.encode()})
        with pytest.raises(SpApiError) as info:
            raise_for_status(response, "POST /auth/o2/token")
        assert "hunter2" not in str(info.value) and str(status) in str(info.value)


@pytest.fixture
def owner(client: Any, db_session: Any) -> Any:
    """A client logged in as the owner of a freshly seeded tenant."""
    from tests.support import seed
    from tests.support.web import login

    data = seed.seed(db_session, "Outbound", n_skus=1, days=5, horizon=5)
    db_session.commit()
    assert login(client, data["email"], data["password"]).status_code == 302
    return client


def _production_app(app: Any) -> Any:
    app.config.update(APP_ENV="production", ALLOW_CUSTOM_ENDPOINTS=False)
    return app


def test_cli_refuses_loopback_in_production_without_the_setting(app, db_session) -> None:
    from sqlalchemy import select

    from app.models import SellerAccount

    args = [
        "sellers", "add", "--name", "sim", "--endpoint", "http://127.0.0.1:8100",
        "--token-url", "http://127.0.0.1:8100/auth/o2/token", "--refresh-token", "Atzr|r",
        "--client-id", "c", "--client-secret", "s", "--tenant", "cli",
    ]  # fmt: skip
    result = _production_app(app).test_cli_runner().invoke(args=args)
    assert result.exit_code != 0 and "ALLOW_CUSTOM_ENDPOINTS=1" in result.output
    assert db_session.scalars(select(SellerAccount)).first() is None
    app.config["ALLOW_CUSTOM_ENDPOINTS"] = True
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output


def test_connect_form_refuses_loopback_in_production_without_the_setting(
    app, owner, db_session
) -> None:
    from sqlalchemy import select

    from app.models import SellerAccount
    from tests.support.web import csrf_token

    web = owner

    _production_app(app)
    data = {
        "csrf_token": csrf_token(web, "/sellers/"),
        "name": "Sim",
        "marketplace": "US",
        "lwa_client_id": "c",
        "lwa_client_secret": "s",
        "refresh_token": "Atzr|r",
        "endpoint_choice": "custom",
        "endpoint": "http://127.0.0.1:8100",
        "token_url": "http://127.0.0.1:8100/auth/o2/token",
        "review_days": "7",
    }
    response = web.post("/sellers/", data=data)
    assert response.status_code == 422
    assert "ALLOW_CUSTOM_ENDPOINTS=1" in response.get_data(as_text=True)
    assert db_session.scalar(select(SellerAccount).where(SellerAccount.name == "Sim")) is None
