"""Flat-file reports: decompress, split tab-separated lines, read columns by header name."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

from integrations.amazon.errors import MalformedPayload
from integrations.amazon.marketplaces import DMY, MDY, YMD
from integrations.amazon.parse import as_datetime
from integrations.amazon.results import (
    AllOrdersRow,
    EstimatedFeeRow,
    LedgerRow,
    RestockRow,
    StorageFeeRow,
)

ALL_ORDERS = "GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL"
LEDGER_SUMMARY = "GET_LEDGER_SUMMARY_VIEW_DATA"
STORAGE_FEES = "GET_FBA_STORAGE_FEE_CHARGES_DATA"
ESTIMATED_FEES = "GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA"
RESTOCK = "GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT"
MYI_INVENTORY = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"


def decode_document(raw: bytes, compression: str | None) -> str:
    """Report bytes to text: GZIP when announced (or when the magic number says so)."""
    if (compression or "").upper() == "GZIP" or raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise MalformedPayload("document", f"bad GZIP data: {exc}") from exc
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("iso-8859-1")


def norm(header: str) -> str:
    """Header names compared loosely: case, spaces and underscores do not matter."""
    return re.sub(r"[\s_]+", "-", header.strip().strip('"').lower())


class Table:
    """A tab-separated document with a header line; rows are read by (normalised) column name."""

    def __init__(self, text: str, name: str) -> None:
        self.name = name
        lines = [ln for ln in text.splitlines() if ln.strip()]
        if not lines:
            self.header: list[str] = []
            self._rows: list[list[str]] = []
            return
        reader = csv.reader(io.StringIO("\n".join(lines)), delimiter="\t", quoting=csv.QUOTE_NONE)
        rows = list(reader)
        self.header = [norm(h) for h in rows[0]]
        self._rows = rows[1:]

    def has(self, *names: str) -> str | None:
        """The first of `names` present in the header."""
        for name in names:
            if name in self.header:
                return name
        return None

    def require(self, *names: str) -> str:
        """The first of `names` present, or MalformedPayload naming the column."""
        found = self.has(*names)
        if found is None:
            raise MalformedPayload(f"{self.name}.header", f"missing column {names[0]!r}")
        return found

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, {column: value}) for each data line."""
        width = len(self.header)
        for i, row in enumerate(self._rows, start=2):
            if len(row) != width:
                raise MalformedPayload(
                    f"{self.name}.line[{i}]", f"{len(row)} fields, header has {width}"
                )
            yield i, dict(zip(self.header, row, strict=True))


