"""A location's stock: edits, and CSV/XLSX imports that are refused whole on any bad row.

A file has a header with `sku` and `quantity` (any case; "qty", "on_hand" also read as quantity).
Each row sets that SKU's units at the location; SKUs not in the file keep their stock. Rows are
numbered as a spreadsheet shows them (1 is the header).

Only the seller's own warehouses and 3PLs are edited here. FBA and AWD stock come from Amazon
(the inventory and AWD syncs set them on every run), so an edit there would be overwritten by the
next sync without a word: it is refused, saying where the number comes from.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.imports.sku_settings import MAX_BYTES, MAX_ERRORS, MAX_ROWS, ImportResult, RowError
from app.models import Location, LocationStock, Product
from app.supply.errors import SupplyError

MAX_QUANTITY = 10_000_000
QUANTITY_NAMES = ("quantity", "qty", "on_hand", "units")
USER_SOURCES = ("edit", "import")  # the seller's own numbers, from the page or a file


def check_editable(location: Location) -> None:
    """Refuse a stock edit or import at a location whose stock Amazon reports."""
    if location.kind != "warehouse":
        what = "AWD" if location.kind == "awd" else "FBA"
        raise SupplyError(
            f"{location.name}: {what} stock comes from Amazon and each sync sets it again, so "
            f"an edit here would be overwritten. Correct it in Seller Central; stock you enter "
            f"belongs to one of your own warehouses or 3PLs.",
            "location",
        )


def set_quantity(session: Session, location: Location, sku: str, quantity: int,
                 source: str = "edit") -> LocationStock:  # fmt: skip
    """Set a SKU's units at a location; the SKU must be the seller's. A seller's edit or import
    (`source` "edit" or "import") only at a warehouse: check_editable."""
    if source in USER_SOURCES:
        check_editable(location)
    if not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
        raise SupplyError(f"{sku}: units must be a whole number from 0 to {MAX_QUANTITY:,}.",
                          "quantity")  # fmt: skip
    if sku not in _known_skus(session, location):
        raise SupplyError(f"{sku} is not one of this seller's SKUs.", "sku")
    row = session.scalar(
        select(LocationStock).where(
            LocationStock.tenant_id == location.tenant_id,
            LocationStock.location_id == location.id,
            LocationStock.sku == sku,
        )
    )
    if row is None:
        row = LocationStock(tenant_id=location.tenant_id,
                            seller_account_id=location.seller_account_id,
                            location_id=location.id, sku=sku)  # fmt: skip
        session.add(row)
    row.quantity = quantity
    row.source = source
    session.flush()
    return row


def _known_skus(session: Session, location: Location) -> set[str]:
    return set(
        session.scalars(
            select(Product.sku).where(
                Product.tenant_id == location.tenant_id,
                Product.seller_account_id == location.seller_account_id,
            )
        )
    )


def _rows_csv(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SupplyError("The file is not UTF-8 text; save it as CSV UTF-8 or XLSX.") from None
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise SupplyError(f"The file is not valid CSV ({exc}).") from None


def _rows_xlsx(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SupplyError("The file is not a readable XLSX workbook.") from None
    try:
        sheet = book.worksheets[0]
        out = []
        for values in sheet.iter_rows(values_only=True):
            out.append(["" if v is None else _cell(v) for v in values])
            if len(out) > MAX_ROWS + 1:
                break
        return out
    finally:
        book.close()


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(data: bytes, filename: str) -> list[list[str]]:
    """The file's rows as text cells, from CSV or XLSX (chosen by name, or by content)."""
    if len(data) > MAX_BYTES:
        raise SupplyError(f"The file is larger than {MAX_BYTES // 1024} KB.")
    if filename.lower().endswith(".xlsx") or data[:2] == b"PK":
        return _rows_xlsx(data)
    return _rows_csv(data)


def import_stock(session: Session, location: Location, data: bytes, filename: str) -> ImportResult:
    """Set the stock of every SKU in the file, or nothing when any row is wrong."""
    try:
        check_editable(location)
        rows = read_rows(data, filename)
    except SupplyError as exc:
        return ImportResult(errors=[RowError(0, "", exc.message)])
    parsed, errors = _validate(rows, _known_skus(session, location))
    if errors:
        result = ImportResult(errors=errors[:MAX_ERRORS])
        result.truncated = len(errors) > MAX_ERRORS
        return result
    for sku, quantity in parsed.items():
        set_quantity(session, location, sku, quantity, source="import")
    return ImportResult(updated=len(parsed))


def _validate(rows: list[list[str]], known: set[str]) -> tuple[dict[str, int], list[RowError]]:
    if not rows or not any(c.strip() for c in rows[0]):
        return {}, [RowError(1, "", "the file is empty")]
    names = [c.strip().lower().replace(" ", "_") for c in rows[0]]
    if "sku" not in names:
        return {}, [RowError(1, "sku", "the header needs a sku column")]
    qty_col = next((n for n in QUANTITY_NAMES if n in names), None)
    if qty_col is None:
        return {}, [RowError(1, "quantity", "the header needs a quantity column")]
    si, qi = names.index("sku"), names.index(qty_col)
    if len(rows) > MAX_ROWS + 1:
        return {}, [RowError(0, "", f"more than {MAX_ROWS:,} rows; split the file")]
    out: dict[str, int] = {}
    first_line: dict[str, int] = {}
    errors: list[RowError] = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue
        sku = cells[si].strip() if si < len(cells) else ""
        raw = cells[qi].strip() if qi < len(cells) else ""
        if not sku:
            errors.append(RowError(line, "sku", "no SKU"))
            continue
        if sku not in known:
            errors.append(RowError(line, "sku", f"{sku!r} is not one of this seller's SKUs"))
        if sku in first_line:
            errors.append(RowError(line, "sku", f"{sku} is already on line {first_line[sku]}"))
        else:
            first_line[sku] = line
        try:
            out[sku] = _quantity(raw)
        except ValueError as exc:
            errors.append(RowError(line, qty_col, str(exc)))
    return out, errors


def _quantity(raw: str) -> int:
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a number") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ValueError(f"{raw!r} must be a whole number of units")
    if value < 0:
        raise ValueError(f"{raw} is negative")
    if value > MAX_QUANTITY:
        raise ValueError(f"{raw} is more than {MAX_QUANTITY:,}")
    return int(value)


def stock_by_location(session: Session, locations: Iterable[Location]) -> dict[int, dict[str, int]]:
    """Each location's units per SKU (SKUs with a row, including 0)."""
    ids = [loc.id for loc in locations]
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    if not ids:
        return out
    for row in session.scalars(
        select(LocationStock).where(LocationStock.location_id.in_(ids)).order_by(LocationStock.sku)
    ):
        out[row.location_id][row.sku] = row.quantity
    return out
