"""Stock imports: CSV and XLSX set the units; any bad row refuses the whole file, naming it."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from app.supply.errors import SupplyError
from app.supply.stock import import_stock, set_quantity, stock_by_location


def _xlsx(rows) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _stock(db_session, loc):
    return stock_by_location(db_session, [loc])[loc.id]


def test_a_csv_sets_the_units_of_its_skus(supply, db_session) -> None:
    set_quantity(db_session, supply.warehouse, "SKU-B", 5)
    result = import_stock(db_session, supply.warehouse, b'SKU,Quantity\nSKU-A,"1,200"\n', "s.csv")
    assert result.errors == [] and result.updated == 1
    assert _stock(db_session, supply.warehouse) == {"SKU-A": 1200, "SKU-B": 5}


def test_an_xlsx_sets_the_units(supply, db_session) -> None:
    data = _xlsx([["sku", "qty"], ["SKU-A", 40], ["SKU-B", 0]])
    result = import_stock(db_session, supply.warehouse, data, "stock.xlsx")
    assert result.errors == [] and result.updated == 2
    assert _stock(db_session, supply.warehouse) == {"SKU-A": 40, "SKU-B": 0}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("sku,quantity\nSKU-A,10\nNOPE,3\n", "line 3, column sku: 'NOPE' is not one of"),
        ("sku,quantity\nSKU-A,10\nSKU-B,-4\n", "line 3, column quantity: -4 is negative"),
        ("sku,quantity\nSKU-A,ten\n", "line 2, column quantity: 'ten' is not a number"),
        ("sku,quantity\nSKU-A,1.5\n", "line 2, column quantity: '1.5' must be a whole number"),
        ("sku,quantity\nSKU-A,10\nSKU-B,1\nSKU-A,2\n", "line 4, column sku: SKU-A is already on"),
        ("sku\nSKU-A\n", "line 1, column quantity: the header needs a quantity column"),
    ],
)  # fmt: skip
def test_a_bad_row_refuses_the_whole_file(supply, db_session, body, expected) -> None:
    set_quantity(db_session, supply.warehouse, "SKU-A", 7)
    result = import_stock(db_session, supply.warehouse, body.encode(), "s.csv")
    assert result.updated == 0
    assert any(str(e).startswith(expected) for e in result.errors), result.errors
    assert _stock(db_session, supply.warehouse) == {"SKU-A": 7}


def test_a_bad_xlsx_row_is_named_and_nothing_changes(supply, db_session) -> None:
    data = _xlsx([["SKU", "Quantity"], ["SKU-A", 3], ["SKU-B", -1]])
    result = import_stock(db_session, supply.warehouse, data, "s.xlsx")
    assert [str(e) for e in result.errors] == ["line 3, column quantity: -1 is negative"]
    assert _stock(db_session, supply.warehouse) == {}
    junk = import_stock(db_session, supply.warehouse, b"PK\x03\x04junk", "s.xlsx")
    assert "not a readable XLSX" in str(junk.errors[0])


def test_an_edit_is_checked(supply, db_session) -> None:
    with pytest.raises(SupplyError, match="not one of this seller's SKUs"):
        set_quantity(db_session, supply.warehouse, "OTHER", 1)
    with pytest.raises(SupplyError, match="whole number"):
        set_quantity(db_session, supply.warehouse, "SKU-A", -1)


@pytest.mark.parametrize("where", ["awd", "fba"])
def test_amazons_stock_is_not_edited_here(supply, db_session, where) -> None:
    """AWD and FBA stock come from Amazon's syncs, which would overwrite an edit: refused, and
    nothing changes; the seller's warehouse takes the same edit."""
    loc = getattr(supply, where)
    before = _stock(db_session, loc)
    with pytest.raises(SupplyError, match="comes from Amazon"):
        set_quantity(db_session, loc, "SKU-A", 7)
    result = import_stock(db_session, loc, b"SKU,Quantity\nSKU-A,7\n", "s.csv")
    assert result.updated == 0 and "comes from Amazon" in str(result.errors[0])
    assert _stock(db_session, loc) == before
    set_quantity(db_session, supply.warehouse, "SKU-A", 7)
    assert _stock(db_session, supply.warehouse)["SKU-A"] == 7
