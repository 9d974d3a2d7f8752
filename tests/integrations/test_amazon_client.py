"""The client: sp_api aimed at any endpoint; statuses become typed errors; bounded retries."""

from __future__ import annotations

import datetime as dt
import json
import time
from zoneinfo import ZoneInfo

import httpx
import pytest

from integrations.amazon.client import RetryPolicy, SellerConfig, SpApiClient
from integrations.amazon.errors import (
    AuthError,
    MalformedPayload,
    PermanentError,
    RateLimited,
    TransientError,
)
from integrations.amazon.limits import LocalBuckets, Pacer
from integrations.amazon.reports import LEDGER_SUMMARY, parse_ledger_summary

CONFIG = SellerConfig(
    key="mock",
    endpoint="http://127.0.0.1:8999",
    token_url="http://127.0.0.1:8999/auth/o2/token",
    marketplace_id="ATVPDKIKX0DER",
    region="us-east-1",
    client_id="cid",
    client_secret="csecret-value",
    refresh_token="Atzr|refresh-value",
)
ORDERS_OK = {"payload": {"Orders": [], "LastUpdatedBefore": "2026-11-20T00:03:00Z"}}


class Server:
    """A scripted SP-API: answers API calls from a list, tokens always."""

    def __init__(self, answers: list[httpx.Response]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/o2/token":
            self.tokens += 1
            return httpx.Response(
                200, json={"access_token": f"tok{self.tokens}", "expires_in": 3600}
            )
        self.requests.append(request)
        return self.answers.pop(0) if self.answers else httpx.Response(200, json=ORDERS_OK)


def make_client(server: Server, attempts: int = 4) -> tuple[SpApiClient, list[float]]:
    slept: list[float] = []
    client = SpApiClient(
        CONFIG,
        pacer=Pacer("mock", buckets=LocalBuckets(), scale=1000, sleep=slept.append),
        retry=RetryPolicy(attempts=attempts, base=0.01),
        sleep=slept.append,
        http=httpx.MockTransport(server),
    )
    return client, slept


def test_http_endpoint_gets_a_correct_host_header_and_the_access_token() -> None:
    server = Server([])
    client, _ = make_client(server)
    page = client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert page.last_updated_before == dt.datetime(2026, 11, 20, 0, 3, tzinfo=dt.UTC)
    (req,) = server.requests
    assert req.headers["host"] == "127.0.0.1:8999"  # sp_api alone would send "27.0.0.1:8999"
    assert req.headers["x-amz-access-token"] == "tok1"
    assert req.url.params["LastUpdatedAfter"] == "2026-11-01T00:00:00Z"


def test_5xx_is_retried_with_backoff_then_succeeds() -> None:
    server = Server([httpx.Response(503, text=""), httpx.Response(500, json={"errors": []})])
    client, slept = make_client(server)
    client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert len(server.requests) == 3
    assert client.retries["getOrders"] == 2 and len(slept) >= 2


def test_5xx_retries_are_bounded() -> None:
    server = Server([httpx.Response(503) for _ in range(10)])
    client, _ = make_client(server, attempts=3)
    with pytest.raises(TransientError):
        client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert len(server.requests) == 3


def test_other_4xx_is_never_retried() -> None:
    body = {"errors": [{"code": "InvalidInput", "message": "bad", "details": ""}]}
    server = Server([httpx.Response(400, json=body)])
    client, _ = make_client(server)
    with pytest.raises(PermanentError) as exc:
        client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert exc.value.status == 400 and len(server.requests) == 1


def test_429_waits_at_least_the_announced_interval_and_adopts_the_rate() -> None:
    throttled = httpx.Response(429, headers={"x-amzn-RateLimit-Limit": "0.5"}, json={"errors": []})
    server = Server([throttled])
    client, slept = make_client(server)
    client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert len(server.requests) == 2
    assert max(slept) >= 2.0  # 1 / 0.5 requests per second
    assert client.pacer.limit("getOrders").rate == 0.5


def test_persistent_429_raises_rate_limited_with_retry_after() -> None:
    server = Server([httpx.Response(429, headers={"Retry-After": "7"}) for _ in range(5)])
    client, _ = make_client(server, attempts=2)
    with pytest.raises(RateLimited) as exc:
        client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert exc.value.retry_after == 7.0


def test_403_refreshes_the_token_once_then_gives_up() -> None:
    server = Server([httpx.Response(403, json={"errors": []}) for _ in range(5)])
    client, _ = make_client(server)
    with pytest.raises(AuthError):
        client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert len(server.requests) == 2 and server.tokens == 2


def test_timeouts_and_dropped_connections_are_transient() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/auth/o2/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ReadTimeout("slow", request=request)
        if calls["n"] == 2:
            raise httpx.RemoteProtocolError("dropped", request=request)
        return httpx.Response(200, json=ORDERS_OK)

    client = SpApiClient(
        CONFIG,
        pacer=Pacer("mock2", scale=1000, sleep=lambda s: None),
        retry=RetryPolicy(attempts=4, base=0.001),
        sleep=lambda s: None,
        http=httpx.MockTransport(flaky),
    )
    client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert calls["n"] == 3


def test_malformed_json_payload_is_refused() -> None:
    bad = {"payload": {"Orders": [{"AmazonOrderId": "1"}]}}
    client, _ = make_client(Server([httpx.Response(200, json=bad)]))
    with pytest.raises(MalformedPayload) as exc:
        client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    assert exc.value.field == "payload.Orders[0].PurchaseDate"


def test_secrets_stay_out_of_reprs_and_errors() -> None:
    body = json.dumps({"errors": [{"code": "InvalidInput", "message": "x"}]})
    client, _ = make_client(Server([httpx.Response(400, text=body)]))
    with pytest.raises(PermanentError) as exc:
        client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    for text in (repr(CONFIG), repr(client), str(exc.value)):
        assert "csecret-value" not in text and "refresh-value" not in text


# --- against the simulator over real HTTP ----------------------------------------------------


def sim_client(sim, sim_config, **kw) -> SpApiClient:
    return SpApiClient(
        sim_config(sim, **kw),
        pacer=Pacer(f"sim-{sim.base_url}", scale=1000),
        retry=RetryPolicy(attempts=4, base=0.01),
        report_poll=0.02,
    )


def test_simulator_orders_items_inventory_and_a_report(small_sim, sim_config) -> None:
    client = sim_client(small_sim, sim_config)
    cutoff = client.server_cutoff()
    assert cutoff.date() == dt.date(2026, 11, 21)  # the simulator's clock, not ours
    page = client.get_orders(last_updated_after=cutoff - dt.timedelta(days=3))
    assert page.orders and page.last_updated_before == cutoff
    items = client.get_order_items(page.orders[0].amazon_order_id)
    assert items and all(i.quantity_ordered > 0 for i in items)
    summaries = [s for p in client.inventory_pages() for s in p.summaries]
    assert len(summaries) == 6
    # The US seller's days are Pacific: Nov 1-10 run from 07:00Z on Nov 1 (still summer time
    # until Nov 1, 09:00Z) to 08:00Z on Nov 11.
    pacific = ZoneInfo("America/Los_Angeles")
    text = client.fetch_report(
        LEDGER_SUMMARY,
        dt.datetime(2026, 11, 1, tzinfo=pacific),
        dt.datetime(2026, 11, 10, 23, 59, tzinfo=pacific),
        {"aggregatedByTimePeriod": "DAILY"},
    )
    days = {r.date for r in parse_ledger_summary(text, "MDY")}  # a US seller's report
    assert days == {dt.date(2026, 11, d) for d in range(1, 11)}
    client.close()


def test_simulator_refuses_wrong_credentials_as_auth_error(small_sim, sim_config) -> None:
    client = sim_client(small_sim, sim_config, client_secret="wrong")
    with pytest.raises(AuthError):
        client.server_cutoff()


def test_simulator_unknown_order_is_permanent(small_sim, sim_config) -> None:
    client = sim_client(small_sim, sim_config)
    with pytest.raises(PermanentError) as exc:
        client.get_order_items("999-0000000-0000000")
    assert exc.value.status == 404 and client.calls["getOrderItems"] == 1


def test_token_cache_is_scoped_per_endpoint(small_sim, sim_config) -> None:
    """Two simulators with the same credentials (same seed) must not swap access tokens."""
    from simulator.testing import running_simulator

    with running_simulator(seed=7, skus=6, history_days=60, today=dt.date(2026, 11, 20)) as other:
        assert other.sellers[0]["refresh_token"] == small_sim.sellers[0]["refresh_token"]
        from sp_api.auth import access_token_client

        first = sim_client(small_sim, sim_config)
        second = sim_client(other, sim_config)
        assert first.server_cutoff() == second.server_cutoff()
        # One cached token per token URL (sp_api alone keys the cache by refresh token only).
        assert len(access_token_client.cache) == 2
        first.close()
        second.close()


def test_simulator_throttles_an_unpaced_burst_and_the_client_recovers(sim_config) -> None:
    """A client pacing far faster than the server allows draws 429s; its retries still get
    every page, waiting the announced interval."""
    from simulator.testing import running_simulator

    with running_simulator(seed=7, skus=4, history_days=30, today=dt.date(2026, 11, 20)) as sim:
        slept: list[float] = []

        def sleep(seconds: float) -> None:
            slept.append(seconds)
            time.sleep(seconds)

        client = SpApiClient(
            sim_config(sim),
            # Documented rate (2/s, burst 2) times 100000: effectively unpaced.
            pacer=Pacer("greedy", buckets=LocalBuckets(), scale=100_000),
            retry=RetryPolicy(attempts=8, base=0.01),
            sleep=sleep,
        )
        for _ in range(4):
            assert len([s for p in client.inventory_pages() for s in p.summaries]) == 4
        assert client.retries["getInventorySummaries"] > 0
        assert client.calls["getInventorySummaries"] > 4
        assert max(slept) >= 0.5  # one interval at the server's 2 requests per second
        client.close()


def test_default_marketplace_variable_cannot_redirect_calls(monkeypatch) -> None:
    monkeypatch.setenv("SP_API_DEFAULT_MARKETPLACE", "UK")
    server = Server([])
    client, _ = make_client(server)
    client.get_orders(last_updated_after=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
    (req,) = server.requests
    assert req.url.host == "127.0.0.1" and req.url.params["MarketplaceIds"] == "ATVPDKIKX0DER"
