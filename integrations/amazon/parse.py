"""Validate SP-API JSON payloads and turn them into typed results.

Every parser checks what it relies on and raises MalformedPayload naming the path of the first
bad field, so a bad page is refused whole and nothing from it is written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from integrations.amazon.errors import MalformedPayload
from integrations.amazon.results import (
    FeeEstimate,
    FeeLine,
    FinancesPage,
    InventoryPage,
    InventorySummary,
    Order,
    OrderItem,
    OrderItemsPage,
    OrdersPage,
    ReportDocument,
    ReportStatus,
)


def need(obj: Any, key: str, path: str) -> Any:
    """obj[key], or MalformedPayload when obj is not an object or the key is missing/null."""
    if not isinstance(obj, dict):
        raise MalformedPayload(path, "expected an object")
    value = obj.get(key)
    if value is None:
        raise MalformedPayload(f"{path}.{key}", "missing")
    return value


def as_str(value: Any, path: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise MalformedPayload(path, f"expected a non-empty string, got {type(value).__name__}")
    return value


def opt_str(value: Any, path: str) -> str | None:
    """A string or None."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedPayload(path, f"expected a string, got {type(value).__name__}")
    return value


def as_list(value: Any, path: str) -> list[Any]:
    """A JSON array."""
    if not isinstance(value, list):
        raise MalformedPayload(path, f"expected an array, got {type(value).__name__}")
    return value


