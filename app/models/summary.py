"""The dashboard's read model: one row per active SKU with what its table row and headline show.

`SkuSummary` rows are derived data, written only by app.summaries (after a recommend run, an
inventory sync, a training run and product edits) from products, their newest snapshot, their
current recommendation and the newest model's forecast. `SummaryState` (one row per seller)
records what the rows were built from (the marks app.summaries compares with the live tables
before each read) and the headline totals, so a page reads one state row and one page of rows.

Every sort of the dashboard, both directions, has an index on PostgreSQL, (tenant, seller, key
NULLS LAST, sku), so a page reads its rows in order and stops. They are created by migration 0012
on PostgreSQL only and not declared here: SQLite cannot index NULLS LAST (it sorts in memory,
which at its sizes costs nothing), and the model must match the SQLite schema.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models import risk
from app.models.base import SKU, Base, SellerOwnedMixin, utcnow
from app.models.catalog import Money

# The status rank of a SKU without a status yet: after every PlanStatus word.
NO_STATUS_RANK = len(risk.STATUSES)

# Sort keys of the dashboard table -> summary column (the `risk` sort is a composite).
SORT_COLUMNS = {
    "on_hand": "fulfillable",
    "inbound": "inbound",
    "runs_out": "runs_out_on",
    "forecast": "fc30",
    "qty": "rec_qty",
    "ship_by": "ship_by",
    "reorder_by": "reorder_by",
}
# The risk sort: most urgent status first, then the soonest dates, the likeliest stockout.
RISK_ORDER = ("status_rank", "runs_out_on", "ship_by", "stockout_probability")


class SkuSummary(SellerOwnedMixin, Base):
    """One active SKU as the dashboard shows it (every value copied or summed from its sources).

    - product: id, sku, title, unit cost and price;
    - stock: the SKU's newest snapshot (fulfillable, inbound = working + shipped + receiving,
      its date); `value`, `risk30` and `risk90` use the seller's newest snapshot day instead, as
      the headline always has (a SKU Amazon did not report that day has no stock there);
    - plan: the current recommendation's status (and its rank in PlanStatus order, last when none),
      dates, quantity, stockout probability and the excess block's units and monthly cost;
    - demand: the newest model's mean forecast summed over the 30 and 90 days after the seller's
      newest snapshot day (`fc30`, `fc90`);
    - `reorder_by`, `reorder_quantity`: the current recommendation's supplier order (order-by
      date and units; NULL: no order), for the "to reorder" filter, card and column.
    """

    __tablename__ = "sku_summaries"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seller_account_id", "sku"),
    )
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    sku: Mapped[str] = mapped_column(SKU)
    title: Mapped[str | None] = mapped_column(String(500))
    unit_cost: Mapped[float | None] = mapped_column(Money)
    price: Mapped[float | None] = mapped_column(Money)
    # The newest snapshot of this SKU (NULL: never reported).
    fulfillable: Mapped[int | None]
    reserved: Mapped[int | None]
    inbound: Mapped[int | None]
    snapshot_date: Mapped[dt.date | None]
    # The current recommendation (NULL: the planner has not run for this SKU).
    recommendation_id: Mapped[int | None]
    status: Mapped[str | None] = mapped_column(String(32))
    status_rank: Mapped[int] = mapped_column(default=NO_STATUS_RANK)
    runs_out_on: Mapped[dt.date | None]
    ship_by: Mapped[dt.date | None]
    rec_qty: Mapped[int | None]
    stockout_probability: Mapped[float | None]
    excess_units: Mapped[int | None]
    excess_monthly: Mapped[float | None]
    reorder_by: Mapped[dt.date | None]
    reorder_quantity: Mapped[int | None]
    # The newest model's forecast (NULL: no model, or no forecast rows for this SKU).
    fc30: Mapped[float | None]
    fc90: Mapped[float | None]
    # Headline parts on the seller's newest day: stock at cost, and sales at risk at price.
    value: Mapped[float] = mapped_column(default=0.0)
    risk30: Mapped[float] = mapped_column(default=0.0)
    risk90: Mapped[float] = mapped_column(default=0.0)
    refreshed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SummaryState(SellerOwnedMixin, Base):
    """What one seller's summaries were built from, and the headline totals over them.

    The marks are the live values app.summaries.ensure compares before reading: the newest
    snapshot day and model, the newest change of a product, the highest id of a current
    recommendation. Any difference rebuilds the seller's rows.
    """

    __tablename__ = "summary_states"
    __table_args__ = (UniqueConstraint("tenant_id", "seller_account_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # False until the first full build (a partial refresh then builds everything).
    complete: Mapped[bool] = mapped_column(default=False)
    as_of: Mapped[dt.date | None]
    model_version_id: Mapped[int | None]
    products_changed_at: Mapped[dt.datetime | None]
    recommendation_id: Mapped[int | None]
    # Headline totals over the rows (risk30/90 NULL without a model).
    sku_count: Mapped[int] = mapped_column(default=0)
    stockout: Mapped[int] = mapped_column(default=0)
    ship: Mapped[int] = mapped_column(default=0)
    excess: Mapped[int] = mapped_column(default=0)
    value: Mapped[float] = mapped_column(default=0.0)
    missing_cost: Mapped[int] = mapped_column(default=0)
    risk30: Mapped[float | None]
    risk90: Mapped[float | None]
    refreshed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
