"""SQLite plans that do not depend on statistics, and statistics refreshed when missing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import event, text

from tests.support import seed as seed_data

KEY = Fernet.generate_key().decode()


def migrated(tmp_path: Path) -> str:
    from app import migrate

    url = f"sqlite:///{tmp_path / 'stats.db'}"
    migrate.upgrade(url)
    return url


def make_app(tmp_path: Path, url: str) -> Any:
    from app import create_app

    return create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "ENV": {"SECRET_KEY": "k", "ENCRYPTION_KEYS": KEY, "DATABASE_URL": url},
        }
    )


def seeded_without_statistics(tmp_path: Path) -> tuple[Any, dict[str, Any]]:
    """An app on a file database holding a seeded tenant and no sqlite_stat1."""
    from app.extensions import db

    app = make_app(tmp_path, migrated(tmp_path))
    with app.app_context():
        data = seed_data.seed(db.session, "Acme", n_skus=2, days=30, horizon=10)
        db.session.commit()
        db.session.execute(text("DROP TABLE IF EXISTS sqlite_stat1"))
        db.session.commit()
        data["product_ids"] = [p.id for p in data["products"]]
    return app, data


def test_sku_history_reads_its_days_by_key_without_statistics(tmp_path: Path) -> None:
    """With no sqlite_stat1, the SKU page's history is one range of the daily units' key."""
    from app.extensions import db
    from app.models import Product
    from app.web.skus.detail import sales_history

    app, data = seeded_without_statistics(tmp_path)
    statements: list[tuple[str, Any]] = []

    def capture(_c: Any, _cur: Any, statement: str, params: Any, *_: Any) -> None:
        if "FROM sku_daily_units" in statement or "order_items" in statement:
            statements.append((statement, params))

    with app.app_context():
        session = db.session
        product = session.get(Product, data["product_ids"][0])
        event.listen(db.engine, "before_cursor_execute", capture)
        history = sales_history(session, product, dt.date.today())
        event.remove(db.engine, "before_cursor_execute", capture)
        assert sum(history["units"]) > 0
        assert len(statements) == 1  # no order lines are read
        statement, params = statements[0]
        plan = [
            row[-1]
            for row in session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, params
            )
        ]
        db.engine.dispose()
    assert len(plan) == 1 and plan[0].startswith("SEARCH sku_daily_units"), plan
    assert "sku=? AND date>? AND date<?" in plan[0], plan


def test_app_start_analyzes_a_loaded_database_without_statistics(tmp_path: Path) -> None:
    from app.extensions import analyze_if_stale, db

    app, _ = seeded_without_statistics(tmp_path)
    with app.app_context():
        engine = db.engine
        with engine.connect() as conn:
            names = set(conn.exec_driver_sql("SELECT name FROM sqlite_master").scalars())
        assert "sqlite_stat1" not in names
        make_app(tmp_path, str(engine.url))  # the next start of the app
        with engine.connect() as conn:
            kept = set(conn.exec_driver_sql("SELECT DISTINCT tbl FROM sqlite_stat1").scalars())
        assert {"orders", "order_items", "inventory_snapshots"} <= kept
        # Fresh statistics: nothing to do on the start after.
        assert analyze_if_stale(engine) is False
        engine.dispose()
