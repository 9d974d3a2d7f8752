"""Alerts settings: each user sets their own events, channel, quiet hours and digest."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from app.alerts.channels import ChannelRefused, DeliveryFailed, check_channel_url
from app.alerts.service import ALL_EVENTS, send_test
from app.extensions import db
from app.models import AlertSettings
from app.security.outbound import OutboundPolicy
from app.web.alerts.forms import AlertSettingsForm
from app.web.auth.session import current_user, login_required, tenant_id
from app.web.forms import CsrfOnlyForm

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


def _settings(create: bool = False) -> AlertSettings | None:
    user = current_user()
    assert user is not None
    tid = tenant_id()
    row = db.session.scalar(
        select(AlertSettings).where(
            AlertSettings.tenant_id == tid, AlertSettings.user_id == user.id
        )
    )
    if row is None and create:
        row = AlertSettings(tenant_id=tid, user_id=user.id, events=list(ALL_EVENTS))
        db.session.add(row)
    return row


@bp.route("/", methods=["GET", "POST"])
@login_required
def settings() -> ResponseReturnValue:
    """Show and save the user's alert settings; the channel URL is write-only."""
    row = _settings()
    form = AlertSettingsForm(obj=row)
    if row is None:
        form.events.data = form.events.data or list(ALL_EVENTS)
    form.channel_url.data = form.channel_url.data if form.is_submitted() else ""
    if form.validate_on_submit():
        url = (form.channel_url.data or "").strip()
        if url:
            try:
                url = check_channel_url(url, OutboundPolicy.from_config(current_app.config))
            except ChannelRefused as exc:
                form.channel_url.errors = [str(exc)]
        if not form.errors:
            row = row or _settings(create=True)
            assert row is not None
            if url:
                row.channel_url = url
            elif form.clear_channel.data == "clear":
                row.channel_url = None
            row.events = [e for e in form.events.data or [] if e in ALL_EVENTS]
            row.ship_by_days = form.ship_by_days.data
            row.reorder_by_days = form.reorder_by_days.data
            row.sync_failures = form.sync_failures.data
            row.time_zone = form.time_zone.data
            row.quiet_start = form.quiet_start.data
            row.quiet_end = form.quiet_end.data
            row.digest = form.digest.data
            row.digest_hour = form.digest_hour.data
            db.session.commit()
            flash("Alert settings saved.", "success")
            return redirect(url_for("alerts.settings"))
    return render_template(
        "alerts/settings.html",
        form=form,
        row=row,
        button=CsrfOnlyForm(),
    ), (422 if form.errors else 200)


@bp.post("/test")
@login_required
def test() -> ResponseReturnValue:
    """Send a test message to the saved channel; say whether it went (never what it answered)."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    row = _settings()
    if row is None or not row.channel_url:
        flash("Save a channel first.", "error")
        return redirect(url_for("alerts.settings"))
    try:
        send_test(row, current_app.config)
    except DeliveryFailed:
        flash(
            "The test did not go through. Check the URL and that the service accepts it; "
            "the server log has the details.",
            "error",
        )
    else:
        flash("Test sent: check your channel.", "success")
    return redirect(url_for("alerts.settings"))
