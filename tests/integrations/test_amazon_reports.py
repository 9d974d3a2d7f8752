"""Flat-file reports: GZIP, header names (any spelling), typed rows, bad lines refused."""

from __future__ import annotations

import datetime as dt
import gzip

import pytest

from integrations.amazon import marketplaces
from integrations.amazon import reports as rp
from integrations.amazon.errors import MalformedPayload

ALL_ORDERS = (
    "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
    "product-name\tsku\tasin\titem-status\tquantity\tcurrency\titem-price\titem-promotion-discount\n"
    "111-1\t2026-11-01T10:00:00+00:00\t2026-11-02T10:00:00+00:00\tShipped\tAmazon\tThing\tA\tB1\t"
    "Shipped\t2\tUSD\t20.00\t0.00\n"
    "111-2\t2026-11-01T11:00:00+00:00\t2026-11-01T12:00:00+00:00\tPending\tAmazon\tThing\tA\tB1\t"
    "Pending\t1\tUSD\t\t\n"
)
LEDGER = (
    "Date\tFNSKU\tASIN\tMSKU\tTitle\tDisposition\tStarting Warehouse Balance\t"
    "Ending Warehouse Balance\tLocation\n"
    "11/01/2026\tX1\tB1\tA\tThing\tSELLABLE\t5\t3\tUS\n"
    "11/02/2026\tX1\tB1\tA\tThing\tSELLABLE\t3\t0\tUS\n"
)


def test_gzip_documents_are_decoded() -> None:
    raw = gzip.compress(LEDGER.encode())
    assert rp.decode_document(raw, "GZIP") == LEDGER
    assert rp.decode_document(raw, None) == LEDGER  # magic number even when not announced
    assert rp.decode_document(LEDGER.encode(), None) == LEDGER


def test_all_orders_rows() -> None:
    rows = rp.parse_all_orders(ALL_ORDERS)
    assert [(r.amazon_order_id, r.sku, r.quantity, r.item_price) for r in rows] == [
        ("111-1", "A", 2, 20.0),
        ("111-2", "A", 1, None),
    ]
    assert rows[0].purchase_date == dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)


def test_ledger_rows_by_header_name() -> None:
    rows = rp.parse_ledger_summary(LEDGER, "MDY")
    assert [(r.date, r.sku, r.ending_balance, r.disposition) for r in rows] == [
        (dt.date(2026, 11, 1), "A", 3, "SELLABLE"),
        (dt.date(2026, 11, 2), "A", 0, "SELLABLE"),
    ]


def test_missing_column_is_named() -> None:
    text = LEDGER.replace("Ending Warehouse Balance", "Balance")
    with pytest.raises(MalformedPayload) as exc:
        rp.parse_ledger_summary(text)
    assert "ending-warehouse-balance" in str(exc.value)


def test_short_line_is_refused_with_its_number() -> None:
    text = ALL_ORDERS + "111-3\t2026-11-01T11:00:00+00:00\n"
    with pytest.raises(MalformedPayload) as exc:
        rp.parse_all_orders(text)
    assert exc.value.field.endswith("line[4]")


def test_bad_quantity_is_refused() -> None:
    text = ALL_ORDERS.replace("\tShipped\t2\t", "\tShipped\ttwo\t")
    with pytest.raises(MalformedPayload) as exc:
        rp.parse_all_orders(text)
    assert exc.value.field.endswith(".quantity")


def test_estimated_fees_convert_units() -> None:
    text = (
        "sku\tfnsku\tasin\tproduct-name\tyour-price\tlongest-side\tmedian-side\tshortest-side\t"
        "unit-of-dimension\titem-package-weight\tunit-of-weight\tproduct-size-tier\tcurrency\t"
        "estimated-fee-total\testimated-referral-fee-per-unit\texpected-fulfillment-fee-per-unit\n"
        "A\tX1\tB1\tThing\t20.00\t25.4\t12.7\t2.54\tcentimeters\t1\tkilograms\tLarge standard\tUSD"
        "\t9.00\t3.00\t6.00\n"
    )
    (row,) = rp.parse_estimated_fees(text)
    assert (row.length_in, row.width_in, row.height_in) == (10.0, 5.0, 1.0)
    assert row.weight_lb == pytest.approx(2.2046, abs=1e-3)
    assert (row.size_tier, row.fulfillment_fee, row.referral_fee) == ("Large standard", 6.0, 3.0)


