"""Shipment plan endpoints: list, create, read, change and delete plans with checked lines."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.extensions import db
from app.models import Product, SellerAccount, ShipmentPlan, ShipmentPlanLine, utcnow
from app.models.base import MAX_ID
from app.planning.settings import MAX_SHIP_QUANTITY, pack_problem
from app.queries import current_recommendation
from app.sync.inbound import forget_sent_plan, record_sent_plan
from app.tenancy import get_owned, owned_or_404
from app.web.api.auth import current
from app.web.api.blueprint import bp
from app.web.api.errors import ApiError
from app.web.api.queries import count
from app.web.api.serializers import page, plan
from app.web.api.validation import (
    Field,
    collect_errors,
    invalid,
    json_body,
    page_params,
    query_choice,
    query_int,
)

PLAN_STATUSES = ("draft", "ready", "shipped", "cancelled")
MAX_LINES = 1000
PLAN_FIELDS = {
    "name": Field("string", "a name for the plan", min_length=1, max_length=200),
    "status": Field("string", "where the plan stands", choices=PLAN_STATUSES),
}
PLAN_CREATE_FIELDS = {
    "seller_account_id": Field("integer", "the seller account shipping", minimum=1, maximum=MAX_ID),
    **PLAN_FIELDS,
}
LINE_FIELDS = {
    "sku": Field("string", "a SKU of the plan's seller", min_length=1, max_length=64),
    "quantity": Field(
        "integer",
        "units; a multiple of the case pack, at least the MOQ",
        minimum=1,
        maximum=MAX_SHIP_QUANTITY,
    ),
}
_ABSENT = object()


def _check_body(
    body: Any, fields: dict[str, Field], required: tuple[str, ...]
) -> tuple[dict[str, Any], list[dict[str, Any]] | None, dict[str, str]]:
    """Split a plan body into checked top-level fields and checked-shape lines, plus errors."""
    if not isinstance(body, dict):
        raise ApiError(422, "validation_error", "body must be a JSON object", {"body": "object"})
    top = {k: v for k, v in body.items() if k != "lines"}
    errors = collect_errors(top, fields, required)
    values = {k: fields[k].check(v)[0] for k, v in top.items() if k in fields}
    raw_lines = body.get("lines", _ABSENT)
    if raw_lines is _ABSENT:
        return values, None, errors
    if not isinstance(raw_lines, list):
        errors["lines"] = "must be a list of {sku, quantity} objects"
        return values, None, errors
    if len(raw_lines) > MAX_LINES:
        errors["lines"] = f"must have at most {MAX_LINES} lines"
        return values, None, errors
    lines: list[dict[str, Any]] = []
    for i, item in enumerate(raw_lines):
        prefix = f"lines[{i}]."
        if not isinstance(item, dict):
            errors[f"lines[{i}]"] = "must be an object with sku and quantity"
            continue
        line_errors = collect_errors(item, LINE_FIELDS, ("sku", "quantity"), prefix)
        errors.update(line_errors)
        if not line_errors:
            lines.append({k: LINE_FIELDS[k].check(v)[0] for k, v in item.items()})
    return values, lines, errors


def _check_lines(
    seller_account_id: int, tenant_id: int, lines: list[dict[str, Any]]
) -> tuple[dict[str, Product], dict[str, str]]:
    """Each SKU must belong to the seller, appear once, and respect case pack and MOQ."""
    skus = [line["sku"] for line in lines]
    products = (
        {
            p.sku: p
            for p in db.session.scalars(
                select(Product).where(
                    Product.tenant_id == tenant_id,
                    Product.seller_account_id == seller_account_id,
                    Product.sku.in_(set(skus)),
                )
            )
        }
        if skus
        else {}
    )
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for i, line in enumerate(lines):
        name, qty = line["sku"], line["quantity"]
        product = products.get(name)
        if name in seen:
            errors[f"lines[{i}].sku"] = f"{name} appears more than once"
        elif product is None:
            errors[f"lines[{i}].sku"] = f"{name} is not a SKU of this seller account"
        elif (broken := pack_problem(qty, product.case_pack, product.moq)) == "case_pack":
            errors[f"lines[{i}].quantity"] = (
                f"must be a multiple of the case pack ({product.case_pack})"
            )
        elif broken == "moq":
            errors[f"lines[{i}].quantity"] = f"must be at least the MOQ ({product.moq})"
        seen.add(name)
    return products, errors


def _apply_lines(plan_row: ShipmentPlan, lines: list[dict[str, Any]], tenant_id: int) -> None:
    """Make the plan's lines exactly `lines`, updating in place (the unit of work inserts before
    it deletes, so dropping and re-adding a SKU would collide with the unique key)."""
    wanted = {line["sku"]: line["quantity"] for line in lines}
    existing = {line.sku: line for line in plan_row.lines}
    for name, line in existing.items():
        if name not in wanted:
            plan_row.lines.remove(line)
        else:
            line.quantity = wanted[name]
    for name, qty in wanted.items():
        if name in existing:
            continue
        rec = current_recommendation(db.session, tenant_id, plan_row.seller_account_id, name)
        plan_row.lines.append(
            ShipmentPlanLine(
                tenant_id=tenant_id,
                seller_account_id=plan_row.seller_account_id,
                sku=name,
                quantity=qty,
                recommended_quantity=None if rec is None else rec.quantity,
            )
        )


@bp.get("/plans")
def list_plans() -> ResponseReturnValue:
    """The tenant's shipment plans, newest first."""
    tenant_id = current().tenant_id
    limit, offset = page_params()
    seller = query_int("seller", None, 1, MAX_ID)
    status = query_choice("status", PLAN_STATUSES)
    stmt = select(ShipmentPlan).where(ShipmentPlan.tenant_id == tenant_id)
    if seller is not None:
        stmt = stmt.where(ShipmentPlan.seller_account_id == seller)
    if status is not None:
        stmt = stmt.where(ShipmentPlan.status == status)
    session = db.session
    total = count(session, stmt)
    rows = session.scalars(
        stmt.order_by(ShipmentPlan.created_at.desc(), ShipmentPlan.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return jsonify(page([plan(p) for p in rows], total, limit, offset))


@bp.post("/plans")
def create_plan() -> ResponseReturnValue:
    """Create a plan; nothing is saved unless the whole body is valid."""
    principal = current()
    tenant_id = principal.tenant_id
    values, lines, errors = _check_body(
        json_body(), PLAN_CREATE_FIELDS, ("seller_account_id", "name")
    )
    if errors:
        raise invalid(errors)
    seller = get_owned(db.session, SellerAccount, values["seller_account_id"], tenant_id)
    if seller is None:
        raise invalid({"seller_account_id": "no such seller account"})
    _, line_errors = _check_lines(seller.id, tenant_id, lines or [])
    if line_errors:
        raise invalid(line_errors)
    row = ShipmentPlan(
        tenant_id=tenant_id,
        seller_account_id=seller.id,
        name=values["name"],
        status=values.get("status") or "draft",
        created_by_user_id=principal.user_id,
    )
    db.session.add(row)
    _apply_lines(row, lines or [], tenant_id)
    _sent_changed(row, None)
    db.session.commit()
    return jsonify(plan(row)), 201


@bp.get("/plans/<id:plan_id>")
def get_plan(plan_id: int) -> ResponseReturnValue:
    """One plan with its lines."""
    row = owned_or_404(db.session, ShipmentPlan, plan_id, current().tenant_id, "plan")
    return jsonify(plan(row))


@bp.patch("/plans/<id:plan_id>")
def patch_plan(plan_id: int) -> ResponseReturnValue:
    """Rename, change status, or replace the lines (all checked first, all-or-nothing)."""
    tenant_id = current().tenant_id
    row = owned_or_404(db.session, ShipmentPlan, plan_id, tenant_id, "plan")
    values, lines, errors = _check_body(json_body(), PLAN_FIELDS, ())
    if errors:
        raise invalid(errors)
    if lines is not None:
        _, line_errors = _check_lines(row.seller_account_id, tenant_id, lines)
        if line_errors:
            raise invalid(line_errors)
    was = row.status
    for name, value in values.items():
        setattr(row, name, value)
    if lines is not None:
        _apply_lines(row, lines, tenant_id)
        # Only line rows changed: the plan's own onupdate would not fire.
        row.updated_at = utcnow()
    _sent_changed(row, was)
    db.session.commit()
    return jsonify(plan(row))


def _sent_changed(row: ShipmentPlan, was: str | None) -> None:
    """A plan marked shipped is inbound from today (a local shipment Amazon's record replaces
    when it appears); un-marked, it is not."""
    if row.status == "shipped" and was != "shipped":
        db.session.flush()
        db.session.refresh(row, ["lines"])
        record_sent_plan(db.session, row, utcnow().date())
    elif was == "shipped" and row.status != "shipped":
        forget_sent_plan(db.session, row)


@bp.delete("/plans/<id:plan_id>")
def delete_plan(plan_id: int) -> Response:
    """Delete a plan and its lines."""
    row = owned_or_404(db.session, ShipmentPlan, plan_id, current().tenant_id, "plan")
    db.session.delete(row)
    db.session.commit()
    return Response(status=204)
