"""Fixtures of the web page tests: a seeded tenant and a logged-in client."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

_SEED = Path(__file__).resolve().parent.parent / "browser" / "seed_data.py"


def load_seed() -> Any:
    """The shared seeding module, loaded by path (tests are not an importable package)."""
    spec = importlib.util.spec_from_file_location("fba_web_seed", _SEED)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def seeded(db_session: Any) -> dict[str, Any]:
    """One tenant with 12 SKUs and 90 days of history."""
    from app.web.sku_table import clear_cache

    clear_cache()
    data = load_seed().seed(db_session, "Acme", n_skus=12, days=90, horizon=60)
    # Commit (into the test's outer transaction) so a view's rollback cannot undo the seed.
    db_session.commit()
    return data


def login(client: Any, email: str, password: str) -> Any:
    """Log in through the form (the test app keeps CSRF on, so fetch a token first)."""
    import re

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "login form has no CSRF token"
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )


@pytest.fixture
def web(client: Any, seeded: dict[str, Any]) -> Any:
    """A client logged in as the seeded owner."""
    response = login(client, seeded["email"], seeded["password"])
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def csrf_token(client: Any, url: str) -> str:
    """The CSRF token of the form on `url`."""
    import re

    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@pytest.fixture
def token() -> Any:
    """`token(client, url)` -> the CSRF token of the form on that page."""
    return csrf_token
