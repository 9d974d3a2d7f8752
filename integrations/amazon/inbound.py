"""Fulfillment Inbound reads for SpApiClient: shipments, their items, plans and Amazon's dates.

Two APIs describe the same shipments:
- v0 (`FulfillmentInboundV0`) lists every shipment with its status and, per SKU, the units
  shipped and received. It has no arrival date.
- 2024-03-20 (`FulfillmentInboundV20240320`, Send to Amazon) groups shipments in plans; a
  shipment's `selectedDeliveryWindow` is Amazon's own delivery date. Its
  `shipmentConfirmationId` is the v0 ShipmentId. Shipments made outside Send to Amazon, or
  without a chosen window, have no Amazon date.

A sync lists v0 shipments (all, or the open ones), reads each one's items, and joins
`plan_shipments()` on `PlanShipment.confirmation_id == InboundShipment.shipment_id` for dates.
Every call is paced and retried by `SpApiClient.call`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sp_api.api import FulfillmentInboundV0, FulfillmentInboundV20240320
from sp_api.base import ApiResponse

from integrations.amazon import parse_inbound
from integrations.amazon.results import (
    INBOUND_STATUSES,
    InboundPlan,
    InboundPlansPage,
    InboundShipment,
    InboundShipmentItem,
    InboundShipmentItemsPage,
    InboundShipmentsPage,
    PlanShipment,
    PlanShipmentItem,
)

if TYPE_CHECKING:
    from integrations.amazon.client import SellerConfig

T = TypeVar("T")
ISO = "%Y-%m-%dT%H:%M:%SZ"


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime(ISO)


class InboundApi:
    """The Fulfillment Inbound operations of SpApiClient (mixed in; needs `call` and `api`)."""

    config: SellerConfig

    if TYPE_CHECKING:

        def call(self, operation: str, fn: Callable[[], T]) -> T: ...

        def api(self, cls: type) -> Any: ...

        def server_now(self) -> dt.datetime: ...

    # -- v0 -------------------------------------------------------------------------------
    def inbound_shipment_pages(
        self,
        statuses: Sequence[str] | None = None,
        *,
        shipment_ids: Sequence[str] | None = None,
        updated_after: dt.datetime | None = None,
        updated_before: dt.datetime | None = None,
    ) -> Iterator[InboundShipmentsPage]:
        """getShipments pages: by status and/or id, or (with dates) by last update.

        With `updated_after` (and `updated_before`, default the server's clock as its Date
        headers tell, so pass it before the client's first call) the query is DATE_RANGE;
        otherwise SHIPMENT, with `statuses` defaulting to every v0 status.
        Pages are followed with QueryType=NEXT_TOKEN.
        """
        params: dict[str, Any] = {"MarketplaceId": self.config.marketplace_id}
        if updated_after is not None:
            before = updated_before or self.server_now()
            params["QueryType"] = "DATE_RANGE"
            params["LastUpdatedAfter"] = _iso(updated_after)
            params["LastUpdatedBefore"] = _iso(max(before, updated_after))
            if statuses:
                params["ShipmentStatusList"] = ",".join(statuses)
        else:
            params["QueryType"] = "SHIPMENT"
            if shipment_ids:
                params["ShipmentIdList"] = ",".join(shipment_ids)
            if statuses or not shipment_ids:
                params["ShipmentStatusList"] = ",".join(statuses or INBOUND_STATUSES)
        while True:
            res: ApiResponse = self.call(
                "getShipments",
                lambda p=params: self.api(FulfillmentInboundV0).get_shipments(**p),  # type: ignore[misc]
            )
            page = parse_inbound.parse_shipments_page(res.payload)
            yield page
            if not page.next_token:
                return
            params = {
                "MarketplaceId": self.config.marketplace_id,
                "QueryType": "NEXT_TOKEN",
                "NextToken": page.next_token,
            }

    def inbound_shipments(
        self,
        statuses: Sequence[str] | None = None,
        *,
        shipment_ids: Sequence[str] | None = None,
        updated_after: dt.datetime | None = None,
        updated_before: dt.datetime | None = None,
    ) -> list[InboundShipment]:
        """Every shipment `inbound_shipment_pages` yields, in the order Amazon lists them."""
        out: list[InboundShipment] = []
        for page in self.inbound_shipment_pages(
            statuses,
            shipment_ids=shipment_ids,
            updated_after=updated_after,
            updated_before=updated_before,
        ):
            out.extend(page.shipments)
        return out

    def inbound_shipment_items(self, shipment_id: str) -> list[InboundShipmentItem]:
        """getShipmentItemsByShipmentId: the SKUs of one shipment, shipped and received units."""
        res: ApiResponse = self.call(
            "getShipmentItemsByShipmentId",
            lambda: self.api(FulfillmentInboundV0).shipment_items_by_shipment(shipment_id),
        )
        page = parse_inbound.parse_shipment_items_page(res.payload, shipment_id)
        items = list(page.items)
        for more in self._item_pages_from(page.next_token):
            items.extend(i for i in more.items if i.shipment_id == shipment_id)
        return items

    def inbound_item_pages(
        self, updated_after: dt.datetime, updated_before: dt.datetime | None = None
    ) -> Iterator[InboundShipmentItemsPage]:
        """getShipmentItems (DATE_RANGE) pages: items of shipments updated in the range."""
        before = updated_before or self.server_now()
        params = {
            "MarketplaceId": self.config.marketplace_id,
            "QueryType": "DATE_RANGE",
            "LastUpdatedAfter": _iso(updated_after),
            "LastUpdatedBefore": _iso(max(before, updated_after)),
        }
        res: ApiResponse = self.call(
            "getShipmentItems",
            lambda: self.api(FulfillmentInboundV0).shipment_items(**params),
        )
        page = parse_inbound.parse_shipment_items_page(res.payload)
        yield page
        yield from self._item_pages_from(page.next_token)

    def _item_pages_from(self, token: str | None) -> Iterator[InboundShipmentItemsPage]:
        while token:
            params = {
                "MarketplaceId": self.config.marketplace_id,
                "QueryType": "NEXT_TOKEN",
                "NextToken": token,
            }
            res: ApiResponse = self.call(
                "getShipmentItems",
                lambda p=params: self.api(FulfillmentInboundV0).shipment_items(**p),  # type: ignore[misc]
            )
            page = parse_inbound.parse_shipment_items_page(res.payload)
            yield page
            token = page.next_token

    # -- 2024-03-20 -----------------------------------------------------------------------
    def inbound_plan_pages(
        self,
        status: str | None = None,
        sort_by: str = "LAST_UPDATED_TIME",
        sort_order: str = "DESC",
        page_size: int = 30,
    ) -> Iterator[InboundPlansPage]:
        """listInboundPlans pages (status ACTIVE/SHIPPED/VOIDED to filter)."""
        token: str | None = None
        while True:
            params: dict[str, Any] = {
                "pageSize": page_size,
                "sortBy": sort_by,
                "sortOrder": sort_order,
            }
            if status:
                params["status"] = status
            if token:
                params["paginationToken"] = token
            res: ApiResponse = self.call(
                "listInboundPlans",
                lambda p=params: self.api(FulfillmentInboundV20240320).list_inbound_plans(**p),  # type: ignore[misc]
            )
            page = parse_inbound.parse_plans_page(res.payload, res.pagination)
            yield page
            token = page.next_token
            if not token:
                return

    def inbound_plan(self, plan_id: str) -> InboundPlan:
        """getInboundPlan: the plan and its shipments' 2024-03-20 ids and statuses."""
        res: ApiResponse = self.call(
            "getInboundPlan",
            lambda: self.api(FulfillmentInboundV20240320).get_inbound_plan(plan_id),
        )
        return parse_inbound.parse_plan(res.payload)

    def plan_shipment(self, plan_id: str, shipment_id: str) -> PlanShipment:
        """getShipment: one shipment with its v0 id and Amazon's delivery window, if any."""
        res: ApiResponse = self.call(
            "getShipment",
            lambda: self.api(FulfillmentInboundV20240320).get_shipment(plan_id, shipment_id),
        )
        return parse_inbound.parse_plan_shipment(res.payload, plan_id)

    def plan_shipment_items(
        self, plan_id: str, shipment_id: str, page_size: int = 1000
    ) -> list[PlanShipmentItem]:
        """listShipmentItems, every page: the planned units of one shipment per MSKU."""
        items: list[PlanShipmentItem] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"pageSize": page_size}
            if token:
                params["paginationToken"] = token
            res: ApiResponse = self.call(
                "listShipmentItems",
                lambda p=params: self.api(FulfillmentInboundV20240320).list_shipment_items(  # type: ignore[misc]
                    plan_id, shipment_id, **p
                ),
            )
            page, token = parse_inbound.parse_plan_shipment_items(res.payload, res.pagination)
            items.extend(page)
            if not token:
                return items

    def plan_shipments(
        self, updated_after: dt.datetime | None = None, skip_statuses: Sequence[str] = ()
    ) -> Iterator[PlanShipment]:
        """getShipment for every shipment of every plan updated at or after `updated_after`.

        Plans are walked newest update first and the walk stops at the first older one, so a
        sync that remembers its last run reads only what changed. Shipments whose plan-level
        status is in `skip_statuses` (e.g. CLOSED, CANCELLED) are not fetched.
        """
        for page in self.inbound_plan_pages():
            for summary in page.plans:
                if updated_after is not None and summary.last_updated_at < updated_after:
                    return
                plan = self.inbound_plan(summary.plan_id)
                for ref in plan.shipments:
                    if ref.status in skip_statuses:
                        continue
                    yield self.plan_shipment(summary.plan_id, ref.shipment_id)
