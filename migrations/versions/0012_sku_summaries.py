"""sku summaries: the dashboard's read model, one row per active SKU, and one state per seller

`sku_summaries` holds what the dashboard's table and headline show per SKU (app.summaries
writes it); `summary_states` what each seller's rows were built from and their totals. Both
start empty: the first read of a seller's dashboard builds its rows (or run
`flask --app wsgi summaries rebuild`).

On PostgreSQL every table sort has an index in each direction, (tenant, seller, key NULLS LAST,
sku), so a page reads its ~50 rows in order instead of sorting 5,000. SQLite gets none of them:
it cannot index NULLS LAST and sorts a seller's rows in memory.

The summaries' freshness check reads two more marks per page view, each now an index lookup:
products get (tenant, seller, updated_at), and the current-recommendation index gains the id
(same prefix, so its other users are unchanged).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Table sort key -> column (app.models.summary.SORT_COLUMNS, frozen here).
SORT_COLUMNS = {
    "on_hand": "fulfillable",
    "inbound": "inbound",
    "runs_out": "runs_out_on",
    "forecast": "fc30",
    "qty": "rec_qty",
    "ship_by": "ship_by",
    "reorder_by": "reorder_by",
}
# The risk sort: status rank (either direction), then fixed tie-breaks.
RISK_TAIL = "runs_out_on, ship_by, stockout_probability DESC NULLS LAST, sku"


def _pg_sort_indexes() -> list[tuple[str, str]]:
    out = [
        ("ix_sku_summaries_risk_asc", f"status_rank, {RISK_TAIL}"),
        ("ix_sku_summaries_risk_desc", f"status_rank DESC NULLS LAST, {RISK_TAIL}"),
    ]
    for key, column in SORT_COLUMNS.items():
        out.append((f"ix_sku_summaries_{key}_asc", f"{column}, sku"))
        out.append((f"ix_sku_summaries_{key}_desc", f"{column} DESC NULLS LAST, sku"))
    return out


def upgrade() -> None:
    op.create_table(
        "sku_summaries",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("unit_cost", sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=True),
        sa.Column("price", sa.Numeric(precision=14, scale=4, asdecimal=False), nullable=True),
        sa.Column("fulfillable", sa.Integer(), nullable=True),
        sa.Column("reserved", sa.Integer(), nullable=True),
        sa.Column("inbound", sa.Integer(), nullable=True),
        sa.Column("snapshot_date", sa.Date(), nullable=True),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("status_rank", sa.Integer(), nullable=False),
        sa.Column("runs_out_on", sa.Date(), nullable=True),
        sa.Column("ship_by", sa.Date(), nullable=True),
        sa.Column("rec_qty", sa.Integer(), nullable=True),
        sa.Column("stockout_probability", sa.Double(), nullable=True),
        sa.Column("excess_units", sa.Integer(), nullable=True),
        sa.Column("excess_monthly", sa.Double(), nullable=True),
        sa.Column("reorder_by", sa.Date(), nullable=True),
        sa.Column("reorder_quantity", sa.Integer(), nullable=True),
        sa.Column("fc30", sa.Double(), nullable=True),
        sa.Column("fc90", sa.Double(), nullable=True),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("risk30", sa.Double(), nullable=False),
        sa.Column("risk90", sa.Double(), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["products.id"],
            name=op.f("fk_sku_summaries_product_id_products"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["seller_account_id"], ["seller_accounts.id"],
            name=op.f("fk_sku_summaries_seller_account_id_seller_accounts"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"],
            name=op.f("fk_sku_summaries_tenant_id_tenants"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_sku_summaries")),
        sa.UniqueConstraint(
            "tenant_id", "seller_account_id", "sku",
            name=op.f("uq_sku_summaries_tenant_id_seller_account_id_sku"),
        ),
    )  # fmt: skip
    with op.batch_alter_table("sku_summaries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sku_summaries_tenant_id"), ["tenant_id"], unique=False
        )
    op.create_table(
        "summary_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("model_version_id", sa.Integer(), nullable=True),
        sa.Column("products_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("sku_count", sa.Integer(), nullable=False),
        sa.Column("stockout", sa.Integer(), nullable=False),
        sa.Column("ship", sa.Integer(), nullable=False),
        sa.Column("excess", sa.Integer(), nullable=False),
        sa.Column("value", sa.Double(), nullable=False),
        sa.Column("missing_cost", sa.Integer(), nullable=False),
        sa.Column("risk30", sa.Double(), nullable=True),
        sa.Column("risk90", sa.Double(), nullable=True),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("seller_account_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seller_account_id"], ["seller_accounts.id"],
            name=op.f("fk_summary_states_seller_account_id_seller_accounts"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"],
            name=op.f("fk_summary_states_tenant_id_tenants"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_states")),
        sa.UniqueConstraint(
            "tenant_id", "seller_account_id",
            name=op.f("uq_summary_states_tenant_id_seller_account_id"),
        ),
    )  # fmt: skip
    with op.batch_alter_table("summary_states", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_summary_states_tenant_id"), ["tenant_id"], unique=False
        )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(
            "ix_products_changed", ["tenant_id", "seller_account_id", "updated_at"], unique=False
        )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_latest")
        batch_op.create_index(
            "ix_recommendations_latest",
            ["tenant_id", "seller_account_id", "is_current", "id"],
            unique=False,
        )
    if op.get_bind().dialect.name == "postgresql":
        for name, columns in _pg_sort_indexes():
            op.execute(
                f"CREATE INDEX {name} ON sku_summaries (tenant_id, seller_account_id, {columns})"
            )


def downgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendations_latest")
        batch_op.create_index(
            "ix_recommendations_latest",
            ["tenant_id", "seller_account_id", "is_current"],
            unique=False,
        )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_changed")
    # The sort indexes go with the table.
    op.drop_table("summary_states")
    op.drop_table("sku_summaries")
