"""OpenAPI component schemas: the JSON shapes of app/web/api/serializers.py and the errors."""

from __future__ import annotations

from typing import Any

from app.models.supply import LOCATION_KINDS, PO_STATUSES, TERM_ROLES
from app.sync.streams import NAMES as STREAMS
from app.web.api.openapi_timeline import STATUS, timeline_schemas
from app.web.api.plans import LINE_FIELDS, MAX_LINES, PLAN_CREATE_FIELDS, PLAN_FIELDS
from app.web.api.skus import SKU_SETTINGS
from app.web.api.validation import object_schema
from app.web.errors import CODES


def _obj(props: dict[str, Any], nullable: bool = False) -> dict[str, Any]:
    # Every property is always present in responses, so all are required.
    out: dict[str, Any] = {"type": "object", "required": list(props), "properties": props}
    if nullable:
        out["nullable"] = True
    return out


def ref(name: str) -> dict[str, str]:
    """A $ref to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


INT = {"type": "integer"}
NUM = {"type": "number"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}


def n(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema, also allowing null."""
    return {**schema, "nullable": True}


def _page(item: str) -> dict[str, Any]:
    return _obj({"data": {"type": "array", "items": ref(item)}, "pagination": ref("Pagination")})


def _lines_schema() -> dict[str, Any]:
    return {
        "type": "array",
        "maxItems": MAX_LINES,
        "description": "the plan's lines; on PATCH they replace all existing lines",
        "items": object_schema(LINE_FIELDS, ("sku", "quantity")),
    }


def _with_lines(schema: dict[str, Any]) -> dict[str, Any]:
    schema["properties"]["lines"] = _lines_schema()
    return schema


def _problem_schema() -> dict[str, Any]:
    # RFC 9457 problem details; other members may be added later, so extras are allowed.
    return {
        "type": "object",
        "description": "an RFC 9457 problem document",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {
                **STR,
                "description": "about:blank, or a tag: URI naming a more specific problem",
            },
            "title": {**STR, "description": "short summary of the problem type"},
            "status": {**INT, "description": "the HTTP status code"},
            "detail": {**STR, "description": "what went wrong with this request"},
            "code": {"type": "string", "enum": list(CODES), "description": "machine code"},
            "errors": {
                "type": "object",
                "description": "offending field (or query parameter) -> what is wrong",
                "additionalProperties": STR,
            },
        },
    }


def supply_schemas() -> dict[str, Any]:
    """Suppliers, locations and purchase orders (app/web/api/supply.py)."""
    price_break = _obj({"min_qty": INT, "unit_cost": NUM})
    lane = _obj(
        {
            "id": INT,
            "destination_location_id": INT,
            "mode": STR,
            "transit_days": INT,
            "cost_per_unit": NUM,
            "cost_per_cuft": NUM,
        }
    )
    terms = _obj(
        {
            "seller_account_id": INT,
            "sku": STR,
            "role": {"type": "string", "enum": list(TERM_ROLES)},
            "unit_cost": NUM,
            "case_pack": INT,
            "moq": INT,
            "price_breaks": {"type": "array", "items": price_break},
        }
    )
    po_line = _obj(
        {
            "id": INT,
            "sku": STR,
            "quantity": INT,
            "unit_cost": NUM,
            "received_quantity": INT,
            "outstanding": INT,
        }
    )
    return {
        "Supplier": _obj(
            {
                "id": INT,
                "name": STR,
                "currency": {**STR, "description": "ISO 4217; the supplier's money is in it"},
                "contact": n(STR),
                "production_lead_days": INT,
                "active": BOOL,
                "lanes": {"type": "array", "items": lane},
                "terms": {"type": "array", "items": terms},
            }
        ),
        "SupplierPage": _page("Supplier"),
        "Location": _obj(
            {
                "id": INT,
                "seller_account_id": INT,
                "kind": {"type": "string", "enum": list(LOCATION_KINDS)},
                "name": STR,
                "holding_cost_per_cuft_month": NUM,
                "capacity_cuft": n(NUM),
                "stock": {"type": "array", "items": _obj({"sku": STR, "quantity": INT})},
                "units": INT,
            }
        ),
        "LocationPage": _page("Location"),
        "PurchaseOrder": _obj(
            {
                "id": INT,
                "number": STR,
                "seller_account_id": INT,
                "supplier_id": INT,
                "destination_location_id": INT,
                "freight_lane_id": n(INT),
                "status": {"type": "string", "enum": list(PO_STATUSES)},
                "currency": STR,
                "fx_rate": {
                    **n(NUM),
                    "description": "seller's currency per unit of the PO's; null when the same",
                },
                "ordered_on": n(DATE),
                "expected_ship_on": n(DATE),
                "expected_arrival_on": n(DATE),
                "sent_on": n(DATE),
                "shipped_on": n(DATE),
                "received_on": n(DATE),
                "units": INT,
                "received_units": INT,
                "total_cost": {**NUM, "description": "in the PO's currency"},
                "lines": {"type": "array", "items": po_line},
            }
        ),
        "PurchaseOrderPage": _page("PurchaseOrder"),
    }


