"""order lines by SKU and order: the SKU page's sales history without table statistics

ix_order_items_sku (tenant, seller, sku) becomes (tenant, seller, sku, amazon_order_id). Without
statistics SQLite drives the SKU page's history from the 180-day order range and, for each order,
scanned all of the SKU's lines (30 M row visits, 40-50 s on the demo); with the order id in the
index each probe is one lookup. Same prefix, so every query that used the old index uses this
one, and the write cost is unchanged.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index("ix_order_items_sku")
        batch_op.create_index(
            "ix_order_items_sku_order",
            ["tenant_id", "seller_account_id", "sku", "amazon_order_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_index("ix_order_items_sku_order")
        batch_op.create_index(
            "ix_order_items_sku", ["tenant_id", "seller_account_id", "sku"], unique=False
        )
