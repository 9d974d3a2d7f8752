"""0015 moves each account's credentials to a connection of its own, and back on downgrade."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from app import migrate

CREDENTIALS = ("endpoint", "token_url", "lwa_client_id", "lwa_client_secret", "refresh_token")


def _account(conn, n: int, region: str = "us-east-1") -> None:
    conn.execute(
        text(
            "INSERT INTO seller_accounts (id, public_id, name, marketplace, marketplace_id, region,"
            " endpoint, token_url, lwa_client_id, lwa_client_secret, refresh_token,"
            " webhook_secret, review_days, active, created_at, updated_at, tenant_id)"
            " VALUES (:n, :pid, :name, 'US', 'ATVPDKIKX0DER', :region, :ep, :tu, :cid,"
            " :sec, :rt, 'whsec', 7, true, '2026-01-01', '2026-01-01', 1)"
        ),
        {
            "n": n, "pid": f"pub{n}", "name": f"acct {n}", "region": region,
            "ep": f"https://ep{n}.example", "tu": f"https://tok{n}.example/auth/o2/token",
            "cid": f"client-{n}", "sec": f"ciphertext-secret-{n}", "rt": f"ciphertext-rt-{n}",
        },
    )  # fmt: skip


def test_credentials_move_to_a_connection_each_and_back(scratch_url) -> None:
    migrate.upgrade(scratch_url, "0013")
    engine = create_engine(scratch_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO tenants (id, name, created_at, updated_at) "
                              "VALUES (1, 't', '2026-01-01', '2026-01-01')"))  # fmt: skip
            _account(conn, 3)
            _account(conn, 8, region="eu-west-1")
        migrate.upgrade(scratch_url, "0015")
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT a.id, a.connection_id, c.region, c.endpoint, c.token_url,"
                " c.lwa_client_id, c.lwa_client_secret, c.refresh_token, c.tenant_id"
                " FROM seller_accounts a JOIN seller_connections c ON c.id = a.connection_id"
                " ORDER BY a.id")).all()  # fmt: skip
        assert [r[:3] for r in rows] == [(3, 3, "us-east-1"), (8, 8, "eu-west-1")]
        assert rows[0][3:] == (
            "https://ep3.example", "https://tok3.example/auth/o2/token", "client-3",
            "ciphertext-secret-3", "ciphertext-rt-3", 1,
        )  # fmt: skip
        with engine.begin() as conn:
            # New connections get fresh ids after the copied ones (PostgreSQL's sequence).
            new_id = conn.execute(text(
                "INSERT INTO seller_connections (region, endpoint, token_url, lwa_client_id,"
                " lwa_client_secret, refresh_token, created_at, updated_at, tenant_id) VALUES"
                " ('us-east-1', 'e', 't', 'c', 's', 'r', '2026-01-02', '2026-01-02', 1)"
                " RETURNING id")).scalar()  # fmt: skip
        assert new_id > 8
        migrate.downgrade(scratch_url, "0013")
        with engine.connect() as conn:
            back = conn.execute(text(
                f"SELECT {', '.join(CREDENTIALS)} FROM seller_accounts WHERE id = 3")).one()  # noqa: S608
        assert tuple(back) == (
            "https://ep3.example", "https://tok3.example/auth/o2/token", "client-3",
            "ciphertext-secret-3", "ciphertext-rt-3",
        )  # fmt: skip
    finally:
        engine.dispose()
