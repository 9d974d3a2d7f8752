"""The SP-API client: python-amazon-sp-api aimed at any endpoint, paced, retried, typed.

`SpApiClient(config)` is the factory: it builds sp_api's operation clients for the seller's
endpoint and token URL, swaps in the classifying transport, and exposes one typed method per
operation the product uses (the inbound ones in `inbound.InboundApi`). Every call goes through
`call()`: wait for the pacer, send, retry 429/5xx/timeouts with exponential backoff and jitter
(bounded), never retry other 4xx.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sp_api.api import Finances, Inventories, Orders, ProductFees, Reports
from sp_api.base import ApiResponse, Client, SellingApiException

from integrations.amazon import parse
from integrations.amazon.auth import forget_token, token_client_class
from integrations.amazon.awd import AwdApi
from integrations.amazon.errors import (
    AuthError,
    MalformedPayload,
    PermanentError,
    RateLimited,
    TransientError,
)
from integrations.amazon.inbound import InboundApi
from integrations.amazon.limits import Pacer
from integrations.amazon.reports import decode_document
from integrations.amazon.results import (
    FeeEstimate,
    FinancesPage,
    InventoryPage,
    OrderItem,
    OrdersPage,
    ReportStatus,
)
from integrations.amazon.transport import ClassifyingTransport

log = logging.getLogger(__name__)
T = TypeVar("T")
ISO = "%Y-%m-%dT%H:%M:%SZ"
SERVER_LAG = dt.timedelta(minutes=2)
PROBE_AFTER = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class SellerConfig:
    """Where and as whom to call: one seller account's settings (secrets never in repr)."""

    key: str
    endpoint: str
    token_url: str
    marketplace_id: str
    region: str
    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)


@dataclass(frozen=True)
class Marketplace:
    """What sp_api needs from a marketplace: any endpoint, not only Amazon's."""

    endpoint: str
    marketplace_id: str
    region: str


@dataclass
class RetryPolicy:
    """Bounded exponential backoff with full jitter."""

    attempts: int = 6
    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        """Sleep before retry number `attempt` (1-based)."""
        return random.uniform(0, min(self.cap, self.base * 2 ** (attempt - 1)))  # noqa: S311


def iso(when: dt.datetime) -> str:
    """SP-API date-time format (UTC, second precision)."""
    return when.astimezone(dt.UTC).strftime(ISO)


