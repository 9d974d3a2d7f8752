"""CSV import of SKU settings: all rows valid or nothing saved; errors name row and column.

Columns (header names, any case): sku (required), unit_cost, lead_time_days or its parts
(lead_time_production_days, lead_time_transit_days, lead_time_receiving_days),
lead_time_spread_days,
case_pack, moq, in_stock_target_pct, stockout_cost_multiple, prep_owner, label_owner. An empty
cell leaves that setting as it is. A single
lead_time_days total is stored as production days (transit and receiving set to 0).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import summaries
from app.models import Product, SellerAccount
from app.models.catalog import OWNERS
from app.planning import settings

MAX_BYTES = 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 50
PARTS = settings.LEAD_TIME_PARTS
# Whole-number columns and their limits (app.planning.settings, as the form and the API).
INT_RANGES = {
    s.name: (s.minimum, s.maximum)
    for s in (settings.LEAD_TIME_TOTAL, *settings.SETTINGS.values())
    if s.kind == "integer"
}
COLUMNS = ("sku", "unit_cost", "prep_owner", "label_owner", *INT_RANGES)


@dataclass(frozen=True)
class RowError:
    """One problem: the file line (1 is the header), the column, and what to fix."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return (
            f"{where}, column {self.column}: {self.message}"
            if self.column
            else f"{where}: {self.message}"
        )


@dataclass
class ImportResult:
    """How many SKUs changed, or why nothing did."""

    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    truncated: bool = False


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "_").replace("-", "_")


def _int(raw: str, column: str) -> int:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a number") from None
    if value != value.to_integral_value():
        raise ValueError(f"{raw!r} must be a whole number")
    low, high = INT_RANGES[column]
    if not low <= value <= high:
        raise ValueError(f"{raw} is outside {low:,}–{high:,}")
    return int(value)


def _cost(raw: str) -> float:
    try:
        value = Decimal(raw.replace(",", "").lstrip("$"))
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not an amount") from None
    low, high = settings.UNIT_COST.minimum, settings.UNIT_COST.maximum
    if not value.is_finite() or not low <= value <= high:
        raise ValueError(f"{raw} is outside {low:,}–{high:,}")
    return float(round(value, settings.COST_DECIMALS))


def _owner(raw: str) -> str:
    value = raw.strip().upper()
    if value not in OWNERS:
        raise ValueError(f"{raw!r} must be one of {', '.join(OWNERS)}")
    return value


def parse(data: bytes) -> tuple[list[tuple[int, dict[str, str]]], list[RowError]]:
    """Decode and split the file into (line, {column: text}) rows, or say why it can't be read."""
    if len(data) > MAX_BYTES:
        return [], [RowError(0, "", f"the file is larger than {MAX_BYTES // 1024} KB")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [RowError(0, "", "the file is not UTF-8 text; save it as CSV UTF-8")]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], [RowError(1, "", "the file is empty")]
    names = [_norm(h) for h in header]
    errors = [
        RowError(1, h, "unknown column")
        for h, n in zip(header, names, strict=True)
        if n and n not in COLUMNS
    ]
    if "sku" not in names:
        errors.append(RowError(1, "sku", "the header needs a sku column"))
    dupes = {n for n in names if n and names.count(n) > 1}
    errors += [RowError(1, d, "column appears twice") for d in sorted(dupes)]
    if errors:
        return [], errors
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names):
                errors.append(RowError(line, "", f"{len(cells)} cells but {len(names)} columns"))
                continue
            rows.append((line, {n: c.strip() for n, c in zip(names, cells, strict=False) if n}))
            if len(rows) > MAX_ROWS:
                return [], [RowError(line, "", f"more than {MAX_ROWS:,} rows; split the file")]
    except csv.Error as exc:
        errors.append(RowError(reader.line_num, "", f"not valid CSV ({exc})"))
    return rows, errors


def validate_row(line: int, row: dict[str, str]) -> tuple[dict[str, Any], list[RowError]]:
    """The settings a row changes, or its errors."""
    changes: dict[str, Any] = {}
    errors: list[RowError] = []
    for column, raw in row.items():
        if column == "sku" or raw == "":
            continue
        try:
            if column == "unit_cost":
                changes[column] = _cost(raw)
            elif column in ("prep_owner", "label_owner"):
                changes[column] = _owner(raw)
            else:
                changes[column] = _int(raw, column)
        except ValueError as exc:
            errors.append(RowError(line, column, str(exc)))
    total = changes.pop("lead_time_days", None)
    if total is not None:
        given = [changes[p] for p in PARTS if p in changes]
        if given and (len(given) < len(PARTS) or sum(given) != total):
            errors.append(
                RowError(
                    line,
                    "lead_time_days",
                    "give either the total or all three parts that add up to it",
                )
            )
        elif not given:
            changes.update(dict(zip(PARTS, (total, 0, 0), strict=True)))
    return changes, errors


def _lead_time_errors(line: int, product: Product, changes: dict[str, Any]) -> list[RowError]:
    """The parts as they would be saved must add up to at most a year (the form's rule too)."""
    parts = [changes.get(p, getattr(product, p)) for p in PARTS]
    error = settings.lead_time_error(parts)
    if error is None:
        return []
    column = next((p for p in PARTS if p in changes), "lead_time_days")
    return [RowError(line, column, error)]


def import_settings(session: Session, tenant_id: int, seller_id: int, data: bytes) -> ImportResult:
    """Validate the whole file, then apply it in one flush; the caller commits."""
    rows, errors = parse(data)
    result = ImportResult(errors=errors)
    if errors:
        return result
    if not rows:
        result.errors.append(RowError(0, "", "the file has a header but no rows"))
        return result
    products = {
        p.sku: p
        for p in session.scalars(
            select(Product).where(
                Product.tenant_id == tenant_id, Product.seller_account_id == seller_id
            )
        )
    }
    planned: list[tuple[Product, dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for line, row in rows:
        sku = row.get("sku", "")
        if not sku:
            result.errors.append(RowError(line, "sku", "empty SKU"))
            continue
        if sku in seen:
            result.errors.append(RowError(line, "sku", f"{sku!r} already on line {seen[sku]}"))
            continue
        seen[sku] = line
        product = products.get(sku)
        if product is None:
            result.errors.append(RowError(line, "sku", f"unknown SKU {sku!r} for this seller"))
            continue
        changes, row_errors = validate_row(line, row)
        if not row_errors:
            row_errors = _lead_time_errors(line, product, changes)
        result.errors += row_errors
        planned.append((product, changes))
    if result.errors:
        result.truncated = len(result.errors) > MAX_ERRORS
        result.errors = result.errors[:MAX_ERRORS]
        return result
    for product, changes in planned:
        for column, value in changes.items():
            setattr(product, column, value)
    session.flush()
    result.updated = sum(1 for _, changes in planned if changes)
    changed = [product.sku for product, changes in planned if changes]
    account = session.get(SellerAccount, seller_id)
    if changed and account is not None:
        # The dashboard's rows show unit costs (and the headline values stock at them).
        summaries.refresh(session, account, changed)
    return result
