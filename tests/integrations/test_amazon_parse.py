"""Parsing checked against Amazon's official models: payloads that fit the model parse into
typed results; a payload missing what we rely on is refused, naming the field."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from integrations.amazon import parse
from integrations.amazon.errors import MalformedPayload

ORDERS = {
    "payload": {
        "Orders": [
            {
                "AmazonOrderId": "902-3159896-1390916",
                "PurchaseDate": "2026-11-19T10:00:00Z",
                "LastUpdateDate": "2026-11-19T12:00:00Z",
                "OrderStatus": "Shipped",
                "FulfillmentChannel": "AFN",
                "MarketplaceId": "ATVPDKIKX0DER",
            },
            {
                "AmazonOrderId": "902-3159896-1390917",
                "PurchaseDate": "2026-11-19T11:00:00Z",
                "LastUpdateDate": "2026-11-19T11:30:00Z",
                "OrderStatus": "Canceled",
            },
        ],
        "NextToken": "abc",
        "LastUpdatedBefore": "2026-11-20T00:03:00Z",
    }
}
ITEMS = {
    "payload": {
        "AmazonOrderId": "902-3159896-1390916",
        "OrderItems": [
            {
                "ASIN": "B00TEST001",
                "SellerSKU": "SKU-1",
                "OrderItemId": "68828574383266",
                "QuantityOrdered": 2,
                "QuantityShipped": 2,
                "Title": "A thing",
                "ItemPrice": {"CurrencyCode": "USD", "Amount": "25.98"},
                "PromotionDiscount": {"CurrencyCode": "USD", "Amount": "0.00"},
            }
        ],
    }
}
INVENTORY = {
    "payload": {
        "granularity": {"granularityType": "Marketplace", "granularityId": "ATVPDKIKX0DER"},
        "inventorySummaries": [
            {
                "asin": "B00TEST001",
                "fnSku": "X00TEST001",
                "sellerSku": "SKU-1",
                "condition": "NewItem",
                "inventoryDetails": {
                    "fulfillableQuantity": 12,
                    "inboundWorkingQuantity": 1,
                    "inboundShippedQuantity": 2,
                    "inboundReceivingQuantity": 3,
                    "reservedQuantity": {"totalReservedQuantity": 4},
                    "researchingQuantity": {"totalResearchingQuantity": 0},
                    "unfulfillableQuantity": {"totalUnfulfillableQuantity": 5},
                },
                "lastUpdatedTime": "2026-11-19T10:00:00Z",
                "productName": "A thing",
                "totalQuantity": 27,
            }
        ],
    },
    "pagination": {"nextToken": "next"},
}


def _fee(kind: str, amount: float) -> dict:
    return {"FeeType": kind, "FeeAmount": {"CurrencyCode": "USD", "CurrencyAmount": amount}}


FINANCES = {
    "payload": {
        "NextToken": "more",
        "FinancialEvents": {
            "ShipmentEventList": [
                {
                    "AmazonOrderId": "902-3159896-1390916",
                    "PostedDate": "2026-11-19T14:00:00Z",
                    "ShipmentItemList": [
                        {
                            "SellerSKU": "SKU-1",
                            "OrderItemId": "68828574383266",
                            "QuantityShipped": 2,
                            "ItemFeeList": [
                                _fee("FBAPerUnitFulfillmentFee", -7.12),
                                _fee("Commission", -3.90),
                            ],
                        }
                    ],
                }
            ],
            "RefundEventList": [
                {
                    "AmazonOrderId": "902-3159896-1390916",
                    "PostedDate": "2026-11-25T09:00:00Z",
                    "ShipmentItemAdjustmentList": [
                        {
                            "SellerSKU": "SKU-1",
                            "OrderAdjustmentItemId": "adj-1",
                            "ItemChargeAdjustmentList": [
                                {
                                    "ChargeType": "Principal",
                                    "ChargeAmount": {
                                        "CurrencyCode": "USD",
                                        "CurrencyAmount": -12.99,
                                    },
                                }
                            ],
                            "ItemFeeAdjustmentList": [_fee("Commission", 1.95)],
                        }
                    ],
                }
            ],
        },
    }
}
FEES_ESTIMATE = {
    "payload": {
        "FeesEstimateResult": {
            "Status": "Success",
            "FeesEstimateIdentifier": {"IdType": "SellerSKU", "IdValue": "SKU-1"},
            "FeesEstimate": {
                "TimeOfFeesEstimation": "2026-11-19T10:00:00Z",
                "TotalFeesEstimate": {"CurrencyCode": "USD", "Amount": 11.02},
                "FeeDetailList": [
                    {
                        "FeeType": "ReferralFee",
                        "FeeAmount": {"CurrencyCode": "USD", "Amount": 3.90},
                        "FinalFee": {"CurrencyCode": "USD", "Amount": 3.90},
                    },
                    {
                        "FeeType": "FBAFees",
                        "FeeAmount": {"CurrencyCode": "USD", "Amount": 7.12},
                        "FinalFee": {"CurrencyCode": "USD", "Amount": 7.12},
                    },
                ],
            },
        }
    }
}


def test_examples_fit_the_official_models(spapi_schema) -> None:
    spapi_schema("ordersV0.json", "GetOrdersResponse", ORDERS)
    spapi_schema("ordersV0.json", "GetOrderItemsResponse", ITEMS)
    spapi_schema("fbaInventory.json", "GetInventorySummariesResponse", INVENTORY)
    spapi_schema("financesV0.json", "ListFinancialEventsResponse", FINANCES)
    spapi_schema("productFeesV0.json", "GetMyFeesEstimateResponse", FEES_ESTIMATE)


def test_orders_page_parses() -> None:
    page = parse.parse_orders_page(ORDERS["payload"])
    assert [o.amazon_order_id for o in page.orders] == [
        "902-3159896-1390916",
        "902-3159896-1390917",
    ]
    assert page.orders[0].purchase_date == dt.datetime(2026, 11, 19, 10, tzinfo=dt.UTC)
    assert page.orders[1].status == "Canceled"
    assert page.next_token == "abc"
    assert page.last_updated_before == dt.datetime(2026, 11, 20, 0, 3, tzinfo=dt.UTC)


def test_order_items_parse_money_and_quantities() -> None:
    page = parse.parse_order_items_page(ITEMS["payload"], "902-3159896-1390916")
    (item,) = page.items
    assert (item.sku, item.quantity_ordered, item.item_price, item.currency) == (
        "SKU-1",
        2,
        25.98,
        "USD",
    )


def test_order_items_for_another_order_are_refused() -> None:
    with pytest.raises(MalformedPayload) as exc:
        parse.parse_order_items_page(ITEMS["payload"], "111-0000000-0000000")
    assert exc.value.field == "payload.AmazonOrderId"


def test_inventory_details_parse() -> None:
    page = parse.parse_inventory_page(INVENTORY["payload"], "next")
    (s,) = page.summaries
    assert (s.sku, s.fulfillable, s.inbound_working, s.inbound_shipped, s.inbound_receiving) == (
        "SKU-1",
        12,
        1,
        2,
        3,
    )
    assert (s.reserved, s.unfulfillable, s.total, s.fnsku) == (4, 5, 27, "X00TEST001")


def test_financial_events_give_fee_and_refund_lines_with_stable_distinct_keys() -> None:
    page = parse.parse_financial_events_page(FINANCES["payload"])
    kinds = sorted((line.kind, line.fee_type, line.amount) for line in page.lines)
    assert kinds == [
        ("fee", "Commission", -3.90),
        ("fee", "FBAPerUnitFulfillmentFee", -7.12),
        ("refund", "Principal", -12.99),
        ("refund_fee", "Commission", 1.95),
    ]
    keys = [line.key for line in page.lines]
    assert len(set(keys)) == 4
    again = parse.parse_financial_events_page(copy.deepcopy(FINANCES["payload"]))
    assert [line.key for line in again.lines] == keys
    assert page.next_token == "more"


def test_finances_fast_path_reads_what_the_strict_parser_reads() -> None:
    payload = copy.deepcopy(FINANCES["payload"])
    events = payload["FinancialEvents"]
    # The same fee twice on one line (Amazon does that): numbered, keys stay distinct.
    events["ShipmentEventList"][0]["ShipmentItemList"][0]["ItemFeeList"].append(
        _fee("Commission", -3.90)
    )
    # Amounts as strings, a missing currency, a missing order id: all accepted by both.
    events["RefundEventList"][0]["ShipmentItemAdjustmentList"][0]["ItemFeeAdjustmentList"][0][
        "FeeAmount"
    ] = {"CurrencyAmount": "1.95"}
    events["ShipmentEventList"].append(
        {"PostedDate": "2026-11-20T00:00:00+01:00", "ShipmentItemList": None}
    )
    fast = parse.parse_financial_events_page(payload)
    strict = parse._parse_financial_events_strict(payload)
    assert fast == strict
    assert [line.occurrence for line in fast.lines if line.fee_type == "Commission"] == [0, 1, 0]
    assert len({line.key for line in fast.lines}) == len(fast.lines)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda e: e["ShipmentEventList"][0].pop("PostedDate"), "ShipmentEventList[0].PostedDate"),
        (
            lambda e: e["ShipmentEventList"][0]["ShipmentItemList"][0]["ItemFeeList"][1].update(
                FeeAmount={"CurrencyAmount": True}
            ),
            "ItemFeeList[1].FeeAmount.CurrencyAmount",
        ),
        (
            lambda e: e["RefundEventList"][0]["ShipmentItemAdjustmentList"][0].update(
                SellerSKU=7
            ),
            "ShipmentItemAdjustmentList[0].SellerSKU",
        ),
        (lambda e: e.update(RefundEventList="none"), "RefundEventList"),
    ],
)
def test_malformed_finances_pages_name_the_field(mutate: Any, field: str) -> None:
    payload = copy.deepcopy(FINANCES["payload"])
    mutate(payload["FinancialEvents"])
    with pytest.raises(MalformedPayload) as exc:
        parse.parse_financial_events_page(payload)
    assert field in exc.value.field, exc.value.field


def test_an_empty_finances_page_is_valid() -> None:
    page = parse.parse_financial_events_page({"NextToken": "t", "FinancialEvents": {}})
    assert page.lines == [] and page.next_token == "t"


def test_fee_estimate_parses() -> None:
    est = parse.parse_fees_estimate(FEES_ESTIMATE["payload"], "SKU-1", 25.98)
    assert (est.total_fees, est.referral_fee, est.fulfillment_fee) == (11.02, 3.90, 7.12)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["Orders"][1].pop("PurchaseDate"), "payload.Orders[1].PurchaseDate"),
        (
            lambda p: p["Orders"][0].update(LastUpdateDate="yesterday"),
            "payload.Orders[0].LastUpdateDate",
        ),
        (lambda p: p.update(Orders={"not": "a list"}), "payload.Orders"),
        (lambda p: p["Orders"][0].update(AmazonOrderId=17), "payload.Orders[0].AmazonOrderId"),
    ],
)
def test_malformed_orders_page_names_the_field(mutate, field) -> None:
    payload = copy.deepcopy(ORDERS["payload"])
    mutate(payload)
    with pytest.raises(MalformedPayload) as exc:
        parse.parse_orders_page(payload)
    assert exc.value.field == field


def test_malformed_inventory_quantity_names_the_field() -> None:
    payload = copy.deepcopy(INVENTORY["payload"])
    payload["inventorySummaries"][0]["inventoryDetails"]["fulfillableQuantity"] = "lots"
    with pytest.raises(MalformedPayload) as exc:
        parse.parse_inventory_page(payload, None)
    assert exc.value.field == "payload.inventorySummaries[0].inventoryDetails.fulfillableQuantity"


def test_failed_fee_estimate_is_refused() -> None:
    payload = copy.deepcopy(FEES_ESTIMATE["payload"])
    payload["FeesEstimateResult"]["Status"] = "ClientError"
    with pytest.raises(MalformedPayload):
        parse.parse_fees_estimate(payload, "SKU-1", 25.98)
