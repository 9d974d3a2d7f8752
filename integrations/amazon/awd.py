"""Amazon Warehousing and Distribution (AWD 2024-05-09) reads for SpApiClient.

python-amazon-sp-api's `AmazonWarehousingAndDistribution` class (2024-05-09) sends the calls;
every call is paced and retried by `SpApiClient.call`, and answers are parsed by `parse_awd`.
- `awd_inventory()`: listInventory with details=SHOW, every page (per SKU: on hand, available,
  reserved, in transit to FBA, inbound);
- `awd_shipments()`: listInboundShipments, every page, optionally updated since a time;
- `awd_shipment(id)`: getInboundShipment with skuQuantities=SHOW (units per SKU).
A seller AWD does not serve answers 404: PermanentError with `status == 404`
(`is_not_enrolled` tells it apart from other refusals).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from sp_api.api import AmazonWarehousingAndDistribution
from sp_api.base import ApiResponse

from integrations.amazon import parse_awd
from integrations.amazon.errors import MalformedPayload, PermanentError
from integrations.amazon.results import (
    AwdInventory,
    AwdInventoryPage,
    AwdShipment,
    AwdShipmentsPage,
    AwdShipmentSummary,
)

if TYPE_CHECKING:
    from integrations.amazon.client import SellerConfig

T = TypeVar("T")
ISO = "%Y-%m-%dT%H:%M:%SZ"
PAGE_SIZE = 200  # the model's maximum for both list operations


def is_not_enrolled(exc: BaseException) -> bool:
    """Whether an error says the seller has no AWD here (404 from the AWD API)."""
    return isinstance(exc, PermanentError) and exc.status == 404


class AwdApi:
    """The AWD operations of SpApiClient (mixed in; needs `call` and `api`)."""

    config: SellerConfig

    if TYPE_CHECKING:

        def call(self, operation: str, fn: Callable[[], T]) -> T: ...

        def api(self, cls: type) -> Any: ...

    def _awd(self) -> Any:
        return self.api(AmazonWarehousingAndDistribution)

    def awd_inventory_pages(self, page_size: int = PAGE_SIZE) -> Iterator[AwdInventoryPage]:
        """listInventory pages with details=SHOW (pages may be empty and carry a token)."""
        token: str | None = None
        while True:
            params: dict[str, Any] = {"details": "SHOW", "maxResults": page_size}
            if token:
                params["nextToken"] = token
            res: ApiResponse = self.call(
                "listInventory",
                lambda p=params: self._awd().list_inventory(**p),  # type: ignore[misc]
            )
            page = parse_awd.parse_inventory_page(res.payload, res.next_token)
            yield page
            if not page.next_token or page.next_token == token:
                return
            token = page.next_token

    def awd_inventory(self) -> list[AwdInventory]:
        """Every SKU AWD lists for the seller."""
        return [item for page in self.awd_inventory_pages() for item in page.items]

    def awd_shipment_pages(
        self,
        updated_after: dt.datetime | None = None,
        status: str | None = None,
        sort_by: str = "UPDATED_AT",
        sort_order: str = "ASCENDING",
        page_size: int = PAGE_SIZE,
    ) -> Iterator[AwdShipmentsPage]:
        """listInboundShipments pages: all, or those updated at or after `updated_after`."""
        base: dict[str, Any] = {
            "sortBy": sort_by,
            "sortOrder": sort_order,
            "maxResults": page_size,
        }
        if updated_after is not None:
            base["updatedAfter"] = updated_after.astimezone(dt.UTC).strftime(ISO)
        if status:
            base["shipmentStatus"] = status
        token: str | None = None
        while True:
            # "include the same arguments as the call that produced the token"
            params = {**base, "nextToken": token} if token else dict(base)
            res: ApiResponse = self.call(
                "listInboundShipments",
                lambda p=params: self._awd().list_inbound_shipments(**p),  # type: ignore[misc]
            )
            page = parse_awd.parse_shipments_page(res.payload, res.next_token)
            yield page
            if not page.next_token or page.next_token == token:
                return
            token = page.next_token

    def awd_shipments(
        self, updated_after: dt.datetime | None = None, status: str | None = None
    ) -> list[AwdShipmentSummary]:
        """Every shipment `awd_shipment_pages` yields, oldest update first."""
        pages = self.awd_shipment_pages(updated_after, status)
        return [s for page in pages for s in page.shipments]

    def awd_shipment(self, shipment_id: str) -> AwdShipment:
        """getInboundShipment with SKU quantities (in product units)."""
        res: ApiResponse = self.call(
            "getInboundShipment",
            lambda: self._awd().get_inbound_shipment(shipment_id, skuQuantities="SHOW"),
        )
        shipment = parse_awd.parse_shipment(res.payload)
        if shipment.shipment_id != shipment_id:
            raise MalformedPayload(
                "body.shipmentId", f"asked for {shipment_id}, got {shipment.shipment_id}"
            )
        return shipment
