"""CSRF, discovered from the URL map: every state-changing UI route refuses a request without a
token (400) and changes nothing; every CSRF-exempt route is authenticated another way.

A new POST/PUT/PATCH/DELETE route is covered without anyone adding it here: its URL arguments
are filled from the seeded rows by name (`<int:NAME_id>`), and an argument that maps to nothing
fails the test, naming the route.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import pytest
from sqlalchemy import select

from tests.support import seed as seed_data

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def db_digest(session: Any) -> str:
    """A digest of every row of every table: equal digests mean nothing changed."""
    from app.models import Base

    h = hashlib.sha256()
    for table in Base.metadata.sorted_tables:
        rows = session.execute(select(table)).all()
        for row in sorted(repr(tuple(r)) for r in rows):
            h.update(row.encode())
        h.update(f"|{table.name}|".encode())
    return h.hexdigest()


def _exempt(app: Any, rule: Any) -> bool:
    from app.extensions import csrf

    view = app.view_functions[rule.endpoint]
    name = f"{view.__module__}.{view.__name__}"
    blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else None
    # Flask-WTF keeps exempt blueprints as objects and exempt views by dotted name.
    return name in csrf._exempt_views or app.blueprints.get(blueprint) in csrf._exempt_blueprints


def _url_args(rule: Any, ids: dict[str, int]) -> dict[str, Any]:
    values = {}
    for arg in rule.arguments:
        if arg not in ids:
            pytest.fail(f"{rule.rule}: no seeded row for argument {arg!r}; add it to ids below")
        values[arg] = ids[arg]
    return values


@pytest.fixture
def world(app: Any, db_session: Any) -> dict[str, Any]:
    """A tenant with products, a seller, a plan; a logged-in client."""
    from app.models import ApiToken, ShipmentPlan
    from app.models.supply import Location, PurchaseOrder, PurchaseOrderLine, Supplier
    from app.models.tenancy import hash_token

    data = seed_data.seed(db_session, "CsrfCo", n_skus=3, days=20, horizon=10)
    plan = ShipmentPlan(tenant_id=data["tenant"].id, seller_account_id=data["seller"].id,
                        name="csrf plan")
    api_token = ApiToken(tenant_id=data["tenant"].id, user_id=data["user"].id, name="csrf",
                         token_hash=hash_token(ApiToken.generate()))
    supplier = Supplier(tenant_id=data["tenant"].id, name="csrf supplier")
    warehouse = Location(tenant_id=data["tenant"].id, seller_account_id=data["seller"].id,
                         kind="warehouse", name="csrf 3PL")
    db_session.add_all([plan, api_token, supplier, warehouse])
    db_session.flush()
    po = PurchaseOrder(tenant_id=data["tenant"].id, seller_account_id=data["seller"].id,
                       number="PO-CSRF-1", supplier_id=supplier.id,
                       destination_location_id=warehouse.id, status="draft", currency="USD")
    po.lines.append(PurchaseOrderLine(tenant_id=data["tenant"].id,
                                      seller_account_id=data["seller"].id,
                                      sku=data["products"][0].sku, quantity=12, unit_cost=2.0))
    db_session.add(po)
    db_session.commit()
    ids = {
        "seller_id": data["seller"].id,
        "product_id": data["products"][0].id,
        "sku_id": data["products"][0].id,
        "plan_id": plan.id,
        "api_token_id": api_token.id,
        "public_id": data["seller"].public_id,
        "location_id": warehouse.id,
        "po_id": po.id,
        "supplier_id": supplier.id,
    }
    return {"data": data, "ids": ids}


def _login(client: Any, email: str, password: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token})
    assert response.status_code == 302


def test_every_state_changing_ui_route_refuses_a_missing_or_wrong_token(
    app: Any, client: Any, db_session: Any, world: dict[str, Any]
) -> None:
    data = world["data"]
    _login(client, data["email"], data["password"])
    before = db_digest(db_session)
    checked = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & UNSAFE
        if not methods or _exempt(app, rule):
            continue
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **_url_args(rule, world["ids"]))
        for method in sorted(methods):
            # Plausible form fields, so only the token is missing; then a forged token.
            fields = {"name": "x", "email": "a@b.example", "password": "long enough pw",
                      "quantity": "1", "seller_id": str(world["ids"]["seller_id"])}
            for extra in ({}, {"csrf_token": "forged." + "A" * 40}):
                response = client.open(url, method=method, data={**fields, **extra})
                assert response.status_code == 400, (method, url, response.status_code)
                checked.append((method, rule.rule))
    assert db_digest(db_session) == before, "a request without a valid CSRF token changed data"
    # Sanity: the walk found the forms we know about (it cannot pass by finding none).
    rules = {re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"<\1>", r) for _m, r in checked}
    assert {"/logout", "/team", "/skus/import", "/plans/new", "/account",
            "/account/logout-everywhere", "/sellers/<seller_id>/sync"} <= rules
    # Anonymous forms too (login and sign-up are state-changing: a login-CSRF plants a session).
    client.post("/logout", data={"csrf_token": _token(client, "/")})
    before = db_digest(db_session)  # the logout itself revoked the server-side session
    for url in ("/login", "/signup"):
        response = client.post(url, data={"email": data["email"], "password": data["password"],
                                          "business": "x", "confirm": data["password"]})
        assert response.status_code == 400, url
    assert db_digest(db_session) == before


def _token(client: Any, url: str) -> str:
    page = client.get(url, follow_redirects=True).get_data(as_text=True)
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def test_every_csrf_exempt_route_needs_a_token_or_a_signature(
    app: Any, client: Any, db_session: Any, world: dict[str, Any]
) -> None:
    data = world["data"]
    _login(client, data["email"], data["password"])  # a browser session must not be enough
    before = db_digest(db_session)
    exempt = []
    for rule in app.url_map.iter_rules():
        methods = (rule.methods or set()) & UNSAFE
        if not methods or not _exempt(app, rule):
            continue
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **_url_args(rule, world["ids"]))
        for method in sorted(methods):
            response = client.open(url, method=method, json={"name": "x", "lines": []})
            assert response.status_code == 401, (method, url, response.status_code)
            exempt.append(rule.rule)
    assert any(r.startswith("/api/v1/") for r in exempt)
    assert any(r.startswith("/webhooks/") for r in exempt)
    assert db_digest(db_session) == before
