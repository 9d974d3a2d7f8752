"""alerts: per-user settings (encrypted Apprise URL), alert states, and the outbox

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 10:00:00
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _owner_columns(table: str, seller: bool) -> list[Any]:
    items: list[Any] = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]
    if seller:
        items += [
            sa.Column("seller_account_id", sa.Integer(), nullable=True),
            sa.ForeignKeyConstraint(
                ["seller_account_id"], ["seller_accounts.id"],
                name=op.f(f"fk_{table}_seller_account_id_seller_accounts"), ondelete="CASCADE",
            ),
        ]
    return items  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "alert_settings",
        *_owner_columns("alert_settings", seller=False),
        sa.Column("channel_url", sa.Text(), nullable=True),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("quiet_start", sa.Time(), nullable=True),
        sa.Column("quiet_end", sa.Time(), nullable=True),
        sa.Column("digest", sa.String(length=10), nullable=False),
        sa.Column("digest_hour", sa.Integer(), nullable=False),
        sa.Column("ship_by_days", sa.Integer(), nullable=False),
        sa.Column("sync_failures", sa.Integer(), nullable=False),
        sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "tenant_id", "user_id", name=op.f("uq_alert_settings_tenant_id_user_id")
        ),
    )
    op.create_table(
        "alert_states",
        *_owner_columns("alert_states", seller=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint(
            "tenant_id", "user_id", "kind", "subject",
            name=op.f("uq_alert_states_tenant_id_user_id_kind_subject"),
        ),
    )  # fmt: skip
    op.create_table(
        "alert_messages",
        *_owner_columns("alert_messages", seller=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=True),
    )
    for table in ("alert_settings", "alert_states"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_tenant_id"), ["tenant_id"])
            batch_op.create_index(batch_op.f(f"ix_{table}_user_id"), ["user_id"])
    with op.batch_alter_table("alert_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alert_messages_tenant_id"), ["tenant_id"])
        batch_op.create_index(
            "ix_alert_messages_pending", ["tenant_id", "user_id", "sent_at"], unique=False
        )


def downgrade() -> None:
    for table in ("alert_messages", "alert_states", "alert_settings"):
        op.drop_table(table)
