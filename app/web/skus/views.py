"""The SKU page (its stored timeline, sales, fees, Amazon's suggestion, settings) and the CSV
import of settings."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from app import localtime, money, queries, summaries
from app.extensions import db
from app.imports.sku_settings import MAX_BYTES, import_settings
from app.models import Product, SellerAccount
from app.tenancy import owned_or_404
from app.web.auth.session import current_seller, login_required, tenant_id
from app.web.forms import ImportForm, SkuSettingsForm
from app.web.skus import detail, timeline

bp = Blueprint("skus", __name__, url_prefix="/skus")


@bp.route("/<id:product_id>", methods=["GET", "POST"])
@login_required
def show(product_id: int) -> ResponseReturnValue:
    """Everything about one SKU; POST saves its settings (all fields valid, or none saved)."""
    product = owned_or_404(db.session, Product, product_id, tenant_id())
    form = SkuSettingsForm(obj=product)
    if form.validate_on_submit():
        form.populate_obj(product)
        product.unit_cost = float(form.unit_cost.data) if form.unit_cost.data is not None else None
        db.session.flush()
        account = db.session.get(SellerAccount, product.seller_account_id)
        if account is not None:
            summaries.refresh(db.session, account, [product.sku])
        db.session.commit()
        flash("Settings saved. New recommendations use them from the next run.", "success")
        return redirect(url_for("skus.show", product_id=product.id))
    if form.errors:
        # Nothing was assigned, but make sure no stray change survives in the session.
        db.session.rollback()
        product = owned_or_404(db.session, Product, product_id, tenant_id())
    # The header's seller accounts are loaded once (current_seller), so this is a lookup in the
    # session, not a statement.
    current_seller()
    seller = owned_or_404(db.session, SellerAccount, product.seller_account_id, tenant_id())
    scope = detail.scope_of(db.session, seller)
    end = scope.as_of or localtime.today(seller.time_zone)
    snapshot = detail.latest_snapshot(db.session, product)
    view = timeline.present(
        queries.current_timeline(db.session, product), money.seller_formatter(seller)
    )
    history = detail.sales_history(db.session, product, end)
    chart = {"history": history, "forecast": detail.forecast_series(db.session, product, scope)}
    return render_template(
        "skus/show.html",
        product=product,
        seller=seller,
        form=form,
        snapshot=snapshot,
        view=view,
        chart=chart,
        fees=detail.fees(db.session, product, end),
        sold_30=sum(history["units"][-30:]),
        stockout_days=sum(history["stockout"]),
    ), (422 if form.errors else 200)


@bp.route("/import", methods=["GET", "POST"], endpoint="import_settings")
@login_required
def import_settings_page() -> ResponseReturnValue:
    """Upload a CSV of settings; every row is checked before anything is saved."""
    seller = current_seller()
    form = ImportForm()
    result = None
    status = 200
    if seller is None:
        flash("Connect a seller account first.", "error")
        return redirect(url_for("sellers.index"))
    if form.validate_on_submit():
        upload = form.file.data
        try:
            data = upload.read(MAX_BYTES + 1)
        finally:
            # Large uploads are spooled to a temporary file; close it now, not at GC.
            upload.close()
        result = import_settings(db.session, tenant_id(), seller.id, data)
        if result.errors:
            db.session.rollback()
            status = 422
        else:
            db.session.commit()
            flash(f"Updated the settings of {result.updated} SKU(s).", "success")
            return redirect(url_for("skus.import_settings"))
    elif form.errors:
        status = 422
    return render_template("skus/import.html", form=form, result=result, seller=seller), status
