"""Build an SP-API client for a seller account from the app's settings."""

from __future__ import annotations

import os
from typing import Any

from app.models import SellerAccount
from integrations.amazon.client import RetryPolicy, SellerConfig, SpApiClient
from integrations.amazon.limits import Pacer, RedisBuckets, local_buckets

_redis_buckets: dict[str, RedisBuckets] = {}


def _setting(config: Any, name: str, default: float) -> float:
    value = config.get(name) if config is not None else None
    if value is None:
        value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def seller_config(account: SellerAccount) -> SellerConfig:
    """Connection settings of one seller account (decrypted only in memory)."""
    return SellerConfig(
        key=f"seller-{account.id}",
        endpoint=account.endpoint,
        token_url=account.token_url,
        marketplace_id=account.marketplace_id,
        region=account.region,
        client_id=account.lwa_client_id,
        client_secret=account.lwa_client_secret,
        refresh_token=account.refresh_token,
    )


def client_for(account: SellerAccount, config: Any = None) -> SpApiClient:
    """A paced, retrying client; buckets are shared through Redis when REDIS_URL is set.

    Settings (app config, else environment): SPAPI_RATE_SCALE (multiplies documented rates,
    for a simulator run with --rate-scale), SPAPI_TIMEOUT, SPAPI_BACKOFF_BASE, SPAPI_RETRIES,
    SPAPI_REPORT_POLL (seconds between report polls at full scale).
    """
    scale = _setting(config, "SPAPI_RATE_SCALE", 1.0)
    redis_url = config.get("REDIS_URL") if config is not None else None
    if redis_url:
        if redis_url not in _redis_buckets:
            import redis

            _redis_buckets[redis_url] = RedisBuckets(redis.Redis.from_url(redis_url))
        buckets: Any = _redis_buckets[redis_url]
    else:
        buckets = local_buckets()
    pacer = Pacer(f"seller-{account.id}", buckets=buckets, scale=scale)
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
    )
