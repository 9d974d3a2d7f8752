"""The two-stage plan on the pages and the API (#16): a trained and planned seller with a
warehouse, AWD, two suppliers and a PO in flight; every figure shown is the stored plan's."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from typing import Any

import jsonschema
import pytest
from sqlalchemy import select

from app.models import Product, Recommendation
from app.planning.recommend import recommend_seller
from app.planning.train import train_seller
from app.web.api.openapi import document
from forecasting.explain import fmt_date
from tests.support.supply import END, TODAY, two_stage_world
from tests.support.web import login

PASSWORD = "correct horse 9"


@pytest.fixture
def planned(client: Any, factory: Any, db_session: Any) -> Any:
    """The two-stage world, trained and planned, with its owner logged in and an API token."""
    from app.tenancy import create_token

    w = two_stage_world(factory, db_session)
    w.user = factory.user(w.tenant, email="owner@two-stage.example", password=PASSWORD)
    train_seller(db_session, w.seller, seed=1)
    recommend_seller(db_session, w.seller)
    _, w.token = create_token(db_session, w.user, w.tenant.id, "pages")
    db_session.commit()
    assert login(client, w.user.email, PASSWORD).status_code == 302
    w.recs = {
        r.sku: r
        for r in db_session.scalars(
            select(Recommendation).where(Recommendation.is_current.is_(True))
        )
    }
    w.ids = {
        p.sku: p.id for p in db_session.scalars(select(Product).where(
            Product.seller_account_id == w.seller.id))
    }  # fmt: skip
    return w


def _text(page: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</t[dh]>', page, re.S)
    assert m, element_id
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip()


def _money(text: str) -> float:
    return float(text.replace("$", "").replace(",", ""))


def test_sku_page_shows_the_supplier_order_and_upstream(client, planned) -> None:
    w = planned
    rec = w.recs["SHORT"]
    order = rec.timeline["recommendation"]["supplier_order"]
    page = client.get(f"/skus/{w.ids['SHORT']}").get_data(as_text=True)
    assert f'<p class="explain" id="order-explanation">{html.escape(order["explanation"])}' in page
    assert _text(page, "order-qty") == f"{order['quantity']:,}"
    assert _text(page, "order-supplier").startswith("Ohio Works")
    assert _text(page, "order-freight").startswith("air")
    assert _text(page, "order-by").startswith(fmt_date(TODAY, TODAY))
    assert _text(page, "order-arrives") == fmt_date(TODAY + dt.timedelta(days=14), TODAY)
    # the cost lines as printed add up to the total as printed
    block = page[page.index('id="order-costs"'):]
    block = block[: block.index("</table>")]
    cells = [_money(c) for c in re.findall(r'data-line="[^"]+"><th>[^<]*</th><td class="num">'
                                           r"([^<]+)</td>", block)]  # fmt: skip
    # one row per cost line the planner priced (the total is its own row)
    assert len(cells) == len(order["cost"]["lines"])
    total = _money(_text(page, "order-total"))
    assert round(sum(cells), 2) == total == round(order["cost"]["total"], 2)
    c = order["contingency"]
    assert (
        f"costs ${c['extra_cost']:,} more and saves ${c['lost_margin_saved']:,} of lost margin"
        in html.unescape(page[page.index('id="order-contingency"'):])
    )
    assert _text(page, "upstream-on-hand") == "60"
    assert _text(page, "upstream-after") == "0"
    assert "(upstream stock limit: 60 units upstream" in html.unescape(page)
    raw = re.search(r"data-chart='([^']*)' data-kind=\"timeline\"", page).group(1)
    chart = json.loads(html.unescape(raw))
    assert chart["upstream_on_hand"][0] == 0 and chart["order_arrives_on"] == [order["arrives_on"]]

    steady = client.get(f"/skus/{w.ids['STEADY']}").get_data(as_text=True)
    assert f'data-reference="{w.po.number}"' in steady
    assert _text(steady, "upstream-on-hand") == "320"
    assert _text(steady, "upstream-on-order") == "200"
    plain = client.get(f"/skus/{w.ids['PLAIN']}").get_data(as_text=True)
    assert 'id="supplier-order"' not in plain and 'id="upstream"' not in plain


def _json_schema(node: Any, components: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: refs inlined, `nullable` as a null type."""
    if isinstance(node, list):
        return [_json_schema(n, components) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _json_schema(components[node["$ref"].rsplit("/", 1)[1]], components)
    out = {k: _json_schema(v, components) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def test_api_timeline_serves_upstream_and_the_supplier_order(client, planned) -> None:
    w = planned
    headers = {"Authorization": f"Bearer {w.token}"}
    schemas = document()["components"]["schemas"]
    schema = _json_schema(schemas["SkuTimeline"], schemas)
    for sku in ("SHORT", "STEADY", "PLAIN"):
        body = client.get(f"/api/v1/skus/{w.ids[sku]}/timeline", headers=headers).get_json()
        jsonschema.validate(body, schema)
        stored = w.recs[sku].timeline
        assert body["upstream"] == stored["upstream"], sku
        assert body["recommendation"]["supplier_order"] == stored["recommendation"][
            "supplier_order"], sku  # fmt: skip
    short = client.get(f"/api/v1/skus/{w.ids['SHORT']}/timeline", headers=headers).get_json()
    so = short["recommendation"]["supplier_order"]
    assert {"supplier_id", "quantity", "order_by", "arrives_on", "backup"} <= set(so)
    assert (so["supplier_id"], so["order_by"], so["backup"]) == (
        w.backup.id, TODAY.isoformat(), True
    )
    assert short["upstream"]["on_hand"] == 60 and short["upstream"]["on_order"] == 0
    assert short["days"][0]["upstream_on_hand"] == 0


def test_dashboard_counts_and_filters_to_reorder_and_the_po_builder_prefills(
    client, planned, token
) -> None:
    w = planned
    due = {s for s, r in w.recs.items()
           if r.reorder_by and r.reorder_by <= END + dt.timedelta(days=7)}  # fmt: skip
    assert "SHORT" in due and "PLAIN" not in due
    page = client.get("/").get_data(as_text=True)
    assert re.search(rf'data-kpi="reorder">{len(due)}<', page)
    only = client.get("/?reorder=due").get_data(as_text=True)
    listed = set(re.findall(r'class="sku">([A-Z]+)</a>', only))
    assert listed == due
    assert f'data-reorder-by="{TODAY.isoformat()}"' in only

    # The builder opens on the supplier with orders due, ticked with the planner's quantities.
    short = w.recs["SHORT"]
    builder = client.get("/supply/purchase-orders/new").get_data(as_text=True)
    assert re.search(rf'<option value="{w.backup.id}" selected>Ohio Works', builder)
    assert f'data-recommended="{short.reorder_quantity}"' in builder
    assert f'name="qty-SHORT" value="{short.reorder_quantity}"' in builder
    assert 'name="pick" value="SHORT" checked' in builder
    assert f'<option value="{w.air.id}" selected>' in builder  # the planner's freight
    # The backup tops up the primary's regular order, which the primary's page offers beside
    # it, ticked when due; the FBA shipment's quantity is no supplier order (STEADY: its MOQ).
    primary = client.get(f"/supply/purchase-orders/new?supplier={w.primary.id}").get_data(
        as_text=True
    )
    regular = short.timeline["recommendation"]["supplier_order"].get("regular_order")
    if regular:
        assert f'name="qty-SHORT" value="{regular["quantity"]}"' in primary
        due_regular = dt.date.fromisoformat(regular["order_by"]) <= END + dt.timedelta(days=7)
        assert ('name="pick" value="SHORT" checked' in primary) == due_regular
    else:
        assert 'name="pick" value="SHORT" checked' not in primary
        assert 'name="qty-SHORT" value="100"' in primary
    assert 'value="0.14"' in primary
    # Saved as it was prefilled: a draft PO of the recommended quantity.
    url = "/supply/purchase-orders/new"
    form = {"csrf_token": token(client, url), "supplier": w.backup.id, "save": "1",
            "destination": w.warehouse.id, "lane": w.air.id, "pick": ["SHORT"],
            "qty-SHORT": str(short.reorder_quantity), "qty-STEADY": "1"}  # fmt: skip
    saved = client.post(url, data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1500]
    po = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Ohio Works" in po and f"{short.reorder_quantity:,}" in po
