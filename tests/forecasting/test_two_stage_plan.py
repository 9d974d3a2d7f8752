"""Two-stage SKUs in the FBA plan (#16): the shipment is capped by the stock upstream, the
timeline carries the upstream position, and the supplier order's sentence is its own fields."""

from __future__ import annotations

import datetime as dt
import json
import re

import numpy as np

from forecasting.explain import fmt_date, fmt_units
from forecasting.fees import FeeSchedule
from forecasting.policy import SkuPlanInput, allowed, recommend, recommend_batch, upstream_cap
from forecasting.supply import FreightOption, SupplierOption, SupplyInput, decide

TODAY = dt.date(2025, 2, 3)


def _paths(rate: float, days: int = 200, n: int = 200, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate, size=(n, days)).astype(float)


def _item(**kw) -> SkuPlanInput:
    base = {"sku": "A", "demand_paths": _paths(5.0), "on_hand": 30, "lead_time_days": 12,
            "unit_cost": 8.0, "sale_price": 25.0, "fulfillment_fee": 4.0, "cubic_feet": 0.1,
            "size_tier": "small_standard"}
    base.update(kw)
    return SkuPlanInput(**base)


def _get(d, path: str):
    for part in path.split("."):
        d = d[int(part)] if isinstance(d, list) else d[part]
    return d


def _figures_are_fields(tl, d) -> None:
    text = d["recommendation"]["explanation"]
    for path, piece in tl.explanation_fields.items():
        assert piece in text, path
        value = _get(d, path)
        if isinstance(value, int):
            assert fmt_units(value) == piece, path
    rest = re.sub("|".join(re.escape(p) for p in sorted(tl.explanation_fields.values(),
                                                        key=len, reverse=True)), "", text)
    assert not re.search(r"\d", rest), rest


def test_plenty_upstream_changes_nothing() -> None:
    free = recommend(_item(), TODAY)
    two = recommend(_item(upstream_on_hand=5000), TODAY)
    assert free.quantity > 0 and two.quantity == free.quantity and not two.upstream_limited
    assert two.expected_cost_with == free.expected_cost_with


def test_shipment_is_capped_by_upstream_stock_in_whole_cases() -> None:
    free = recommend(_item(case_pack=6), TODAY)
    rec = recommend(_item(case_pack=6, upstream_on_hand=41), TODAY)
    assert free.quantity > 41
    assert rec.upstream_limited and rec.unconstrained_quantity == free.quantity
    assert rec.quantity <= 36 and allowed(rec.quantity, 6, 0) and upstream_cap(
        _item(case_pack=6, upstream_on_hand=41)) == 36
    # the cheapest of every quantity priced that the stock upstream can fill
    inside = rec.candidates <= 36
    assert rec.candidate_costs[rec.candidates == rec.quantity][0] == \
        rec.candidate_costs[inside].min()
    tl = rec.timeline
    assert tl is not None and tl.upstream_limited and tl.quantity == rec.quantity
    offered = [c for c in tl.candidates if c.within_capacity]
    assert tl.chosen() in offered and all(c.quantity <= 36 for c in offered)
    assert all(tl.chosen().total <= c.total for c in offered)
    d = json.loads(json.dumps(tl.to_dict()))
    assert d["recommendation"]["upstream_limited"] is True
    assert d["upstream"] == {"on_hand": 41, "on_order": 0, "after_shipment": 41 - rec.quantity}
    text = d["recommendation"]["explanation"]
    assert f"(upstream stock limit: 41 units upstream, {fmt_units(free.quantity)} without it)" \
        in text
    _figures_are_fields(tl, d)


def test_nothing_upstream_ships_nothing_and_says_why() -> None:
    rec = recommend(_item(upstream_on_hand=0), TODAY)
    assert rec.quantity == 0 and rec.upstream_limited and rec.unconstrained_quantity > 0
    assert rec.latest_ship_date is None
    tl = rec.timeline
    assert tl is not None
    d = json.loads(json.dumps(tl.to_dict()))
    assert "but nothing is upstream (the supplier order says when more arrives)" in \
        d["recommendation"]["explanation"]
    _figures_are_fields(tl, d)
    # below the MOQ the stock upstream cannot make a shipment at all
    assert upstream_cap(_item(upstream_on_hand=30, moq=40)) == 0


