"""indexes for the dashboard: snapshots by day, forecasts by model and day

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 19:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inventory_snapshots", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventory_snapshots_day", ["tenant_id", "seller_account_id", "date"], unique=False
        )
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_forecasts_model_date",
            ["tenant_id", "seller_account_id", "model_version_id", "date"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("forecasts", schema=None) as batch_op:
        batch_op.drop_index("ix_forecasts_model_date")
    with op.batch_alter_table("inventory_snapshots", schema=None) as batch_op:
        batch_op.drop_index("ix_inventory_snapshots_day")