def component_schemas() -> dict[str, Any]:
    """Every named schema of the document."""
    return {
        "Problem": _problem_schema(),
        "Pagination": _obj(
            {
                "limit": INT,
                "offset": INT,
                "total": INT,
                "next_offset": n(INT),
            }
        ),
        "RecommendationSummary": _obj(
            {
                "id": INT,
                "quantity": INT,
                "ship_by": n(DATE),
                "runs_out_on": n(DATE),
                "status": n(STATUS),
                "days_of_cover_without": n(NUM),
                "stockout_probability": n(NUM),
                # The supplier order of a two-stage SKU: order this many units by this day
                # (both null: none), as the dashboard's "Reorder by" column shows it.
                "reorder_by": n(DATE),
                "reorder_quantity": n(INT),
            },
            nullable=True,
        ),
        "Inventory": _obj(
            {
                "date": DATE,
                "fulfillable": INT,
                "inbound": INT,
                "reserved": INT,
                "unfulfillable": INT,
            },
            nullable=True,
        ),
        "Sku": _obj(_sku_props()),
        "SkuDetail": _obj({**_sku_props(), "inventory": ref("Inventory")}),
        "SkuPage": _page("Sku"),
        **supply_schemas(),
        "SkuSettings": object_schema(SKU_SETTINGS),
        "ModelVersion": _obj(
            {"id": INT, "trained_at": DATETIME, "cutoff": n(DATE), "status": STR}, nullable=True
        ),
        "Forecast": _obj(
            {
                "sku_id": INT,
                "sku": STR,
                "model_version": ref("ModelVersion"),
                "points": {
                    "type": "array",
                    "items": _obj({"date": DATE, "mean": NUM, "p10": NUM, "p50": NUM, "p90": NUM}),
                },
            }
        ),
        "Recommendation": _obj(
            {
                "id": INT,
                "seller_account_id": INT,
                "marketplace": {**STR, "description": "the seller account's marketplace code"},
                "currency": {
                    **STR,
                    "description": "ISO 4217 of every amount here: the seller account's",
                },
                "sku": STR,
                "computed_at": DATETIME,
                "is_current": BOOL,
                "model_version_id": n(INT),
                "quantity": INT,
                "ship_by": n(DATE),
                "days_of_cover_without": n(NUM),
                "days_of_cover_with": n(NUM),
                "stockout_probability": n(NUM),
                "runs_out_on": n(DATE),
                "status": n(STATUS),
                "reorder_by": n(DATE),
                "reorder_quantity": n(INT),
                "cost_breakdown": {"type": "object", "nullable": True},
                "explanation": n(STR),
            }
        ),
        "RecommendationPage": _page("Recommendation"),
        **timeline_schemas(),
        "PlanLine": _obj({"id": INT, "sku": STR, "quantity": INT, "recommended_quantity": n(INT)}),
        "Plan": _obj(
            {
                "id": INT,
                "seller_account_id": INT,
                "name": STR,
                "status": STR,
                "inbound_plan_id": n(STR),
                "created_by_user_id": n(INT),
                "created_at": DATETIME,
                "updated_at": DATETIME,
                "total_units": INT,
                "lines": {"type": "array", "items": ref("PlanLine")},
            }
        ),
        "PlanPage": _page("Plan"),
        "PlanCreate": _with_lines(object_schema(PLAN_CREATE_FIELDS, ("seller_account_id", "name"))),
        "PlanPatch": _with_lines(object_schema(PLAN_FIELDS)),
        "Job": _obj(
            {
                "id": INT,
                "kind": STR,
                "seller_account_id": n(INT),
                "status": STR,
                "active": BOOL,
                "progress": NUM,
                "message": n(STR),
                "error": n(STR),
                "created_at": DATETIME,
                "started_at": n(DATETIME),
                "ended_at": n(DATETIME),
            }
        ),
        "JobPage": _page("Job"),
        "Seller": _obj(
            {
                "id": INT,
                "name": STR,
                "marketplace": STR,
                "marketplace_id": STR,
                "region": STR,
                "currency": {**STR, "description": "ISO 4217: every amount of this seller"},
                "time_zone": {**STR, "description": "IANA zone of the seller's days"},
                "seller_id": n(STR),
                "active": BOOL,
                "created_at": DATETIME,
            }
        ),
        "SellerPage": _page("Seller"),
        "SyncRequest": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "streams": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"type": "string", "enum": list(STREAMS)},
                    "description": "streams to sync (default: all)",
                }
            },
        },
        "SyncAccepted": _obj(
            {
                "seller_account_id": INT,
                "jobs": {
                    "type": "array",
                    "items": _obj(
                        {
                            "stream": {"type": "string", "enum": list(STREAMS)},
                            "job_id": {**INT, "description": "see GET /api/v1/jobs/{job_id}"},
                        }
                    ),
                },
            }
        ),
    }


def _sku_props() -> dict[str, Any]:
    return {
        "id": INT,
        "seller_account_id": INT,
        "sku": STR,
        "asin": n(STR),
        "fnsku": n(STR),
        "title": n(STR),
        "category": n(STR),
        "size_tier": n(STR),
        "price": n(NUM),
        "unit_cost": n(NUM),
        "lead_time_production_days": INT,
        "lead_time_transit_days": INT,
        "lead_time_receiving_days": INT,
        "lead_time_spread_days": INT,
        "lead_time_days": INT,
        "case_pack": INT,
        "moq": INT,
        "prep_owner": STR,
        "label_owner": STR,
        "active": BOOL,
        "recommendation": ref("RecommendationSummary"),
        "updated_at": DATETIME,
    }
