"""stockout settings: in-stock target and stockout cost per seller account and per SKU

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("seller_accounts", "products")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("in_stock_target_pct", sa.Integer(), nullable=True))
        op.add_column(table, sa.Column("stockout_cost_multiple", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        op.drop_column(table, "stockout_cost_multiple")
        op.drop_column(table, "in_stock_target_pct")
