"""recommendations carry their timeline: status (was risk), runs_out_on, timeline JSON

The planner stores each SKU's projected inventory timeline (forecasting.timeline, compact column
form) and copies every number of the row from it. `risk` (stockout / overstock / ok) becomes
`status`, a forecasting.status.PlanStatus word (up to 23 characters, hence the wider column); the
old words cannot be mapped to a status without the timeline, so old rows get NULL, which every
reader shows as "no status yet". Downgrade maps each status back to its old risk word.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("out_of_stock", "stockout_before_arrival", "ship_now", "ship_by", "healthy", "excess")
OLD_RISK = {
    "out_of_stock": "stockout",
    "stockout_before_arrival": "stockout",
    "ship_now": "ok",
    "ship_by": "ok",
    "healthy": "ok",
    "excess": "overstock",
}


def upgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.alter_column(
            "risk",
            new_column_name="status",
            existing_type=sa.String(length=20),
            type_=sa.String(length=32),
            existing_nullable=True,
        )
        batch_op.add_column(sa.Column("runs_out_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("timeline", sa.JSON(), nullable=True))
    recs = sa.table("recommendations", sa.column("status", sa.String()))
    op.execute(recs.update().where(recs.c.status.not_in(STATUSES)).values(status=None))


def downgrade() -> None:
    recs = sa.table("recommendations", sa.column("status", sa.String()))
    for status, word in OLD_RISK.items():
        op.execute(recs.update().where(recs.c.status == status).values(status=word))
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_column("timeline")
        batch_op.drop_column("runs_out_on")
        batch_op.alter_column(
            "status",
            new_column_name="risk",
            existing_type=sa.String(length=32),
            type_=sa.String(length=20),
            existing_nullable=True,
        )
