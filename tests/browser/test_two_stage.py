"""Headless Chromium, the two-stage flow (#16): the dashboard's "to reorder", the SKU page's
supplier order, a PO built from it and downloaded, and the PO on the SKU timeline once sent."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.supply import two_stage_world
from tests.support.web import serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True),
]
PASSWORD = "correct horse 9"


@pytest.fixture
def planned_server(live_app: Any) -> Iterator[dict[str, Any]]:
    """The two-stage seller with sales until yesterday, trained and planned, served."""
    from app.extensions import db
    from app.planning.recommend import recommend_seller
    from app.planning.train import train_seller
    from tests.conftest import Factory

    live_app.config["LOGIN_RATE_LIMIT"] = 1000
    factory = Factory(db.session)
    end = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    w = two_stage_world(factory, db.session, end=end)
    user = factory.user(w.tenant, email="owner@two-stage.example", password=PASSWORD)
    train_seller(db.session, w.seller, seed=1)
    recommend_seller(db.session, w.seller)
    db.session.commit()

    def replan() -> None:
        recommend_seller(db.session, db.session.merge(w.seller))
        db.session.commit()

    with serving(live_app) as url:
        yield {"url": url, "email": user.email, "world": w, "replan": replan}


def test_reorder_build_the_po_and_see_it_upstream(browser, planned_server, shoot, tmp_path):
    server = planned_server
    w = server["world"]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(server["url"] + "/login")
    page.fill("input[name=email]", server["email"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    # The dashboard counts SKUs to reorder; its card filters the table to them.
    page.goto(server["url"] + "/")
    assert int(page.inner_text("[data-kpi=reorder]")) >= 1
    page.click("#kpi-reorder-link")
    listed = page.locator("#sku-table a.sku").all_inner_texts()
    assert "SHORT" in listed and "PLAIN" not in listed
    shoot(page, "dashboard-to-reorder")

    # The SKU page: the FBA send from what is upstream, and the supplier order beside it.
    page.click("#sku-table a.sku:text-is('SHORT')")
    page.wait_for_selector("#supplier-order")
    qty = int(page.inner_text("#order-qty").replace(",", ""))
    assert page.inner_text("#order-supplier").startswith("Ohio Works")
    assert "costs $" in page.inner_text("#order-explanation")
    assert "upstream stock limit" in page.inner_text("#explanation")
    assert page.locator("#stock-chart [data-series=upstream_on_hand]").count() == 1
    assert page.locator("#stock-chart [data-series=supplier_order]").count() == 1
    shoot(page, "sku-supplier-order")

    # Build the PO from it: the builder opens prefilled with the planner's line and freight.
    page.click("#order-build")
    page.wait_for_selector("#po-builder")
    assert page.is_checked("input[name=pick][value=SHORT]")
    assert page.input_value("input[name='qty-SHORT']") == str(qty)
    assert page.inner_text("#po-units") == f"{qty:,}"
    page.click("#po-builder button[name=save]")
    page.wait_for_url(re.compile(r".*/supply/purchase-orders/\d+$"))
    number = page.inner_text("h1").split()[0]
    with page.expect_download() as info:
        page.click("#dl-csv")
    path = tmp_path / "po.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    assert [(r["SKU"], int(r["Quantity"])) for r in rows if r["SKU"] != "Total"] == [("SHORT", qty)]
    page.click("button:text-is('Mark sent')")
    page.wait_for_selector("#po-status:text-is('sent')")

    # The next planner run counts it: the SKU page lists it upstream and marks it on the chart.
    server["replan"]()
    page.goto(server["url"] + "/")
    page.click("#sku-table a.sku:text-is('SHORT')")
    row = page.locator(f"#upstream-arrivals tr[data-reference='{number}']")
    assert row.count() == 1 and f"{qty:,}" in row.inner_text()
    assert int(page.inner_text("#upstream-on-order").replace(",", "")) == qty
    assert page.locator("#stock-chart [data-series=upstream_arrivals]").count() == 1
    after = page.locator("#kpi-order-qty").inner_text()
    assert int(after.replace(",", "")) < qty  # what is on order now is not ordered twice
    shoot(page, "sku-po-upstream")
    assert not blocked, blocked
    context.close()
    assert w.backup.name == "Ohio Works"
