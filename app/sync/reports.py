"""Reports stream: estimated FBA fees (dimensions, size tiers), storage fees, Amazon's restock
suggestions; and `process_report` for any supported report fetched by id (webhooks)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select

from app.models import AmazonRestockRecommendation, Product, StorageFeeCharge, utcnow
from app.sync import inventory, orders
from app.sync.catalog import upsert_products
from app.sync.context import SyncContext
from app.sync.report_windows import ReportRequest, fetch_reports
from app.sync.upsert import upsert
from integrations.amazon import reports as rp
from integrations.amazon.errors import PermanentError

log = logging.getLogger(__name__)
STREAM = "reports"
CUBIC_INCHES_PER_FOOT = 1728.0


def write_estimated_fees(ctx: SyncContext, text: str) -> int:
    """Dimensions, size tier and price into products (never the seller's own settings)."""
    rows = rp.parse_estimated_fees(text)
    seen = []
    for r in rows:
        cubic = None
        if r.length_in and r.width_in and r.height_in:
            cubic = round(r.length_in * r.width_in * r.height_in / CUBIC_INCHES_PER_FOOT, 4)
        seen.append(
            {
                "sku": r.sku,
                "asin": r.asin,
                "fnsku": r.fnsku,
                "title": r.product_name,
                "length_in": r.length_in,
                "width_in": r.width_in,
                "height_in": r.height_in,
                "weight_lb": r.weight_lb,
                "cubic_feet": cubic,
                "size_tier": r.size_tier,
                "price": r.price,
            }
        )
    return upsert_products(ctx.session, ctx.tenant_id, ctx.seller_id, seen)


def write_storage_fees(ctx: SyncContext, text: str) -> int:
    """Monthly storage charges per SKU (SKUs resolved from FNSKU through products)."""
    by_fnsku = {
        fnsku: sku
        for sku, fnsku in ctx.session.execute(
            select(Product.sku, Product.fnsku).where(
                Product.tenant_id == ctx.tenant_id,
                Product.seller_account_id == ctx.seller_id,
                Product.fnsku.is_not(None),
            )
        )
        if fnsku is not None  # always, by the query; the column itself is nullable
    }
    rows = [
        {
            **ctx.owner(),
            "sku": r.sku,
            "month": r.month,
            "average_quantity_on_hand": r.average_quantity_on_hand,
            "item_volume": r.item_volume,
            "product_size_tier": (r.product_size_tier or None) and r.product_size_tier[:40],
            "estimated_monthly_storage_fee": r.estimated_monthly_storage_fee,
            "currency": (r.currency or ctx.account.currency)[:3],
        }
        for r in rp.parse_storage_fees(text, by_fnsku)
    ]
    return upsert(
        ctx.session,
        StorageFeeCharge,
        rows,
        keys=["tenant_id", "seller_account_id", "sku", "month"],
        update=[
            "average_quantity_on_hand",
            "item_volume",
            "product_size_tier",
            "estimated_monthly_storage_fee",
            "currency",
        ],
    )


def write_restock(ctx: SyncContext, text: str) -> int:
    """Amazon's restock recommendation per SKU (latest report wins)."""
    now = utcnow()
    rows = [
        {
            **ctx.owner(),
            "sku": r.sku,
            "recommended_quantity": r.recommended_quantity,
            "recommended_ship_date": r.recommended_ship_date,
            "alert": (r.alert or None) and r.alert[:100],
            "days_of_supply": r.days_of_supply,
            "raw": r.raw,
            "fetched_at": now,
        }
        for r in rp.parse_restock(text, ctx.account.market.date_order)
    ]
    return upsert(
        ctx.session,
        AmazonRestockRecommendation,
        rows,
        keys=["tenant_id", "seller_account_id", "sku"],
        update=["recommended_quantity", "recommended_ship_date", "alert", "days_of_supply"],
        touch=["raw", "fetched_at"],
    )


def _write_all_orders(ctx: SyncContext, text: str) -> int:
    return orders.write_report_rows(ctx, rp.parse_all_orders(text))


def _write_ledger(ctx: SyncContext, text: str) -> int:
    return inventory.write_ledger(
        ctx, rp.parse_ledger_summary(text, ctx.account.market.date_order)
    )


WRITERS: dict[str, Callable[[SyncContext, str], int]] = {
    rp.ESTIMATED_FEES: write_estimated_fees,
    rp.STORAGE_FEES: write_storage_fees,
    rp.RESTOCK: write_restock,
    rp.ALL_ORDERS: _write_all_orders,
    rp.LEDGER_SUMMARY: _write_ledger,
}
# What the scheduled reports stream requests (ranged reports are read by their own streams).
SCHEDULED = (rp.ESTIMATED_FEES, rp.STORAGE_FEES, rp.RESTOCK)


def process_report(ctx: SyncContext, report_id: str, report_type: str | None = None) -> int:
    """Fetch a report Amazon says is done and write it (one transaction); 0 if unsupported."""
    status = ctx.client.get_report(report_id)
    mine = ctx.account.marketplace_id
    if status.marketplace_ids and mine not in status.marketplace_ids:
        # Another marketplace's report (the connection's forwarder posted its notification to
        # this account's URL): it goes to that marketplace's account, never into this one.
        owner = next(
            (a for a in ctx.account.siblings() if a.marketplace_id in status.marketplace_ids),
            None,
        )
        if owner is not None and owner.active and ctx.hand_off is not None:
            ctx.hand_off(owner.id, report_id, report_type)
            log.info("report %s is %s's: handed to its account", report_id, owner.marketplace)
        else:
            log.info("report %s is for marketplaces %s, not %s: ignored", report_id,
                     ",".join(status.marketplace_ids), ctx.account.marketplace)  # fmt: skip
        return 0
    kind = report_type or status.report_type
    writer = WRITERS.get(kind)
    if writer is None:
        log.info("report %s of type %s is not used; ignored", report_id, kind)
        return 0
    status = ctx.client.wait_report(report_id)
    assert status.document_id is not None
    text = ctx.client.download_report(status.document_id)
    written = writer(ctx, text)
    ctx.commit_page(STREAM, written)
    return written


def run(ctx: SyncContext) -> None:
    """Request the scheduled reports side by side and write each as its turn comes; one report
    type failing does not stop the others (some need features the seller may lack), but is
    recorded. Other failures (the API unreachable) fail the run, after the reports before."""
    problems = []
    requests = [ReportRequest(kind) for kind in SCHEDULED]
    for i, fetched in enumerate(fetch_reports(ctx.client, requests, ctx.reports_ahead)):
        kind = fetched.request.report_type
        try:
            text = fetched.result()
        except PermanentError as exc:
            problems.append(f"{kind}: {exc}")
            continue
        written = WRITERS[kind](ctx, text)
        ctx.commit_page(STREAM, written)
        ctx.progress((i + 1) / len(SCHEDULED), f"reports: {kind} ({written} rows)")
    if problems:
        ctx.run.error = "; ".join(problems)[:2000]
        ctx.session.commit()
