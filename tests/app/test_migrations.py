"""Alembic builds the schema on PostgreSQL and SQLite and can go down and up again."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect

from app import migrate
from app.models import Base
from tests.support.databases import scratch_postgres


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_on_postgresql(pg_url) -> None:
    with scratch_postgres(pg_url) as url:
        expected = {t.name for t in Base.metadata.sorted_tables}
        migrate.upgrade(url)
        assert _tables(url) == expected
        migrate.downgrade(url, "base")
        assert _tables(url) == set()
        migrate.upgrade(url)
        assert _tables(url) == expected


def test_upgrade_and_downgrade_on_sqlite(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    migrate.upgrade(url)
    assert _tables(url) == {t.name for t in Base.metadata.sorted_tables}
    migrate.downgrade(url, "base")
    assert _tables(url) == set()


def test_models_and_migrations_agree(tmp_path) -> None:
    """Autogenerate finds nothing to do: a model change without a migration fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    url = f"sqlite:///{tmp_path / 'a.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
