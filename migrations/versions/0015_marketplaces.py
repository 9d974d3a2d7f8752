"""marketplaces: seller connections (credentials once, several marketplaces), exchange rates,
and a user's display time zone

A seller connection holds the LWA credentials, endpoint and token URL that its seller accounts
(one per marketplace of its region) used to carry each; every existing account gets a
connection of its own with its credentials (ciphertext copied as is: same key ring). Exchange
rates are per tenant: the rates a seller enters to see a converted total on the overview.

Revision ID: 0015
Revises: 0013
Create Date: 2026-12-06 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOVED = ("endpoint", "token_url", "lwa_client_id", "lwa_client_secret", "refresh_token")


def _moved_columns() -> list[sa.Column]:
    return [
        sa.Column("endpoint", sa.String(length=500), nullable=True),
        sa.Column("token_url", sa.String(length=500), nullable=True),
        sa.Column("lwa_client_id", sa.String(length=300), nullable=True),
        sa.Column("lwa_client_secret", sa.Text(), nullable=True),
        sa.Column("refresh_token", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "seller_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region", sa.String(length=32), nullable=False),
        sa.Column("endpoint", sa.String(length=500), nullable=False),
        sa.Column("token_url", sa.String(length=500), nullable=False),
        sa.Column("lwa_client_id", sa.String(length=300), nullable=False),
        sa.Column("lwa_client_secret", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"],
            name=op.f("fk_seller_connections_tenant_id_tenants"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seller_connections")),
    )  # fmt: skip
    op.create_index(op.f("ix_seller_connections_tenant_id"), "seller_connections", ["tenant_id"])
    # One connection per existing account, with the account's id (so the copy is one statement).
    op.execute(
        "INSERT INTO seller_connections (id, tenant_id, region, endpoint, token_url, "
        "lwa_client_id, lwa_client_secret, refresh_token, created_at, updated_at) "
        "SELECT id, tenant_id, region, endpoint, token_url, lwa_client_id, lwa_client_secret, "
        "refresh_token, created_at, updated_at FROM seller_accounts"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('seller_connections', 'id'), "
            "COALESCE((SELECT MAX(id) FROM seller_connections), 0) + 1, false)"
        )
    with op.batch_alter_table("seller_accounts") as batch:
        batch.add_column(sa.Column("connection_id", sa.Integer(), nullable=True))
    op.execute("UPDATE seller_accounts SET connection_id = id")
    with op.batch_alter_table("seller_accounts") as batch:
        batch.alter_column("connection_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_seller_accounts_connection_id_seller_connections"),
            "seller_connections", ["connection_id"], ["id"], ondelete="CASCADE",
        )  # fmt: skip
        batch.create_index(batch.f("ix_seller_accounts_connection_id"), ["connection_id"])
        batch.create_unique_constraint(
            batch.f("uq_seller_accounts_connection_id_marketplace"),
            ["connection_id", "marketplace"],
        )
        for name in MOVED:
            batch.drop_column(name)

    op.create_table(
        "exchange_rates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("base_currency", sa.String(length=3), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("rate", sa.Numeric(18, 8), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"],
            name=op.f("fk_exchange_rates_tenant_id_tenants"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rates")),
        sa.UniqueConstraint(
            "tenant_id", "base_currency", "currency",
            name=op.f("uq_exchange_rates_tenant_id_base_currency_currency"),
        ),
    )  # fmt: skip
    op.create_index(op.f("ix_exchange_rates_tenant_id"), "exchange_rates", ["tenant_id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
    op.drop_index(op.f("ix_exchange_rates_tenant_id"), table_name="exchange_rates")
    op.drop_table("exchange_rates")
    with op.batch_alter_table("seller_accounts") as batch:
        for column in _moved_columns():
            batch.add_column(column)
    # Every account gets its connection's credentials back (several accounts: a copy each).
    for name in MOVED:
        op.execute(
            f"UPDATE seller_accounts SET {name} = (SELECT c.{name} FROM seller_connections c "  # noqa: S608 - fixed column names
            "WHERE c.id = seller_accounts.connection_id)"
        )
    with op.batch_alter_table("seller_accounts") as batch:
        for column in _moved_columns():
            batch.alter_column(column.name, existing_type=column.type, nullable=False)
        batch.drop_constraint(
            batch.f("uq_seller_accounts_connection_id_marketplace"), type_="unique"
        )
        batch.drop_index(batch.f("ix_seller_accounts_connection_id"))
        batch.drop_constraint(
            batch.f("fk_seller_accounts_connection_id_seller_connections"), type_="foreignkey"
        )
        batch.drop_column("connection_id")
    op.drop_index(op.f("ix_seller_connections_tenant_id"), table_name="seller_connections")
    op.drop_table("seller_connections")
