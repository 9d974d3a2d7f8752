"""Property-based contract test: schemathesis drives every documented operation through WSGI.

Checks: no 5xx, every status code and content type documented, and every body matching its
schema, for generated valid and invalid inputs (a bounded number per operation).
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.web.api.openapi import document

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


# The document depends on code only, so it loads at collection time; the test sends each case to
# the seeded app of the running test. (schemathesis' fixture-based loader does not run under
# pytest 9: it writes a pytest-internal attribute that no longer exists.)
schema = schemathesis.openapi.from_dict(document())


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_document(case: Any, app: Any, world: Any, enqueued: Any) -> None:
    case.call_and_validate(app=app, headers=world.headers(), checks=CHECKS)
    # Generated ids almost never exist, which would leave the success paths untested: send the
    # same query and body once more with ids of the caller's own rows.
    real = _with_real_ids(case, world)
    if real is not None:
        real.call_and_validate(app=app, headers=world.headers(), checks=CHECKS)


def _real_ids(world: Any) -> dict[str, int]:
    return {
        "sku_id": world.products["MUG-RED"].id,
        "plan_id": world.plan.id,
        "seller_id": world.seller_a.id,
        "job_id": world.job.id,
        "recommendation_id": world.recommendation.id,
    }


def _with_real_ids(case: Any, world: Any) -> Any:
    ids = _real_ids(world)
    body = case.body
    if isinstance(body, dict) and "seller_account_id" in body:
        body = {**body, "seller_account_id": world.seller_a.id}
    elif not case.path_parameters:
        return None
    path = {name: ids[name] for name in case.path_parameters or {}}
    return case.operation.Case(
        path_parameters=path, query=case.query, body=body, media_type=case.media_type
    )
