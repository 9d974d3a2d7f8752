"""Exports parsed back: hostile SKU names and titles never become formulas (CSV and XLSX)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.exports.safe import TRIGGERS, csv_bytes, neutralise, xlsx_bytes
from app.models import ShipmentPlan
from tests.support import seed as seed_data
from tests.support.web import login

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTAB-LEAD",
    "\rCR-LEAD",
    "\u22125",
    "SAFE-SKU",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_neutralise(value: str) -> None:
    out = neutralise(value)
    if value.startswith(TRIGGERS):
        assert out == "'" + value
    else:
        assert out == value
    assert neutralise(-5) == -5 and neutralise(3.5) == 3.5 and neutralise(None) is None


def test_csv_and_xlsx_round_trip_keep_text_as_text() -> None:
    rows = [[v, v, 7, -1.5] for v in HOSTILE]
    parsed = list(
        csv.reader(
            io.StringIO(csv_bytes(["h", "=h", "n", "x"], rows).decode("utf-8-sig"), newline="")
        )
    )
    assert parsed[0] == ["h", "'=h", "n", "x"]
    for original, row in zip(HOSTILE, parsed[1:], strict=True):
        expected = "'" + original if original.startswith(TRIGGERS) else original
        assert row[:2] == [expected, expected] and row[2:] == ["7", "-1.5"]
    book = load_workbook(io.BytesIO(xlsx_bytes([("S", [["h"], *rows])])))
    sheet = book["S"]
    for r in range(2, len(HOSTILE) + 2):
        cell = sheet.cell(row=r, column=1)
        assert cell.data_type == "s"
        assert not str(cell.value).startswith(("=", "+", "-", "@"))
        assert sheet.cell(row=r, column=3).value == 7 and sheet.cell(row=r, column=4).value == -1.5
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.fixture
def hostile_plan(client, db_session, token):
    """A tenant whose SKUs and titles are formula payloads, with a saved plan of all of them."""
    skus = list(HOSTILE)
    titles = ["=1+1", "+SUM(1)", "-cmd", "@x", "\tt", "\rr", "\u2212t", "Plain title"]
    data = seed_data.seed(
        db_session, "Evil", n_skus=len(skus), days=20, horizon=30, skus=skus, titles=titles
    )
    db_session.commit()
    assert login(client, data["email"], data["password"]).status_code == 302
    form = {"csrf_token": token(client, "/plans/new"), "name": "=evil plan", "pick": []}
    for p in data["products"]:
        form["pick"].append(str(p.id))
        form[f"qty-{p.id}"] = str(max(p.case_pack, p.moq) * 2 if p.moq else p.case_pack * 2)
    response = client.post("/plans/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    plan = db_session.scalar(select(ShipmentPlan).where(ShipmentPlan.name == "=evil plan"))
    # SKU 2 ("-2+3") has no recommended shipment, so the builder does not offer it.
    planned = {ln.sku for ln in plan.lines}
    assert planned == set(skus) - {skus[2]}
    data["products"] = [p for p in data["products"] if p.sku in planned]
    return client, plan, data


def _expect(value: str) -> str:
    return "'" + value if value.startswith(TRIGGERS) else value


def test_plan_csv_is_safe(hostile_plan) -> None:
    client, plan, data = hostile_plan
    response = client.get(f"/plans/{plan.id}/plan.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert 'filename="evil-plan-' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    by_sku = {r["SKU"]: r for r in rows}
    assert set(by_sku) == {_expect(p.sku) for p in data["products"]}
    for p in data["products"]:
        row = by_sku[_expect(p.sku)]
        assert row["Title"] == _expect(p.title)
        assert int(row["Quantity"]) > 0


def test_plan_xlsx_is_safe(hostile_plan) -> None:
    client, plan, data = hostile_plan
    response = client.get(f"/plans/{plan.id}/plan.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data()))["Plan"]
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["SKU", "Title", "ASIN", "FNSKU", "Quantity"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    got = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value
        for r in range(2, sheet.max_row + 1)
    }
    # XML normalises a carriage return to a line feed; the quote prefix is what matters.
    cr = str.maketrans({"\r": "\n"})
    assert got == {
        _expect(p.sku).translate(cr): _expect(p.title).translate(cr) for p in data["products"]
    }


def test_send_to_amazon_files(hostile_plan) -> None:
    client, plan, data = hostile_plan
    response = client.get(f"/plans/{plan.id}/send-to-amazon.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:2] == ["Default prep owner", "Seller"]
    assert rows[1][:2] == ["Default labeling owner", "Seller"]
    header = rows[3]
    assert header[:4] == ["Merchant SKU", "Quantity", "Prep owner", "Labeling owner"]
    lines = {r[0].replace("\n", "\r"): r for r in rows[4:]}
    by_sku = {ln.sku: ln for ln in plan.lines}
    for p in data["products"]:
        line = lines[_expect(p.sku)]
        assert line[1] == by_sku[p.sku].quantity and line[2] == "Seller" and line[3] == "Seller"
        if p.case_pack > 1:
            assert line[4] == p.case_pack and line[5] == line[1] // p.case_pack
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row if c.value is not None)
    tsv = client.get(f"/plans/{plan.id}/send-to-amazon.txt")
    parsed = list(
        csv.reader(io.StringIO(tsv.get_data().decode("utf-8"), newline=""), delimiter="\t")
    )
    assert parsed[0][:2] == ["Default prep owner", "Seller"]
    assert {r[0] for r in parsed[4:]} == {_expect(p.sku) for p in data["products"]}
