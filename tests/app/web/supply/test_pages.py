"""Supply pages: build a PO, track it, receive part of it, download it; CSRF and tenants."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from app.models import LocationStock, Product, PurchaseOrder
from tests.support.supply import build_supply


def _supply(factory, db_session, seeded):
    skus = tuple(p.sku for p in seeded["products"][:2])
    s = build_supply(
        factory, db_session, tenant=seeded["tenant"], account=seeded["seller"], skus=skus
    )
    db_session.commit()
    return s, skus


def test_build_receive_and_download_a_po(web, token, factory, db_session, seeded) -> None:
    s, (a, b) = _supply(factory, db_session, seeded)
    url = f"/supply/purchase-orders/new?supplier={s.primary.id}"
    page = web.get(url).get_data(as_text=True)
    assert "Rate: USD per 1 CNY" in page and a in page
    form = {
        "csrf_token": token(web, url),
        "supplier": s.primary.id,
        "destination": s.warehouse.id,
        "lane": s.sea.id,
        "pick": [a, b],
        f"qty-{a}": "505",
        f"qty-{b}": "500",
    }
    # "Recalculate totals" (no `save`) re-renders with the edited lines and saves nothing.
    check = web.post(url, data=form)
    assert check.status_code == 200 and "Order whole cases of 10." in check.get_data(as_text=True)
    assert db_session.scalars(select(PurchaseOrder)).first() is None
    form["save"] = "1"
    bad = web.post(url, data=form)
    assert bad.status_code == 422
    assert "Order whole cases of 10." in bad.get_data(as_text=True)
    form[f"qty-{a}"] = "300"
    no_rate = web.post(url, data=form)
    assert no_rate.status_code == 422 and "enter the rate" in no_rate.get_data(as_text=True)
    form["fx_rate"] = "0.14"
    saved = web.post(url, data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
    po = db_session.scalars(select(PurchaseOrder)).one()
    lines = {ln.sku: ln for ln in po.lines}
    # 500 reaches the 18.00 price break; 300 pays the base 20.00.
    assert (lines[a].quantity, lines[a].unit_cost, lines[b].unit_cost) == (300, 20.0, 18.0)
    show = f"/supply/purchase-orders/{po.id}"
    for status in ("sent", "in_production", "shipped"):
        r = web.post(f"{show}/status", data={"csrf_token": token(web, show), "status": status})
        assert r.status_code == 302
    over = {"csrf_token": token(web, show), f"recv-{lines[a].id}": "301"}
    web.post(f"{show}/receive", data=over)
    assert "only 300 of 300 are outstanding" in web.get(show).get_data(as_text=True)
    part = {"csrf_token": token(web, show), f"recv-{lines[a].id}": "120"}
    web.post(f"{show}/receive", data=part)
    stock = db_session.scalar(select(LocationStock.quantity).where(LocationStock.sku == a))
    assert stock == 120
    text = web.get(f"{show}/po.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "SKU" and rows[-1][:3] == ["Total", "", "800"]
    assert rows[-1][6] == "15000.0"  # 300 x 20 + 500 x 18, in CNY
    book = load_workbook(io.BytesIO(web.get(f"{show}/po.xlsx").get_data()))
    assert book["Order"]["B1"].value == po.number
    printed = web.get(f"{show}/print").get_data(as_text=True)
    assert po.number in printed and "Shenzhen Co" in printed
    listing = web.get("/supply/purchase-orders").get_data(as_text=True)
    assert po.number in listing and "shipped" in listing


def test_pages_render_and_import_stock(web, token, factory, db_session, seeded) -> None:
    s, (a, b) = _supply(factory, db_session, seeded)
    assert "Shenzhen Co" in web.get("/supply/suppliers").get_data(as_text=True)
    url = "/supply/locations"
    assert "Main 3PL" in web.get(url).get_data(as_text=True)
    data = {
        "csrf_token": token(web, url),
        "file": (io.BytesIO(f"sku,quantity\n{a},5\nNOPE,1\n".encode()), "s.csv"),
    }
    web.post(
        f"/supply/locations/{s.warehouse.id}/import", data=data, content_type="multipart/form-data"
    )
    page = web.get(url).get_data(as_text=True)
    assert "Nothing imported: line 3, column sku" in page
    assert db_session.scalar(select(LocationStock.quantity)) is None
    data = {
        "csrf_token": token(web, url),
        "file": (io.BytesIO(f"sku,qty\n{a},5\n".encode()), "s.csv"),
    }
    web.post(
        f"/supply/locations/{s.warehouse.id}/import", data=data, content_type="multipart/form-data"
    )
    assert db_session.scalar(select(LocationStock.quantity)) == 5
    # More volume than the warehouse's capacity is said, with both figures.
    assert "data-over-capacity" not in web.get(url).get_data(as_text=True)
    product = db_session.scalar(select(Product).where(Product.sku == a))
    warehouse = db_session.get(type(s.warehouse), s.warehouse.id)
    product.cubic_feet = 2.0
    warehouse.capacity_cuft = 5.0  # the 5 units take 10 cu ft
    db_session.commit()
    page = web.get(url).get_data(as_text=True)
    assert "data-over-capacity" in page and "Over capacity" in page


def test_forms_need_csrf_and_other_tenants_get_404(web, token, factory, db_session, seeded) -> None:
    s, (a, b) = _supply(factory, db_session, seeded)
    other = build_supply(factory, db_session, "Other")
    from app.supply import purchase_orders as pos

    theirs = pos.create(
        db_session, other.account, other.backup, other.warehouse, [pos.LineInput("SKU-A", 5, 6.0)]
    )
    db_session.commit()
    r = web.post(f"/supply/locations/{s.warehouse.id}/stock", data={"sku": a, "quantity": "3"})
    assert r.status_code == 400
    t = token(web, "/supply/locations")
    for path in (
        f"/supply/purchase-orders/{theirs.id}",
        f"/supply/purchase-orders/{theirs.id}/po.csv",
        f"/supply/purchase-orders/{theirs.id}/print",
    ):
        assert web.get(path).status_code == 404, path
    for path, data in (
        (f"/supply/purchase-orders/{theirs.id}/status", {"status": "sent"}),
        (f"/supply/locations/{other.warehouse.id}/stock", {"sku": "SKU-A", "quantity": "1"}),
        (f"/supply/purchase-orders/{theirs.id}/receive", {}),
    ):
        assert web.post(path, data={"csrf_token": t, **data}).status_code == 404, path
    assert theirs.status == "draft"
