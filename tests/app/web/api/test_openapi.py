"""The OpenAPI document matches the URL map, and unmatched API URLs still answer in JSON."""

from __future__ import annotations

import re

import schemathesis

from tests.support.web import problem

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _flask_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes |= {(path, m.lower()) for m in rule.methods - IGNORED_METHODS}
    return routes


def _documented(document) -> set[tuple[str, str]]:
    verbs = {"get", "post", "put", "patch", "delete"}
    return {(p, m) for p, item in document["paths"].items() for m in item if m in verbs}


def test_every_route_is_documented_and_every_documented_route_exists(app, client) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    routes, documented = _flask_routes(app), _documented(document)
    assert routes - documented == set(), "add these routes to app/api/openapi.py"
    assert documented - routes == set(), "the document names routes that do not exist"
    # Every path parameter is declared with the name the route uses.
    for path, item in document["paths"].items():
        names = {p["name"] for p in item.get("parameters", []) if p["in"] == "path"}
        assert names == set(re.findall(r"{([^}]+)}", path)), path


def test_the_document_is_a_valid_openapi_schema(app) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    # Err results carry the reason an operation's definition is unusable.
    loaded = {(op.path, op.method.lower()) for op in (r.ok() for r in schema.get_all_operations())}
    # Loaded from the app, schemathesis leaves out the document's own path.
    assert loaded == _documented(schema.raw_schema) - {("/api/v1/openapi.json", "get")}


def test_unknown_api_urls_and_methods_answer_json(client, world) -> None:
    response = client.get("/api/v1/nothing-here", headers=world.headers())
    assert problem(response, 404, "not_found")["type"] == "about:blank"
    response = client.get("/api/v1/skus/abc", headers=world.headers())
    problem(response, 404, "not_found")
    response = client.put("/api/v1/skus", headers=world.headers())
    problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
