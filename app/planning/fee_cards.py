"""Which fee card prices a seller's recommendations, and the words that say so.

forecasting.fees holds Amazon's dated US card (../shared/fba-fees.md). No other region has a
card with confidence A or T there (the UK and German rates found are from 2021), so for a seller
outside the US the monthly storage rates come from its own synced storage-fee report
(GET_FBA_STORAGE_FEE_CHARGES_DATA): the fee charged per unit and cubic foot, per storage type
and season (October to December peak), the median over the report's rows. The other rates
(aged, low-inventory, placement, removal) stay the US card's, applied in the seller's currency;
without a report yet, storage is the US card's too. The seller's own overrides win over both.
`source` is the sentence the recommendation stores (timeline notes, cost breakdown).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Product, SellerAccount, StorageFeeCharge
from app.money import seller_formatter
from forecasting.fees import CARDS, FeeSchedule, storage_type

US_MARKETPLACES = ("US",)
MIN_ROWS = 3  # fewer rows than this for a storage type and season: keep the card's rate


@dataclass(frozen=True)
class PricedBy:
    """A seller's fee schedule and what it is made of."""

    schedule: FeeSchedule
    source: str
    storage_from_report: dict[str, float]


def _season(month: str) -> str:
    return "peak" if int(month[5:7]) >= 10 else "off_peak"


def report_storage_rates(session: Session, account: SellerAccount) -> dict[str, list[float]]:
    """Observed monthly storage per cubic foot, by card key (storage.standard.peak, ...), from
    the seller's storage-fee report rows in its own currency."""
    rows = session.execute(
        select(
            StorageFeeCharge.month,
            StorageFeeCharge.estimated_monthly_storage_fee,
            StorageFeeCharge.average_quantity_on_hand,
            StorageFeeCharge.currency,
            Product.cubic_feet,
            Product.size_tier,
        )
        .join(
            Product,
            (Product.tenant_id == StorageFeeCharge.tenant_id)
            & (Product.seller_account_id == StorageFeeCharge.seller_account_id)
            & (Product.sku == StorageFeeCharge.sku),
        )
        .where(
            StorageFeeCharge.tenant_id == account.tenant_id,
            StorageFeeCharge.seller_account_id == account.id,
        )
    ).all()
    out: dict[str, list[float]] = {}
    for month, fee, qty, currency, cuft, tier in rows:
        if currency != account.currency or not fee or not qty or not cuft or fee <= 0:
            continue
        kind = "large_bulky" if storage_type(tier or "") == "oversize" else "standard"
        out.setdefault(f"storage.{kind}.{_season(month)}", []).append(
            float(fee) / (float(qty) * float(cuft))
        )
    return out


def priced_by(session: Session, account: SellerAccount) -> PricedBy:
    """The seller's fee schedule (money written in its currency) and the sentence naming it."""
    money = seller_formatter(account)
    overrides = dict(account.fee_overrides or {})
    latest = CARDS[-1].effective_from.isoformat()
    if account.marketplace in US_MARKETPLACES:
        source = f"Amazon's US fee card (dated; the latest from {latest})"
        if overrides:
            source += f", with your {len(overrides)} override(s)"
        return PricedBy(FeeSchedule(overrides=overrides or None, money=money), source, {})
    observed = {
        key: round(median(values), 4)
        for key, values in report_storage_rates(session, account).items()
        if len(values) >= MIN_ROWS
    }
    storage = {k: v for k, v in observed.items() if k not in overrides}
    schedule = FeeSchedule(overrides={**storage, **overrides} or None, money=money)
    where = f"{account.marketplace} has no fee card here"
    if storage:
        rates = ", ".join(
            f"{k.split('.')[1].replace('_', ' ')} {k.split('.')[2].replace('_', '-')} "
            f"{money(v)}/cu ft"
            for k, v in sorted(storage.items())
        )
        source = (
            f"{where}: monthly storage from your storage-fee report ({rates}); aged, "
            f"low-inventory, placement and removal rates from Amazon's US card ({latest}) in "
            f"{account.currency}"
        )
    else:
        source = (
            f"{where} and no storage-fee report is synced yet: every rate from Amazon's US card "
            f"({latest}) in {account.currency}"
        )
    if overrides:
        source += f", with your {len(overrides)} override(s)"
    return PricedBy(schedule, source, storage)