def _opt(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _float(value: str | None, where: str) -> float | None:
    value = _opt(value)
    if value is None:
        return None
    try:
        return float(value.replace(",", ""))
    except ValueError:
        raise MalformedPayload(where, f"not a number: {value!r}") from None


def _int(value: str | None, where: str) -> int | None:
    number = _float(value, where)
    if number is None:
        return None
    if number != int(number):
        raise MalformedPayload(where, f"not an integer: {value!r}")
    return int(number)


# A date whose year comes last (03/04/2026, 03.04.2026, 3-4-2026) or first (2026/04/03,
# 2026-04-03), maybe followed by a time.
_YEAR_LAST = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?=$|[ T])")
_YEAR_FIRST = re.compile(r"^(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?=$|[ T])")
ORDER_NAMES = {MDY: "month/day/year", DMY: "day/month/year", YMD: "year/month/day"}


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date(value: str | None, where: str, order: str | None = None) -> dt.date | None:
    """A report date, read in the order its marketplace writes dates (`order`: MDY, DMY or
    YMD, integrations.amazon.marketplaces).

    A year-first date (2026-04-03, 2026/04/03) is read in any marketplace. A year-last one is
    read in the marketplace's order: `03/04/2026` is March 4 in a US report and 3 April in a UK
    one; one that does not fit that order (13/04/2026 in a US report) is refused, never read
    the other way. Without an order, a year-last date whose first two numbers could both be the
    month is refused as ambiguous: MalformedPayload naming the row, never a guess.
    """
    value = _opt(value)
    if value is None:
        return None
    m = _YEAR_FIRST.match(value)
    if m:
        got = _day(int(m[1]), int(m[3]), int(m[4]))
        if got is None:
            raise MalformedPayload(where, f"not a date: {value!r}")
        return got
    m = _YEAR_LAST.match(value)
    if m:
        a, b, year = int(m[1]), int(m[3]), int(m[4])
        readings = {MDY: _day(year, a, b), DMY: _day(year, b, a)}
        if order in readings:
            got = readings[order]
            if got is None:
                raise MalformedPayload(
                    where, f"{value!r} is not a date written {ORDER_NAMES[order]}, the order "
                           "of this marketplace's reports")  # fmt: skip
            return got
        if order == YMD:
            raise MalformedPayload(
                where, f"{value!r}: this marketplace's reports write the year first")
        found = {d for d in readings.values() if d is not None}
        if len(found) == 1:
            return found.pop()
        if not found:
            raise MalformedPayload(where, f"not a date: {value!r}")
        raise MalformedPayload(
            where, f"ambiguous date {value!r}: month/day ({readings[MDY]}) or day/month "
                   f"({readings[DMY]}); the report's marketplace says which")  # fmt: skip
    try:
        return as_datetime(value, where).date()
    except MalformedPayload:
        raise MalformedPayload(where, f"not a date: {value!r}") from None


def parse_all_orders(text: str) -> list[AllOrdersRow]:
    """GET_FLAT_FILE_ALL_ORDERS_DATA_BY_LAST_UPDATE_GENERAL lines."""
    t = Table(text, ALL_ORDERS)
    if not t.header:
        return []
    c_id = t.require("amazon-order-id")
    c_pd = t.require("purchase-date")
    c_lu = t.require("last-updated-date", "last-update-date")
    c_st = t.require("order-status")
    c_sku = t.require("sku", "seller-sku")
    c_qty = t.require("quantity", "quantity-purchased")
    out = []
    for n, r in t.rows():
        # A field's path (for the error) is only spelt out when the field is wrong: a two-year
        # backfill reads hundreds of thousands of lines.
        def where(col: str, n: int = n) -> str:
            return f"{ALL_ORDERS}.line[{n}].{col}"

        qty = _int_at(r[c_qty], where, c_qty)
        sku = _opt(r[c_sku])
        if sku is None:
            raise MalformedPayload(where(c_sku), "missing")
        out.append(
            AllOrdersRow(
                amazon_order_id=_opt(r[c_id]) or _missing(where(c_id)),
                purchase_date=_when(r[c_pd], where, c_pd),
                last_update_date=_when(r[c_lu], where, c_lu),
                status=_opt(r[c_st]) or _missing(where(c_st)),
                fulfillment_channel=_opt(r.get("fulfillment-channel")),
                sku=sku,
                asin=_opt(r.get("asin")),
                product_name=_opt(r.get("product-name")),
                item_status=_opt(r.get("item-status")),
                quantity=qty or 0,
                currency=_opt(r.get("currency")),
                item_price=_float_at(r.get("item-price"), where, "item-price"),
                promotion_discount=_float_at(
                    r.get("item-promotion-discount"), where, "item-promotion-discount"
                ),
            )
        )
    return out


def _when(value: str, where: Callable[[str], str], col: str) -> dt.datetime:
    """as_datetime, with the path built only for an error."""
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return as_datetime(text, where(col))
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


