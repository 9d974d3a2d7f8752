"""Web-page helpers: log in through the form and read a page's CSRF token."""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def csrf_token(client: Any, url: str) -> str:
    """The CSRF token of the form on `url`."""
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client: Any, email: str, password: str) -> Any:
    """Log in through the form (the test app keeps CSRF on, so fetch a token first)."""
    page = client.get("/login").get_data(as_text=True)
    token = _TOKEN.search(page)
    assert token, "login form has no CSRF token"
    form = {"email": email, "password": password, "csrf_token": token.group(1)}
    return client.post("/login", data=form)
