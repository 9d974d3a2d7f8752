"""Product Fees v0 getMyFeesEstimateForSKU: referral fee and FBA fulfillment fee for a price."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from simulator.server.common import ApiError, iso, market, operation, seller
from simulator.server.finances_api import commission

bp = Blueprint("fees", __name__)


def _money(amount: float) -> dict[str, Any]:
    """Money in the calling seller's currency."""
    mk = seller().world.market
    return {"CurrencyCode": mk.currency, "Amount": round(float(amount), mk.minor_units)}


def _detail(fee_type: str, amount: float, included: list | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "FeeType": fee_type,
        "FeeAmount": _money(amount),
        "FeePromotion": _money(0),
        "TaxAmount": _money(0),
        "FinalFee": _money(amount),
    }
    if included is not None:
        out["IncludedFeeDetailList"] = included
    return out


def _no_nulls(value: Any) -> Any:
    """The request echoed without null members (clients send "Shipping": null; Amazon omits)."""
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


@bp.post("/products/fees/v0/listings/<path:seller_sku>/feesEstimate")
@operation("getMyFeesEstimateForSKU")
def fees_estimate_for_sku(seller_sku: str):
    """Fees for selling one unit of a SKU at a listing price (plus shipping)."""
    body = request.get_json(silent=True) or {}
    req = body.get("FeesEstimateRequest")
    if not isinstance(req, dict):
        raise ApiError(400, "InvalidInput", "FeesEstimateRequest is required.")
    for key in ("MarketplaceId", "PriceToEstimateFees", "Identifier"):
        if key not in req:
            raise ApiError(400, "InvalidInput", f"FeesEstimateRequest.{key} is required.")
    try:
        price = float(req["PriceToEstimateFees"]["ListingPrice"]["Amount"])
        shipping = float((req["PriceToEstimateFees"].get("Shipping") or {}).get("Amount", 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise ApiError(400, "InvalidInput", "ListingPrice.Amount must be a number.") from exc
    s = seller()
    skus = list(s.world.catalog["sku"])
    if seller_sku not in skus:
        raise ApiError(400, "InvalidParameterValue", f"Invalid SellerSKU: {seller_sku}")
    i = skus.index(seller_sku)
    afn = bool(req.get("IsAmazonFulfilled", True))
    referral = commission(s, i, int(round((price + shipping) * 100)), 1)
    fba = float(s.world.catalog["fulfillment_fee"].iat[i]) if afn else 0.0
    details = [
        _detail("ReferralFee", referral),
        _detail("VariableClosingFee", 0.0),
        _detail("PerItemFee", 0.0),
        _detail("FBAFees", fba, [_detail("FBAPerUnitFulfillmentFee", fba)]),
    ]
    for d in details[3]["IncludedFeeDetailList"]:
        d.pop("IncludedFeeDetailList", None)
    return {
        "payload": {
            "FeesEstimateResult": {
                "Status": "Success",
                "FeesEstimateIdentifier": {
                    "MarketplaceId": req["MarketplaceId"],
                    "SellerId": s.seller_id,
                    "IdType": "SellerSKU",
                    "IdValue": seller_sku,
                    "IsAmazonFulfilled": afn,
                    "PriceToEstimateFees": _no_nulls(req["PriceToEstimateFees"]),
                    "SellerInputIdentifier": str(req["Identifier"]),
                },
                "FeesEstimate": {
                    "TimeOfFeesEstimation": iso(market().now),
                    "TotalFeesEstimate": _money(referral + fba),
                    "FeeDetailList": details,
                },
            }
        }
    }
