"""when the webhook secret was rotated, so the previous secret verifies for a grace period only

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("seller_accounts", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("webhook_secret_rotated_at", sa.DateTime(timezone=True), nullable=True)
        )
    # Rotations made before this column existed get their grace period from now, so a
    # forwarder still on the old secret is not cut off by the upgrade itself.
    op.execute(
        "UPDATE seller_accounts SET webhook_secret_rotated_at = CURRENT_TIMESTAMP "
        "WHERE previous_webhook_secret IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("seller_accounts", schema=None) as batch_op:
        batch_op.drop_column("webhook_secret_rotated_at")
