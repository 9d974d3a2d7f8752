"""sku daily units: units ordered per SKU per local day, the SKU page's and forecaster's history

`sku_daily_units` holds, per (tenant, seller, SKU, local day of the seller's marketplace), the
units in order lines of orders not cancelled and how many such lines: what the SKU page and the
forecaster's history added up from orders and order lines on every request and training run. From now on
app.sync.daily writes it in the transaction that writes the orders; this migration fills it
from the orders already stored, with the same count (frozen here as app.sync.daily._counted
has it: status not 'Canceled' nor 'Cancelled', the purchase instant's day in the time zone of
the account's marketplace, lines of quantity 0 making a row of 0).

On SQLite the local day is `fba_local_date`, the function the app registers on its
connections (app.localtime); it is registered on the migration's connection for the copy.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app import localtime
from integrations.amazon import marketplaces

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sku_daily_units",
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_account_id"], ["seller_accounts.id"],
            name=op.f("fk_sku_daily_units_seller_account_id_seller_accounts"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"],
            name=op.f("fk_sku_daily_units_tenant_id_tenants"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "seller_account_id", "sku", "date", name=op.f("pk_sku_daily_units")
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_sku_daily_units_tenant_id"), "sku_daily_units", ["tenant_id"])
    _backfill(op.get_bind())


def _backfill(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.connection.driver_connection.create_function(
            localtime.SQLITE_FUNCTION, 2, localtime.local_date_text, deterministic=True
        )
        day = f"{localtime.SQLITE_FUNCTION}(o.purchase_date, :zone)"
    else:
        day = "CAST(timezone(:zone, o.purchase_date) AS DATE)"
    accounts = conn.execute(sa.text("SELECT tenant_id, id, marketplace FROM seller_accounts"))
    for tenant_id, seller_id, code in accounts.all():
        conn.execute(
            sa.text(
                "INSERT INTO sku_daily_units (tenant_id, seller_account_id, sku, date, units, "
                f"lines) SELECT i.tenant_id, i.seller_account_id, i.sku, {day}, "  # noqa: S608
                "COALESCE(SUM(i.quantity_ordered), 0), COUNT(*) "
                "FROM order_items i JOIN orders o ON o.tenant_id = i.tenant_id "
                "AND o.seller_account_id = i.seller_account_id "
                "AND o.amazon_order_id = i.amazon_order_id "
                "WHERE i.tenant_id = :tenant AND i.seller_account_id = :seller "
                "AND o.status NOT IN ('Canceled', 'Cancelled') "
                "GROUP BY 1, 2, 3, 4"
            ),
            {"zone": marketplaces.get(code).time_zone, "tenant": tenant_id, "seller": seller_id},
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_sku_daily_units_tenant_id"), table_name="sku_daily_units")
    op.drop_table("sku_daily_units")
