"""Report documents as Amazon's tab-separated flat files, built from a seller's world."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd

from simulator.inventory import snapshot
from simulator.marketplace import Seller
from simulator.orderview import amazon_order_id, place

# The flat files spell the cancelled state the British way (the Orders API says "Canceled").
FLAT_STATUS = np.array(["Pending", "Unshipped", "Shipped", "Cancelled"])
ALL_ORDERS_COLUMNS = [
    "amazon-order-id",
    "merchant-order-id",
    "purchase-date",
    "last-updated-date",
    "order-status",
    "fulfillment-channel",
    "sales-channel",
    "order-channel",
    "url",
    "ship-service-level",
    "product-name",
    "sku",
    "asin",
    "item-status",
    "quantity",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "gift-wrap-price",
    "gift-wrap-tax",
    "item-promotion-discount",
    "ship-promotion-discount",
    "ship-city",
    "ship-state",
    "ship-postal-code",
    "ship-country",
    "promotion-ids",
    "is-business-order",
    "purchase-order-number",
    "price-designation",
]
LEDGER_COLUMNS = [
    "Date",
    "FNSKU",
    "ASIN",
    "MSKU",
    "Title",
    "Disposition",
    "Starting Warehouse Balance",
    "In Transit Between Warehouses",
    "Receipts",
    "Customer Shipments",
    "Customer Returns",
    "Vendor Returns",
    "Warehouse Transfer In/Out",
    "Found",
    "Lost",
    "Damaged",
    "Disposed",
    "Other Events",
    "Ending Warehouse Balance",
    "Unknown Events",
    "Location",
]


def _flat_time(ts: int) -> str:
    """The flat files' timestamp style: 2026-11-26T17:03:21+00:00."""
    return datetime.fromtimestamp(int(ts), tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def tsv(frame: pd.DataFrame) -> str:
    """Tab-separated text with a header row, no quoting, LF line ends."""
    return frame.to_csv(sep="\t", index=False, lineterminator="\n", quoting=3, escapechar="\\")


def all_orders(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL: a row per order line."""
    book = seller.world.orders
    cat = seller.world.catalog
    idx = book.updated_between(start, min(end, now), now) if len(book) else np.zeros(0, int)
    rows = []
    if len(idx):
        codes = book.status_code(idx, now)
        last = book.last_update(idx, now)
        for i, code, upd in zip(idx, codes, last, strict=True):
            oid = amazon_order_id(seller, int(i))
            city, state, postal = place(seller, int(i))
            priced = code in (1, 2)
            for line in book.lines_of(int(i)):
                sku = int(book.line["sku"][line])
                qty = int(book.line["qty"][line])
                list_c = int(book.line["list_cents"][line]) * qty
                promo = list_c - int(book.line["unit_cents"][line]) * qty
                rows.append(
                    [
                        oid,
                        "",
                        _flat_time(book.o["purchase_ts"][i]),
                        _flat_time(upd),
                        FLAT_STATUS[code],
                        "Amazon",
                        "Amazon.com",
                        "",
                        "",
                        "Expedited",
                        cat["title"].iat[sku],
                        cat["sku"].iat[sku],
                        cat["asin"].iat[sku],
                        FLAT_STATUS[code],
                        qty,
                        "USD",
                        f"{list_c / 100:.2f}" if priced else "",
                        "0.00" if priced else "",
                        "",
                        "",
                        "",
                        "",
                        f"{promo / 100:.2f}" if priced else "",
                        "",
                        city,
                        state,
                        postal,
                        "US",
                        f"PROMO-{sku:04d}" if priced and promo else "",
                        "false",
                        "",
                        "",
                    ]
                )
    return tsv(pd.DataFrame(rows, columns=ALL_ORDERS_COLUMNS))


def _fmt_day(ordinal: int, period: str) -> str:
    d = date.fromordinal(ordinal)
    return d.strftime("%m/%Y") if period == "MONTHLY" else d.strftime("%m/%d/%Y")


def ledger_summary(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_LEDGER_SUMMARY_VIEW_DATA: balances and flows per SKU per day (or week/month)."""
    w = seller.world
    period = str(options.get("aggregatedByTimePeriod", "DAILY")).upper()
    by_fc = str(options.get("aggregateByLocation", "COUNTRY")).upper() == "FC"
    first = max(w.start_ordinal, datetime.fromtimestamp(start, tz=UTC).date().toordinal())
    last_ts = min(end, now)
    last = min(w.next_ordinal - 1, datetime.fromtimestamp(last_ts, tz=UTC).date().toordinal())
    if last < first:
        return tsv(pd.DataFrame(columns=LEDGER_COLUMNS))
    r0, r1 = first - w.start_ordinal, last - w.start_ordinal + 1
    n_days = r1 - r0
    ords = np.arange(first, last + 1)
    frame = pd.DataFrame(
        {
            "ord": np.repeat(ords, w.n),
            "sku_i": np.tile(np.arange(w.n), n_days),
            "start": w.daily("start_balance")[r0:r1].ravel(),
            "receipts": w.daily("receipts")[r0:r1].ravel(),
            "ship": -w.daily("sold")[r0:r1].ravel(),
            "end": w.daily("on_hand_end")[r0:r1].ravel(),
        }
    )
    frame = frame[frame["ord"] >= w.traits["launch"][frame["sku_i"].to_numpy()]]
    if period == "WEEKLY":
        frame["bucket"] = frame["ord"] - (frame["ord"] - 1) % 7  # weeks start on Sunday
    elif period == "MONTHLY":
        frame["bucket"] = [date.fromordinal(o).replace(day=1).toordinal() for o in frame["ord"]]
    else:
        frame["bucket"] = frame["ord"]
    g = frame.sort_values(["bucket", "sku_i", "ord"]).groupby(["bucket", "sku_i"], sort=True)
    agg = g.agg(
        start=("start", "first"),
        receipts=("receipts", "sum"),
        ship=("ship", "sum"),
        end=("end", "last"),
    ).reset_index()
    cat = w.catalog
    si = agg["sku_i"].to_numpy()
    zero = np.zeros(len(agg), dtype=np.int64)
    out = pd.DataFrame(
        {
            "Date": [_fmt_day(int(b), period) for b in agg["bucket"]],
            "FNSKU": cat["fnsku"].to_numpy()[si],
            "ASIN": cat["asin"].to_numpy()[si],
            "MSKU": cat["sku"].to_numpy()[si],
            "Title": cat["title"].to_numpy()[si],
            "Disposition": "SELLABLE",
            "Starting Warehouse Balance": agg["start"].to_numpy(),
            "In Transit Between Warehouses": zero,
            "Receipts": agg["receipts"].to_numpy(),
            "Customer Shipments": agg["ship"].to_numpy(),
            "Customer Returns": zero,
            "Vendor Returns": zero,
            "Warehouse Transfer In/Out": zero,
            "Found": zero,
            "Lost": zero,
            "Damaged": zero,
            "Disposed": zero,
            "Other Events": zero,
            "Ending Warehouse Balance": agg["end"].to_numpy(),
            "Unknown Events": zero,
            "Location": "PHX7" if by_fc else "US",
        }
    )
    return tsv(out[LEDGER_COLUMNS])


def myi_unsuppressed(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA: current quantities per SKU."""
    w = seller.world
    snap = snapshot(w, now)
    cat = w.catalog
    frame = pd.DataFrame(
        {
            "sku": cat["sku"],
            "fnsku": cat["fnsku"],
            "asin": cat["asin"],
            "product-name": cat["title"],
            "condition": "New",
            "your-price": [f"{p:.2f}" for p in w.state.list_price],
            "mfn-listing-exists": "No",
            "mfn-fulfillable-quantity": "",
            "afn-listing-exists": "Yes",
            "afn-warehouse-quantity": snap.fulfillable + snap.pending_customer_order,
            "afn-fulfillable-quantity": snap.fulfillable,
            "afn-unsellable-quantity": 0,
            "afn-reserved-quantity": snap.pending_customer_order,
            "afn-total-quantity": snap.total,
            "per-unit-volume": cat["cubic_feet"].map(lambda v: f"{v:.2f}"),
            "afn-inbound-working-quantity": snap.inbound_working,
            "afn-inbound-shipped-quantity": snap.inbound_shipped,
            "afn-inbound-receiving-quantity": snap.inbound_receiving,
            "afn-researching-quantity": 0,
            "afn-reserved-future-supply": 0,
            "afn-future-supply-buyable": 0,
        }
    )
    return tsv(frame)


def day_bounds(ts: int) -> int:
    """Date ordinal of a Unix time."""
    return datetime.fromtimestamp(ts, tz=UTC).date().toordinal()


def builders() -> dict[str, Callable[[Seller, int, int, int, dict], str]]:
    """Report type -> document builder(seller, start, end, now, reportOptions) -> TSV text."""
    from simulator import reports_fees

    return {
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL": all_orders,
        "GET_LEDGER_SUMMARY_VIEW_DATA": ledger_summary,
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": myi_unsuppressed,
        "GET_FBA_STORAGE_FEE_CHARGES_DATA": reports_fees.storage_fees,
        "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA": reports_fees.estimated_fees,
        "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT": reports_fees.restock,
    }


REPORT_TYPES = (
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "GET_LEDGER_SUMMARY_VIEW_DATA",
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "GET_FBA_STORAGE_FEE_CHARGES_DATA",
    "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT",
)
# Reports Amazon builds from a date range; the others are snapshots at creation time.
RANGED = {
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "GET_LEDGER_SUMMARY_VIEW_DATA",
    "GET_FBA_STORAGE_FEE_CHARGES_DATA",
}
DEFAULT_RANGE_DAYS = 30
