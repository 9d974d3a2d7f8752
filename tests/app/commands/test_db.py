"""`flask --app wsgi db current|history|stamp|revision` and the plain Alembic CLI, on SQLite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect

from app import create_app, migrate
from tests.conftest import base_config

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Any:
    """An app on a fresh, empty SQLite file (no schema yet)."""
    return create_app(base_config(tmp_path, f"sqlite:///{tmp_path / 'db.sqlite'}"))


def run(app: Any, *args: str) -> Any:
    result = app.test_cli_runner().invoke(args=["db", *args])
    assert result.exit_code == 0, result.output
    return result


def test_current_before_and_after_upgrade(sqlite_app: Any) -> None:
    head = migrate.heads()
    assert len(head) == 1
    assert "never built" in run(sqlite_app, "current").output
    run(sqlite_app, "upgrade")
    assert run(sqlite_app, "current").output.strip() == f"{head[0]} (head)"
    run(sqlite_app, "downgrade")
    assert "behind" in run(sqlite_app, "current").output


def test_history_lists_every_revision_newest_first(sqlite_app: Any) -> None:
    lines = run(sqlite_app, "history").output.strip().splitlines()
    files = sorted(p.name.split("_")[0] for p in (REPO / "migrations/versions").glob("[0-9]*.py"))
    assert [line.split(" -> ")[1].split(",")[0].split(" ")[0] for line in lines] == files[::-1]
    assert lines[0].split(",")[0].endswith("(head)")
    assert lines[-1].startswith("<base> -> 0001, ")


def test_stamp_records_a_revision_without_migrating(sqlite_app: Any) -> None:
    url = sqlite_app.config["DATABASE_URL"]
    run(sqlite_app, "stamp", "0001")
    assert migrate.current(url) == ["0001"]
    engine = create_engine(url)
    try:  # nothing ran: only Alembic's own table exists
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
    finally:
        engine.dispose()
    run(sqlite_app, "stamp", "head")
    assert migrate.current(url) == migrate.heads()


def test_revision_needs_a_message_and_chains_to_head(
    sqlite_app: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A copy of the migrations, so the working tree's versions/ is never written to.
    copy = tmp_path / "migrations"
    shutil.copytree(REPO / "migrations", copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", copy)
    missing = sqlite_app.test_cli_runner().invoke(args=["db", "revision"])
    assert missing.exit_code != 0 and "--message" in missing.output
    blank = sqlite_app.test_cli_runner().invoke(args=["db", "revision", "-m", "  "])
    assert blank.exit_code != 0
    head = migrate.heads()[0]
    out = run(sqlite_app, "revision", "-m", "add a thing").output
    expected = f"{int(head) + 1:04d}"
    written = copy / "versions" / f"{expected}_add_a_thing.py"
    assert str(written) in out and written.exists()
    text = written.read_text()
    assert f"revision: str = '{expected}'" in text
    assert f"down_revision: str | None = '{head}'" in text
    assert migrate.heads() == [expected]


def test_plain_alembic_cli_uses_database_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    env = {**os.environ, "DATABASE_URL": url}
    alembic = [sys.executable, "-m", "alembic", "-c", str(REPO / "alembic.ini")]
    # From another directory: alembic.ini locates the migrations and the app by its own path.
    subprocess.run([*alembic, "upgrade", "head"], env=env, cwd=tmp_path, check=True, timeout=120)
    assert migrate.current(url) == migrate.heads()
    shown = subprocess.run(
        [*alembic, "current"], env=env, cwd=tmp_path, check=True, timeout=60,
        capture_output=True, text=True,
    )  # fmt: skip
    assert f"{migrate.heads()[0]} (head)" in shown.stdout
