"""Security headers on every response, and pages that never need inline script or style."""

from __future__ import annotations

import re


def _check(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and "unsafe" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_headers_on_pages_static_errors_and_json(client) -> None:
    for url in ("/login", "/signup", "/static/js/chart.js", "/healthz", "/no-such-page"):
        response = client.get(url)
        response.close()  # static files are streamed from an open file
        _check(response)
        assert "Strict-Transport-Security" not in response.headers


def test_hsts_on_https_and_in_production(client, app) -> None:
    response = client.get("/login", base_url="https://planner.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    app.config["PRODUCTION"] = True
    try:
        assert "Strict-Transport-Security" in client.get("/login").headers
    finally:
        app.config["PRODUCTION"] = False


def test_session_cookie_flags(client, seeded, token, app) -> None:
    from tests.support import web as helpers

    response = helpers.login(client, seeded["email"], seeded["password"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        client.post("/logout", data={"csrf_token": token(client, "/")})
        secure = helpers.login(client, seeded["email"], seeded["password"])
        assert "Secure" in secure.headers["Set-Cookie"]
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False


def test_pages_have_no_inline_script_or_style(web, seeded, token) -> None:
    pid = seeded["products"][0].id
    urls = [
        "/",
        f"/skus/{pid}",
        "/plans/",
        "/plans/new",
        "/jobs/",
        "/sellers/",
        f"/sellers/{seeded['seller'].id}",
        "/skus/import",
        "/team",
    ]
    for url in urls:
        response = web.get(url)
        assert response.status_code == 200, url
        _check(response)
        page = response.get_data(as_text=True)
        # Every <script> has a src; no style attributes, <style> blocks or on* handlers.
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", page)), url
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", page), url
        for src in re.findall(r'<script src="([^"]+)"', page):
            asset = web.get(src)
            asset.close()
            assert src.startswith("/static/") and asset.status_code == 200


def test_forms_without_csrf_are_refused(web, seeded) -> None:
    sid = seeded["seller"].id
    for url in (
        "/team",
        f"/sellers/{sid}/sync",
        f"/sellers/{sid}/rotate-webhook-secret",
        "/sellers/choose",
        "/plans/new",
        "/skus/import",
        "/logout",
    ):
        assert web.post(url, data={}).status_code in (400, 422), url
