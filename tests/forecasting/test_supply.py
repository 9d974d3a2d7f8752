"""forecasting.supply: the FBA send and the supplier order (#16)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from forecasting.fees import FeeSchedule
from forecasting.supply import (
    ORDER_LINES,
    FreightOption,
    PriceBreak,
    SupplierOption,
    SupplyInput,
    allowed_quantities,
    decide,
    unit_cost_at,
)

TODAY = dt.date(2026, 3, 2)
FEES = FeeSchedule.replay()


def paths(rate: float = 10.0, days: int = 120, n: int = 60, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).poisson(rate, size=(n, days)).astype(float)


def sup(name: str = "A", role: str = "primary", production: int = 30, unit: float = 5.0,
        freight: tuple[FreightOption, ...] = (FreightOption("sea", 30, 0.5),),
        **kw: object) -> SupplierOption:
    return SupplierOption(name, f"Supplier {name}", role, production, unit, freight, **kw)


def item(suppliers: list[SupplierOption], **kw: object) -> SupplyInput:
    base: dict = {"sku": "S1", "demand_paths": paths(), "fba_on_hand": 100,
                  "upstream_on_hand": 0, "transfer_days": 7, "suppliers": suppliers,
                  "margin_per_unit": 12.0, "cubic_feet": 0.1, "size_tier": "small_standard"}
    base.update(kw)
    return SupplyInput(**base)


def test_lines_sum_to_total_and_moq_case_pack_honoured() -> None:
    s = sup(moq=250, case_pack=24)
    d = decide(item([s]), TODAY, FEES)
    assert d.order is not None
    q = d.order.quantity
    assert q % 24 == 0 and q >= 250
    for c in d.order_candidates:
        assert c.total == sum(c.lines[k] for k in ORDER_LINES)
        assert c.quantity == 0 or (c.quantity % 24 == 0 and c.quantity >= 250)
    assert sum(d.send_cost.lines.values()) == pytest.approx(d.send_cost.total)
    assert d.order.arrives_on == TODAY + dt.timedelta(days=60)
    # lands upstream on day 60, sent at the review of day 63 (every 7 days from today), at
    # FBA 7 days later
    assert d.order.at_fba_on == TODAY + dt.timedelta(days=70)
    assert f"order {q:,} from supplier a by sea" in d.explanation.lower()


def test_price_break_rounding_when_it_pays_and_not_when_it_does_not() -> None:
    s = sup(price_breaks=(PriceBreak(1000, 3.0),))
    assert unit_cost_at(s, 999) == 5.0 and unit_cost_at(s, 1000) == 3.0
    assert 1000 in allowed_quantities(s, 100)
    d = decide(item([s]), TODAY, FEES)
    assert d.order is not None and d.order.quantity == 1000 and d.order.unit_cost == 3.0
    # a tiny discount at a huge quantity does not pay for holding it
    s2 = sup(price_breaks=(PriceBreak(20000, 4.99),))
    d2 = decide(item([s2]), TODAY, FEES)
    assert d2.order is not None and d2.order.quantity < 20000 and d2.order.unit_cost == 5.0


def test_backup_chosen_only_when_primary_lands_after_stockout_and_it_pays() -> None:
    primary = sup("A", production=60, unit=5.0)
    backup = sup("B", role="backup", production=5, unit=6.0,
                 freight=(FreightOption("air", 5, 1.5),))
    # 100 units at FBA, 10/day: out in ~10 days; A lands at FBA on day 97, B on day 17
    d = decide(item([primary, backup]), TODAY, FEES)
    assert d.order is not None and d.order.backup and d.order.supplier_id == "B"
    assert "costs $" in d.explanation and "saves $" in d.explanation
    # with plenty upstream the primary can still arrive in time: no backup
    d2 = decide(item([primary, backup], upstream_on_hand=2000), TODAY, FEES)
    assert d2.order is None or not d2.order.backup
    # a backup that costs more than the margin it saves is not chosen
    dear = sup("B", role="backup", production=5, unit=40.0,
               freight=(FreightOption("air", 5, 1.5),))
    d3 = decide(item([primary, dear]), TODAY, FEES)
    assert d3.order is not None and not d3.order.backup


def test_send_capped_by_upstream_and_in_cases() -> None:
    d = decide(item([sup()], fba_on_hand=0, upstream_on_hand=30, fba_case_pack=12), TODAY, FEES)
    assert d.send_to_fba <= 30 and d.send_to_fba % 12 == 0 and d.send_to_fba == 24
    d0 = decide(item([sup()], fba_on_hand=5000, upstream_on_hand=300), TODAY, FEES)
    assert d0.send_to_fba == 0


def test_units_counted_once_upstream_and_on_po() -> None:
    # enough on a PO landing tomorrow: no order; the same units counted twice would not change
    # that, but the same quantity landing after the window must produce one
    covered = decide(item([sup()], po_arrivals=[(1, 5000)]), TODAY, FEES)
    assert covered.order is None
    late = decide(item([sup()], po_arrivals=[(200, 5000)]), TODAY, FEES)
    assert late.order is not None


def test_bad_input_named() -> None:
    with pytest.raises(ValueError, match="role"):
        sup(role="other")
    with pytest.raises(ValueError, match="freight"):
        SupplierOption("X", "X", "primary", 1, 1.0, ())
    with pytest.raises(ValueError, match="no primary"):
        decide(item([sup(role="backup")]), TODAY, FEES)


def test_default_freight_does_not_stop_a_slow_sku_from_ever_ordering() -> None:
    """Every unit sold pays the primary's cheapest freight whenever it is ordered, so it is
    netted like the list price: a slow SKU whose freight per unit is more than one review
    period's expected lost margin per unit still orders when it is out (the two-stage replay
    found such SKUs never reordered)."""
    slow = paths(rate=0.2, days=200, n=200, seed=3)
    s = sup(production=40, freight=(FreightOption("sea", 20, 11.0),))
    d = decide(item([s], demand_paths=slow, fba_on_hand=0, margin_per_unit=12.0,
                    cubic_feet=0.5), TODAY, FEES)
    assert d.order is not None and d.order.quantity >= 1
    # the contingency's figures still count the whole freight: none here (primary's sea)
    assert d.order.contingency is None
    # a unit that loses money after freight is still not worth ordering
    d2 = decide(item([s], demand_paths=slow, fba_on_hand=0, margin_per_unit=0.0,
                     cubic_feet=0.5), TODAY, FEES)
    assert d2.order is None


def test_units_landing_upstream_wait_for_the_next_review() -> None:
    """A PO landing on day 8 is sent at the review of day 14 (every 7 days from today), so it
    prices exactly as one landing on day 14; one landing on day 7 is a week earlier."""
    s = sup(production=20, freight=(FreightOption("sea", 10, 0.5),))
    base = {"fba_on_hand": 60, "review_days": 7}
    d8 = decide(item([s], po_arrivals=[(8, 200)], **base), TODAY, FEES)
    d14 = decide(item([s], po_arrivals=[(14, 200)], **base), TODAY, FEES)
    d7 = decide(item([s], po_arrivals=[(7, 200)], **base), TODAY, FEES)
    totals = [[c.total for c in d.order_candidates] for d in (d8, d14, d7)]
    assert totals[0] == totals[1] and totals[0] != totals[2]
    # the order itself lands on day 30 and is at FBA after the review of day 35
    assert d8.order is not None and d8.order.at_fba_on == TODAY + dt.timedelta(days=42)


def test_the_sellers_stockout_cost_prices_lost_ranking() -> None:
    s = sup()
    low = decide(item([s], stockout_cost_multiple=0.0), TODAY, FEES)
    high = decide(item([s], stockout_cost_multiple=3.0), TODAY, FEES)
    for c in high.order_candidates:
        assert c.lines["lost_ranking"] == pytest.approx(3.0 * c.lines["lost_margin"])
        assert c.total == sum(c.lines[k] for k in ORDER_LINES)
    assert all(c.lines["lost_ranking"] == 0.0 for c in low.order_candidates)
    assert low.order is not None and high.order is not None
    assert high.order.quantity > low.order.quantity


def test_an_moq_lot_of_months_is_ordered_before_the_stockout_not_after() -> None:
    """A slow SKU whose MOQ is months of sales, out at FBA within the window: its leftover is
    held one review period (it stands in for what the next review would order), so ordering
    now is priced against ordering next week, not against never (holding the whole lot until
    it sold made every review wait: the two-stage replay's ELC-0007 lost 44 of 96 units)."""
    slow = paths(rate=0.25, days=200, n=200, seed=5)
    s = sup(production=37, freight=(FreightOption("sea", 0, 0.02),), moq=60, case_pack=12,
            unit=22.5)
    d = decide(item([s], demand_paths=slow, fba_on_hand=3, margin_per_unit=10.7,
                    cubic_feet=0.0163, unit_value=22.6), TODAY, FEES)
    assert d.order is not None and d.order.quantity == 60
    # with a year's sales already upstream the lot stands in for nothing: no order
    d2 = decide(item([s], demand_paths=slow, fba_on_hand=3, upstream_on_hand=120,
                     margin_per_unit=10.7, cubic_feet=0.0163, unit_value=22.6), TODAY, FEES)
    assert d2.order is None
    # units beyond a year of sales are held the whole year: a lot of three years' sales costs
    # more leftover holding per unit than one of a year
    big = sup(production=37, freight=(FreightOption("sea", 0, 0.02),), moq=270, unit=22.5)
    one = sup(production=37, freight=(FreightOption("sea", 0, 0.02),), moq=90, unit=22.5)
    per_unit = []
    for option in (one, big):
        dd = decide(item([option], demand_paths=slow, fba_on_hand=3, margin_per_unit=10.7,
                         cubic_feet=0.0163, unit_value=22.6), TODAY, FEES)
        c = min((c for c in dd.order_candidates if c.quantity), key=lambda c: c.quantity)
        per_unit.append(c.lines["leftover_holding"] / c.quantity)
    assert per_unit[1] > 1.5 * per_unit[0]


def test_units_upstream_count_in_whole_fba_cases() -> None:
    """Two units upstream of a SKU sent in cases of 12 cannot reach FBA: they do not cover the
    stockout the order is for."""
    s = sup(production=10, freight=(FreightOption("sea", 0, 0.1),))
    slow = paths(rate=0.3, days=200, n=200, seed=2)
    kw = {"demand_paths": slow, "fba_on_hand": 0, "fba_case_pack": 12}
    short = decide(item([s], upstream_on_hand=11, **kw), TODAY, FEES)
    loose = decide(item([s], upstream_on_hand=11, **{**kw, "fba_case_pack": 1}), TODAY, FEES)
    assert short.order is not None
    assert loose.order is None or loose.order.quantity < short.order.quantity


def test_the_backup_covers_the_gap_and_the_regular_order_goes_with_it() -> None:
    """A contingency from the backup is placed on top of the primary's regular order: the
    backup covers the days before the primary can land, the primary the cycle after it."""
    primary = sup("A", production=60, unit=5.0)
    backup = sup("B", role="backup", production=5, unit=6.0,
                 freight=(FreightOption("air", 5, 1.5),))
    d = decide(item([primary, backup]), TODAY, FEES)
    assert d.order is not None and d.order.backup and d.order.supplier_id == "B"
    reg = d.regular_order
    assert reg is not None and reg.supplier_id == "A" and not reg.backup and reg.quantity > 0
    assert d.order.contingency is not None
    assert d.order.contingency["regular_quantity"] == reg.quantity
    assert reg.explanation.startswith(f"With it, order {reg.quantity:,} from Supplier A by sea "
                                      "as usual: lands")
    # the backup's units are what the days before the primary lands need (10/day for ~87
    # days after FBA's 100 run out), not the primary's cycle on top
    assert 600 <= d.order.quantity <= 1100
    # without the backup the primary alone orders more than the regular order with it
    alone = decide(item([primary]), TODAY, FEES)
    assert alone.order is not None and alone.order.quantity >= reg.quantity
    assert alone.regular_order is None


def test_the_fba_send_of_upstream_units_is_priced_net_of_the_warehouse() -> None:
    """A unit sent from the warehouse stops paying the warehouse's holding and keeps its
    capital wherever it waits: the FBA plan of a two-stage SKU prices its FBA storage net of
    the warehouse rate and without capital, so a bulky SKU (FBA storage about the warehouse's)
    sends more than when priced as a unit bought for the shipment, and never less."""
    from forecasting.policy import SkuPlanInput, evaluate

    rng = np.random.default_rng(4)
    base = {"sku": "B", "demand_paths": rng.poisson(2.0, size=(200, 200)).astype(float),
            "on_hand": 10, "lead_time_days": 19, "unit_cost": 27.0, "sale_price": 68.0,
            "fulfillment_fee": 15.9, "referral_rate": 0.08, "cubic_feet": 25.0,
            "size_tier": "large_bulky", "upstream_on_hand": 2000}
    gross = evaluate(SkuPlanInput(**base), TODAY, FEES, details=False)
    net = evaluate(SkuPlanInput(**base, upstream_holding_per_cuft_month=0.5), TODAY, FEES,
                   details=False)
    assert net.quantity > gross.quantity
    assert net.expected_cost_with["capital"] == 0.0
    small = {**base, "cubic_feet": 0.1, "size_tier": "small_standard", "unit_cost": 5.0}
    g2 = evaluate(SkuPlanInput(**small), TODAY, FEES, details=False)
    n2 = evaluate(SkuPlanInput(**small, upstream_holding_per_cuft_month=0.5), TODAY, FEES,
                  details=False)
    assert n2.quantity >= g2.quantity
    # a single-stage SKU (nothing upstream) ignores the rate
    single = {k: v for k, v in base.items() if k != "upstream_on_hand"}
    s1 = evaluate(SkuPlanInput(**single), TODAY, FEES, details=False)
    s2 = evaluate(SkuPlanInput(**single, upstream_holding_per_cuft_month=0.5), TODAY, FEES,
                  details=False)
    assert s1.quantity == s2.quantity == gross.quantity


def test_a_contingency_that_can_wait_for_the_next_review_waits() -> None:
    """The backup is ordered only when it cannot wait: with stock upstream for a month the
    shortfall before the primary lands is weeks away and a later review (knowing more) can
    still order the backup in time; the regular order is placed alone today."""
    primary = sup("A", production=60, unit=5.0)
    backup = sup("B", role="backup", production=5, unit=6.0,
                 freight=(FreightOption("air", 5, 1.5),))
    now = decide(item([primary, backup]), TODAY, FEES)
    assert now.order is not None and now.order.backup and now.order.order_by == TODAY
    later = decide(item([primary, backup], upstream_on_hand=300), TODAY, FEES)
    assert later.order is not None and not later.order.backup
    assert later.regular_order is None
    # the backup alone, already late: no waiting
    assert decide(item([primary, backup], fba_on_hand=0), TODAY, FEES).order.backup  # type: ignore[union-attr]
