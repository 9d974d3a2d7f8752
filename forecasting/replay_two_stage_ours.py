"""The two-stage replay's `ours`: the product's two-stage plan on what the replay lets a policy
see, through the same functions the app calls (app.planning.recommend / app.planning.supply).

- Forecast: the single-stage `ours` (forecasting.replay_ours.OursPolicy: DemandForecaster
  refitted every 28 days, sample paths rescaled by sales since the fit), its paths long enough
  for the supplier lead plus the transfer lead.
- Transfer to FBA: forecasting.policy.recommend_batch with `upstream_on_hand` = the warehouse's
  stock and `upstream_arrivals` = the supplier orders in flight (the FBA plan capped by the stock
  upstream, policy._within), lead time = the transfer lead time.
- Supplier order: forecasting.supply.decide on the same paths, FBA stock, transfers in flight,
  warehouse stock and orders in flight, one primary supplier (production = the supplier lead,
  one freight option of 0 transit days at `freight_per_unit`), the SKU's supplier MOQ and case
  pack, holding = `warehouse_per_cuft_month`. The product answers with a quantity priced as an
  order placed today and an order-by date; the order is placed today (`defer=True`, a bench
  ablation: only when the order-by date is before the next review, else the next review decides
  again).
- As in the app the seller's unit cost is the landed one: the FBA plan's unit cost and the
  supplier order's margin and capital use unit_cost + freight + transfer per unit.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from forecasting.policy import SkuPlanInput, recommend_batch
from forecasting.replay_ours import OursPolicy
from forecasting.replay_two_stage import TwoStageInput, TwoStageState
from forecasting.supply import FreightOption, SupplierOption, SupplyInput, decide


def _pending(row: np.ndarray, t: int) -> list[tuple[int, int]]:
    """(day offset from t, units) of everything scheduled after day t."""
    ahead = row[t + 1:]
    return [(int(k) + 1, int(ahead[k])) for k in np.flatnonzero(ahead)]


class TwoStageOurs(OursPolicy):
    """OursPolicy's forecast, the product's FBA plan capped by upstream, its supplier order."""

    name = "ours"

    def __init__(self, two: TwoStageInput, review_days: int, defer: bool = False,
                 use_backup: bool = True, net_upstream_holding: bool = True,
                 **kwargs: object) -> None:
        self.two = two
        super().__init__(two.base, review_days, **kwargs)  # type: ignore[arg-type]
        # defer: wait with a proposed order until the last review before its order-by date
        # (a bench ablation; by default the order is placed the day the product proposes it,
        # the day its quantity was priced for)
        self.defer = defer
        self.orders_deferred = 0
        # the SKU's backup supplier, when it has one, is offered to supply.decide (False: a
        # bench ablation, the primary only); what supply.decide said each time it chose it
        self.use_backup = use_backup
        self.backup_chosen: list[dict] = []
        # the FBA plan prices a transfer's FBA storage net of the warehouse's and without
        # capital (SkuPlanInput.upstream_holding_per_cuft_month; False: a bench ablation)
        self.net_upstream_holding = net_upstream_holding

    def longest_lead(self) -> int:
        """The supplier lead plus the transfer lead: the farthest any decision reaches."""
        return int((self.two.supplier_lead + self.two.base.lead).max())

    def supply_input(self, state: TwoStageState, item: SkuPlanInput, i: int) -> SupplyInput:
        """The supplier order's input for SKU i, as app.planning.supply.supply_input builds it."""
        two, inp, t = self.two, self.inp, state.t
        # as app.planning.supply: the margin of the FBA plan's (landed) unit cost
        margin = item.sale_price * (1 - item.referral_rate) - item.fulfillment_fee - item.unit_cost
        suppliers = [SupplierOption(
            inp.skus[i], "supplier", "primary", int(two.supplier_lead[i]),
            float(inp.unit_cost[i]),
            (FreightOption("sea", 0, float(two.freight_per_unit[i])),),
            moq=int(two.supplier_moq[i]), case_pack=int(two.supplier_case_pack[i]))]
        if self.use_backup and two.has_backup[i]:
            assert (two.backup_lead is not None and two.backup_unit_cost is not None
                    and two.backup_freight_per_unit is not None and two.backup_moq is not None)
            suppliers.append(SupplierOption(
                inp.skus[i], "backup supplier", "backup", int(two.backup_lead[i]),
                float(two.backup_unit_cost[i]),
                (FreightOption("air", 0, float(two.backup_freight_per_unit[i])),),
                moq=int(two.backup_moq[i]), case_pack=int(two.supplier_case_pack[i])))
        return SupplyInput(
            sku=item.sku, demand_paths=item.demand_paths, fba_on_hand=int(state.on_hand[i]),
            upstream_on_hand=int(state.warehouse[i]), transfer_days=int(inp.lead[i]),
            suppliers=suppliers, margin_per_unit=max(0.0, float(margin)),
            cubic_feet=float(inp.cubic_feet[i]), size_tier=str(inp.size_tier[i]),
            fba_arrivals=_pending(state.arrivals[i], t),
            po_arrivals=_pending(state.po_arrivals[i], t),
            warehouse_per_cuft_month=float(two.warehouse_per_cuft_month[i]),
            unit_value=float(item.unit_cost), review_days=self.review_days,
            fba_case_pack=int(inp.case_pack[i]),
            stockout_cost_multiple=self.stockout_cost_multiple)

    def decide(self, state: TwoStageState  # type: ignore[override]
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(transfer from recommend_batch, primary and backup orders from supply.decide)."""
        if self.fit_t is None or state.t - self.fit_t >= self.retrain_days:
            self._refit(state)
        t, today = state.t, state.date
        items = self.plan_inputs(state)
        two = self.two
        for i, item in enumerate(items):
            # the seller's unit cost in the product is the landed one (price + freight +
            # transfer); the supplier's price is the supplier option's
            item.unit_cost = float(two.base.unit_cost[i] + two.freight_per_unit[i]
                                   + two.transfer_cost_per_unit[i])
            item.upstream_on_hand = int(state.warehouse[i])
            item.upstream_arrivals = _pending(state.po_arrivals[i], t)
            if self.net_upstream_holding:
                item.upstream_holding_per_cuft_month = float(two.warehouse_per_cuft_month[i])
        recs = recommend_batch(items, today, self.fees, seed=t, details=False)
        move = np.array([r.quantity for r in recs], dtype=np.int64)
        order = np.zeros(len(items), dtype=np.int64)
        backup = np.zeros(len(items), dtype=np.int64)
        next_review = today + dt.timedelta(days=self.review_days)
        for i, item in enumerate(items):
            d = decide(self.supply_input(state, item, i), today, self.fees)
            if d.order is None:
                continue
            if self.defer and d.order.order_by >= next_review:
                self.orders_deferred += 1
            elif d.order.backup:
                # the contingency from the backup supplier, and the regular order with it
                backup[i] = d.order.quantity
                if d.regular_order is not None:
                    order[i] = d.regular_order.quantity
                self.backup_chosen.append({"sku": item.sku, "t": t, **(d.order.contingency or {})})
            else:
                order[i] = d.order.quantity
        return move, order, backup
