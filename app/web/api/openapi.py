"""The OpenAPI 3.0 document of /api/v1, served at /api/v1/openapi.json.

Kept beside the routes: tests/api/test_openapi.py fails when a route under /api/v1 is missing
from `PATHS` or the document names a route that does not exist.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue

from app.models import risk
from app.models.base import MAX_ID
from app.models.events import JOB_STATUSES
from app.models.supply import LOCATION_KINDS, PO_STATUSES
from app.web.api.blueprint import bp
from app.web.api.openapi_schemas import component_schemas, ref
from app.web.api.plans import PLAN_STATUSES
from app.web.api.recommendations import REC_SORT_CHOICES
from app.web.api.skus import SKU_SORT_CHOICES
from app.web.api.validation import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET
from app.web.errors import PROBLEM_JSON

JSON = "application/json"


def _param(name: str, schema: dict[str, Any], description: str, where: str = "query") -> dict:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema,
    }


def _id(name: str, what: str) -> dict[str, Any]:
    return _param(
        name, {"type": "integer", "minimum": 1, "maximum": MAX_ID}, f"id of the {what}", "path"
    )


PAGING = [
    _param(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
        "page size",
    ),
    _param(
        "offset",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0},
        "rows to skip",
    ),
]
STATUS_FILTER = _param(
    "status",
    {"type": "string", "enum": list(risk.STATUSES)},
    "only SKUs whose current recommendation has this status",
)
GROUP_FILTER = _param(
    "group",
    {"type": "string", "enum": list(risk.GROUPS)},
    "only statuses of this dashboard group (" + risk.describe_groups() + ")",
)
SELLER_FILTER = _param(
    "seller", {"type": "integer", "minimum": 1, "maximum": MAX_ID}, "only this seller account"
)


def _ok(schema: str, status: str = "200", description: str = "OK") -> dict[str, Any]:
    return {status: {"description": description, "content": {JSON: {"schema": ref(schema)}}}}


def _errors(*statuses: int) -> dict[str, Any]:
    names = {
        400: "BadRequest",
        401: "Unauthorized",
        404: "NotFound",
        409: "Conflict",
        413: "PayloadTooLarge",
        415: "UnsupportedMediaType",
        422: "ValidationError",
        503: "Unavailable",
    }
    return {str(s): {"$ref": f"#/components/responses/{names[s]}"} for s in statuses}


def _body(schema: str, required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {JSON: {"schema": ref(schema)}}}


def _op(summary: str, tag: str, responses: dict[str, Any], **extra: Any) -> dict[str, Any]:
    op_id = extra.pop("operationId")
    return {
        "summary": summary,
        "tags": [tag],
        "operationId": op_id,
        "responses": responses,
        **extra,
    }


def _read_one(summary: str, tag: str, schema: str, op_id: str) -> dict[str, Any]:
    """GET of one resource: the schema, or the errors of a read of one."""
    return _op(summary, tag, {**_ok(schema), **_errors(*READ_ONE)}, operationId=op_id)


def _read_page(
    summary: str, tag: str, schema: str, op_id: str, parameters: list[dict[str, Any]]
) -> dict[str, Any]:
    """GET of a page of resources with its filters."""
    return _op(
        summary, tag, {**_ok(schema), **_errors(*READ)}, operationId=op_id, parameters=parameters
    )


READ = (400, 401)
READ_ONE = (400, 401, 404)
WRITE = (400, 401, 404, 409, 413, 415, 422)


def paths() -> dict[str, Any]:
    """Every /api/v1 route, keyed by OpenAPI path template."""
    sku_id = _id("sku_id", "SKU")
    plan_id = _id("plan_id", "shipment plan")
    return {
        "/api/v1/openapi.json": {
            "get": _op(
                "This document",
                "meta",
                {
                    "200": {
                        "description": "the OpenAPI document",
                        "content": {JSON: {"schema": {"type": "object"}}},
                    }
                },
                operationId="getOpenApi",
                security=[],
            )
        },
        "/api/v1/skus": {
            "get": _read_page(
                "List SKUs",
                "skus",
                "SkuPage",
                "listSkus",
                parameters=[
                    *PAGING,
                    SELLER_FILTER,
                    STATUS_FILTER,
                    GROUP_FILTER,
                    _param(
                        "q", {"type": "string", "maxLength": 100}, "text in the SKU, title or ASIN"
                    ),
                    _param(
                        "active",
                        {"type": "string", "enum": ["true", "false"]},
                        "only active or inactive SKUs",
                    ),
                    _param(
                        "sort",
                        {"type": "string", "enum": list(SKU_SORT_CHOICES), "default": "sku"},
                        "sort key; '-' for descending",
                    ),
                ],
            )
        },
        "/api/v1/skus/{sku_id}": {
            "parameters": [sku_id],
            "get": _read_one("One SKU", "skus", "SkuDetail", "getSku"),
            "patch": _op(
                "Change a SKU's settings (all fields checked, all-or-nothing)",
                "skus",
                {**_ok("SkuDetail"), **_errors(*WRITE)},
                operationId="patchSku",
                requestBody=_body("SkuSettings"),
            ),
        },
        "/api/v1/skus/{sku_id}/forecast": {
            "parameters": [sku_id],
            "get": _read_one(
                "Daily forecast of the newest trained model",
                "skus",
                "Forecast",
                "getSkuForecast",
            ),
        },
        "/api/v1/skus/{sku_id}/timeline": {
            "parameters": [sku_id],
            "get": _read_one(
                "Projected inventory timeline of the planner's current run (404 before it ran)",
                "skus",
                "SkuTimeline",
                "getSkuTimeline",
            ),
        },
        "/api/v1/recommendations": {
            "get": _read_page(
                "Current recommendations",
                "recommendations",
                "RecommendationPage",
                "listRecommendations",
                parameters=[
                    *PAGING,
                    SELLER_FILTER,
                    STATUS_FILTER,
                    GROUP_FILTER,
                    _param("sku", {"type": "string", "maxLength": 64}, "only this SKU"),
                    _param(
                        "sort",
                        {"type": "string", "enum": list(REC_SORT_CHOICES), "default": "ship_by"},
                        "sort key; '-' for descending",
                    ),
                ],
            )
        },
        "/api/v1/recommendations/{recommendation_id}": {
            "parameters": [_id("recommendation_id", "recommendation")],
            "get": _read_one(
                "One recommendation",
                "recommendations",
                "Recommendation",
                "getRecommendation",
            ),
        },
        "/api/v1/plans": {
            "get": _read_page(
                "Shipment plans, newest first",
                "plans",
                "PlanPage",
                "listPlans",
                parameters=[
                    *PAGING,
                    SELLER_FILTER,
                    _param(
                        "status",
                        {"type": "string", "enum": list(PLAN_STATUSES)},
                        "only this status",
                    ),
                ],
            ),
            "post": _op(
                "Create a shipment plan",
                "plans",
                {**_ok("Plan", "201", "created"), **_errors(400, 401, 409, 413, 415, 422)},
                operationId="createPlan",
                requestBody=_body("PlanCreate"),
            ),
        },
        "/api/v1/plans/{plan_id}": {
            "parameters": [plan_id],
            "get": _read_one("One plan", "plans", "Plan", "getPlan"),
            "patch": _op(
                "Rename, change status or replace lines",
                "plans",
                {**_ok("Plan"), **_errors(*WRITE)},
                operationId="patchPlan",
                requestBody=_body("PlanPatch"),
            ),
            "delete": _op(
                "Delete a plan",
                "plans",
                {"204": {"description": "deleted"}, **_errors(*READ_ONE)},
                operationId="deletePlan",
            ),
        },
        "/api/v1/suppliers": {
            "get": _read_page(
                "Suppliers by name, with freight lanes and per-SKU terms",
                "supply",
                "SupplierPage",
                "listSuppliers",
                parameters=PAGING,
            )
        },
        "/api/v1/locations": {
            "get": _read_page(
                "Locations (FBA, AWD, warehouses) with their stock per SKU",
                "supply",
                "LocationPage",
                "listLocations",
                parameters=[
                    *PAGING,
                    SELLER_FILTER,
                    _param(
                        "kind", {"type": "string", "enum": list(LOCATION_KINDS)}, "only this kind"
                    ),
                ],
            )
        },
        "/api/v1/purchase-orders": {
            "get": _read_page(
                "Purchase orders, newest first, with status and lines",
                "supply",
                "PurchaseOrderPage",
                "listPurchaseOrders",
                parameters=[
                    *PAGING,
                    SELLER_FILTER,
                    _param(
                        "status", {"type": "string", "enum": list(PO_STATUSES)}, "only this status"
                    ),
                ],
            )
        },
        "/api/v1/jobs": {
            "get": _read_page(
                "Background jobs, newest first",
                "jobs",
                "JobPage",
                "listJobs",
                parameters=[
                    *PAGING,
                    SELLER_FILTER,
                    _param(
                        "status", {"type": "string", "enum": list(JOB_STATUSES)}, "only this status"
                    ),
                    _param(
                        "kind", {"type": "string", "maxLength": 40}, "only this kind (e.g. sync)"
                    ),
                ],
            )
        },
        "/api/v1/jobs/{job_id}": {
            "parameters": [_id("job_id", "job")],
            "get": _op(
                "One job", "jobs", {**_ok("Job"), **_errors(*READ_ONE)}, operationId="getJob"
            ),
        },
        "/api/v1/sellers": {
            "get": _op(
                "Seller accounts",
                "sellers",
                {**_ok("SellerPage"), **_errors(*READ)},
                operationId="listSellers",
                parameters=PAGING,
            )
        },
        "/api/v1/sellers/{seller_id}": {
            "parameters": [_id("seller_id", "seller account")],
            "get": _read_one("One seller account", "sellers", "Seller", "getSeller"),
        },
        "/api/v1/sellers/{seller_id}/sync": {
            "parameters": [_id("seller_id", "seller account")],
            "post": _op(
                "Queue a sync of the seller's data",
                "sellers",
                {**_ok("SyncAccepted", "202", "queued"), **_errors(*WRITE, 503)},
                operationId="syncSeller",
                requestBody=_body("SyncRequest", required=False),
            ),
        },
    }


def _error_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": ref("Problem")}}}


@cache
def document() -> dict[str, Any]:
    """The whole OpenAPI document (built once per process; it depends on code only)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "FBA Planner API",
            "version": "1.0.0",
            "description": (
                "SKUs, forecasts, recommendations, shipment plans and jobs of the caller's "
                "business. Authenticate with `Authorization: Bearer <token>` (create one with "
                "`flask --app wsgi tokens create --email E --name N`). Lists page with "
                "limit/offset. Errors are RFC 9457 problem documents (application/problem+json): "
                "type, title, status and detail, plus `code` (a short machine code) and, for "
                "field errors, `errors` naming each offending field or query parameter. Ids of "
                "other businesses answer 404."
            ),
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths(),
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": component_schemas(),
            "responses": {
                "BadRequest": _error_response("malformed JSON or a bad query parameter"),
                "Unauthorized": _error_response("missing, unknown or revoked token"),
                "NotFound": _error_response("no such object in the caller's business"),
                "Conflict": _error_response("the object's state does not allow this"),
                "PayloadTooLarge": _error_response("the body is too large"),
                "UnsupportedMediaType": _error_response("the body is not application/json"),
                "ValidationError": _error_response("a field is missing, unknown or out of range"),
                "Unavailable": _error_response("the job queue cannot be reached; retry later"),
            },
        },
    }


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    """The OpenAPI document (public: it holds no data)."""
    return jsonify(document())
