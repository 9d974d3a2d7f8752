"""Fee and restock report documents: storage fee charges, estimated FBA fees, restock advice."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from simulator.inventory import snapshot
from simulator.marketplace import Seller
from simulator.reports import tsv

SIZE_TIER_NAMES = {
    "small_standard": "Small standard-size",
    "large_standard": "Large standard-size",
    "large_standard_heavy": "Large standard-size",
    "large_bulky": "Large bulky",
}


def storage_rate(tier: str, month: int, factor: float = 1.0) -> float:
    """Monthly storage per cubic foot: the US $ rate (shared/fba-fees.md, from 2024-04-01)
    times the marketplace's price factor (a stand-in for its own card, in its currency)."""
    peak = month >= 10
    if tier == "large_bulky":
        return round((1.40 if peak else 0.56) * factor, 2)
    return round((2.40 if peak else 0.78) * factor, 2)


def storage_fees(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_FBA_STORAGE_FEE_CHARGES_DATA: one row per SKU per month in the range."""
    w = seller.world
    cat = w.catalog
    mk = w.market
    first = max(w.start_ordinal, w.ordinal_of(start))
    last = min(w.next_ordinal - 1, w.ordinal_of(min(end, now)))
    rows = []
    if last >= first:
        on_hand = w.daily("on_hand_end")
        sold = w.daily("sold")
        months: dict[tuple[int, int], list[int]] = {}
        for o in range(first, last + 1):
            d = date.fromordinal(o)
            months.setdefault((d.year, d.month), []).append(o - w.start_ordinal)
        for (year, month), rows_idx in months.items():
            avg = on_hand[rows_idx].mean(axis=0)
            avg_orders = sold[rows_idx].mean(axis=0)
            for i in range(w.n):
                dims = sorted(
                    [cat["length_in"].iat[i], cat["width_in"].iat[i], cat["height_in"].iat[i]],
                    reverse=True,
                )
                tier = cat["size_tier"].iat[i]
                rate = storage_rate(tier, month, mk.price_factor)
                vol = float(cat["cubic_feet"].iat[i])
                rows.append(
                    {
                        "asin": cat["asin"].iat[i],
                        "fnsku": cat["fnsku"].iat[i],
                        "product_name": cat["title"].iat[i],
                        "fulfillment_center": mk.fc,
                        "country_code": mk.country,
                        "longest_side": f"{dims[0]:.2f}",
                        "median_side": f"{dims[1]:.2f}",
                        "shortest_side": f"{dims[2]:.2f}",
                        "measurement_units": "inches",
                        "weight": f"{cat['weight_lb'].iat[i]:.2f}",
                        "weight_units": "pounds",
                        "item_volume": f"{vol:.4f}",
                        "volume_units": "cubic feet",
                        "product_size_tier": SIZE_TIER_NAMES[tier],
                        "average_quantity_on_hand": f"{avg[i]:.4f}",
                        "average_quantity_pending_removal": "0.0000",
                        "estimated_total_item_volume": f"{avg[i] * vol:.4f}",
                        "month_of_charge": f"{year:04d}-{month:02d}",
                        "storage_utilization_ratio": "",
                        "storage_utilization_ratio_units": "",
                        "base_rate": f"{rate:.2f}",
                        "utilization_surcharge_rate": "0.00",
                        "currency": mk.currency,
                        "estimated_monthly_storage_fee": f"{avg[i] * vol * rate:.4f}",
                        "dangerous_goods_storage_type": "--",
                        "eligible_for_inventory_discount": "N",
                        "qualifies_for_inventory_discount": "N",
                        "total_incentive_fee_amount": "0.00",
                        "breakdown_incentive_fee_amount": "",
                        "average_quantity_customer_orders": f"{avg_orders[i]:.4f}",
                    }
                )
    return tsv(pd.DataFrame(rows))


def estimated_fees(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA: current price and per-unit fee estimate per SKU."""
    w = seller.world
    cat = w.catalog
    rows = []
    for i in range(w.n):
        price = float(w.state.list_price[i])
        referral = round(max(float(cat["referral_rate"].iat[i]) * price, 0.30), 2)
        fba = float(cat["fulfillment_fee"].iat[i])
        dims = sorted(
            [cat["length_in"].iat[i], cat["width_in"].iat[i], cat["height_in"].iat[i]], reverse=True
        )
        rows.append(
            {
                "sku": cat["sku"].iat[i],
                "fnsku": cat["fnsku"].iat[i],
                "asin": cat["asin"].iat[i],
                "amazon-store": w.market.country,
                "product-name": cat["title"].iat[i],
                "product-group": cat["category"].iat[i],
                "brand": "Simulated",
                "fulfilled-by": "Amazon",
                "your-price": f"{price:.2f}",
                "sales-price": f"{price:.2f}",
                "longest-side": f"{dims[0]:.2f}",
                "median-side": f"{dims[1]:.2f}",
                "shortest-side": f"{dims[2]:.2f}",
                "length-and-girth": f"{dims[0] + 2 * (dims[1] + dims[2]):.2f}",
                "unit-of-dimension": "inches",
                "item-package-weight": f"{cat['weight_lb'].iat[i]:.2f}",
                "unit-of-weight": "pounds",
                "product-size-tier": SIZE_TIER_NAMES[cat["size_tier"].iat[i]],
                "currency": w.market.currency,
                "estimated-fee-total": f"{referral + fba:.2f}",
                "estimated-referral-fee-per-unit": f"{referral:.2f}",
                "estimated-variable-closing-fee": "0.00",
                "estimated-order-handling-fee-per-order": "",
                "estimated-pick-pack-fee-per-unit": "",
                "estimated-weight-handling-fee-per-unit": "",
                "expected-fulfillment-fee-per-unit": f"{fba:.2f}",
            }
        )
    return tsv(pd.DataFrame(rows))


def restock(seller: Seller, start: int, end: int, now: int, options: dict) -> str:
    """GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT: Amazon's own restock advice per SKU."""
    w = seller.world
    cat = w.catalog
    snap = snapshot(w, now)
    sold = w.daily("sold")[-30:]
    cents = w.daily("sale_cents")[-30:]
    units30 = sold.sum(axis=0)
    sales30 = (sold * cents).sum(axis=0) / 100.0
    velocity = units30 / 30.0
    inbound = snap.inbound_working + snap.inbound_shipped + snap.inbound_receiving
    available = snap.fulfillable
    lead = cat["lead_time_days"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        dos_total = np.where(velocity > 0, (available + inbound) / velocity, np.inf)
        dos_fba = np.where(velocity > 0, available / velocity, np.inf)
    need = np.ceil(np.maximum(velocity * (lead + 30) - available - inbound, 0)).astype(int)
    rows = []
    for i in range(w.n):
        alert = (
            "out_of_stock"
            if available[i] == 0
            else ("reorder_now" if dos_total[i] < lead[i] else "")
        )
        rows.append(
            {
                "Country": w.market.country,
                "Product Name": cat["title"].iat[i],
                "FNSKU": cat["fnsku"].iat[i],
                "Merchant SKU": cat["sku"].iat[i],
                "ASIN": cat["asin"].iat[i],
                "Condition": "New",
                "Supplier": "",
                "Supplier part no.": "",
                "Currency code": w.market.currency,
                "Price": f"{w.state.list_price[i]:.2f}",
                "Sales last 30 days": f"{sales30[i]:.2f}",
                "Units Sold Last 30 Days": int(units30[i]),
                "Total Units": int(snap.total[i]),
                "Inbound": int(inbound[i]),
                "Available": int(available[i]),
                "FC transfer": 0,
                "FC Processing": 0,
                "Customer Order": int(snap.pending_customer_order[i]),
                "Unfulfillable": 0,
                "Working": int(snap.inbound_working[i]),
                "Shipped": int(snap.inbound_shipped[i]),
                "Receiving": int(snap.inbound_receiving[i]),
                "Fulfilled by": "Amazon",
                "Total Days of Supply (including units from open shipments)": ""
                if np.isinf(dos_total[i])
                else f"{dos_total[i]:.0f}",
                "Days of Supply at Amazon Fulfillment Network": ""
                if np.isinf(dos_fba[i])
                else f"{dos_fba[i]:.0f}",
                "Alert": alert,
                "Recommended replenishment qty": int(need[i]),
                "Recommended ship date": w.market.day(w.next_ordinal)
                if need[i] > 0
                else "",
                "Recommended action": "Restock" if need[i] > 0 else "No action required",
                "Unit storage size": f"{cat['cubic_feet'].iat[i]:.4f}",
            }
        )
    return tsv(pd.DataFrame(rows))