def _float_at(value: str | None, where: Callable[[str], str], col: str) -> float | None:
    """_float, with the path built only for an error."""
    text = _opt(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        raise MalformedPayload(where(col), f"not a number: {text!r}") from None


def _int_at(value: str | None, where: Callable[[str], str], col: str) -> int | None:
    """_int, with the path built only for an error."""
    number = _float_at(value, where, col)
    if number is None:
        return None
    if number != int(number):
        raise MalformedPayload(where(col), f"not an integer: {value!r}")
    return int(number)


def _missing(where: str) -> Any:
    raise MalformedPayload(where, "missing")


def parse_ledger_summary(text: str, date_order: str | None = None) -> list[LedgerRow]:
    """GET_LEDGER_SUMMARY_VIEW_DATA (daily, by country) lines; dates in `date_order`, the
    marketplace's (see _date)."""
    t = Table(text, LEDGER_SUMMARY)
    if not t.header:
        return []
    c_date = t.require("date")
    c_sku = t.require("msku", "sku", "seller-sku")
    c_end = t.require("ending-warehouse-balance")
    c_disp = t.has("disposition")
    out = []
    for n, r in t.rows():
        w = f"{LEDGER_SUMMARY}.line[{n}]"
        day = _date(r[c_date], f"{w}.{c_date}", date_order)
        sku = _opt(r[c_sku])
        end = _int(r[c_end], f"{w}.{c_end}")
        if day is None or sku is None or end is None:
            raise MalformedPayload(w, "date, msku and ending balance are required")
        out.append(
            LedgerRow(
                date=day,
                sku=sku,
                fnsku=_opt(r.get("fnsku")),
                asin=_opt(r.get("asin")),
                title=_opt(r.get("title")),
                disposition=(_opt(r[c_disp]) if c_disp else None) or "SELLABLE",
                ending_balance=end,
            )
        )
    return out


def parse_storage_fees(
    text: str, sku_by_fnsku: dict[str, str] | None = None
) -> list[StorageFeeRow]:
    """GET_FBA_STORAGE_FEE_CHARGES_DATA, one row per SKU and month (fulfillment centres summed).

    Amazon's report names items by ASIN/FNSKU; the seller SKU comes from `sku_by_fnsku` when the
    report has no SKU column.
    """
    t = Table(text, STORAGE_FEES)
    if not t.header:
        return []
    c_sku = t.has("sku", "seller-sku", "msku")
    c_fnsku = t.has("fnsku")
    c_month = t.require("month-of-charge")
    c_fee = t.require("estimated-monthly-storage-fee")
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for n, r in t.rows():
        w = f"{STORAGE_FEES}.line[{n}]"
        fnsku = _opt(r[c_fnsku]) if c_fnsku else None
        sku = _opt(r[c_sku]) if c_sku else (sku_by_fnsku or {}).get(fnsku or "")
        if sku is None:
            continue  # an item this seller's catalogue does not know yet
        month = (_opt(r[c_month]) or _missing(f"{w}.{c_month}"))[:7]
        row = merged.setdefault(
            (sku, month),
            {
                "fee": 0.0,
                "qty": 0.0,
                "asin": _opt(r.get("asin")),
                "fnsku": fnsku,
                "volume": None,
                "tier": _opt(r.get("product-size-tier")),
                "currency": _opt(r.get("currency")),
            },
        )
        row["fee"] += _float(r[c_fee], f"{w}.{c_fee}") or 0.0
        row["qty"] += (
            _float(r.get("average-quantity-on-hand"), f"{w}.average-quantity-on-hand") or 0
        )
        row["volume"] = _float(r.get("item-volume"), f"{w}.item-volume") or row["volume"]
    return [
        StorageFeeRow(
            sku=sku,
            month=month,
            asin=v["asin"],
            fnsku=v["fnsku"],
            average_quantity_on_hand=round(v["qty"], 4),
            item_volume=v["volume"],
            product_size_tier=v["tier"],
            estimated_monthly_storage_fee=round(v["fee"], 4),
            currency=v["currency"],
        )
        for (sku, month), v in sorted(merged.items())
    ]


_TO_INCHES = {"inches": 1.0, "in": 1.0, "centimeters": 1 / 2.54, "cm": 1 / 2.54}
_TO_POUNDS = {
    "pounds": 1.0,
    "lb": 1.0,
    "lbs": 1.0,
    "kilograms": 2.20462,
    "kg": 2.20462,
    "ounces": 1 / 16,
    "oz": 1 / 16,
    "grams": 0.00220462,
    "g": 0.00220462,
}


def parse_estimated_fees(text: str) -> list[EstimatedFeeRow]:
    """GET_FBA_ESTIMATED_FBA_FEES_TXT_DATA: dimensions (in inches and pounds), tier and fees."""
    t = Table(text, ESTIMATED_FEES)
    if not t.header:
        return []
    c_sku = t.require("sku", "seller-sku")
    out = []
    for n, r in t.rows():
        w = f"{ESTIMATED_FEES}.line[{n}]"
        sku = _opt(r[c_sku]) or _missing(f"{w}.{c_sku}")
        dim_unit = (_opt(r.get("unit-of-dimension")) or "inches").lower()
        wt_unit = (_opt(r.get("unit-of-weight")) or "pounds").lower()
        to_in = _TO_INCHES.get(dim_unit)
        to_lb = _TO_POUNDS.get(wt_unit)
        if to_in is None or to_lb is None:
            raise MalformedPayload(w, f"unknown units {dim_unit!r}/{wt_unit!r}")

        def dim(
            col: str, factor: float, row: dict[str, str] = r, where: str = w
        ) -> float | None:
            value = _float(row.get(col), f"{where}.{col}")
            return None if value is None else round(value * factor, 4)

        out.append(
            EstimatedFeeRow(
                sku=sku,
                asin=_opt(r.get("asin")),
                fnsku=_opt(r.get("fnsku")),
                product_name=_opt(r.get("product-name")),
                length_in=dim("longest-side", to_in),
                width_in=dim("median-side", to_in),
                height_in=dim("shortest-side", to_in),
                weight_lb=dim("item-package-weight", to_lb),
                size_tier=_opt(r.get("product-size-tier")),
                price=_float(r.get("your-price"), f"{w}.your-price"),
                currency=_opt(r.get("currency")),
                fulfillment_fee=_float(
                    r.get("expected-fulfillment-fee-per-unit")
                    or r.get("estimated-pick-pack-fee-per-unit"),
                    f"{w}.expected-fulfillment-fee-per-unit",
                ),
                referral_fee=_float(
                    r.get("estimated-referral-fee-per-unit"), f"{w}.estimated-referral-fee-per-unit"
                ),
                total_fees=_float(r.get("estimated-fee-total"), f"{w}.estimated-fee-total"),
            )
        )
    return out


def parse_restock(text: str, date_order: str | None = None) -> list[RestockRow]:
    """GET_RESTOCK_INVENTORY_RECOMMENDATIONS_REPORT: Amazon's suggested quantity and date (in
    `date_order`, the marketplace's)."""
    t = Table(text, RESTOCK)
    if not t.header:
        return []
    c_sku = t.require("merchant-sku", "sku", "seller-sku")
    c_qty = t.has("recommended-replenishment-qty", "recommended-order-quantity")
    c_date = t.has("recommended-ship-date", "recommended-order-date")
    c_days = next((h for h in t.header if "days-of-supply" in h), None)
    out = []
    for n, r in t.rows():
        w = f"{RESTOCK}.line[{n}]"
        out.append(
            RestockRow(
                sku=_opt(r[c_sku]) or _missing(f"{w}.{c_sku}"),
                asin=_opt(r.get("asin")),
                fnsku=_opt(r.get("fnsku")),
                recommended_quantity=_int(r[c_qty], f"{w}.{c_qty}") if c_qty else None,
                recommended_ship_date=(
                    _date(r[c_date], f"{w}.{c_date}", date_order) if c_date else None
                ),
                alert=_opt(r.get("alert")),
                days_of_supply=_float(r[c_days], f"{w}.{c_days}") if c_days else None,
                raw={k: v for k, v in r.items() if v != ""},
            )
        )
    return out