def as_int(value: Any, path: str) -> int:
    """An integer (JSON numbers with no fraction are accepted)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise MalformedPayload(path, f"expected an integer, got {value!r}")
    return int(value)


def opt_int(obj: Any, key: str, path: str, default: int = 0) -> int:
    """An optional integer field."""
    value = obj.get(key) if isinstance(obj, dict) else None
    return default if value is None else as_int(value, f"{path}.{key}")


def as_float(value: Any, path: str) -> float:
    """A number, also accepted as a numeric string (Amazon sends Money amounts as strings)."""
    if isinstance(value, bool):
        raise MalformedPayload(path, "expected a number, got a boolean")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise MalformedPayload(path, f"expected a number, got {value!r}") from None


def as_datetime(value: Any, path: str) -> dt.datetime:
    """An ISO 8601 date-time, returned timezone-aware in UTC (no zone means UTC)."""
    if not isinstance(value, str):
        raise MalformedPayload(path, f"expected a date-time string, got {type(value).__name__}")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise MalformedPayload(path, f"not an ISO 8601 date-time: {value!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def opt_datetime(value: Any, path: str) -> dt.datetime | None:
    """An optional date-time."""
    return None if value in (None, "") else as_datetime(value, path)


def money(obj: Any, path: str) -> tuple[float | None, str | None]:
    """(amount, currency) of an Orders-API Money object, or (None, None) when absent."""
    if obj is None:
        return None, None
    if not isinstance(obj, dict):
        raise MalformedPayload(path, "expected a Money object")
    amount = obj.get("Amount")
    currency = opt_str(obj.get("CurrencyCode"), f"{path}.CurrencyCode")
    return (None if amount is None else as_float(amount, f"{path}.Amount")), currency


def parse_orders_page(payload: Any, next_token: str | None = None) -> OrdersPage:
    """getOrders payload (OrdersList)."""
    path = "payload"
    raw = as_list(need(payload, "Orders", path), f"{path}.Orders")
    orders = []
    for i, o in enumerate(raw):
        p = f"{path}.Orders[{i}]"
        orders.append(
            Order(
                amazon_order_id=as_str(need(o, "AmazonOrderId", p), f"{p}.AmazonOrderId"),
                purchase_date=as_datetime(need(o, "PurchaseDate", p), f"{p}.PurchaseDate"),
                last_update_date=as_datetime(need(o, "LastUpdateDate", p), f"{p}.LastUpdateDate"),
                status=as_str(need(o, "OrderStatus", p), f"{p}.OrderStatus"),
                fulfillment_channel=opt_str(o.get("FulfillmentChannel"), f"{p}.FulfillmentChannel"),
                marketplace_id=opt_str(o.get("MarketplaceId"), f"{p}.MarketplaceId"),
            )
        )
    token = opt_str(payload.get("NextToken"), f"{path}.NextToken") or next_token
    before = opt_datetime(payload.get("LastUpdatedBefore"), f"{path}.LastUpdatedBefore")
    return OrdersPage(orders=orders, next_token=token, last_updated_before=before)


def parse_order_items_page(payload: Any, order_id: str) -> OrderItemsPage:
    """getOrderItems payload (OrderItemsList) of one order."""
    path = "payload"
    got = as_str(need(payload, "AmazonOrderId", path), f"{path}.AmazonOrderId")
    if got != order_id:
        raise MalformedPayload(f"{path}.AmazonOrderId", f"asked for {order_id}, got {got}")
    items = []
    for i, it in enumerate(as_list(need(payload, "OrderItems", path), f"{path}.OrderItems")):
        p = f"{path}.OrderItems[{i}]"
        price, currency = money(it.get("ItemPrice"), f"{p}.ItemPrice")
        discount, _ = money(it.get("PromotionDiscount"), f"{p}.PromotionDiscount")
        items.append(
            OrderItem(
                amazon_order_id=order_id,
                order_item_id=as_str(need(it, "OrderItemId", p), f"{p}.OrderItemId"),
                sku=as_str(need(it, "SellerSKU", p), f"{p}.SellerSKU"),
                asin=as_str(need(it, "ASIN", p), f"{p}.ASIN"),
                quantity_ordered=as_int(need(it, "QuantityOrdered", p), f"{p}.QuantityOrdered"),
                quantity_shipped=opt_int(it, "QuantityShipped", p),
                title=opt_str(it.get("Title"), f"{p}.Title"),
                item_price=price,
                promotion_discount=discount,
                currency=currency,
            )
        )
    token = opt_str(payload.get("NextToken"), f"{path}.NextToken")
    return OrderItemsPage(items=items, next_token=token)


def parse_inventory_page(payload: Any, next_token: str | None) -> InventoryPage:
    """getInventorySummaries payload (GetInventorySummariesResult) with details."""
    path = "payload"
    raw = as_list(need(payload, "inventorySummaries", path), f"{path}.inventorySummaries")
    summaries = []
    for i, s in enumerate(raw):
        p = f"{path}.inventorySummaries[{i}]"
        details = need(s, "inventoryDetails", p)
        dp = f"{p}.inventoryDetails"
        reserved = details.get("reservedQuantity") or {}
        researching = details.get("researchingQuantity") or {}
        unfulfillable = details.get("unfulfillableQuantity") or {}
        summaries.append(
            InventorySummary(
                sku=as_str(need(s, "sellerSku", p), f"{p}.sellerSku"),
                asin=opt_str(s.get("asin"), f"{p}.asin"),
                fnsku=opt_str(s.get("fnSku"), f"{p}.fnSku"),
                product_name=opt_str(s.get("productName"), f"{p}.productName"),
                fulfillable=opt_int(details, "fulfillableQuantity", dp),
                inbound_working=opt_int(details, "inboundWorkingQuantity", dp),
                inbound_shipped=opt_int(details, "inboundShippedQuantity", dp),
                inbound_receiving=opt_int(details, "inboundReceivingQuantity", dp),
                reserved=opt_int(reserved, "totalReservedQuantity", f"{dp}.reservedQuantity"),
                unfulfillable=opt_int(
                    unfulfillable, "totalUnfulfillableQuantity", f"{dp}.unfulfillableQuantity"
                ),
                researching=opt_int(
                    researching, "totalResearchingQuantity", f"{dp}.researchingQuantity"
                ),
                total=opt_int(s, "totalQuantity", p),
                last_updated=opt_datetime(s.get("lastUpdatedTime"), f"{p}.lastUpdatedTime"),
            )
        )
    return InventoryPage(summaries=summaries, next_token=next_token)


_FEE_LISTS = (
    ("ShipmentEventList", "ShipmentItemList", (("ItemFeeList", "fee", "FeeType", "FeeAmount"),)),
    (
        "RefundEventList",
        "ShipmentItemAdjustmentList",
        (
            ("ItemChargeAdjustmentList", "refund", "ChargeType", "ChargeAmount"),
            ("ItemFeeAdjustmentList", "refund_fee", "FeeType", "FeeAmount"),
        ),
    ),
)


def parse_financial_events_page(payload: Any) -> FinancesPage:
    """listFinancialEvents payload: fees and refunds per order line.

    A backfill reads thousands of these pages: a well-formed page is read by a fast path that
    only checks types; anything it does not accept is read again by the strict parser, which
    gives the same lines or names the offending field.
    """
    if isinstance(payload, dict) and isinstance(payload.get("FinancialEvents") or {}, dict):
        lines = _fee_lines_fast(payload.get("FinancialEvents") or {})
        token = payload.get("NextToken")
        if lines is not None and (token is None or isinstance(token, str)):
            return FinancesPage(lines=lines, next_token=token)
    return _parse_financial_events_strict(payload)


def _fee_lines_fast(events: dict[str, Any]) -> list[FeeLine] | None:
    """The page's fee lines (occurrences numbered), or None when anything is not as Amazon
    documents it (the strict parser then says what)."""
    lines: list[FeeLine] = []
    seen: dict[tuple[Any, ...], int] = {}
    for list_name, items_name, fee_lists in _FEE_LISTS:
        evs = events.get(list_name) or []
        if type(evs) is not list:
            return None
        for ev in evs:
            if type(ev) is not dict:
                return None
            order_id = ev.get("AmazonOrderId")
            posted_text = ev.get("PostedDate")
            items = ev.get(items_name) or []
            channel = ev.get("MarketplaceName")
            if (order_id is not None and type(order_id) is not str) or type(
                posted_text
            ) is not str or type(items) is not list:
                return None
            if channel is not None and type(channel) is not str:
                return None
            try:
                posted = as_datetime(posted_text, "")
            except MalformedPayload:
                return None
            for item in items:
                if type(item) is not dict:
                    return None
                sku = item.get("SellerSKU")
                item_id = item.get("OrderItemId") or item.get("OrderAdjustmentItemId")
                if (sku is not None and type(sku) is not str) or (
                    item_id is not None and type(item_id) is not str
                ):
                    return None
                for fee_list, kind, type_key, amount_key in fee_lists:
                    fees = item.get(fee_list) or []
                    if type(fees) is not list:
                        return None
                    for fee in fees:
                        if type(fee) is not dict:
                            return None
                        fee_type = fee.get(type_key)
                        amount = fee.get(amount_key)
                        if type(fee_type) is not str or not fee_type or type(amount) is not dict:
                            return None
                        value = amount.get("CurrencyAmount")
                        currency = amount.get("CurrencyCode")
                        if value is None or type(value) is bool or (
                            currency is not None and type(currency) is not str
                        ):
                            return None
                        try:
                            number = float(value)
                        except (TypeError, ValueError):
                            return None
                        ident = (kind, order_id, item_id, fee_type, posted)
                        occurrence = seen.get(ident, 0)
                        seen[ident] = occurrence + 1
                        lines.append(
                            FeeLine(
                                kind=kind,
                                amazon_order_id=order_id,
                                order_item_id=item_id,
                                sku=sku,
                                fee_type=fee_type,
                                amount=number,
                                currency=currency or "USD",
                                posted_date=posted,
                                occurrence=occurrence,
                                marketplace_name=channel,
                            )
                        )
    return lines


def _parse_financial_events_strict(payload: Any) -> FinancesPage:
    """listFinancialEvents payload, every field checked with its path in the error."""
    path = "payload"
    if not isinstance(payload, dict):
        raise MalformedPayload(path, "expected an object")
    events = payload.get("FinancialEvents") or {}
    if not isinstance(events, dict):
        raise MalformedPayload(f"{path}.FinancialEvents", "expected an object")
    lines: list[FeeLine] = []
    for list_name, items_name, fee_lists in _FEE_LISTS:
        lp = f"{path}.FinancialEvents.{list_name}"
        for i, ev in enumerate(as_list(events.get(list_name) or [], lp)):
            ep = f"{lp}[{i}]"
            order_id = opt_str(ev.get("AmazonOrderId"), f"{ep}.AmazonOrderId")
            posted = as_datetime(need(ev, "PostedDate", ep), f"{ep}.PostedDate")
            channel = opt_str(ev.get("MarketplaceName"), f"{ep}.MarketplaceName")
            for j, item in enumerate(as_list(ev.get(items_name) or [], f"{ep}.{items_name}")):
                ip = f"{ep}.{items_name}[{j}]"
                sku = opt_str(item.get("SellerSKU"), f"{ip}.SellerSKU")
                item_id = opt_str(
                    item.get("OrderItemId") or item.get("OrderAdjustmentItemId"),
                    f"{ip}.OrderItemId",
                )
                for fee_list, kind, type_key, amount_key in fee_lists:
                    fp = f"{ip}.{fee_list}"
                    for k, fee in enumerate(as_list(item.get(fee_list) or [], fp)):
                        cp = f"{fp}[{k}]"
                        amount = need(fee, amount_key, cp)
                        lines.append(
                            FeeLine(
                                kind=kind,
                                amazon_order_id=order_id,
                                order_item_id=item_id,
                                sku=sku,
                                fee_type=as_str(need(fee, type_key, cp), f"{cp}.{type_key}"),
                                amount=as_float(
                                    need(amount, "CurrencyAmount", f"{cp}.{amount_key}"),
                                    f"{cp}.{amount_key}.CurrencyAmount",
                                ),
                                currency=opt_str(
                                    amount.get("CurrencyCode"), f"{cp}.{amount_key}.CurrencyCode"
                                )
                                or "USD",
                                posted_date=posted,
                                marketplace_name=channel,
                            )
                        )
    token = opt_str(payload.get("NextToken"), f"{path}.NextToken")
    return FinancesPage(lines=_number_duplicates(lines), next_token=token)


def _number_duplicates(lines: list[FeeLine]) -> list[FeeLine]:
    """Give repeated identical identities an occurrence number so their keys stay distinct."""
    seen: Counter[tuple[Any, ...]] = Counter()
    out = []
    for line in lines:
        ident = (
            line.kind,
            line.amazon_order_id,
            line.order_item_id,
            line.fee_type,
            line.posted_date,
        )
        out.append(FeeLine(**{**line.__dict__, "occurrence": seen[ident]}))
        seen[ident] += 1
    return out


def parse_fees_estimate(payload: Any, sku: str, price: float) -> FeeEstimate:
    """getMyFeesEstimateForSKU payload; an estimate with Status other than Success is refused."""
    path = "payload.FeesEstimateResult"
    result = need(payload, "FeesEstimateResult", "payload")
    status = opt_str(result.get("Status"), f"{path}.Status")
    if status != "Success":
        error = result.get("Error") or {}
        raise MalformedPayload(f"{path}.Status", f"{status}: {error.get('Code', '')}")
    estimate = need(result, "FeesEstimate", path)
    ep = f"{path}.FeesEstimate"
    total_obj = estimate.get("TotalFeesEstimate")
    total = None
    currency = "USD"
    if total_obj is not None:
        total = as_float(need(total_obj, "Amount", f"{ep}.TotalFeesEstimate"), f"{ep}.Amount")
        currency = opt_str(total_obj.get("CurrencyCode"), f"{ep}.CurrencyCode") or currency
    detail: dict[str, float] = {}
    for i, fee in enumerate(as_list(estimate.get("FeeDetailList") or [], f"{ep}.FeeDetailList")):
        fp = f"{ep}.FeeDetailList[{i}]"
        fee_type = as_str(need(fee, "FeeType", fp), f"{fp}.FeeType")
        final = need(fee, "FinalFee", fp)
        detail[fee_type] = as_float(
            need(final, "Amount", f"{fp}.FinalFee"), f"{fp}.FinalFee.Amount"
        )
    fulfillment = detail.get("FBAFees", detail.get("FBAPerUnitFulfillmentFee"))
    return FeeEstimate(
        sku=sku,
        price=price,
        currency=currency,
        total_fees=total,
        fulfillment_fee=fulfillment,
        referral_fee=detail.get("ReferralFee"),
        detail=detail,
    )


def parse_create_report(payload: Any) -> str:
    """createReport body: the report id."""
    return as_str(need(payload, "reportId", "body"), "body.reportId")


def parse_report(payload: Any) -> ReportStatus:
    """getReport body."""
    p = "body"
    return ReportStatus(
        report_id=as_str(need(payload, "reportId", p), f"{p}.reportId"),
        report_type=as_str(need(payload, "reportType", p), f"{p}.reportType"),
        status=as_str(need(payload, "processingStatus", p), f"{p}.processingStatus"),
        document_id=opt_str(payload.get("reportDocumentId"), f"{p}.reportDocumentId"),
        created_time=as_datetime(need(payload, "createdTime", p), f"{p}.createdTime"),
        data_start=opt_datetime(payload.get("dataStartTime"), f"{p}.dataStartTime"),
        data_end=opt_datetime(payload.get("dataEndTime"), f"{p}.dataEndTime"),
        marketplace_ids=tuple(
            as_str(m, f"{p}.marketplaceIds[{i}]")
            for i, m in enumerate(
                as_list(payload.get("marketplaceIds") or [], f"{p}.marketplaceIds")
            )
        ),
    )


def parse_report_document(payload: Any) -> ReportDocument:
    """getReportDocument body."""
    p = "body"
    return ReportDocument(
        document_id=as_str(need(payload, "reportDocumentId", p), f"{p}.reportDocumentId"),
        url=as_str(need(payload, "url", p), f"{p}.url"),
        compression=opt_str(payload.get("compressionAlgorithm"), f"{p}.compressionAlgorithm"),
    )