def test_storage_fees_sum_fulfillment_centres_and_resolve_skus_by_fnsku() -> None:
    text = (
        "asin\tfnsku\tfulfillment_center\tproduct_size_tier\taverage_quantity_on_hand\t"
        "item_volume\tmonth_of_charge\tcurrency\testimated_monthly_storage_fee\n"
        "B1\tX1\tPHX7\tLarge standard\t10\t0.5\t2026-10\tUSD\t1.25\n"
        "B1\tX1\tONT8\tLarge standard\t4\t0.5\t2026-10\tUSD\t0.50\n"
        "B9\tX9\tONT8\tSmall standard\t1\t0.1\t2026-10\tUSD\t0.10\n"
    )
    rows = rp.parse_storage_fees(text, {"X1": "A"})
    assert [
        (r.sku, r.month, r.estimated_monthly_storage_fee, r.average_quantity_on_hand) for r in rows
    ] == [("A", "2026-10", 1.75, 14.0)]


def test_restock_report() -> None:
    text = (
        "Country\tProduct Name\tFNSKU\tMerchant SKU\tASIN\tAlert\t"
        "Recommended replenishment qty\tRecommended ship date\t"
        "Days of Supply at Amazon Fulfillment Network\n"
        "US\tThing\tX1\tA\tB1\tlow_stock\t120\t2026-11-25\t12.5\n"
    )
    (row,) = rp.parse_restock(text)
    assert (row.sku, row.recommended_quantity, row.recommended_ship_date, row.days_of_supply) == (
        "A",
        120,
        dt.date(2026, 11, 25),
        12.5,
    )


def _ledger(*dates: str) -> str:
    head = LEDGER.splitlines()[0]
    return head + "\n" + "".join(f"{d}\tX1\tB1\tA\tThing\tSELLABLE\t5\t3\tGB\n" for d in dates)


@pytest.mark.parametrize(
    ("code", "written", "day"),
    [
        ("UK", "03/04/2026", dt.date(2026, 4, 3)),  # day first in Europe
        ("DE", "03.04.2026", dt.date(2026, 4, 3)),
        ("FR", "31/03/2026", dt.date(2026, 3, 31)),
        ("US", "03/04/2026", dt.date(2026, 3, 4)),  # month first in the US and Canada
        ("CA", "04/13/2026", dt.date(2026, 4, 13)),
        ("JP", "2026/04/03", dt.date(2026, 4, 3)),  # year first in Japan
        ("UK", "2026-04-03", dt.date(2026, 4, 3)),  # ISO dates read everywhere
        ("US", "2026-04-03T00:30:00+01:00", dt.date(2026, 4, 3)),  # the day as written
    ],
)
def test_report_dates_are_read_in_the_marketplace_s_order(code, written, day) -> None:
    order = marketplaces.get(code).date_order
    (row,) = rp.parse_ledger_summary(_ledger(written), order)
    assert row.date == day


@pytest.mark.parametrize(
    ("order", "written", "message"),
    [
        (None, "03/04/2026", "ambiguous date '03/04/2026'"),  # no marketplace: never a guess
        ("MDY", "13/04/2026", "not a date written month/day/year"),
        ("DMY", "04/13/2026", "not a date written day/month/year"),
        ("YMD", "03/04/2026", "write the year first"),
        ("DMY", "31/02/2026", "not a date written day/month/year"),
        ("DMY", "2026-02-31", "not a date"),
    ],
)
def test_a_date_that_cannot_be_resolved_is_refused_naming_its_row(order, written,
                                                                  message) -> None:
    text = _ledger("2026-04-01", written)
    with pytest.raises(MalformedPayload, match=message) as exc:
        rp.parse_ledger_summary(text, order)
    assert exc.value.field == f"{rp.LEDGER_SUMMARY}.line[3].date"


def test_without_an_order_only_an_unambiguous_date_is_read() -> None:
    rows = rp.parse_ledger_summary(_ledger("13/04/2026", "04/13/2026", "05/05/2026"))
    assert [r.date for r in rows] == [dt.date(2026, 4, 13)] * 2 + [dt.date(2026, 5, 5)]


def test_restock_ship_date_in_the_marketplace_s_order() -> None:
    text = (
        "Country\tProduct Name\tFNSKU\tMerchant SKU\tASIN\tAlert\t"
        "Recommended replenishment qty\tRecommended ship date\n"
        "GB\tThing\tX1\tA\tB1\tlow_stock\t120\t03/04/2026\n"
    )
    assert rp.parse_restock(text, "DMY")[0].recommended_ship_date == dt.date(2026, 4, 3)
    assert rp.parse_restock(text, "MDY")[0].recommended_ship_date == dt.date(2026, 3, 4)
    with pytest.raises(MalformedPayload, match=r"line\[2\].recommended-ship-date"):
        rp.parse_restock(text)
