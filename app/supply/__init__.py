"""Upstream supply services: suppliers and terms, locations and stock, purchase orders.

Read API for the planner (`forecasting/supply.py` via `app/planning/recommend.py`):

- `upstream_for_seller(session, account, today=None) -> dict[sku, Upstream]`:
  `Upstream.on_hand` is the units at the seller's non-FBA locations (warehouses, 3PLs, AWD:
  `LocationStock`), `Upstream.on_order` a sorted list of `OnOrder(arrives_on, quantity,
  location_id, kind, reference)`: the outstanding units of open purchase orders (sent,
  in production, shipped; `arrives_on` is the PO's expected arrival, None when unknown) and of
  unreceived `LocationInbound` rows (e.g. AWD inbound). Each unit appears once: a receipt moves
  it from on_order to on_hand in the same transaction. FBA stock is not in it (it stays in
  inventory_snapshots, as the planner reads it today).
- `terms_for_seller(session, account) -> dict[sku, list[Terms]]`: each SKU's supplier terms,
  primary first, with the supplier's production lead days, currency, and its freight lanes
  (`Lane(mode, transit_days, cost_per_unit, cost_per_cuft, destination_kind)`), costs in the
  supplier's currency and `fx_rate`-free: convert with `app.supply.currency`.
- `supplier_rates(session, account) -> dict[supplier_id, rate]`: the rate of the newest PO to
  each supplier that has one (the seller's own figure; none for a supplier never ordered from).

Writes (routes commit; these add and flush): `purchase_orders.create / transition / receive`,
`stock.set_quantity / import_stock`, `suppliers.*`.
"""

from app.supply.read import (
    Lane,
    OnOrder,
    Terms,
    Upstream,
    supplier_rates,
    terms_for_seller,
    upstream_for_seller,
)

__all__ = ["Lane", "OnOrder", "Terms", "Upstream", "supplier_rates", "terms_for_seller",
           "upstream_for_seller"]
