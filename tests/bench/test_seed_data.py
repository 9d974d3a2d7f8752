"""bench/seed_data.py writes consistent data the real pages can show, in a scratch database."""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from app.models.risk import STATUSES

ROOT = Path(__file__).resolve().parents[2]


def _seed_module():  # type: ignore[no-untyped-def]
    path = ROOT / "bench" / "seed_data.py"
    spec = importlib.util.spec_from_file_location("bench_seed_data", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def scratch_url(pg_url: str) -> Iterator[str]:
    """A brand-new database on the test server, dropped afterwards."""
    server = make_url(pg_url)
    admin = server.set(drivername="postgresql", database="postgres")
    name = f"fba_seed_test_{os.getpid()}"
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {name}")
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_seeded_data_is_consistent_and_pages_render(scratch_url: str) -> None:
    from app import create_app, migrate

    seed_data = _seed_module()
    migrate.upgrade(scratch_url)
    key = Fernet.generate_key().decode()
    n, days = 40, 60
    res = seed_data.seed(scratch_url, n_skus=n, days=days, forecast_days=120, n_users=2,
                         encryption_keys=[key])
    assert res.rows["products"] == n and len(res.product_ids) == n
    assert res.rows["inventory_snapshots"] == n * days
    assert res.rows["forecasts"] == n * 120
    assert res.rows["orders"] == res.rows["order_items"] > 0
    with psycopg.connect(seed_data.conninfo(scratch_url)) as c:
        # Stock is conserved: today's stock = yesterday's - today's sales + arrivals (>= 0).
        (leaks,) = c.execute("""
            WITH sold AS (
              SELECT i.sku, o.purchase_date::date AS day, sum(i.quantity_ordered) AS units
              FROM order_items i JOIN orders o USING (amazon_order_id) GROUP BY 1, 2),
            s AS (
              SELECT s.sku, s.date, s.fulfillable,
                     lag(s.fulfillable) OVER (PARTITION BY s.sku ORDER BY s.date) AS before
              FROM inventory_snapshots s)
            SELECT count(*) FROM s LEFT JOIN sold ON sold.sku = s.sku AND sold.day = s.date
            WHERE s.before IS NOT NULL
              AND s.fulfillable - s.before + coalesce(sold.units, 0) < 0""").fetchone()
        assert leaks == 0
        (empty_sales,) = c.execute(
            "SELECT count(*) FROM order_items WHERE quantity_ordered <= 0").fetchone()
        (negative,) = c.execute(
            "SELECT count(*) FROM inventory_snapshots WHERE fulfillable < 0").fetchone()
        assert empty_sales == 0 and negative == 0
        (stockout_days,) = c.execute(
            "SELECT count(*) FROM inventory_snapshots WHERE fulfillable = 0").fetchone()
        (current,) = c.execute(
            "SELECT count(DISTINCT sku) FROM recommendations WHERE is_current").fetchone()
        statuses = {r for (r,) in c.execute("SELECT DISTINCT status FROM recommendations")}
    assert current == n
    assert statuses <= set(STATUSES) and "healthy" in statuses
    assert stockout_days > 0  # lean re-orderers run out, as real sellers do

    app = create_app({"INSTANCE_PATH": str(ROOT / "instance" / "test-seed"), "ENV": {
        "SECRET_KEY": "test", "ENCRYPTION_KEYS": key, "DATABASE_URL": scratch_url,
        "LOG_LEVEL": "WARNING"}})
    client = app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token is not None
    r = client.post("/login", data={"email": res.emails[1], "password": res.password,
                                    "csrf_token": token.group(1)})
    assert r.status_code == 302
    dash = client.get("/?sort=forecast&dir=desc&risk=all&page=1")
    assert dash.status_code == 200 and res.skus[0][:4] in dash.text
    sku = client.get(f"/skus/{res.product_ids[7]}")
    assert sku.status_code == 200 and res.skus[7] in sku.text
    with app.app_context():
        from app.extensions import db

        db.engine.dispose()  # release connections so the database can be dropped
