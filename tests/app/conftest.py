"""Fixtures of the app tests: a seeded tenant, a logged-in client, a scratch database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import seed as seed_data
from tests.support.databases import scratch_postgres
from tests.support.web import csrf_token, login


@pytest.fixture
def seeded(db_session: Any) -> dict[str, Any]:
    """One tenant with 12 SKUs and 90 days of history."""
    data = seed_data.seed(db_session, "Acme", n_skus=12, days=90, horizon=60)
    # Commit (into the test's outer transaction) so a view's rollback cannot undo the seed.
    db_session.commit()
    return data


@pytest.fixture
def web(client: Any, seeded: dict[str, Any]) -> Any:
    """A client logged in as the seeded owner."""
    response = login(client, seeded["email"], seeded["password"])
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def token() -> Any:
    """`token(client, url)` -> the CSRF token of the form on that page."""
    return csrf_token


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_url(request: Any, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own on each backend, for a migration test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    with scratch_postgres(request.getfixturevalue("pg_url")) as url:
        yield url
