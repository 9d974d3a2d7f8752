"""API tokens for /api/v1, from the web: owners only, as on the CLI (`flask tokens ...`).

A new token is rendered in the response to the POST that made it and never stored: only its
digest is kept, so it cannot be shown again (no flash, no redirect carrying it in the session).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from app.extensions import db
from app.models import ApiToken, User
from app.tenancy import create_token
from app.web.auth.session import current_user, owner_required, tenant_id
from app.web.forms import CsrfOnlyForm

bp = Blueprint("tokens", __name__, url_prefix="/tokens")


class TokenForm(FlaskForm):
    """A name saying what the token is for."""

    name = StringField(
        "Name", validators=[DataRequired(), Length(max=100)], filters=[lambda v: (v or "").strip()]
    )


def _tokens() -> list[tuple[ApiToken, str]]:
    rows = db.session.execute(
        select(ApiToken, User.email)
        .where(ApiToken.tenant_id == tenant_id())
        .join(User, User.id == ApiToken.user_id)
        .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    ).all()
    return [(row[0], row[1]) for row in rows]


@bp.route("/", methods=["GET", "POST"])
@owner_required
def index() -> ResponseReturnValue:
    """The business's tokens, and the form to create one for yourself."""
    form = TokenForm()
    secret = None
    status = 200
    if form.validate_on_submit():
        user = current_user()
        assert user is not None
        _row, secret = create_token(db.session, user, tenant_id(), form.name.data or "")
        db.session.commit()
        form = TokenForm(formdata=None)
    elif form.is_submitted():
        status = 400
    return (
        render_template(
            "tokens/index.html", form=form, tokens=_tokens(), secret=secret, revoke=CsrfOnlyForm()
        ),
        status,
    )


@bp.post("/<id:api_token_id>/revoke")
@owner_required
def revoke(api_token_id: int) -> ResponseReturnValue:
    """Revoke a token of the business: it stops authenticating at once."""
    row = db.session.get(ApiToken, api_token_id)
    if row is None or row.tenant_id != tenant_id():
        abort(404)  # another business's token looks like a missing one
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    if row.revoked_at is None:
        row.revoke()
        db.session.commit()
    flash(f"Token “{row.name}” revoked.", "success")
    return redirect(url_for("tokens.index"))
