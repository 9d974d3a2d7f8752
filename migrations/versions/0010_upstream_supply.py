"""upstream supply: suppliers, terms, freight lanes, locations and stock, purchase orders

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 21:30:29.625607
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "suppliers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("production_lead_days", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_suppliers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppliers")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_suppliers_tenant_id_name")),
    )
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_suppliers_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "holding_cost_per_cuft_month",
            sa.Numeric(precision=14, scale=4, asdecimal=False),
            nullable=False,
        ),
        sa.Column("capacity_cuft", sa.Double(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["seller_accounts.id"],
            name=op.f("fk_locations_seller_account_id_seller_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_locations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint(
            "tenant_id",
            "seller_account_id",
            "name",
            name=op.f("uq_locations_tenant_id_seller_account_id_name"),
        ),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "supplier_skus",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=False),
        sa.Column("case_pack", sa.Integer(), nullable=False),
        sa.Column("moq", sa.Integer(), nullable=False),
        sa.Column("price_breaks", sa.JSON(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["seller_accounts.id"],
            name=op.f("fk_supplier_skus_seller_account_id_seller_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_supplier_skus_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_supplier_skus_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supplier_skus")),
        sa.UniqueConstraint(
            "tenant_id",
            "seller_account_id",
            "sku",
            "supplier_id",
            name=op.f("uq_supplier_skus_tenant_id_seller_account_id_sku_supplier_id"),
        ),
    )
    with op.batch_alter_table("supplier_skus", schema=None) as batch_op:
        batch_op.create_index(
            "ix_supplier_skus_supplier", ["tenant_id", "supplier_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_supplier_skus_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "freight_lanes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("destination_location_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("transit_days", sa.Integer(), nullable=False),
        sa.Column(
            "cost_per_unit", sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=False
        ),
        sa.Column(
            "cost_per_cuft", sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=False
        ),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "transit_days >= 0", name=op.f("ck_freight_lanes_transit_days_non_negative")
        ),
        sa.ForeignKeyConstraint(
            ["destination_location_id"],
            ["locations.id"],
            name=op.f("fk_freight_lanes_destination_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_freight_lanes_supplier_id_suppliers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_freight_lanes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_freight_lanes")),
        sa.UniqueConstraint(
            "tenant_id",
            "supplier_id",
            "destination_location_id",
            "mode",
            name=op.f("uq_freight_lanes_tenant_id_supplier_id_destination_location_id_mode"),
        ),
    )
    with op.batch_alter_table("freight_lanes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_freight_lanes_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "location_inbound",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_location_inbound_quantity_non_negative")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_inbound_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["seller_accounts.id"],
            name=op.f("fk_location_inbound_seller_account_id_seller_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_location_inbound_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_inbound")),
        sa.UniqueConstraint(
            "tenant_id",
            "location_id",
            "reference",
            "sku",
            name=op.f("uq_location_inbound_tenant_id_location_id_reference_sku"),
        ),
    )
    with op.batch_alter_table("location_inbound", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_location_inbound_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "location_stock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=True),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_location_stock_quantity_non_negative")),
        sa.ForeignKeyConstraint(
            ["location_id"],
            ["locations.id"],
            name=op.f("fk_location_stock_location_id_locations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["seller_accounts.id"],
            name=op.f("fk_location_stock_seller_account_id_seller_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_location_stock_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_location_stock")),
        sa.UniqueConstraint(
            "tenant_id",
            "location_id",
            "sku",
            name=op.f("uq_location_stock_tenant_id_location_id_sku"),
        ),
    )
    with op.batch_alter_table("location_stock", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_location_stock_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "purchase_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("destination_location_id", sa.Integer(), nullable=False),
        sa.Column("freight_lane_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("fx_rate", sa.Numeric(precision=18, scale=8, asdecimal=False), nullable=True),
        sa.Column("ordered_on", sa.Date(), nullable=True),
        sa.Column("expected_ship_on", sa.Date(), nullable=True),
        sa.Column("expected_arrival_on", sa.Date(), nullable=True),
        sa.Column("sent_on", sa.Date(), nullable=True),
        sa.Column("shipped_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_purchase_orders_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["destination_location_id"],
            ["locations.id"],
            name=op.f("fk_purchase_orders_destination_location_id_locations"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["freight_lane_id"],
            ["freight_lanes.id"],
            name=op.f("fk_purchase_orders_freight_lane_id_freight_lanes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["seller_accounts.id"],
            name=op.f("fk_purchase_orders_seller_account_id_seller_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["suppliers.id"],
            name=op.f("fk_purchase_orders_supplier_id_suppliers"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_purchase_orders_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_orders")),
        sa.UniqueConstraint(
            "tenant_id",
            "seller_account_id",
            "number",
            name=op.f("uq_purchase_orders_tenant_id_seller_account_id_number"),
        ),
    )
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchase_orders_status", ["tenant_id", "seller_account_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_orders_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "purchase_order_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_order_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=False),
        sa.Column("received_quantity", sa.Integer(), nullable=False),
        sa.Column("recommended_quantity", sa.Integer(), nullable=True),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_purchase_order_lines_quantity_positive")),
        sa.CheckConstraint(
            "received_quantity >= 0 AND received_quantity <= quantity",
            name=op.f("ck_purchase_order_lines_received_in_range"),
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_order_lines_purchase_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["seller_accounts.id"],
            name=op.f("fk_purchase_order_lines_seller_account_id_seller_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_purchase_order_lines_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_lines")),
        sa.UniqueConstraint(
            "tenant_id",
            "purchase_order_id",
            "sku",
            name=op.f("uq_purchase_order_lines_tenant_id_purchase_order_id_sku"),
        ),
    )
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_purchase_order_lines_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "purchase_order_receipts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purchase_order_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_user_id", sa.Integer(), nullable=True),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "quantity > 0", name=op.f("ck_purchase_order_receipts_quantity_positive")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_user_id"],
            ["users.id"],
            name=op.f("fk_purchase_order_receipts_created_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["purchase_order_lines.id"],
            name=op.f("fk_purchase_order_receipts_line_id_purchase_order_lines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["purchase_order_id"],
            ["purchase_orders.id"],
            name=op.f("fk_purchase_order_receipts_purchase_order_id_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["seller_accounts.id"],
            name=op.f("fk_purchase_order_receipts_seller_account_id_seller_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_purchase_order_receipts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_purchase_order_receipts")),
    )
    with op.batch_alter_table("purchase_order_receipts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_purchase_order_receipts_po", ["tenant_id", "purchase_order_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_purchase_order_receipts_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("purchase_order_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_order_receipts_tenant_id"))
        batch_op.drop_index("ix_purchase_order_receipts_po")

    op.drop_table("purchase_order_receipts")
    with op.batch_alter_table("purchase_order_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_order_lines_tenant_id"))

    op.drop_table("purchase_order_lines")
    with op.batch_alter_table("purchase_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_purchase_orders_tenant_id"))
        batch_op.drop_index("ix_purchase_orders_status")

    op.drop_table("purchase_orders")
    with op.batch_alter_table("location_stock", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_stock_tenant_id"))

    op.drop_table("location_stock")
    with op.batch_alter_table("location_inbound", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_location_inbound_tenant_id"))

    op.drop_table("location_inbound")
    with op.batch_alter_table("freight_lanes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_freight_lanes_tenant_id"))

    op.drop_table("freight_lanes")
    with op.batch_alter_table("supplier_skus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_supplier_skus_tenant_id"))
        batch_op.drop_index("ix_supplier_skus_supplier")

    op.drop_table("supplier_skus")
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_locations_tenant_id"))

    op.drop_table("locations")
    with op.batch_alter_table("suppliers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_suppliers_tenant_id"))

    op.drop_table("suppliers")
