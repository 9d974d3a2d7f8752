"""Web-page helpers: log in through the form and read a page's CSRF token."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


PROBLEM_MEMBERS = {"type", "title", "status", "detail", "code"}


def problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The RFC 9457 problem document of an error response, checked for shape and status."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json", response.mimetype
    body = response.get_json()
    assert set(body) >= PROBLEM_MEMBERS, body
    assert set(body) <= PROBLEM_MEMBERS | {"errors"}, body
    assert body["status"] == status and body["detail"] and body["title"], body
    assert body["type"] == "about:blank" or body["type"].startswith("tag:fba-planner,"), body
    if code is not None:
        assert body["code"] == code, body
    return body


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve `app` with a threaded werkzeug server on a free loopback port; its base URL.

    On exit it stops accepting, then waits for the requests still being answered: a request
    thread that outlived the fixture kept its database connection checked out while the test's
    engine was disposed, and that connection, orphaned with the old pool, was closed only by
    the garbage collector, a later test then failing on the ResourceWarning."""
    from werkzeug.serving import make_server

    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    httpd.daemon_threads = False  # tracked (socketserver keeps non-daemon request threads)
    httpd.block_on_close = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        # socketserver makes its thread list on the first request (none if the test never got
        # that far); the class default is a placeholder that cannot be iterated.
        for request in list(vars(httpd).get("_threads", ())):
            request.join(timeout=10)  # a kept-alive browser socket ends when its context closes
        httpd.socket.close()
