"""Report documents as Amazon's tab-separated flat files, built from a seller's world."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from simulator.inventory import snapshot
from simulator.marketplace import Seller
from simulator.markets import Market
from simulator.orders import order_id
from simulator.orderview import PLACES, place_index

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


def tsv(frame: pd.DataFrame) -> str:
    """Tab-separated text with a header row, no quoting, LF line ends."""
    return frame.to_csv(sep="\t", index=False, lineterminator="\n", quoting=3, escapechar="\\")


def all_orders(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL: a row per order line."""
    book = seller.world.orders
    cat = seller.world.lists
    idx = book.updated_between(start, min(end, now), now) if len(book) else np.zeros(0, int)
    if not len(idx):
        return tsv(pd.DataFrame(columns=ALL_ORDERS_COLUMNS))
    o, ln = book.o, book.line
    codes = book.status_code(idx, now)
    last = book.last_update(idx, now)
    counts = o["n_lines"][idx]
    lines = np.repeat(o["line_start"][idx], counts) + (
        np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    )
    owner = np.repeat(np.arange(len(idx)), counts)
    oix = idx[owner]
    code = codes[owner]
    priced = (code == 1) | (code == 2)
    sku = ln["sku"][lines]
    qty = ln["qty"][lines]
    list_c = ln["list_cents"][lines] * qty
    promo = list_c - ln["unit_cents"][lines] * qty
    place = np.array(PLACES, dtype=object)[place_index(seller.seed, oix)]
    ids = [
        order_id(seller.order_prefix, int(d), int(n))
        for d, n in zip(o["day"][idx], o["num"][idx], strict=True)
    ]
    status = FLAT_STATUS[code]
    skus = np.array(cat["sku"], dtype=object)
    blank = np.full(len(lines), "", dtype=object)

    mk = seller.world.market
    fmt = f"%.{mk.minor_units}f"

    def money(cents: np.ndarray) -> np.ndarray:
        return np.where(priced, np.char.mod(fmt, cents / 100.0), "")

    frame = pd.DataFrame(
        {
            "amazon-order-id": np.array(ids, dtype=object)[owner],
            "merchant-order-id": blank,
            "purchase-date": _flat_times(o["purchase_ts"][oix]),
            "last-updated-date": _flat_times(last[owner]),
            "order-status": status,
            "fulfillment-channel": "Amazon",
            "sales-channel": mk.sales_channel,
            "order-channel": blank,
            "url": blank,
            "ship-service-level": "Expedited",
            "product-name": np.array(cat["title"], dtype=object)[sku],
            "sku": skus[sku],
            "asin": np.array(cat["asin"], dtype=object)[sku],
            "item-status": status,
            "quantity": qty,
            "currency": mk.currency,
            "item-price": money(list_c),
            "item-tax": money(np.zeros(len(lines))),
            "shipping-price": blank,
            "shipping-tax": blank,
            "gift-wrap-price": blank,
            "gift-wrap-tax": blank,
            "item-promotion-discount": money(promo),
            "ship-promotion-discount": blank,
            "ship-city": [p[0] for p in place],
            "ship-state": [p[1] for p in place],
            "ship-postal-code": [p[2] for p in place],
            "ship-country": mk.country,
            "promotion-ids": np.where(priced & (promo > 0), np.char.mod("PROMO-%04d", sku), ""),
            "is-business-order": "false",
            "purchase-order-number": blank,
            "price-designation": blank,
        }
    )
    return tsv(frame[ALL_ORDERS_COLUMNS])


def _flat_times(ts: np.ndarray) -> list[str]:
    text = np.datetime_as_string(np.asarray(ts, dtype="int64").astype("datetime64[s]"), unit="s")
    return [t + "+00:00" for t in text]


def _fmt_day(ordinal: int, period: str, mk: Market) -> str:
    """A ledger day (or month) as the marketplace's reports write it: 11/26/2026 in the US,
    26/11/2026 in the UK, 26.11.2026 in Germany, 2026/11/26 in Japan."""
    d = date.fromordinal(ordinal)
    return d.strftime(mk.month_format if period == "MONTHLY" else mk.day_format)


def ledger_summary(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_LEDGER_SUMMARY_VIEW_DATA: balances and flows per SKU per day (or week/month)."""
    w = seller.world
    period = str(options.get("aggregatedByTimePeriod", "DAILY")).upper()
    by_fc = str(options.get("aggregateByLocation", "COUNTRY")).upper() == "FC"
    # The range's local days (a day is the marketplace's).
    first = max(w.start_ordinal, w.ordinal_of(start))
    last_ts = min(end, now)
    last = min(w.next_ordinal - 1, w.ordinal_of(last_ts))
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
            "Date": [_fmt_day(int(b), period, w.market) for b in agg["bucket"]],
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
            "Location": w.market.fc if by_fc else w.market.country,
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


def builders() -> dict[str, Callable[[Seller, int, int, int, dict], str]]:
    """Report type -> document builder(seller, start, end, now, reportOptions) -> TSV text."""
    from simulator import reports_fees, reports_planning

    return {
        "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL": all_orders,
        "GET_LEDGER_SUMMARY_VIEW_DATA": ledger_summary,
        "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA": myi_unsuppressed,
        "GET_FBA_STORAGE_FEE_CHARGES_DATA": reports_fees.storage_fees,
        "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA": reports_fees.estimated_fees,
        "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT": reports_fees.restock,
        "GET_FBA_INVENTORY_PLANNING_DATA": reports_planning.inventory_planning,
    }


REPORT_TYPES = (
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "GET_LEDGER_SUMMARY_VIEW_DATA",
    "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
    "GET_FBA_STORAGE_FEE_CHARGES_DATA",
    "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA",
    "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT",
    "GET_FBA_INVENTORY_PLANNING_DATA",
)
# Reports Amazon builds from a date range; the others are snapshots at creation time.
RANGED = {
    "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL",
    "GET_LEDGER_SUMMARY_VIEW_DATA",
    "GET_FBA_STORAGE_FEE_CHARGES_DATA",
}
DEFAULT_RANGE_DAYS = 30
