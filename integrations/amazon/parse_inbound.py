"""Validate Fulfillment Inbound payloads (v0 and 2024-03-20) and turn them into typed results.

Like `parse`, each parser checks what it relies on and raises MalformedPayload naming the
path of the first bad field, so a bad page is refused whole.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from integrations.amazon.errors import MalformedPayload
from integrations.amazon.parse import (
    as_datetime,
    as_int,
    as_list,
    as_str,
    need,
    opt_int,
    opt_str,
)
from integrations.amazon.results import (
    InboundPlan,
    InboundPlansPage,
    InboundPlanSummary,
    InboundShipment,
    InboundShipmentItem,
    InboundShipmentItemsPage,
    InboundShipmentsPage,
    PlanShipment,
    PlanShipmentItem,
    PlanShipmentRef,
)


def _opt_date(value: Any, path: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise MalformedPayload(path, f"expected a date string, got {type(value).__name__}")
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        raise MalformedPayload(path, f"not an ISO 8601 date: {value!r}") from None


def _list(body: dict[str, Any], key: str, path: str) -> list[Any]:
    """An optional array member: absent or null is empty, anything else must be an array."""
    value = body.get(key)
    return [] if value is None else as_list(value, f"{path}.{key}")


def _obj(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedPayload(path, "expected an object")
    return value


def parse_shipments_page(payload: Any) -> InboundShipmentsPage:
    """getShipments payload (GetShipmentsResult)."""
    path = "payload"
    body = _obj(payload, path)
    shipments = []
    for i, s in enumerate(_list(body, "ShipmentData", path)):
        p = f"{path}.ShipmentData[{i}]"
        cases = s.get("AreCasesRequired") if isinstance(s, dict) else None
        if cases is not None and not isinstance(cases, bool):
            raise MalformedPayload(f"{p}.AreCasesRequired", "expected a boolean")
        shipments.append(
            InboundShipment(
                shipment_id=as_str(need(s, "ShipmentId", p), f"{p}.ShipmentId"),
                status=as_str(need(s, "ShipmentStatus", p), f"{p}.ShipmentStatus"),
                name=opt_str(s.get("ShipmentName"), f"{p}.ShipmentName"),
                destination_fc=opt_str(
                    s.get("DestinationFulfillmentCenterId"), f"{p}.DestinationFulfillmentCenterId"
                ),
                label_prep_type=opt_str(s.get("LabelPrepType"), f"{p}.LabelPrepType"),
                are_cases_required=bool(cases),
                box_contents_source=opt_str(s.get("BoxContentsSource"), f"{p}.BoxContentsSource"),
                confirmed_need_by=_opt_date(
                    s.get("ConfirmedNeedByDate"), f"{p}.ConfirmedNeedByDate"
                ),
            )
        )
    token = opt_str(body.get("NextToken"), f"{path}.NextToken") or None
    return InboundShipmentsPage(shipments=shipments, next_token=token)


def parse_shipment_items_page(
    payload: Any, shipment_id: str | None = None
) -> InboundShipmentItemsPage:
    """getShipmentItems / getShipmentItemsByShipmentId payload (GetShipmentItemsResult).

    With `shipment_id`, items naming another shipment are refused; items without a ShipmentId
    (it is optional in the model) take it.
    """
    path = "payload"
    body = _obj(payload, path)
    items = []
    for i, it in enumerate(_list(body, "ItemData", path)):
        p = f"{path}.ItemData[{i}]"
        sid = opt_str(it.get("ShipmentId") if isinstance(it, dict) else None, f"{p}.ShipmentId")
        if shipment_id is not None and sid not in (None, shipment_id):
            raise MalformedPayload(f"{p}.ShipmentId", f"asked for {shipment_id}, got {sid}")
        sid = sid or shipment_id
        if not sid:
            raise MalformedPayload(f"{p}.ShipmentId", "missing")
        in_case = it.get("QuantityInCase")
        items.append(
            InboundShipmentItem(
                shipment_id=sid,
                sku=as_str(need(it, "SellerSKU", p), f"{p}.SellerSKU"),
                fnsku=opt_str(it.get("FulfillmentNetworkSKU"), f"{p}.FulfillmentNetworkSKU"),
                quantity_shipped=as_int(need(it, "QuantityShipped", p), f"{p}.QuantityShipped"),
                quantity_received=opt_int(it, "QuantityReceived", p),
                quantity_in_case=None
                if in_case is None
                else as_int(in_case, f"{p}.QuantityInCase"),
            )
        )
    token = opt_str(body.get("NextToken"), f"{path}.NextToken") or None
    return InboundShipmentItemsPage(items=items, next_token=token)


def parse_plan_summary(obj: Any, path: str) -> InboundPlanSummary:
    """InboundPlanSummary (also the top of an InboundPlan)."""
    obj = _obj(obj, path)
    ids = _list(obj, "marketplaceIds", path)
    return InboundPlanSummary(
        plan_id=as_str(need(obj, "inboundPlanId", path), f"{path}.inboundPlanId"),
        name=opt_str(obj.get("name"), f"{path}.name") or "",
        status=as_str(need(obj, "status", path), f"{path}.status"),
        created_at=as_datetime(need(obj, "createdAt", path), f"{path}.createdAt"),
        last_updated_at=as_datetime(need(obj, "lastUpdatedAt", path), f"{path}.lastUpdatedAt"),
        marketplace_ids=tuple(as_str(x, f"{path}.marketplaceIds[{i}]") for i, x in enumerate(ids)),
    )


def _next_token(body: dict[str, Any], pagination: Any) -> str | None:
    pag = pagination if pagination is not None else body.get("pagination")
    return (
        opt_str(_obj(pag, "body.pagination").get("nextToken"), "body.pagination.nextToken") or None
    )


def parse_plans_page(body: Any, pagination: Any = None) -> InboundPlansPage:
    """listInboundPlans body (sp_api hands `pagination` over separately)."""
    b = _obj(body, "body")
    raw = _list(b, "inboundPlans", "body")
    plans = [parse_plan_summary(p, f"body.inboundPlans[{i}]") for i, p in enumerate(raw)]
    return InboundPlansPage(plans=plans, next_token=_next_token(b, pagination))


def parse_plan(body: Any) -> InboundPlan:
    """getInboundPlan body."""
    b = _obj(body, "body")
    refs = []
    for i, s in enumerate(_list(b, "shipments", "body")):
        p = f"body.shipments[{i}]"
        refs.append(
            PlanShipmentRef(
                shipment_id=as_str(need(s, "shipmentId", p), f"{p}.shipmentId"),
                status=as_str(need(s, "status", p), f"{p}.status"),
            )
        )
    return InboundPlan(summary=parse_plan_summary(b, "body"), shipments=tuple(refs))


def _window(obj: Any, start: str, end: str, path: str) -> tuple[dt.datetime | None, ...]:
    w = _obj(obj, path)
    if not w:
        return None, None
    return (
        as_datetime(need(w, start, path), f"{path}.{start}"),
        as_datetime(need(w, end, path), f"{path}.{end}"),
    )


def parse_plan_shipment(body: Any, plan_id: str) -> PlanShipment:
    """getShipment body: status, destination, ship window and selected delivery window."""
    b = _obj(body, "body")
    dates = _obj(b.get("dates"), "body.dates")
    ready = _window(dates.get("readyToShipWindow"), "start", "end", "body.dates.readyToShipWindow")
    delivery = _window(
        b.get("selectedDeliveryWindow"), "startDate", "endDate", "body.selectedDeliveryWindow"
    )
    destination = _obj(b.get("destination"), "body.destination")
    return PlanShipment(
        plan_id=plan_id,
        shipment_id=as_str(need(b, "shipmentId", "body"), "body.shipmentId"),
        confirmation_id=opt_str(b.get("shipmentConfirmationId"), "body.shipmentConfirmationId"),
        status=opt_str(b.get("status"), "body.status"),
        name=opt_str(b.get("name"), "body.name"),
        warehouse_id=opt_str(destination.get("warehouseId"), "body.destination.warehouseId"),
        ready_to_ship_start=ready[0],
        ready_to_ship_end=ready[1],
        delivery_window_start=delivery[0],
        delivery_window_end=delivery[1],
    )


def parse_plan_shipment_items(
    body: Any, pagination: Any = None
) -> tuple[list[PlanShipmentItem], str | None]:
    """listShipmentItems (or listInboundPlanItems) body: items and the next page token."""
    b = _obj(body, "body")
    items = []
    for i, it in enumerate(as_list(need(b, "items", "body"), "body.items")):
        p = f"body.items[{i}]"
        items.append(
            PlanShipmentItem(
                msku=as_str(need(it, "msku", p), f"{p}.msku"),
                asin=opt_str(it.get("asin"), f"{p}.asin"),
                fnsku=opt_str(it.get("fnsku"), f"{p}.fnsku"),
                quantity=as_int(need(it, "quantity", p), f"{p}.quantity"),
            )
        )
    return items, _next_token(b, pagination)


__all__ = [
    "parse_plan",
    "parse_plan_shipment",
    "parse_plan_shipment_items",
    "parse_plans_page",
    "parse_shipment_items_page",
    "parse_shipments_page",
]