def test_upstream_position_counts_each_unit_once_on_its_day() -> None:
    item = _item(upstream_on_hand=400, upstream_arrivals=[(-3, 50), (10, 120), (500, 7)])
    rec = recommend(item, TODAY)
    tl = rec.timeline
    assert tl is not None and not rec.upstream_limited
    d = tl.to_dict()
    days = d["days"]
    q = rec.quantity
    assert d["upstream"] == {"on_hand": 400, "on_order": 177, "after_shipment": 400 - q}
    # the overdue PO lands today, the other on day 10; the one beyond the horizon is on order
    assert days[0]["upstream_arrivals"] == 50 and days[10]["upstream_arrivals"] == 120
    assert sum(x["upstream_arrivals"] for x in days) == 170
    assert days[0]["upstream_on_hand"] == 400 - q + 50
    assert days[9]["upstream_on_hand"] == 400 - q + 50
    assert days[10]["upstream_on_hand"] == days[-1]["upstream_on_hand"] == 400 - q + 170
    # single-stage SKUs carry no upstream columns
    plain = recommend(_item(), TODAY).timeline
    assert plain is not None and plain.upstream is None
    assert "upstream_on_hand" not in plain.to_dict()["days"][0]


def test_capacity_sharing_keeps_the_upstream_limit() -> None:
    a = _item(sku="a", upstream_on_hand=20)
    b = _item(sku="b", cubic_feet=0.5)
    free = recommend_batch([a, b], TODAY)
    assert free[0].upstream_limited and free[0].quantity <= 20
    limit = (30 + 20) * 0.1 + 30 * 0.5 + 0.5 * free[1].quantity * 0.5
    capped = recommend_batch([a, b], TODAY, capacity_cuft={"standard": limit})
    assert capped[0].quantity <= 20 and capped[1].quantity < free[1].quantity


def test_supplier_order_sentence_is_its_own_fields() -> None:
    sea, air = FreightOption("sea", 30, 0.5), FreightOption("air", 5, 1.5)
    primary = SupplierOption("A", "Supplier A", "primary", 60, 5.0, (sea,))
    backup = SupplierOption("B", "Supplier B", "backup", 5, 6.0, (air,))
    item = SupplyInput(sku="S1", demand_paths=_paths(10.0, days=120, n=60, seed=1),
                       fba_on_hand=100, upstream_on_hand=0, transfer_days=7,
                       suppliers=[primary, backup], margin_per_unit=12.0, cubic_feet=0.1,
                       size_tier="small_standard")
    d = decide(item, TODAY, FeeSchedule.replay())
    assert d.order is not None and d.order.backup
    o = d.order.to_dict()
    c = o["contingency"]
    assert c["instead_of"]["supplier_id"] == "A" and c["days_earlier"] == 80
    assert c["extra_cost"] > 0 and c["lost_margin_saved"] > c["extra_cost"]
    assert o["cost"]["total"] == sum(o["cost"]["lines"].values())
    text = o["explanation"]
    assert text == d.order_text and not text.startswith("Send")
    assert d.explanation.endswith(text)
    arrives = fmt_date(dt.date.fromisoformat(o["arrives_on"]), TODAY)
    assert text.startswith(f"Order {o['quantity']:,} from Supplier B by air: lands {arrives}, "
                           "80 days before Supplier A by sea could")
    assert f"costs ${c['extra_cost']:,.0f} more and saves ${c['lost_margin_saved']:,.0f}" in text
    assert text.endswith(f"order by {fmt_date(dt.date.fromisoformat(o['order_by']), TODAY)}.")


def test_order_by_ignores_stockouts_no_order_could_prevent() -> None:
    # FBA is empty now (lost sales until the PO's units reach FBA on day 12, whatever is
    # ordered); an order placed today is at FBA on day 67, and the PO's 650 units last until
    # about day 77: the order can wait a few days, not "today" because FBA is empty now.
    sea = FreightOption("sea", 30, 0.5)
    s = SupplierOption("A", "Supplier A", "primary", 30, 5.0, (sea,))
    item = SupplyInput(sku="S", demand_paths=_paths(10.0, days=150, n=60, seed=1),
                       fba_on_hand=0, upstream_on_hand=0, transfer_days=7, suppliers=[s],
                       margin_per_unit=12.0, cubic_feet=0.1, size_tier="small_standard",
                       po_arrivals=[(5, 650)])  # fmt: skip
    d = decide(item, TODAY, FeeSchedule.replay())
    assert d.order is not None
    wait = (d.order.order_by - TODAY).days
    assert 1 <= wait <= 77 - 67
    later = d.order.order_by + dt.timedelta(days=60)
    assert d.order.arrives_if_ordered_by == later
    assert d.order.explanation.endswith(
        f"order by {fmt_date(d.order.order_by, TODAY)} at the latest (it then lands "
        f"{fmt_date(later, TODAY)}).")
    assert d.order.to_dict()["arrives_if_ordered_by"] == later.isoformat()
    short = SupplyInput(**{**item.__dict__, "po_arrivals": [(5, 500)]})
    late = decide(short, TODAY, FeeSchedule.replay())
    assert late.order is not None and late.order.order_by == TODAY  # out before day 67
