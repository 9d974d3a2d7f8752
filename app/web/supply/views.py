"""Supply pages: suppliers, warehouses and their stock, purchase orders (tracking, receipts,
downloads) and the purchase order builder."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.exports.purchase_orders import PO_HEADER, po_meta, po_rows
from app.exports.safe import csv_bytes, xlsx_bytes
from app.extensions import db
from app.models import FreightLane, Location, PurchaseOrder, SellerAccount, Supplier
from app.models.supply import PO_TRANSITIONS
from app.supply import purchase_orders as pos
from app.supply.currency import seller_currency
from app.supply.errors import SupplyError
from app.supply.purchase_orders import totals
from app.supply.read import supplier_rates
from app.supply.stock import import_stock, set_quantity, stock_by_location
from app.tenancy import owned_or_404
from app.web.auth.session import current_seller, current_user, login_required, tenant_id
from app.web.dashboard.table import scope_for
from app.web.forms import CsrfOnlyForm
from app.web.supply import queries
from app.web.supply.builder import build_lines

bp = Blueprint("supply", __name__, url_prefix="/supply")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csrf() -> None:
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)


def _int(raw: str | None) -> int | None:
    raw = (raw or "").strip().replace(",", "")
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@bp.get("/suppliers")
@login_required
def suppliers() -> ResponseReturnValue:
    """The tenant's suppliers with their lanes and this seller's terms per SKU."""
    seller = current_seller()
    if seller is None:
        return redirect(url_for("sellers.index"))
    rows = db.session.scalars(
        select(Supplier)
        .where(Supplier.tenant_id == tenant_id())
        .options(selectinload(Supplier.lanes).selectinload(FreightLane.destination))
        .order_by(Supplier.name)
    ).all()
    terms = {s.id: queries.supplier_terms(seller, s.id) for s in rows}
    return render_template(
        "supply/suppliers.html", suppliers=rows, terms=terms, seller=seller, button=CsrfOnlyForm()
    )


@bp.post("/suppliers")
@login_required
def create_supplier() -> ResponseReturnValue:
    """Add a supplier (name, ISO currency, contact, production lead days)."""
    _csrf()
    from app.supply.currency import check_currency

    name = (request.form.get("name") or "").strip()
    days = _int(request.form.get("production_lead_days"))
    try:
        currency = check_currency(request.form.get("currency") or "")
        if not name or len(name) > 200:
            raise SupplyError("Give the supplier a name (up to 200 characters).", "name")
        if days is None or days > 365:
            raise SupplyError("Production lead time: a whole number of days, 0 to 365.", "days")
        exists = db.session.scalar(
            select(Supplier.id).where(Supplier.tenant_id == tenant_id(), Supplier.name == name)
        )
        if exists:
            raise SupplyError(f"A supplier named {name} already exists.", "name")
    except SupplyError as exc:
        flash(exc.message, "error")
        return redirect(url_for("supply.suppliers"))
    db.session.add(
        Supplier(
            tenant_id=tenant_id(),
            name=name,
            currency=currency,
            contact=(request.form.get("contact") or "").strip()[:2000] or None,
            production_lead_days=days,
        )
    )
    db.session.commit()
    flash(f"Supplier {name} added.", "info")
    return redirect(url_for("supply.suppliers"))


@bp.get("/locations")
@login_required
def locations() -> ResponseReturnValue:
    """The seller's warehouses, AWD and FBA, with stock per SKU, imports and edits."""
    seller = current_seller()
    if seller is None:
        return redirect(url_for("sellers.index"))
    locs = queries.locations(seller)
    stock = stock_by_location(db.session, locs)
    return render_template(
        "supply/locations.html",
        locations=locs,
        stock=stock,
        seller=seller,
        products=queries.products(seller),
        button=CsrfOnlyForm(),
    )


@bp.post("/locations/<id:location_id>/import")
@login_required
def import_location_stock(location_id: int) -> ResponseReturnValue:
    """Replace the units of the SKUs in an uploaded CSV/XLSX; nothing on any bad row."""
    loc = owned_or_404(db.session, Location, location_id, tenant_id(), "location")
    _csrf()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash("Choose a CSV or XLSX file.", "error")
        return redirect(url_for("supply.locations"))
    result = import_stock(db.session, loc, upload.read(), upload.filename)
    if result.errors:
        db.session.rollback()
        for e in result.errors:
            flash(f"Nothing imported: {e}", "error")
    else:
        db.session.commit()
        flash(f"{loc.name}: stock of {result.updated} SKU(s) set.", "info")
    return redirect(url_for("supply.locations"))


@bp.post("/locations/<id:location_id>/stock")
@login_required
def edit_location_stock(location_id: int) -> ResponseReturnValue:
    """Set one SKU's units at a location."""
    loc = owned_or_404(db.session, Location, location_id, tenant_id(), "location")
    _csrf()
    sku = (request.form.get("sku") or "").strip()
    qty = _int(request.form.get("quantity"))
    try:
        if qty is None:
            raise SupplyError(f"{sku}: units must be a whole number, 0 or more.", "quantity")
        set_quantity(db.session, loc, sku, qty)
    except SupplyError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("supply.locations"))
    db.session.commit()
    flash(f"{loc.name}: {sku} set to {qty:,} units.", "info")
    return redirect(url_for("supply.locations"))


