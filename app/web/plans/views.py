"""Shipment plans: build from recommendations, save, download, delete."""

from __future__ import annotations

import datetime as dt
import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from app.exports.plans import (
    PLAN_HEADER,
    Line,
    is_bulky,
    plan_rows,
    send_to_amazon_rows,
    unit_cubic_feet,
)
from app.exports.safe import csv_bytes, xlsx_bytes
from app.extensions import db
from app.models import SellerAccount, ShipmentPlan, ShipmentPlanLine
from app.tenancy import owned_or_404
from app.web.auth.session import current_seller, current_user, login_required, tenant_id
from app.web.dashboard.table import status_badge
from app.web.forms import CsrfOnlyForm, PlanNameForm
from app.web.plans.builder import candidates, plan_lines, quantity_error, totals

bp = Blueprint("plans", __name__, url_prefix="/plans")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/")
@login_required
def index() -> ResponseReturnValue:
    """Saved plans, newest first, with their unit totals."""
    seller = current_seller()
    if seller is None:
        return redirect(url_for("sellers.index"))
    rows = db.session.execute(
        select(ShipmentPlan, func.count(ShipmentPlanLine.id), func.sum(ShipmentPlanLine.quantity))
        .outerjoin(ShipmentPlanLine, ShipmentPlanLine.plan_id == ShipmentPlan.id)
        .where(ShipmentPlan.tenant_id == tenant_id(), ShipmentPlan.seller_account_id == seller.id)
        .group_by(ShipmentPlan.id)
        .order_by(ShipmentPlan.created_at.desc(), ShipmentPlan.id.desc())
        .limit(200)
    ).all()
    return render_template("plans/index.html", rows=rows, seller=seller)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    """Pick recommended lines and quantities; saved only if every picked line is valid."""
    seller = current_seller()
    if seller is None:
        return redirect(url_for("sellers.index"))
    form = PlanNameForm()
    if not form.is_submitted():
        form.name.data = f"Shipment {dt.datetime.now(dt.UTC):%Y-%m-%d}"
    options = candidates(db.session, seller)
    picked: set[int] = set()
    typed: dict[int, str] = {}
    errors: dict[int, str] = {}
    status = 200
    if form.is_submitted():
        picked = {int(v) for v in request.form.getlist("pick") if v.isdigit()}
        typed = {p.id: request.form.get(f"qty-{p.id}", "") for p, _ in options}
        lines = []
        for product, rec in options:
            if product.id not in picked:
                continue
            qty, error = quantity_error(product, typed[product.id])
            if error:
                errors[product.id] = error
            else:
                lines.append((product, rec, qty))
        valid = form.validate()
        if not picked:
            flash("Tick at least one line to ship.", "error")
        elif valid and not errors:
            plan = ShipmentPlan(
                tenant_id=seller.tenant_id,
                seller_account_id=seller.id,
                name=form.name.data.strip(),
                created_by_user_id=current_user().id,  # type: ignore[union-attr]
            )
            plan.lines = [
                ShipmentPlanLine(
                    tenant_id=seller.tenant_id,
                    seller_account_id=seller.id,
                    sku=product.sku,
                    quantity=qty,
                    recommended_quantity=rec.quantity,
                )
                for product, rec, qty in lines
            ]
            db.session.add(plan)
            db.session.commit()
            t = totals(plan_lines(db.session, plan), seller)
            flash(f"Plan saved: {t.units:,} units in {len(lines)} line(s).", "success")
            for warning in t.warnings:
                flash(warning, "warning")
            return redirect(url_for("plans.show", plan_id=plan.id))
        status = 422
    preview = [Line(p.sku, rec.quantity, rec.quantity, p) for p, rec in options]
    return render_template(
        "plans/new.html",
        form=form,
        seller=seller,
        options=options,
        picked=picked,
        typed=typed,
        errors=errors,
        submitted=form.is_submitted(),
        all_totals=totals(preview, seller),
        unit_cuft=unit_cubic_feet,
        is_bulky=is_bulky,
        badge=status_badge,
    ), status


@bp.get("/<id:plan_id>")
@login_required
def show(plan_id: int) -> ResponseReturnValue:
    """A saved plan's lines, totals and downloads."""
    plan = owned_or_404(db.session, ShipmentPlan, plan_id, tenant_id())
    lines = plan_lines(db.session, plan)
    seller = plan_seller(plan)
    return render_template(
        "plans/show.html",
        plan=plan,
        lines=lines,
        totals=totals(lines, seller),
        seller=seller,
        button=CsrfOnlyForm(),
    )


def plan_seller(plan: ShipmentPlan) -> SellerAccount:
    """The plan's seller account (same tenant by construction)."""
    return owned_or_404(db.session, SellerAccount, plan.seller_account_id, tenant_id())


def _filename(plan: ShipmentPlan, suffix: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", plan.name).strip("-")[:60] or "plan"
    return f"{slug}-{plan.id}{suffix}"


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@bp.get("/<id:plan_id>/plan.csv")
@login_required
def export_csv(plan_id: int) -> ResponseReturnValue:
    """The plan as CSV."""
    plan = owned_or_404(db.session, ShipmentPlan, plan_id, tenant_id())
    rows = plan_rows(plan_lines(db.session, plan))
    return _download(csv_bytes(PLAN_HEADER, rows), "text/csv", _filename(plan, ".csv"))


@bp.get("/<id:plan_id>/plan.xlsx")
@login_required
def export_xlsx(plan_id: int) -> ResponseReturnValue:
    """The plan as an Excel workbook."""
    plan = owned_or_404(db.session, ShipmentPlan, plan_id, tenant_id())
    rows = plan_rows(plan_lines(db.session, plan))
    return _download(xlsx_bytes([("Plan", [PLAN_HEADER, *rows])]), XLSX, _filename(plan, ".xlsx"))


@bp.get("/<id:plan_id>/send-to-amazon.xlsx")
@login_required
def export_sta_xlsx(plan_id: int) -> ResponseReturnValue:
    """Amazon's Send-to-Amazon file upload ("Create workflow – template" sheet)."""
    plan = owned_or_404(db.session, ShipmentPlan, plan_id, tenant_id())
    rows = send_to_amazon_rows(plan, plan_lines(db.session, plan))
    return _download(
        xlsx_bytes([("Create workflow – template", rows)]),
        XLSX,
        _filename(plan, "-send-to-amazon.xlsx"),
    )


@bp.get("/<id:plan_id>/send-to-amazon.txt")
@login_required
def export_sta_tsv(plan_id: int) -> ResponseReturnValue:
    """The same upload as a tab-delimited text file (Amazon accepts either)."""
    plan = owned_or_404(db.session, ShipmentPlan, plan_id, tenant_id())
    rows = send_to_amazon_rows(plan, plan_lines(db.session, plan))
    body = csv_bytes(rows[0], rows[1:], delimiter="\t", bom=False)
    return _download(body, "text/tab-separated-values", _filename(plan, "-send-to-amazon.txt"))


@bp.post("/<id:plan_id>/delete")
@login_required
def delete(plan_id: int) -> ResponseReturnValue:
    """Delete a plan that has not been sent to Amazon."""
    plan = owned_or_404(db.session, ShipmentPlan, plan_id, tenant_id())
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    if plan.inbound_plan_id:
        flash("This plan was sent to Amazon; it is kept as a record.", "error")
        return redirect(url_for("plans.show", plan_id=plan.id))
    db.session.delete(plan)
    db.session.commit()
    flash("Plan deleted.", "info")
    return redirect(url_for("plans.index"))
