"""Amazon Selling Partner API connectors.

`SpApiClient(SellerConfig(...))` aims python-amazon-sp-api at any endpoint and token URL
(Amazon, a sandbox, the simulator), paces each (seller, operation) at its documented rate and
burst (in-process, or shared through Redis with `RedisBuckets`), retries 429/5xx/timeouts with
bounded jittered backoff, and returns typed results (`results`) or raises typed errors
(`errors`: RateLimited, TransientError, AuthError, PermanentError, MalformedPayload).
Report documents are parsed by header name in `reports`. Inbound shipments (v0 status and
received units, 2024-03-20 plans with Amazon's delivery window) are read by `inbound`, AWD stock
and inbound shipments by `awd`.
No Flask, no database here.
"""

from integrations.amazon.client import RetryPolicy, SellerConfig, SpApiClient
from integrations.amazon.errors import (
    AuthError,
    MalformedPayload,
    PermanentError,
    RateLimited,
    SpApiError,
    TransientError,
)
from integrations.amazon.limits import OPERATION_LIMITS, LocalBuckets, Pacer, RedisBuckets

__all__ = [
    "OPERATION_LIMITS",
    "AuthError",
    "LocalBuckets",
    "MalformedPayload",
    "Pacer",
    "PermanentError",
    "RateLimited",
    "RedisBuckets",
    "RetryPolicy",
    "SellerConfig",
    "SpApiClient",
    "SpApiError",
    "TransientError",
]
