"""Currency of a seller and conversion of a PO's money at the rate the seller entered."""

from __future__ import annotations

import re

from app.models import PurchaseOrder, SellerAccount
from app.supply.errors import SupplyError

_ISO = re.compile(r"^[A-Z]{3}$")


def seller_currency(account: SellerAccount) -> str:
    """The currency the seller's money is shown in: its marketplace's (marketplaces table)."""
    return account.currency


def check_currency(code: str, field: str = "currency") -> str:
    """An ISO 4217 code in capitals, or SupplyError."""
    code = (code or "").strip().upper()
    if not _ISO.match(code):
        raise SupplyError("Use a three-letter ISO 4217 currency code, e.g. USD.", field)
    return code


def check_rate(currency: str, seller: str, fx_rate: float | None) -> float | None:
    """The rate a PO needs: None when the currencies agree; a positive number when they differ."""
    if currency == seller:
        if fx_rate not in (None, 1, 1.0):
            raise SupplyError(f"The PO is in {seller}, the seller's currency: no rate.", "fx_rate")
        return None
    if fx_rate is None:
        raise SupplyError(
            f"The PO is in {currency}, the seller's money is in {seller}: enter the rate "
            f"({seller} per 1 {currency}).",
            "fx_rate",
        )
    if not fx_rate > 0 or fx_rate > 1_000_000:
        raise SupplyError("The rate must be a positive number.", "fx_rate")
    return float(fx_rate)


def to_seller(amount: float, po: PurchaseOrder, seller: str) -> float:
    """`amount` in the PO's currency converted to the seller's; refused without a rate."""
    if po.currency == seller:
        return amount
    if not po.fx_rate:
        raise SupplyError(f"PO {po.number} in {po.currency} has no rate to {seller}.", "fx_rate")
    return amount * po.fx_rate
