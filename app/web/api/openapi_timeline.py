"""OpenAPI schemas of GET /api/v1/skus/{id}/timeline: forecasting.timeline.Timeline.to_dict().

The contract (issue 13) is the required part; the library's extra fields are described too, and
objects allow more members, so a field the library adds later does not break a client.
"""

from __future__ import annotations

from typing import Any

from app.models import risk
from forecasting.supply import ORDER_LINES
from forecasting.timeline import DAY_FIELDS

INT = {"type": "integer"}
NUM = {"type": "number"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
STATUS = {"type": "string", "enum": list(risk.STATUSES)}
PROB = {"type": "number", "minimum": 0, "maximum": 1}


def _n(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "nullable": True}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": list(props) if required is None else required,
        "properties": props,
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _day() -> dict[str, Any]:
    props: dict[str, Any] = dict.fromkeys(DAY_FIELDS, NUM)
    props["date"] = DATE
    props["arrivals"] = {**INT, "description": "units from existing shipments landing that morning"}
    for name in ("stockout_prob_without", "stockout_prob_with"):
        props[name] = {**PROB, "description": "probability the day ends with nothing sellable"}
    props["upstream_arrivals"] = {
        **INT,
        "description": "two-stage SKUs only: units landing upstream (POs, AWD inbound) that day",
    }
    props["upstream_on_hand"] = {
        **INT,
        "description": "two-stage SKUs only: units upstream that morning, after the recommended "
        "shipment left today and before any later one",
    }
    return _obj(props, list(DAY_FIELDS))


def _upstream() -> dict[str, Any]:
    location = _obj({"location_id": INT, "name": _n(STR), "kind": STR, "quantity": INT})
    arrival = _obj(
        {
            "reference": {**STR, "description": "the PO number or the inbound's reference"},
            "quantity": INT,
            "arrives_on": DATE,
            "estimated": {
                **BOOL,
                "description": "the date is an estimate: none was given (counted on this one), "
                "or an AWD shipment's, which the AWD API does not date",
            },
            "overdue": {**BOOL, "description": "expected before today: counted as landing today"},
            "location_id": INT,
            "location": _n(STR),
            "kind": STR,
        }
    )
    out = _obj(
        {
            "on_hand": {**INT, "description": "units at the seller's warehouses, 3PLs and AWD"},
            "on_order": {**INT, "description": "units of open POs and inbound not landed yet"},
            "after_shipment": {**INT, "description": "on_hand less the recommended shipment"},
            "locations": {"type": "array", "items": location},
            "arrivals": {"type": "array", "items": arrival},
        },
        ["on_hand", "on_order"],
    )
    out["nullable"] = True
    out["description"] = "two-stage SKUs (supplier terms or stock upstream); null otherwise"
    return out


def _supplier_order() -> dict[str, Any]:
    instead = _obj(
        {"supplier_id": INT, "supplier_name": STR, "freight": STR, "quantity": INT,
         "arrives_on": DATE}
    )  # fmt: skip
    contingency = _obj(
        {
            "instead_of": instead,
            "days_earlier": INT,
            "extra_cost": {**NUM, "description": "price above the primary's and freight, more"},
            "lost_margin_saved": NUM,
            "regular_quantity": {
                **INT,
                "description": "the primary's regular order placed with it (0: none needed)",
            },
        }
    )
    contingency["nullable"] = True
    cost = _obj(
        {
            "quantity": INT,
            "total": {**NUM, "description": "the seller's money: exactly the sum of `lines`"},
            "lines": _obj(dict.fromkeys(ORDER_LINES, NUM)),
            "supplier_id": INT,
            "freight": STR,
        }
    )
    out = _obj(
        {
            "supplier_id": INT,
            "supplier_name": STR,
            "role": {"type": "string", "enum": ["primary", "backup"]},
            "freight": {**STR, "description": "the freight mode, e.g. sea or air"},
            "quantity": INT,
            "unit_cost": {**NUM, "description": "in the seller's currency (`currency`)"},
            "order_by": {**DATE, "description": "the last day to order (today when late)"},
            "arrives_on": {**DATE, "description": "lands upstream if ordered today"},
            "arrives_if_ordered_by": {
                **_n(DATE),
                "description": "lands upstream if ordered on order_by (null: order today)",
            },
            "at_fba_on": {**DATE, "description": "sellable at FBA if ordered and sent on"},
            "backup": {**BOOL, "description": "a backup supplier or faster freight was chosen"},
            "cost": cost,
            "contingency": contingency,
            "explanation": {**STR, "description": "every figure in it is a field here"},
            "currency": STR,
            "lane_id": _n(INT),
            "destination_location_id": _n(INT),
            "transit_days": _n(INT),
            "production_days": INT,
            "supplier_currency": STR,
            "supplier_unit_cost": {**NUM, "description": "in the supplier's currency"},
            "fx_rate": {**_n(NUM), "description": "seller money per supplier unit (null: same)"},
            "case_pack": INT,
            "moq": INT,
            "regular_order": {
                **_obj(
                    {"supplier_id": INT, "supplier_name": STR, "freight": STR, "quantity": INT,
                     "order_by": DATE, "arrives_on": DATE, "explanation": STR},
                    ["supplier_id", "quantity", "order_by", "arrives_on"],
                ),  # fmt: skip
                "nullable": True,
                "description": "with a backup (`backup`): the primary's regular order, still "
                "to be placed beside it (absent or null: none)",
            },
        },
        ["supplier_id", "quantity", "order_by", "arrives_on", "backup"],
    )
    out["nullable"] = True
    return out


def _candidate() -> dict[str, Any]:
    return _obj(
        {
            "quantity": INT,
            "total": {**NUM, "description": "expected dollars: exactly the sum of `lines`"},
            "lines": {"type": "object", "additionalProperties": NUM},
            "within_capacity": BOOL,
        }
    )


def _recommendation() -> dict[str, Any]:
    props = {
        "quantity": INT,
        "unconstrained_quantity": INT,
        "capacity_limited": BOOL,
        "upstream_limited": {
            **BOOL,
            "description": "the quantity is capped by the stock upstream (two-stage SKUs)",
        },
        "supplier_order": _ref("TimelineSupplierOrder"),
        "explanation": {**STR, "description": "every date and figure in it is a field here"},
        "stockout_prob_before_arrival": PROB,
        "stockout_prob_before_next_arrival": PROB,
        "stockout_prob_before_next_arrival_without": PROB,
        "cover_days_without": NUM,
        "cover_days_with": NUM,
        "in_stock_target": {**_n(PROB), "description": "the seller's in-stock floor, if any"},
        "stockout_cost_multiple": {**NUM, "description": "lost sales counted per unit lost"},
        "quantity_without_floor": INT,
        "quantity_without_stockout_cost": INT,
        "floor_extra_units": {**INT, "description": "what the in-stock floor adds"},
        "floor_extra_days": {**INT, "description": "the same in days of demand after arrival"},
        "stockout_cost_extra_units": {**INT, "description": "what the stockout cost adds"},
        "stockout_cost_extra_days": INT,
        "cost_horizon": {"type": "object"},
        "candidates": {"type": "array", "items": _ref("TimelineCandidate")},
        "fees_apart": {"type": "object", "additionalProperties": STR},
    }
    required = [
        "quantity",
        "explanation",
        "stockout_prob_before_next_arrival",
        "candidates",
        "supplier_order",
    ]
    return _obj(props, required)


def _excess() -> dict[str, Any]:
    option = _obj({"action": STR, "cost": _n(NUM), "note": _n(STR)})
    out = _obj(
        {
            "need_through": DATE,
            "units": INT,
            "monthly_cost": NUM,
            "aged_from": _n(DATE),
            "aged_cost_12m": NUM,
            "break_even_price": _n(NUM),
            "options": {"type": "array", "items": option},
            "choice": _n(STR),
            "reason": _n(STR),
        },
        ["need_through", "units", "monthly_cost", "options"],
    )
    out["nullable"] = True
    return out


def timeline_schemas() -> dict[str, Any]:
    """The named schemas of the timeline document."""
    inbound = _obj(
        {
            "shipment_id": _n(STR),
            "status": STR,
            "quantity": INT,
            "expected_arrival": _n(DATE),
            "arrival_source": {"type": "string", "enum": ["amazon", "estimated"]},
        }
    )
    props = {
        "sku_id": INT,
        "recommendation_id": INT,
        "sku": STR,
        "as_of": DATE,
        "horizon_days": INT,
        "fulfillable": INT,
        "reserved": INT,
        "status": STATUS,
        "runs_out_on": _n(DATE),
        "ship_by": {**_n(DATE), "description": "null exactly when nothing is to be shipped"},
        "next_inbound_on": _n(DATE),
        "next_inbound_source": _n(STR),
        "arrives_if_shipped_today": DATE,
        "lead_time_days": INT,
        "review_days": INT,
        "inbound": {"type": "array", "items": _ref("TimelineInbound")},
        "days": {"type": "array", "items": _ref("TimelineDay")},
        "upstream": _ref("TimelineUpstream"),
        "recommendation": _ref("TimelineRecommendation"),
        "excess": _ref("TimelineExcess"),
        "notes": {
            "type": "array",
            "items": STR,
            "description": "the app's remarks (e.g. unit cost assumed), apart from the sentence",
        },
        "fee_card": {
            "type": "string",
            "description": "which fee card or rates priced the costs: Amazon's US card, or "
            "storage from the seller's own storage-fee report where its marketplace has none",
        },
    }
    required = [
        "sku_id",
        "as_of",
        "horizon_days",
        "fulfillable",
        "status",
        "runs_out_on",
        "ship_by",
        "inbound",
        "days",
        "upstream",
        "recommendation",
    ]
    return {
        "TimelineInbound": inbound,
        "TimelineDay": _day(),
        "TimelineCandidate": _candidate(),
        "TimelineRecommendation": _recommendation(),
        "TimelineExcess": _excess(),
        "TimelineUpstream": _upstream(),
        "TimelineSupplierOrder": _supplier_order(),
        "SkuTimeline": _obj(props, required),
    }