class SpApiClient(InboundApi, AwdApi):
    """Typed, paced, retrying access to one seller's Selling Partner API.

    Fulfillment Inbound reads (shipments, items, plans, Amazon's delivery windows) come from
    `InboundApi` (integrations/amazon/inbound.py), AWD stock and inbound shipments from `AwdApi`
    (integrations/amazon/awd.py).
    """

    def __init__(
        self,
        config: SellerConfig,
        pacer: Pacer | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
        report_poll: float = 15.0,
        report_timeout: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
        http: Any = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.config = config
        self.pacer = pacer or Pacer(config.key)
        self.retry = retry or RetryPolicy()
        self.report_poll = report_poll
        self.report_timeout = report_timeout
        self._raw_sleep = sleep
        # The running clock report deadlines and the call log follow (with `sleep`, a test or
        # benchmark may pass one whose sleeps take no time: simulator.testing.SkipClock).
        self.clock = clock
        self.slept = 0.0  # backoff and report-poll sleeps (pacer waits: pacer.waited)
        self.transport = ClassifyingTransport(timeout=timeout, http=http)
        self.calls: Counter[str] = Counter()
        # (operation, time on `clock`) of every request: benchmarks replay it against the
        # documented limits.
        self.call_log: list[tuple[str, float]] = []
        self.retries: Counter[str] = Counter()
        self._apis: dict[type, Client] = {}
        self._marketplace = Marketplace(
            config.endpoint.rstrip("/"), config.marketplace_id, config.region
        )
        self._token_class = token_client_class(config.token_url, self.transport)
        self._cutoff: dt.datetime | None = None

    def _sleep(self, seconds: float) -> None:
        self.slept += seconds
        self._raw_sleep(seconds)

    def pause(self, seconds: float) -> None:
        """Sleep (counted in `slept`): for callers that poll, such as pipelined reports."""
        if seconds > 0:
            self._sleep(seconds)

    def __repr__(self) -> str:
        return f"<SpApiClient {self.config.key} {self.config.endpoint}>"

    # -- plumbing -------------------------------------------------------------------------
    def api(self, cls: type) -> Any:
        """An sp_api operation client of `cls` for this seller, sharing our transport."""
        if cls not in self._apis:
            client = cls(
                marketplace=self._marketplace,
                credentials={
                    "refresh_token": self.config.refresh_token,
                    "lwa_app_id": self.config.client_id,
                    "lwa_client_secret": self.config.client_secret,
                },
                auth_token_client_class=self._token_class,
                timeout=self.transport._client.timeout,
            )
            client._transport.close()
            client._transport = self.transport
            # SP_API_DEFAULT_MARKETPLACE, when set, makes sp_api swap in Amazon's endpoint:
            # the seller's configured endpoint must win.
            client.endpoint = self._marketplace.endpoint
            client.marketplace_id = self._marketplace.marketplace_id
            client.region = self._marketplace.region
            self._apis[cls] = client
        return self._apis[cls]

    def close(self) -> None:
        """Release connections."""
        self.transport.close()

    def server_now(self) -> dt.datetime:
        """The server's clock (from response Date headers), or ours before any response."""
        return self.transport.clock.now() or dt.datetime.now(dt.UTC)

    def server_cutoff(self, refresh: bool = False) -> dt.datetime:
        """The latest "before" time the server accepts now: its clock minus two minutes.

        Taken from getOrders' payload.LastUpdatedBefore (the server's own clock, which may be a
        simulator's, far from ours); a one-order probe asks for it when no query has yet.
        Falls back to the Date header minus two minutes when the server does not say.
        """
        if self._cutoff is None or refresh:
            page = self.get_orders(last_updated_after=PROBE_AFTER, max_results=1)
            if page.last_updated_before is None:
                self._cutoff = self.server_now() - SERVER_LAG
        assert self._cutoff is not None
        return self._cutoff

    @property
    def total_calls(self) -> int:
        """HTTP requests sent to the API (retries included, token calls excluded)."""
        return sum(self.calls.values())

    def call(self, operation: str, fn: Callable[[], T]) -> T:
        """Run one API operation with pacing and bounded retries; raise typed errors."""
        auth_retried = False
        attempt = 0
        while True:
            attempt += 1
            self.pacer.wait(operation)
            self.calls[operation] += 1
            self.call_log.append((operation, self.clock()))
            try:
                result = fn()
                self.pacer.observe(operation, self.transport.last_rate_limit)
                return result
            except RateLimited as exc:
                self.pacer.observe(operation, self.transport.last_rate_limit)
                wait = max(exc.retry_after, self.pacer.throttled(operation))
                if attempt >= self.retry.attempts:
                    raise
                self._backoff(operation, attempt, wait, "429")
            except TransientError as exc:
                if attempt >= self.retry.attempts:
                    raise
                self._backoff(operation, attempt, self.retry.delay(attempt), type(exc).__name__)
            except AuthError:
                # An access token can expire or be revoked between cache and call: fetch a new
                # one once; refused twice means the credentials themselves are wrong.
                if auth_retried:
                    raise
                auth_retried = True
                forget_token(
                    self.config.token_url, self.config.client_id, self.config.refresh_token
                )
            except SellingApiException as exc:  # an error body inside a 2xx
                raise PermanentError(f"{operation}: {type(exc).__name__}") from exc
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise MalformedPayload(operation, f"unreadable response ({exc})") from exc

    def _backoff(self, operation: str, attempt: int, wait: float, why: str) -> None:
        self.retries[operation] += 1
        log.info("%s: %s, retry %d in %.2fs", operation, why, attempt, wait)
        self._sleep(wait)

    # -- Orders ---------------------------------------------------------------------------
    def get_orders(
        self,
        *,
        last_updated_after: dt.datetime | None = None,
        created_after: dt.datetime | None = None,
        last_updated_before: dt.datetime | None = None,
        next_token: str | None = None,
        max_results: int = 100,
    ) -> OrdersPage:
        """One page of getOrders (first page from the dates, later ones from `next_token`)."""
        params: dict[str, Any] = {"MarketplaceIds": [self.config.marketplace_id]}
        if next_token:
            params["NextToken"] = next_token
        else:
            if last_updated_after is not None:
                params["LastUpdatedAfter"] = iso(last_updated_after)
            if created_after is not None:
                params["CreatedAfter"] = iso(created_after)
            if last_updated_before is not None:
                params["LastUpdatedBefore"] = iso(last_updated_before)
            params["MaxResultsPerPage"] = max_results
        res: ApiResponse = self.call("getOrders", lambda: self.api(Orders).get_orders(**params))
        page = parse.parse_orders_page(res.payload)
        if page.last_updated_before is not None and not next_token:
            self._cutoff = page.last_updated_before
        return page

    def get_order_items(self, order_id: str) -> list[OrderItem]:
        """All lines of one order (following NextToken)."""
        items: list[OrderItem] = []
        token: str | None = None
        while True:
            kwargs = {"NextToken": token} if token else {}
            res: ApiResponse = self.call(
                "getOrderItems",
                lambda kw=kwargs: self.api(Orders).get_order_items(order_id, **kw),  # type: ignore[misc]
            )
            page = parse.parse_order_items_page(res.payload, order_id)
            items.extend(page.items)
            token = page.next_token
            if not token:
                return items

    # -- FBA inventory --------------------------------------------------------------------
    def inventory_pages(self) -> Iterator[InventoryPage]:
        """A full pass of getInventorySummaries with details (no startDateTime)."""
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "details": "true",
                "granularityType": "Marketplace",
                "granularityId": self.config.marketplace_id,
                "marketplaceIds": [self.config.marketplace_id],
            }
            if token:
                params["nextToken"] = token
            res: ApiResponse = self.call(
                "getInventorySummaries",
                lambda p=params: self.api(Inventories).get_inventory_summary_marketplace(**p),  # type: ignore[misc]
            )
            token = (res.pagination or {}).get("nextToken") or res.next_token
            yield parse.parse_inventory_page(res.payload, token)
            if not token:
                return

    # -- Finances -------------------------------------------------------------------------
    def financial_event_pages(
        self,
        posted_after: dt.datetime,
        posted_before: dt.datetime,
        page_size: int = 100,
        resume_token: str | None = None,
    ) -> Iterator[FinancesPage]:
        """listFinancialEvents pages for one window (at most 180 days); pages may be empty.

        `resume_token` continues an interrupted window from its NextToken.
        """
        if posted_before - posted_after > dt.timedelta(days=180):
            raise ValueError("listFinancialEvents windows are at most 180 days")
        token: str | None = resume_token
        while True:
            if token:
                params: dict[str, Any] = {"NextToken": token}
            else:
                params = {
                    "PostedAfter": iso(posted_after),
                    "PostedBefore": iso(posted_before),
                    "MaxResultsPerPage": page_size,
                }
            res: ApiResponse = self.call(
                "listFinancialEvents",
                lambda p=params: self.api(Finances).list_financial_events(**p),  # type: ignore[misc]
            )
            page = parse.parse_financial_events_page(res.payload)
            yield page
            token = page.next_token
            if not token:
                return

    # -- Product fees ---------------------------------------------------------------------
    def fees_estimate(self, sku: str, price: float, currency: str = "USD") -> FeeEstimate:
        """getMyFeesEstimateForSKU for FBA at `price`."""
        res: ApiResponse = self.call(
            "getMyFeesEstimateForSKU",
            lambda: self.api(ProductFees).get_product_fees_estimate_for_sku(
                sku, price, currency=currency, is_fba=True
            ),
        )
        return parse.parse_fees_estimate(res.payload, sku, price)

    # -- Reports --------------------------------------------------------------------------
    def create_report(
        self,
        report_type: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        options: dict[str, str] | None = None,
    ) -> str:
        """createReport; returns the report id."""
        body: dict[str, Any] = {
            "reportType": report_type,
            "marketplaceIds": [self.config.marketplace_id],
        }
        if start is not None:
            body["dataStartTime"] = iso(start)
        if end is not None:
            body["dataEndTime"] = iso(end)
        if options:
            body["reportOptions"] = options
        res: ApiResponse = self.call(
            "createReport", lambda: self.api(Reports).create_report(**body)
        )
        return parse.parse_create_report(res.payload)

    def get_report(self, report_id: str) -> ReportStatus:
        """getReport."""
        res: ApiResponse = self.call("getReport", lambda: self.api(Reports).get_report(report_id))
        return parse.parse_report(res.payload)

    def wait_report(self, report_id: str) -> ReportStatus:
        """Poll getReport until DONE; CANCELLED/FATAL raise PermanentError."""
        deadline = self.clock() + self.report_timeout
        delay = self.report_poll / 8
        while True:
            status = self.get_report(report_id)
            if status.status == "DONE":
                if not status.document_id:
                    raise MalformedPayload("body.reportDocumentId", "missing on a DONE report")
                return status
            if status.status in ("CANCELLED", "FATAL"):
                raise PermanentError(f"report {status.report_type} ended {status.status}")
            if self.clock() > deadline:
                raise TransientError(f"report {status.report_type} still {status.status}")
            self._sleep(delay)
            delay = min(self.report_poll, delay * 2)

    def download_report(self, document_id: str) -> str:
        """getReportDocument, then fetch and decode the document (its URL lives 5 minutes)."""
        for attempt in range(1, self.retry.attempts + 1):
            res: ApiResponse = self.call(
                "getReportDocument",
                lambda: self.api(Reports).get_report_document(document_id),
            )
            doc = parse.parse_report_document(res.payload)
            try:
                response = self.transport.request("GET", doc.url)
            except (TransientError, AuthError, PermanentError) as exc:
                # An expired URL answers 403; a fresh getReportDocument gives a new one.
                if attempt >= self.retry.attempts:
                    raise
                self._backoff("download", attempt, self.retry.delay(attempt), type(exc).__name__)
                continue
            self.calls["download"] += 1
            return decode_document(response.content, doc.compression)
        raise TransientError("report document download kept failing")  # pragma: no cover

    def fetch_report(
        self,
        report_type: str,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        options: dict[str, str] | None = None,
    ) -> str:
        """Request a report, wait for it, and return its decoded text."""
        report_id = self.create_report(report_type, start, end, options)
        status = self.wait_report(report_id)
        assert status.document_id is not None
        return self.download_report(status.document_id)
