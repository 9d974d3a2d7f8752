"""Alembic driven from the app: `flask --app wsgi db upgrade|downgrade|current|history|...`.

The plain Alembic CLI works too (`alembic upgrade head`, with alembic.ini at the repo root): its
URL is DATABASE_URL, or the embedded SQLite database the app would use (default_database_url).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from app.config import normalise_database_url

REPO = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = REPO / "migrations"
# Revisions are numbered 0001, 0002, ...; files are named <number>_<slug>.py.
FILE_TEMPLATE = "%(rev)s_%(slug)s"


@dataclass(frozen=True)
class Revision:
    """One migration script, as `history` lists it."""

    revision: str
    down_revision: str | None
    message: str
    is_head: bool


def default_database_url() -> str:
    """DATABASE_URL, or the SQLite file in the instance folder (what create_app() would use)."""
    instance = os.environ.get("INSTANCE_PATH") or str(REPO / "instance")
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance) / 'fba_planner.db'}"
    return normalise_database_url(url)


def alembic_config(database_url: str) -> Config:
    """An Alembic config for this project's migrations against `database_url`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("file_template", FILE_TEMPLATE.replace("%", "%%"))
    # ConfigParser interpolation would choke on '%' in passwords.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config("sqlite://"))


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    """Take the schema down to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


def current(database_url: str) -> list[str]:
    """The revisions the database is stamped at (empty: never migrated)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return sorted(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def heads() -> list[str]:
    """The newest revisions in migrations/versions (one, unless the history has branched)."""
    return sorted(_scripts().get_heads())


def history() -> list[Revision]:
    """Every revision, newest first."""
    scripts = _scripts()
    head_set = set(scripts.get_heads())
    out = []
    for script in scripts.walk_revisions():
        down = script.down_revision
        out.append(
            Revision(
                revision=script.revision,
                down_revision=down if isinstance(down, str) or down is None else ",".join(down),
                message=(script.doc or "").strip(),
                is_head=script.revision in head_set,
            )
        )
    return out


def stamp(database_url: str, revision: str = "head") -> None:
    """Record `revision` as the database's schema without running any migration."""
    command.stamp(alembic_config(database_url), revision)


def next_revision_id() -> str:
    """The next number in the 0001, 0002, ... sequence."""
    numbers = [int(r) for r in (s.revision for s in _scripts().walk_revisions()) if r.isdigit()]
    return f"{max(numbers, default=0) + 1:04d}"


def revision(database_url: str, message: str, autogenerate: bool = False) -> Path:
    """Write a new migration script chained to the head; returns its path.

    With `autogenerate`, Alembic compares the models to the database at `database_url` (which
    must be at head) and writes the operations that close the gap; review them before committing.
    """
    if not re.search(r"\w", message):
        raise ValueError("a revision needs a message")
    script = command.revision(
        alembic_config(database_url),
        message=message,
        autogenerate=autogenerate,
        rev_id=next_revision_id(),
    )
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
