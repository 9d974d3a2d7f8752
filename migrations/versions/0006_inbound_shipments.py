"""FBA inbound shipments and their items, with Amazon's or an estimated arrival date

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owner_columns() -> list[sa.Column]:
    return [
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
    ]


def _owner_constraints(table: str) -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(
            ["seller_account_id"],
            ["seller_accounts.id"],
            name=op.f(f"fk_{table}_seller_account_id_seller_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
    ]


def upgrade() -> None:
    op.create_table(
        "inbound_shipments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("destination_fc", sa.String(length=20), nullable=True),
        sa.Column("inbound_plan_id", sa.String(length=100), nullable=True),
        sa.Column("plan_shipment_id", sa.String(length=100), nullable=True),
        sa.Column("shipment_plan_id", sa.Integer(), nullable=True),
        sa.Column("last_updated_on", sa.Date(), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=True),
        sa.Column("shipped_on", sa.Date(), nullable=True),
        sa.Column("in_transit_on", sa.Date(), nullable=True),
        sa.Column("delivered_on", sa.Date(), nullable=True),
        sa.Column("checked_in_on", sa.Date(), nullable=True),
        sa.Column("first_received_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("delivery_window_start", sa.Date(), nullable=True),
        sa.Column("delivery_window_end", sa.Date(), nullable=True),
        sa.Column("expected_arrival", sa.Date(), nullable=True),
        sa.Column("arrival_source", sa.String(length=20), nullable=True),
        sa.Column("receiving_days", sa.Integer(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        *_owner_columns(),
        sa.ForeignKeyConstraint(
            ["shipment_plan_id"],
            ["shipment_plans.id"],
            name=op.f("fk_inbound_shipments_shipment_plan_id_shipment_plans"),
            ondelete="SET NULL",
        ),
        *_owner_constraints("inbound_shipments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_shipments")),
        sa.UniqueConstraint(
            "tenant_id",
            "seller_account_id",
            "shipment_id",
            name=op.f("uq_inbound_shipments_tenant_id_seller_account_id_shipment_id"),
        ),
    )
    with op.batch_alter_table("inbound_shipments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_shipments_tenant_id"), ["tenant_id"], unique=False
        )
        batch_op.create_index(
            "ix_inbound_shipments_status",
            ["tenant_id", "seller_account_id", "status"],
            unique=False,
        )
        batch_op.create_index(
            "ix_inbound_shipments_plan",
            ["tenant_id", "seller_account_id", "inbound_plan_id"],
            unique=False,
        )

    op.create_table(
        "inbound_shipment_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.String(length=64), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("fnsku", sa.String(length=20), nullable=True),
        sa.Column("quantity_shipped", sa.Integer(), nullable=False),
        sa.Column("quantity_received", sa.Integer(), nullable=False),
        sa.Column("quantity_in_case", sa.Integer(), nullable=True),
        *_owner_columns(),
        *_owner_constraints("inbound_shipment_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_shipment_items")),
        sa.UniqueConstraint(
            "tenant_id",
            "seller_account_id",
            "shipment_id",
            "sku",
            name=op.f("uq_inbound_shipment_items_tenant_id_seller_account_id_shipment_id_sku"),
        ),
    )
    with op.batch_alter_table("inbound_shipment_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_shipment_items_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_shipment_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbound_shipment_items_tenant_id"))
    op.drop_table("inbound_shipment_items")
    with op.batch_alter_table("inbound_shipments", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_shipments_plan")
        batch_op.drop_index("ix_inbound_shipments_status")
        batch_op.drop_index(batch_op.f("ix_inbound_shipments_tenant_id"))
    op.drop_table("inbound_shipments")
