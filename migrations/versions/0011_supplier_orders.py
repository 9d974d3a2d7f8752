"""supplier orders on recommendations (two-stage plan) and the reorder-by alert's threshold

Each current recommendation of a SKU with supplier terms carries its supplier order (in the
timeline JSON, `recommendation.supplier_order`) and three compact columns copied from it for the
dashboard's "to reorder", the PO builder and the reorder-by alert. Alert settings gain the days
ahead of a reorder-by date that the alert fires (14 for existing users).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reorder_by", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("reorder_quantity", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reorder_supplier_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_recommendations_reorder_supplier_id_suppliers"),
            "suppliers",
            ["reorder_supplier_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("alert_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reorder_by_days", sa.Integer(), nullable=False, server_default="14")
        )


def downgrade() -> None:
    with op.batch_alter_table("alert_settings", schema=None) as batch_op:
        batch_op.drop_column("reorder_by_days")
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_recommendations_reorder_supplier_id_suppliers"), type_="foreignkey"
        )
        batch_op.drop_column("reorder_supplier_id")
        batch_op.drop_column("reorder_quantity")
        batch_op.drop_column("reorder_by")
