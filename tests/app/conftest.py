"""Fixtures of the web page tests: a seeded tenant and a logged-in client."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import seed as seed_data
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
