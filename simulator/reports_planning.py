"""Inventory planning report: FIFO age buckets, recent shipments and cover per SKU."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from simulator.inventory import snapshot
from simulator.marketplace import Seller
from simulator.reports import tsv


def fifo_ages(receipts: np.ndarray, on_hand: int, last_row: int) -> list[tuple[int, int]]:
    """(age in days, units) of the units on hand, assuming FIFO: they are the latest receipts."""
    ages: list[tuple[int, int]] = []
    left = on_hand
    for row in range(last_row, -1, -1):
        if left <= 0:
            break
        got = int(min(receipts[row], left))
        if got:
            ages.append((last_row - row, got))
            left -= got
    if left > 0:  # opening stock of the history: older than anything received since
        ages.append((last_row + 1, left))
    return ages


def inventory_planning(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_FBA_INVENTORY_PLANNING_DATA: age buckets (FIFO), recent sales and cover per SKU."""
    w = seller.world
    cat = w.catalog
    snap = snapshot(w, now)
    sold = w.daily("sold")
    receipts = w.daily("receipts")
    last_row = sold.shape[0] - 1
    snapshot_date = date.fromordinal(w.next_ordinal - 1).isoformat()
    buckets = ((0, 90), (91, 180), (181, 270), (271, 365), (366, 10**9))
    names = (
        "inv-age-0-to-90-days",
        "inv-age-91-to-180-days",
        "inv-age-181-to-270-days",
        "inv-age-271-to-365-days",
        "inv-age-365-plus-days",
    )
    rows = []
    for i in range(w.n):
        on_hand = int(snap.fulfillable[i])
        ages = fifo_ages(receipts[:, i], on_hand, last_row) if last_row >= 0 else []
        counts = [sum(q for a, q in ages if lo <= a <= hi) for lo, hi in buckets]
        shipped = {t: int(sold[max(0, last_row - t + 1) :, i].sum()) for t in (7, 30, 60, 90)}
        velocity = shipped[30] / 30.0
        inbound = int(snap.inbound_working[i] + snap.inbound_shipped[i] + snap.inbound_receiving[i])
        total_dos = f"{(on_hand + inbound) / velocity:.0f}" if velocity > 0 else ""
        row = {
            "snapshot-date": snapshot_date,
            "sku": cat["sku"].iat[i],
            "fnsku": cat["fnsku"].iat[i],
            "asin": cat["asin"].iat[i],
            "product-name": cat["title"].iat[i],
            "condition": "New",
            "available": on_hand,
            "pending-removal-quantity": 0,
        }
        row.update(dict(zip(names, counts, strict=True)))
        row.update(
            {
                "currency": w.market.currency,
                "units-shipped-t7": shipped[7],
                "units-shipped-t30": shipped[30],
                "units-shipped-t60": shipped[60],
                "units-shipped-t90": shipped[90],
                "alert": "" if on_hand else "out_of_stock",
                "your-price": f"{w.state.list_price[i]:.2f}",
                "sales-price": f"{w.daily('sale_cents')[-1, i] / 100:.2f}" if last_row >= 0 else "",
                "sell-through": f"{shipped[90] / max(on_hand, 1):.2f}",
                "item-volume": f"{cat['cubic_feet'].iat[i]:.4f}",
                "volume-unit-measurement": "cubic feet",
                "storage-type": "Standard"
                if cat["size_tier"].iat[i] != "large_bulky"
                else "Oversize",
                "storage-volume": f"{cat['cubic_feet'].iat[i] * on_hand:.4f}",
                "marketplace": w.market.country,
                "product-group": cat["category"].iat[i],
                "days-of-supply": f"{on_hand / velocity:.0f}" if velocity > 0 else "",
                "inbound-quantity": inbound,
                "inbound-working": int(snap.inbound_working[i]),
                "inbound-shipped": int(snap.inbound_shipped[i]),
                "inbound-received": int(snap.inbound_receiving[i]),
                "Inventory Supply at FBA": on_hand + inbound,
                "Reserved FC Transfer": 0,
                "Reserved FC Processing": 0,
                "Reserved Customer Order": int(snap.pending_customer_order[i]),
                "Total Days of Supply (including units from open shipments)": total_dos,
            }
        )
        rows.append(row)
    return tsv(pd.DataFrame(rows))
