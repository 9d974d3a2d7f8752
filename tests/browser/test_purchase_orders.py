"""Headless Chromium: build a PO by hand, download it, see it in the PO list.

Building one from the planner's supplier order and seeing it on the SKU timeline is
tests/browser/test_two_stage.py (it needs a trained, planned seller).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import seed as seed_data
from tests.support.supply import build_supply
from tests.support.web import serving

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True),
]


@pytest.fixture
def supply_server(live_app: Any) -> Iterator[dict[str, Any]]:
    """A small seeded seller with suppliers and a warehouse, served on a free port."""
    from app.extensions import db
    from tests.conftest import Factory

    live_app.config["LOGIN_RATE_LIMIT"] = 1000
    data = seed_data.seed(db.session, "Acme", n_skus=4, days=60, horizon=30)
    skus = tuple(p.sku for p in data["products"][:2])
    build_supply(
        Factory(db.session), db.session, tenant=data["tenant"], account=data["seller"], skus=skus
    )
    db.session.commit()
    with serving(live_app) as url:
        yield {
            "url": url,
            "email": data["email"],
            "password": data["password"],
            "skus": skus,
        }


def test_build_a_po_download_it_and_find_it_listed(browser, supply_server, shoot, tmp_path) -> None:
    server = supply_server
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(server["url"] + "/login")
    page.fill("input[name=email]", server["email"])
    page.fill("input[name=password]", server["password"])
    page.click("button[type=submit]")
    page.goto(server["url"] + "/supply/purchase-orders/new")
    # The supplier list is alphabetical (the USD backup first); pick the CNY primary.
    with page.expect_navigation():  # the select submits itself (app.js; no inline script)
        page.select_option("select[name=supplier]", label="Shenzhen Co (CNY)")
    a, b = server["skus"]
    page.check(f"input[name=pick][value='{a}']")
    page.check(f"input[name=pick][value='{b}']")
    page.fill(f"input[name='qty-{a}']", "300")
    page.fill(f"input[name='qty-{b}']", "500")
    page.fill("input[name=fx_rate]", "0.14")
    page.select_option("select[name=destination]", label="Main 3PL (warehouse)")
    with page.expect_navigation():
        page.click("#po-recalc")
    assert page.input_value("input[name=fx_rate]") == "0.14"
    # 300 x 20.00 + 500 x 18.00 (the 500-unit price break) in the supplier's currency
    assert page.inner_text("#po-units") == "800"
    assert page.inner_text("#po-cost") == "15,000.00"
    shoot(page, "po-builder")
    page.click("#po-builder button[name=save]")
    page.wait_for_url(re.compile(r".*/supply/purchase-orders/\d+$"))
    number = page.inner_text("h1").split()[0]
    assert "at Main 3PL" in page.inner_text("main")
    assert number.startswith("PO-")
    shoot(page, "po-detail")
    with page.expect_download() as info:
        page.click("#dl-csv")
    path = tmp_path / "po.csv"
    info.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))
    got = {
        r["SKU"]: (int(r["Quantity"]), float(r["Unit cost"])) for r in rows if r["SKU"] != "Total"
    }
    assert got == {a: (300, 20.0), b: (500, 18.0)}
    detail = page.url
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(detail + "/print")
    assert number in page.inner_text("h1")
    # The printable page's styles load under the strict CSP (bordered cells, Print wired up).
    border = page.eval_on_selector("td", "el => getComputedStyle(el).borderTopStyle")
    assert border == "solid" and not blocked, blocked
    shoot(page, "po-print")
    page.goto(server["url"] + "/supply/purchase-orders")
    assert number in page.inner_text("#po-list")
    shoot(page, "po-list")
    for name in ("suppliers", "locations"):
        page.goto(server["url"] + f"/supply/{name}")
        shoot(page, f"supply-{name}")
    context.close()
