"""Build an SP-API client for a seller account from the app's settings."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from app.models import SellerAccount
from app.security.outbound import EndpointRefused, OutboundPolicy, Purpose, check_endpoint
from integrations.amazon.client import RetryPolicy, SellerConfig, SpApiClient
from integrations.amazon.errors import PermanentError
from integrations.amazon.limits import LocalBuckets, Pacer, RedisBuckets, local_buckets

_redis_buckets: dict[str, RedisBuckets] = {}


def _setting(config: Any, name: str, default: float) -> float:
    value = config.get(name) if config is not None else None
    if value is None:
        value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def seller_config(account: SellerAccount) -> SellerConfig:
    """Connection settings of one seller account (decrypted only in memory)."""
    return SellerConfig(
        key=account.pacing_key,
        endpoint=account.endpoint,
        token_url=account.token_url,
        marketplace_id=account.marketplace_id,
        region=account.region,
        client_id=account.lwa_client_id,
        client_secret=account.lwa_client_secret,
        refresh_token=account.refresh_token,
    )


def vet_targets(account: SellerAccount, config: Any = None) -> None:
    """Check the account's URLs against the outbound allowlist now, as DNS answers them now.

    They were checked when entered, but a name can be re-pointed later (at the metadata service,
    at Redis on localhost); refusing here means no request carries the credentials there.
    """
    policy = OutboundPolicy.from_config(config if config is not None else os.environ)
    targets: tuple[tuple[str, Purpose], ...] = (
        (account.endpoint, "api"),
        (account.token_url, "token"),
    )
    for url, purpose in targets:
        try:
            check_endpoint(url, policy, purpose)
        except EndpointRefused as exc:
            raise PermanentError(f"seller account's {purpose} URL refused: {exc}") from None


def client_for(
    account: SellerAccount,
    config: Any = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> SpApiClient:
    """A paced, retrying client; buckets are shared through Redis when REDIS_URL is set.

    Raises PermanentError (no retry) when the account's URLs fail the outbound allowlist.
    `clock` and `sleep` replace the running clock (benchmarks and tests: a simulated one whose
    sleeps take no time; the buckets are then this client's own, in its process, on that clock).

    Settings (app config, else environment): SPAPI_RATE_SCALE (multiplies documented rates,
    for a simulator run with --rate-scale), SPAPI_TIMEOUT, SPAPI_BACKOFF_BASE, SPAPI_RETRIES,
    SPAPI_REPORT_POLL (seconds between report polls at full scale).
    """
    vet_targets(account, config)
    scale = _setting(config, "SPAPI_RATE_SCALE", 1.0)
    redis_url = config.get("REDIS_URL") if config is not None else None
    if clock is not None:
        buckets: Any = LocalBuckets(clock)  # Redis keeps its own time
    elif redis_url:
        if redis_url not in _redis_buckets:
            import redis

            _redis_buckets[redis_url] = RedisBuckets(redis.Redis.from_url(redis_url))
        buckets = _redis_buckets[redis_url]
    else:
        buckets = local_buckets()
    timing: dict[str, Any] = {}
    if sleep is not None:
        timing["sleep"] = sleep
    # The connection's buckets: Amazon meters a selling partner per region, so the marketplaces
    # of one connection (US and CA) spend one budget, whichever worker syncs which.
    pacer = Pacer(account.pacing_key, buckets=buckets, scale=scale, **timing)
    if clock is not None:
        timing["clock"] = clock
    retry = RetryPolicy(
        attempts=int(_setting(config, "SPAPI_RETRIES", 6)),
        base=_setting(config, "SPAPI_BACKOFF_BASE", 0.5),
    )
    return SpApiClient(
        seller_config(account),
        pacer=pacer,
        retry=retry,
        timeout=_setting(config, "SPAPI_TIMEOUT", 30.0),
        report_poll=max(0.02, _setting(config, "SPAPI_REPORT_POLL", 15.0) / scale),
        **timing,
    )
