"""Connect a Selling Partner API account, see its webhook set-up and sync status, sync now.

Members see the accounts, sync them and change their planning settings; only owners connect
accounts, change credentials or where they are sent, and see or rotate the webhook secret.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import tasks
from app.connections import ConnectError, connect, parse_marketplaces
from app.extensions import db
from app.models import SellerAccount, SyncRun, SyncState
from app.models.seller import MARKETPLACES
from app.security.outbound import is_amazon
from app.sync.streams import NAMES as STREAMS
from app.tenancy import owned_or_404
from app.web.auth.session import (
    is_owner,
    login_required,
    owner_required,
    seller_accounts,
    tenant_id,
)
from app.web.forms import CsrfOnlyForm
from app.web.sellers.forms import ConnectForm, SellerForm, SellerSettingsForm
from integrations.amazon import marketplaces

bp = Blueprint("sellers", __name__, url_prefix="/sellers")
log = logging.getLogger(__name__)


def _targets(form: SellerForm) -> tuple[str, str]:
    """The endpoint and token URL the form asks for (by default, the marketplace region's)."""
    market = marketplaces.get(form.marketplace.data)
    custom = form.endpoint_choice.data == "custom"
    endpoint = (form.endpoint.data or "").strip().rstrip("/") if custom else ""
    token_url = (form.token_url.data or "").strip() or market.token_url
    return endpoint or market.endpoint, token_url


def _apply_settings(form: SellerSettingsForm, account: SellerAccount) -> None:
    """Copy the planning settings (what any member may change) onto the account."""
    account.name = form.name.data.strip()
    account.review_days = form.review_days.data
    account.capacity_standard_cuft = form.capacity_standard_cuft.data
    account.capacity_bulky_cuft = form.capacity_bulky_cuft.data
    account.in_stock_target_pct = form.in_stock_target_pct.data
    account.stockout_cost_multiple = form.stockout_cost_multiple.data


def _apply(form: SellerForm, account: SellerAccount) -> bool:
    """Copy the form onto the account (False, with field errors, if secrets are missing).

    Blank secret fields keep the stored secrets, except when the account is pointed somewhere
    else: then both must be entered again, or whoever changes the URL would have the stored
    credentials sent to a host of their choosing.
    """
    endpoint, token_url = _targets(form)
    new = account.id is None
    moved = not new and (endpoint != account.endpoint or token_url != account.token_url)
    blank = [f for f in (form.lwa_client_secret, form.refresh_token) if not (f.data or "").strip()]
    if (new or moved) and blank:
        why = " to change the endpoint or token URL" if moved else ""
        for f in blank:
            f.errors = [f"Enter the {f.label.text.lower()}{why}."]
        return False
    marketplace_id, region = MARKETPLACES[form.marketplace.data]
    if not new and region != account.region and account.siblings():
        # Its siblings stay in their region, and one connection is one region's.
        others = ", ".join(a.marketplace for a in account.siblings())
        form.marketplace.errors = [
            f"This connection also holds {others}, in another region: connect "
            f"{form.marketplace.data} as a separate seller."
        ]
        return False
    _apply_settings(form, account)
    account.marketplace = form.marketplace.data
    account.marketplace_id, account.region = marketplace_id, region
    if account.connection is not None:
        account.connection.region = region
    account.seller_id = (form.seller_id.data or "").strip() or None
    account.lwa_client_id = form.lwa_client_id.data.strip()
    if form.lwa_client_secret.data:
        account.lwa_client_secret = form.lwa_client_secret.data.strip()
    if form.refresh_token.data:
        account.refresh_token = form.refresh_token.data.strip()
    account.endpoint, account.token_url = endpoint, token_url
    return True


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> ResponseReturnValue:
    """The tenant's accounts and (for owners) the form to connect another."""
    owner = is_owner()
    form = ConnectForm()
    if form.is_submitted() and not owner:
        abort(403)
    if form.validate_on_submit():
        accounts = _connect(form)
        if accounts:
            session["seller"] = accounts[0].id
            codes = ", ".join(a.marketplace for a in accounts)
            what = "Seller account" if len(accounts) == 1 else f"Seller accounts for {codes}"
            flash(f"{what} connected. Set up the webhook forwarder below.", "success")
            return redirect(url_for("sellers.show", seller_id=accounts[0].id))
    accounts = seller_accounts()
    status = 422 if form.errors else 200
    return render_template("sellers/index.html", form=form, accounts=accounts, owner=owner), status


def _connect(form: ConnectForm) -> list[SellerAccount]:
    """The connection and its accounts from the connect form ([] with field errors)."""
    first = form.marketplace.data
    codes = [first, *[c for c in form.also.data or [] if c != first]]
    try:
        markets = parse_marketplaces(codes)
    except ConnectError as exc:
        form.also.errors = [str(exc)]
        return []
    blank = [f for f in (form.lwa_client_secret, form.refresh_token) if not (f.data or "").strip()]
    for f in blank:
        f.errors = [f"Enter the {f.label.text.lower()}."]
    if blank:
        return []
    endpoint, token_url = _targets(form)
    try:
        accounts = connect(
            db.session, tenant_id(), form.name.data.strip(), markets,
            endpoint=endpoint, token_url=token_url,
            client_id=form.lwa_client_id.data.strip(),
            client_secret=form.lwa_client_secret.data.strip(),
            refresh_token=form.refresh_token.data.strip(),
            seller_id=(form.seller_id.data or "").strip() or None,
        )  # fmt: skip
    except ConnectError:
        form.name.errors = ["You already have an account with this name."]
        return []
    for account in accounts:
        named = account.name  # "<name> CA" when there are several
        _apply_settings(form, account)
        account.name = named
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.name.errors = ["You already have an account with this name."]
        return []
    return accounts


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


@bp.route("/<id:seller_id>", methods=["GET", "POST"])
@login_required
def show(seller_id: int) -> ResponseReturnValue:
    """Webhook set-up, sync status, and the account's settings (credentials: owners only)."""
    account = owned_or_404(db.session, SellerAccount, seller_id, tenant_id())
    owner = is_owner()
    # A member's form has no credential or URL fields at all: nothing they post can reach them.
    form = SellerForm(obj=account) if owner else SellerSettingsForm(obj=account)
    if not form.is_submitted():
        if isinstance(form, SellerForm):
            amazon = is_amazon(account.endpoint, "api")
            form.endpoint_choice.data = "amazon" if amazon else "custom"
            form.endpoint.data = "" if amazon else account.endpoint
            form.lwa_client_secret.data = form.refresh_token.data = ""
    elif form.validate_on_submit():
        saved = True
        if isinstance(form, SellerForm):
            saved = _apply(form, account)
        else:
            _apply_settings(form, account)
        if not saved:
            db.session.rollback()
        else:
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
        owner=owner,
        grace_hours=round(current_app.config["WEBHOOK_SECRET_GRACE"].total_seconds() / 3600),
        button=CsrfOnlyForm(),
        webhook_url=f"{base}/webhooks/sp-api/{account.public_id}",
        status=_sync_status(account),
    ), (422 if form.errors else 200)