@bp.get("/purchase-orders")
@login_required
def purchase_orders() -> ResponseReturnValue:
    """The seller's purchase orders, newest first."""
    seller = current_seller()
    if seller is None:
        return redirect(url_for("sellers.index"))
    rows = db.session.scalars(
        select(PurchaseOrder)
        .where(PurchaseOrder.tenant_id == tenant_id(), PurchaseOrder.seller_account_id == seller.id)
        .options(selectinload(PurchaseOrder.lines), selectinload(PurchaseOrder.supplier))
        .order_by(PurchaseOrder.created_at.desc(), PurchaseOrder.id.desc())
        .limit(200)
    ).all()
    return render_template("supply/purchase_orders.html", rows=rows, totals=totals, seller=seller)


@bp.route("/purchase-orders/new", methods=["GET", "POST"])
@login_required
def new_purchase_order() -> ResponseReturnValue:
    """Build a PO from a supplier's terms, prefilled from the current recommendations."""
    seller = current_seller()
    if seller is None:
        return redirect(url_for("sellers.index"))
    all_suppliers = db.session.scalars(
        select(Supplier).where(Supplier.tenant_id == tenant_id()).order_by(Supplier.name)
    ).all()
    dests = queries.locations(seller, upstream_only=True)
    due_by = scope_for(db.session, tenant_id(), seller.id).reorder_due
    orders = queries.supplier_orders(seller, due_by)
    chosen = _int(request.values.get("supplier"))
    supplier = next((s for s in all_suppliers if s.id == chosen), None) or _most_due(
        all_suppliers, orders
    )
    form = CsrfOnlyForm()
    ctx: dict[str, Any] = {
        "suppliers": all_suppliers,
        "supplier": supplier,
        "destinations": dests,
        "seller": seller,
        "form": form,
        "seller_currency": seller_currency(seller),
        "due": {s.id: sum(o.due for o in orders.values() if o.supplier_id == s.id)
                for s in all_suppliers},
    }  # fmt: skip
    if supplier is None or not dests:
        return render_template("supply/po_new.html", lines=[], **ctx)
    submitted = request.method == "POST"
    built = build_lines(seller, supplier, request.form if submitted else None, orders)
    ctx.update(built)
    ctx.update(_defaults(seller, supplier, orders))
    if not submitted:
        return render_template("supply/po_new.html", **ctx)
    if not form.validate():
        abort(400)
    if "save" not in request.form:  # "Recalculate": totals and checks for the edited lines
        return render_template("supply/po_new.html", **ctx)
    dest = next((d for d in dests if d.id == _int(request.form.get("destination"))), None)
    lane = next((ln for ln in supplier.lanes if ln.id == _int(request.form.get("lane"))), None)
    rate_raw = (request.form.get("fx_rate") or "").strip()
    try:
        rate = float(rate_raw) if rate_raw else None
    except ValueError:
        rate = -1.0
    error = None
    if dest is None:
        error = "Choose where the goods go."
    elif built["errors"] or not built["picked"]:
        error = "Fix the lines marked below." if built["errors"] else "Tick at least one line."
    if error is None and dest is not None:
        lane = lane if lane and lane.destination_location_id == dest.id else None
        try:
            po = pos.create(
                db.session,
                seller,
                supplier,
                dest,
                built["picked"],
                fx_rate=rate,
                freight_lane=lane,
                ordered_on=dt.date.today(),
                user_id=_user_id(),
            )
        except SupplyError as exc:
            error = exc.message
        else:
            db.session.commit()
            flash(f"{po.number} saved as a draft.", "info")
            return redirect(url_for("supply.show_purchase_order", po_id=po.id))
    db.session.rollback()
    flash(error or "Nothing saved.", "error")
    return render_template("supply/po_new.html", **ctx), 422


def _most_due(suppliers: Any, orders: dict[tuple[str, int], queries.OrderRec]) -> Supplier | None:
    """The supplier with the most supplier orders due (the first by name when none are)."""
    if not suppliers:
        return None
    count = {s.id: 0 for s in suppliers}
    for o in orders.values():
        if o.due and o.supplier_id in count:
            count[o.supplier_id] += 1
    best = max(suppliers, key=lambda s: count[s.id])
    return best if count[best.id] else suppliers[0]


def _defaults(
    seller: SellerAccount, supplier: Supplier, orders: dict[tuple[str, int], queries.OrderRec]
) -> dict[str, Any]:
    """The destination, freight and rate the form starts from: the lane of the supplier's due
    orders (the planner's chosen freight), and the rate of its newest PO, both editable."""
    mine = sorted(
        (o for o in orders.values() if o.supplier_id == supplier.id),
        key=lambda o: (not o.due, o.order_by, o.sku),
    )
    lane = next((o.lane_id for o in mine if o.lane_id), None)
    dest = next((o.destination_location_id for o in mine if o.destination_location_id), None)
    rate = supplier_rates(db.session, seller).get(supplier.id)
    return {
        "default_lane": str(lane) if lane else "",
        "default_destination": str(dest) if dest else "",
        "default_rate": "" if rate is None else f"{rate:g}",
    }


