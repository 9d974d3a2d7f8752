"""Connect a Selling Partner API account, see its webhook set-up and sync status, sync now."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import SellerAccount, SyncRun, SyncState
from app.models.seller import AMAZON_NA_ENDPOINT, AMAZON_TOKEN_URL, MARKETPLACES, new_webhook_secret
from app.web.auth.session import login_required, owned_or_404, seller_accounts, tenant_id
from app.web.forms import CsrfOnlyForm, SellerForm

bp = Blueprint("sellers", __name__, url_prefix="/sellers")
log = logging.getLogger(__name__)
STREAMS = ("orders", "inventory", "fees", "reports")


def _apply(form: SellerForm, account: SellerAccount) -> None:
    """Copy the form onto the account; blank secret fields keep the stored secret."""
    account.name = form.name.data.strip()
    account.marketplace = form.marketplace.data
    account.marketplace_id, account.region = MARKETPLACES[form.marketplace.data]
    account.seller_id = (form.seller_id.data or "").strip() or None
    account.lwa_client_id = form.lwa_client_id.data.strip()
    if form.lwa_client_secret.data:
        account.lwa_client_secret = form.lwa_client_secret.data.strip()
    if form.refresh_token.data:
        account.refresh_token = form.refresh_token.data.strip()
    custom = form.endpoint_choice.data == "custom"
    account.endpoint = form.endpoint.data.strip().rstrip("/") if custom else AMAZON_NA_ENDPOINT
    account.token_url = (form.token_url.data or "").strip() or AMAZON_TOKEN_URL
    account.review_days = form.review_days.data
    account.capacity_standard_cuft = form.capacity_standard_cuft.data
    account.capacity_bulky_cuft = form.capacity_bulky_cuft.data


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():  # type: ignore[no-untyped-def]
    """The tenant's accounts and the form to connect another."""
    form = SellerForm()
    if form.validate_on_submit():
        missing = [
            f for f in (form.lwa_client_secret, form.refresh_token) if not (f.data or "").strip()
        ]
        for f in missing:
            f.errors = [f"Enter the {f.label.text.lower()}."]
        if not missing:
            account = SellerAccount(tenant_id=tenant_id())
            _apply(form, account)
            db.session.add(account)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.name.errors = ["You already have an account with this name."]
            else:
                session["seller"] = account.id
                flash("Seller account connected. Set up the webhook forwarder below.", "success")
                return redirect(url_for("sellers.show", seller_id=account.id))
    accounts = seller_accounts()
    status = 422 if form.errors else 200
    return render_template("sellers/index.html", form=form, accounts=accounts), status


def _sync_status(account: SellerAccount) -> list[dict[str, object]]:
    """The newest run and the cursor of each stream (two queries, whatever the history)."""
    latest = (
        select(SyncRun.stream, func.max(SyncRun.id).label("id"))
        .where(SyncRun.tenant_id == account.tenant_id, SyncRun.seller_account_id == account.id)
        .group_by(SyncRun.stream)
        .subquery()
    )
    runs = {
        r.stream: r
        for r in db.session.scalars(select(SyncRun).join(latest, SyncRun.id == latest.c.id))
    }
    states = {
        s.stream: s
        for s in db.session.scalars(
            select(SyncState).where(
                SyncState.tenant_id == account.tenant_id, SyncState.seller_account_id == account.id
            )
        )
    }
    streams = list(STREAMS) + sorted((set(runs) | set(states)) - set(STREAMS))
    return [{"stream": s, "run": runs.get(s), "state": states.get(s)} for s in streams]


@bp.route("/<int:seller_id>", methods=["GET", "POST"])
@login_required
def show(seller_id: int):  # type: ignore[no-untyped-def]
    """Webhook set-up, sync status, and the account's settings."""
    account = owned_or_404(SellerAccount, seller_id)
    form = SellerForm(obj=account)
    if not form.is_submitted():
        form.endpoint_choice.data = "amazon" if account.endpoint == AMAZON_NA_ENDPOINT else "custom"
        form.endpoint.data = "" if account.endpoint == AMAZON_NA_ENDPOINT else account.endpoint
        form.lwa_client_secret.data = form.refresh_token.data = ""
    elif form.validate_on_submit():
        _apply(form, account)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.name.errors = ["You already have an account with this name."]
        else:
            flash("Settings saved.", "success")
            return redirect(url_for("sellers.show", seller_id=account.id))
    else:
        db.session.rollback()
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return render_template(
        "sellers/show.html",
        account=account,
        form=form,
        button=CsrfOnlyForm(),
        webhook_url=f"{base}/webhooks/sp-api/{account.public_id}",
        status=_sync_status(account),
    ), (422 if form.errors else 200)


@bp.post("/<int:seller_id>/sync")
@login_required
def sync_now(seller_id: int):  # type: ignore[no-untyped-def]
    """Queue a sync of every stream (the job ids are deterministic, so repeats do not pile up)."""
    account = owned_or_404(SellerAccount, seller_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        from jobs.dispatch import enqueue_sync
    except ImportError:
        flash("Background jobs are not available in this installation.", "error")
        return redirect(url_for("sellers.show", seller_id=account.id))
    queued = []
    for stream in STREAMS:
        try:
            enqueue_sync(account.id, stream)
            queued.append(stream)
        except Exception:  # noqa: BLE001 - one stream failing to queue must not hide the others
            log.exception("could not queue %s sync for seller %s", stream, account.id)
            flash(f"Could not queue the {stream} sync; see the server log.", "error")
    if queued:
        flash(f"Sync queued: {', '.join(queued)}. Progress is on the Jobs page.", "success")
    return redirect(url_for("sellers.show", seller_id=account.id))


@bp.post("/<int:seller_id>/rotate-webhook-secret")
@login_required
def rotate_webhook_secret(seller_id: int):  # type: ignore[no-untyped-def]
    """New webhook secret; the old one keeps verifying until the next rotation."""
    account = owned_or_404(SellerAccount, seller_id)
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    account.previous_webhook_secret = account.webhook_secret
    account.webhook_secret = new_webhook_secret()
    db.session.commit()
    flash(
        "New webhook secret created. Update the forwarder; the old one still works for now.",
        "success",
    )
    return redirect(url_for("sellers.show", seller_id=account.id))


@bp.post("/choose")
@login_required
def choose():  # type: ignore[no-untyped-def]
    """Switch the seller account the pages show."""
    from flask import request

    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        chosen = int(request.form.get("seller", ""))
    except ValueError:
        abort(404)
    account = owned_or_404(SellerAccount, chosen)
    session["seller"] = account.id
    return redirect(url_for("dashboard.index"))