@bp.post("/<id:seller_id>/sync")
@login_required
def sync_now(seller_id: int) -> ResponseReturnValue:
    """Queue a sync of every stream (the job ids are deterministic, so repeats do not pile up)."""
    account = owned_or_404(db.session, SellerAccount, seller_id, tenant_id())
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    queued = []
    for stream in STREAMS:
        try:
            tasks.enqueue_sync(account.id, stream)
            queued.append(stream)
        except Exception:  # noqa: BLE001 - one stream failing to queue must not hide the others
            log.exception("could not queue %s sync for seller %s", stream, account.id)
            flash(f"Could not queue the {stream} sync; see the server log.", "error")
    if queued:
        flash(f"Sync queued: {', '.join(queued)}. Progress is on the Jobs page.", "success")
    return redirect(url_for("sellers.show", seller_id=account.id))


@bp.post("/<id:seller_id>/rotate-webhook-secret")
@owner_required
def rotate_webhook_secret(seller_id: int) -> ResponseReturnValue:
    """New webhook secret; the old one keeps verifying for WEBHOOK_SECRET_GRACE (24 h)."""
    account = owned_or_404(db.session, SellerAccount, seller_id, tenant_id())
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    account.rotate_webhook_secret()
    db.session.commit()
    hours = round(current_app.config["WEBHOOK_SECRET_GRACE"].total_seconds() / 3600)
    flash(
        f"New webhook secret created. Update the forwarder; the old one works for {hours} hours.",
        "success",
    )
    return redirect(url_for("sellers.show", seller_id=account.id))


@bp.post("/choose")
@login_required
def choose() -> ResponseReturnValue:
    """Switch the seller account the pages show."""
    from flask import request

    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    try:
        chosen = int(request.form.get("seller", ""))
    except ValueError:
        abort(404)
    account = owned_or_404(db.session, SellerAccount, chosen, tenant_id())
    session["seller"] = account.id
    return redirect(url_for("dashboard.index"))