def _user_id() -> int | None:
    user = current_user()
    return user.id if user else None


def _po(po_id: int) -> PurchaseOrder:
    return owned_or_404(db.session, PurchaseOrder, po_id, tenant_id(), "purchase order")


def _seller_of(po: PurchaseOrder) -> SellerAccount:
    return db.session.get_one(SellerAccount, po.seller_account_id)


@bp.get("/purchase-orders/<id:po_id>")
@login_required
def show_purchase_order(po_id: int) -> ResponseReturnValue:
    """A PO's tracking: status, dates, lines with received units, receipts, downloads."""
    po = _po(po_id)
    seller = _seller_of(po)
    return render_template(
        "supply/po_show.html",
        po=po,
        totals=totals(po),
        next_statuses=PO_TRANSITIONS[po.status],
        products=queries.products(seller),
        seller_currency=seller_currency(seller),
        button=CsrfOnlyForm(),
    )


@bp.post("/purchase-orders/<id:po_id>/status")
@login_required
def change_status(po_id: int) -> ResponseReturnValue:
    """Move a PO to its next status."""
    po = _po(po_id)
    _csrf()
    try:
        pos.transition(po, request.form.get("status") or "")
    except SupplyError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        flash(f"{po.number} is now {po.status.replace('_', ' ')}.", "info")
    return redirect(url_for("supply.show_purchase_order", po_id=po.id))


@bp.post("/purchase-orders/<id:po_id>/dates")
@login_required
def change_dates(po_id: int) -> ResponseReturnValue:
    """Change the expected ship and arrival dates."""
    po = _po(po_id)
    _csrf()
    try:
        ship = request.form.get("expected_ship_on") or None
        arrive = request.form.get("expected_arrival_on") or None
        po.expected_ship_on = dt.date.fromisoformat(ship) if ship else None
        po.expected_arrival_on = dt.date.fromisoformat(arrive) if arrive else None
    except ValueError:
        db.session.rollback()
        flash("Dates must be YYYY-MM-DD.", "error")
    else:
        db.session.commit()
        flash("Expected dates saved.", "info")
    return redirect(url_for("supply.show_purchase_order", po_id=po.id))


@bp.post("/purchase-orders/<id:po_id>/receive")
@login_required
def receive(po_id: int) -> ResponseReturnValue:
    """Record units received on some lines; they go into the destination's stock."""
    po = _po(po_id)
    _csrf()
    quantities: dict[int, int] = {}
    try:
        for line in po.lines:
            raw = (request.form.get(f"recv-{line.id}") or "").strip()
            if raw:
                qty = _int(raw)
                if qty is None:
                    raise SupplyError(f"{line.sku}: received units must be a whole number.")
                quantities[line.id] = qty
        when = request.form.get("received_on") or ""
        day = dt.date.fromisoformat(when) if when else dt.date.today()
        pos.receive(db.session, po, quantities, day, _user_id())
    except (SupplyError, ValueError) as exc:
        db.session.rollback()
        flash(getattr(exc, "message", "The date must be YYYY-MM-DD."), "error")
    else:
        db.session.commit()
        flash(f"Received {sum(quantities.values()):,} units into {po.destination.name}.", "info")
    return redirect(url_for("supply.show_purchase_order", po_id=po.id))


def _download(data: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _export_rows(po: PurchaseOrder) -> list[list[Any]]:
    return po_rows(po, queries.products(_seller_of(po)), queries.case_packs(po))


@bp.get("/purchase-orders/<id:po_id>/po.csv")
@login_required
def export_csv(po_id: int) -> ResponseReturnValue:
    """The PO as CSV (formula-safe)."""
    po = _po(po_id)
    return _download(csv_bytes(PO_HEADER, _export_rows(po)), "text/csv", f"{po.number}.csv")


@bp.get("/purchase-orders/<id:po_id>/po.xlsx")
@login_required
def export_xlsx(po_id: int) -> ResponseReturnValue:
    """The PO as XLSX: the order's facts, then its lines (formula-safe)."""
    po = _po(po_id)
    data = xlsx_bytes([("Order", po_meta(po)), ("Lines", [PO_HEADER, *_export_rows(po)])])
    return _download(data, XLSX, f"{po.number}.xlsx")


@bp.get("/purchase-orders/<id:po_id>/print")
@login_required
def print_po(po_id: int) -> ResponseReturnValue:
    """A printable page of the PO to send to the supplier."""
    po = _po(po_id)
    return render_template(
        "supply/po_print.html", po=po, rows=_export_rows(po), header=PO_HEADER, meta=po_meta(po)
    )
