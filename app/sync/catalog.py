"""Products as the streams see them; the seller's own settings are never touched."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from app.models import Product, utcnow
from app.sync.upsert import upsert
from forecasting.size_tiers import tier_code

# Identity columns Amazon owns: the latest non-empty value wins.
IDENTITY = ("asin", "fnsku", "title")
# Catalogue facts from Amazon's reports (dimensions, size tier, list price).
FACTS = ("length_in", "width_in", "height_in", "weight_lb", "cubic_feet", "size_tier", "price")
LIMITS = {"sku": 64, "asin": 20, "fnsku": 20, "title": 500, "size_tier": 30}


def _clip(row: dict[str, Any]) -> dict[str, Any]:
    for col, size in LIMITS.items():
        value = row.get(col)
        if isinstance(value, str) and len(value) > size:
            row[col] = value[:size]
    return row


_LEAD_TIME_DEFAULTS = {
    name: Product.__table__.c[name].default.arg
    for name in (
        "lead_time_production_days",
        "lead_time_transit_days",
        "lead_time_receiving_days",
        "lead_time_spread_days",
    )
}


def upsert_products(
    session: Session, tenant_id: int, seller_account_id: int, seen: Iterable[dict[str, Any]]
) -> int:
    """Create unknown SKUs and refresh Amazon-owned columns of known ones.

    `seen` holds dicts with 'sku' and any of IDENTITY/FACTS. Values for the same SKU are merged
    (later non-empty values win). Cost, lead times, case pack, MOQ and prep/label owners are
    the seller's and are never in the update.
    """
    merged: dict[str, dict[str, Any]] = {}
    for item in seen:
        sku = item.get("sku")
        if not sku:
            continue
        row = merged.setdefault(sku, {"sku": sku})
        for key, value in item.items():
            if value not in (None, "") and key in IDENTITY + FACTS:
                row[key] = value
    if not merged:
        return 0
    for row in merged.values():
        if "size_tier" in row:
            # Reports say 'Large standard-size'; planning and fees use tier codes.
            row["size_tier"] = (
                tier_code(str(row["size_tier"]), row.get("weight_lb")) or row["size_tier"]
            )
    now = utcnow()
    columns = sorted({k for r in merged.values() for k in r} - {"sku"})
    rows = [
        _clip(
            {
                "tenant_id": tenant_id,
                "seller_account_id": seller_account_id,
                "sku": sku,
                **{c: r.get(c) for c in columns},
                "created_at": now,
                "updated_at": now,
                # New SKUs start on the model's default lead time until the seller sets theirs.
                **_LEAD_TIME_DEFAULTS,
                "case_pack": 1,
                "moq": 0,
                "prep_owner": "SELLER",
                "label_owner": "SELLER",
                "active": True,
            }
        )
        for sku, r in sorted(merged.items())
    ]
    return upsert(
        session,
        Product,
        rows,
        keys=["tenant_id", "seller_account_id", "sku"],
        update=[],
        prefer_incoming=columns,
        touch=["updated_at"],
    )
