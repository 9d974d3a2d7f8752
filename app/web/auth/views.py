"""Sign up, log in, log out, the account page, and invitations to a business."""

from __future__ import annotations

import zoneinfo

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Membership, Tenant, User
from app.web.auth import reset
from app.web.auth.forms import (
    AcceptInviteForm,
    ForgotPasswordForm,
    InviteForm,
    PasswordChangeForm,
    ResetPasswordForm,
)
from app.web.auth.invitations import Invitation, make_token, read_token
from app.web.auth.mail import mail_configured, send_mail
from app.web.auth.session import (
    current_membership,
    current_session,
    current_user,
    login_required,
    login_user,
    logout_user,
    owner_required,
    revoke_sessions,
    safe_next,
    tenant_id,
)
from app.web.forms import CsrfOnlyForm, LoginForm, SignupForm
from app.web.limits import account_limit, login_limits, reset_limits, signup_limit

bp = Blueprint("auth", __name__)

# Checked against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY = User(email="-", password_hash="")
_DUMMY.set_password("not a real password, only spends the same time")


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


SIGNUP_DONE = (
    "If {email} was not registered yet, its account and business are ready: log in to start. "
    "If it was, log in with its existing password."
)


@bp.route("/signup", methods=["GET", "POST"])
@signup_limit
def signup() -> ResponseReturnValue:
    """Create a business with the new user as its owner (ALLOW_SIGNUP; 404 when off).

    A known address gets the same answer as a new one, after the same password hashing, so
    sign-up cannot tell anyone which addresses have accounts.
    """
    if not current_app.config["ALLOW_SIGNUP"]:
        abort(404)
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        business = form.business.data.strip()
        user = User(email=email)
        user.set_password(form.password.data)  # spent whether or not the address is known
        if db.session.scalar(select(Tenant).where(Tenant.name == business)):
            form.business.errors.append("That business name is taken; choose another.")
        else:
            if _user_by_email(email) is None:
                tenant = Tenant(name=business)
                db.session.add_all([tenant, user])
                db.session.flush()
                db.session.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
                try:
                    db.session.commit()
                except IntegrityError:
                    # Two sign-ups raced for the same name or e-mail: the same answer.
                    db.session.rollback()
            flash(SIGNUP_DONE.format(email=email), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/signup.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
@login_limits[0]
@login_limits[1]
def login() -> ResponseReturnValue:
    """Check the password (failures limited per client and e-mail) and start a new session."""
    form = LoginForm()
    if request.method == "POST" and form.validate():
        user = _user_by_email(form.email.data)
        candidate = user if user is not None else _DUMMY
        ok = candidate.check_password(form.password.data) and user is not None and user.active
        membership = None
        if ok and user is not None:
            membership = db.session.scalar(
                select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
            )
        if not ok or user is None or membership is None:
            form.password.errors.append("Wrong e-mail or password.")
            return render_template("auth/login.html", form=form), 401
        login_user(user, membership.tenant_id)
        db.session.commit()
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


RESET_SENT = (
    "If an account uses {email}, a link to reset its password is on its way. "
    "It works once, for {minutes} minutes."
)


@bp.route("/forgot", methods=["GET", "POST"])
@reset_limits[0]
@reset_limits[1]
def forgot() -> ResponseReturnValue:
    """Mail a reset link (MAIL_URL); the same answer whether or not the address has an account."""
    if not current_app.config.get("MAIL_URL"):
        return render_template("auth/forgot.html", form=None)
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = _user_by_email(email)
        if user is not None and user.active:
            base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
            link = base + url_for("auth.reset_password", token=reset.make_token(user))
            reset.send_reset_mail(user, link)
        minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
        flash(RESET_SENT.format(email=email, minutes=minutes), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
@account_limit
def reset_password() -> ResponseReturnValue:
    """Choose a new password through a mailed link; every session of the user ends.

    The token is in the query string (`?token=`); a used, outdated or expired one is refused.
    """
    user = reset.read_token(request.args.get("token"))
    if user is None:
        return render_template("auth/reset.html", invalid=True), 404
    form = ResetPasswordForm()
    form.policy_email = user.email
    if form.validate_on_submit():
        user.set_password(form.password.data)
        revoke_sessions(user.id)
        db.session.commit()
        flash("Password changed; every session of this account was logged out. Log in.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form), 422 if form.errors else 200


@bp.errorhandler(429)
def too_many(exc: Exception) -> ResponseReturnValue:
    """Rate limit reached on a page of this blueprint: say so, without saying which limit."""
    message = "Too many failed attempts from here. Wait a while and try again."
    return render_template("error.html", code=429, name="Too many requests", message=message), 429


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session (POST with CSRF, so another site cannot log the user out)."""
    form = CsrfOnlyForm()
    if not form.validate_on_submit():
        abort(400)
    logout_user()
    db.session.commit()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
@account_limit
def account() -> ResponseReturnValue:
    """Change the password (every other session of the user ends); log out everywhere."""
    form = PasswordChangeForm()
    user = current_user()
    assert user is not None
    form.policy_email = user.email
    if form.validate_on_submit():
        if not user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            user.set_password(form.password.data)
            ended = revoke_sessions(user.id, keep=current_session())
            db.session.commit()
            flash(f"Password changed; {ended} other session(s) logged out.", "success")
            return redirect(url_for("auth.account"))
    return render_template(
        "auth/account.html", form=form, button=CsrfOnlyForm(), me=user, zones=zone_names()
    ), (
        422 if form.errors else 200
    )


@bp.post("/account/time-zone")
@login_required
def time_zone() -> ResponseReturnValue:
    """The zone the pages show this user's times in; blank: each marketplace's own."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    user = current_user()
    assert user is not None
    chosen = (request.form.get("time_zone") or "").strip()
    if chosen and chosen not in zone_names():
        flash("Choose a time zone from the list (e.g. Europe/Berlin).", "error")
        return redirect(url_for("auth.account"))
    user.time_zone = chosen or None
    db.session.commit()
    said = f"Times are shown in {chosen}." if chosen else "Times follow each marketplace."
    flash(said, "success")
    return redirect(url_for("auth.account"))


def zone_names() -> list[str]:
    """Every IANA zone the pinned tzdata knows, sorted."""
    return sorted(zoneinfo.available_timezones())


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere() -> ResponseReturnValue:
    """End every session of this user, this one included (e.g. after losing a laptop)."""
    if not CsrfOnlyForm().validate_on_submit():
        abort(400)
    user = current_user()
    assert user is not None
    revoke_sessions(user.id)
    logout_user()
    db.session.commit()
    flash("You are logged out on every device.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/team", methods=["GET", "POST"])
@owner_required
def team() -> ResponseReturnValue:
    """List the business's members; owners invite people with a link they accept."""
    form = InviteForm()
    tid = tenant_id()
    link = None
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        token = make_token(Invitation(tid, email, form.role.data))
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        link = base + url_for("auth.accept_invite", token=token)
        days = current_app.config["INVITATION_MAX_AGE"].days
        if mail_configured() and _mail_invitation(email, link, days):
            flash(
                f"Invitation for {email} sent by e-mail. The link works for {days} days and adds "
                "them only when they accept.",
                "success",
            )
            link = None
        else:
            # The same answer for every address: whether it has an account is not the owner's
            # to know.
            flash(
                f"Invitation for {email} created. Send them the link below; it works for {days} "
                "days and adds them only when they accept.",
                "success",
            )
    members = db.session.execute(
        select(User.email, Membership.role, Membership.created_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tid)
        .order_by(User.email)
    ).all()
    return render_template(
        "auth/team.html",
        form=form,
        members=members,
        link=link,
        mail=mail_configured(),
        me=current_user(),
        role=current_membership(),
    ), (422 if form.errors else 200)


@bp.route("/invite", methods=["GET", "POST"])
@account_limit
def accept_invite() -> ResponseReturnValue:
    """The invitee's side of an invitation: log in and accept, or create an account and accept.

    The token is in the query string (`?token=`), not the path: it is not a row id.
    """
    token = request.args.get("token")
    invitation = read_token(token)
    tenant = db.session.get(Tenant, invitation.tenant_id) if invitation else None
    if invitation is None or tenant is None:
        return render_template("auth/invite.html", invalid=True), 404
    user = current_user()
    form = AcceptInviteForm()
    form.policy_email = invitation.email
    accept = CsrfOnlyForm()
    if user is not None:
        if user.email.lower() != invitation.email:
            return render_template(
                "auth/invite.html", wrong_user=True, invitation=invitation, tenant=tenant
            ), 403
        if request.method == "POST" and accept.validate_on_submit():
            _join(user, invitation)
            session["tid"] = tenant.id
            db.session.commit()
            flash(f"You joined {tenant.name}.", "success")
            return redirect(url_for("dashboard.index"))
    elif form.validate_on_submit():
        if _user_by_email(invitation.email) is not None:
            form.password.errors.append("This address has an account: log in to accept.")
        else:
            new = User(email=invitation.email)
            new.set_password(form.password.data)
            db.session.add(new)
            db.session.flush()
            _join(new, invitation)
            login_user(new, tenant.id)
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()
                form.password.errors.append("This address has an account: log in to accept.")
            else:
                flash(f"Welcome! You joined {tenant.name}.", "success")
                return redirect(url_for("dashboard.index"))
    login_url = url_for("auth.login", next=url_for("auth.accept_invite", token=token))
    return render_template(
        "auth/invite.html",
        invitation=invitation,
        tenant=tenant,
        form=form,
        accept=accept,
        user=user,
        login_url=login_url,
    ), (422 if form.errors else 200)


def _mail_invitation(email: str, link: str, days: int) -> bool:
    """Mail the invitation link; False if MAIL_URL did not accept it (the page shows the link)."""
    tenant = db.session.get(Tenant, tenant_id())
    inviter = current_user()
    assert tenant is not None and inviter is not None
    body = (
        f"{inviter.email} invites you to join {tenant.name} on FBA Planner.\n\n"
        f"Open this link within {days} days to accept (you join only when you accept):\n{link}\n\n"
        "If you do not know them, ignore this message."
    )
    return send_mail(email, f"Join {tenant.name} on FBA Planner", body)


def _join(user: User, invitation: Invitation) -> None:
    """Add the membership the invitation offers (an existing one keeps its role)."""
    exists = db.session.scalar(
        select(Membership).where(
            Membership.user_id == user.id, Membership.tenant_id == invitation.tenant_id
        )
    )
    if exists is None:
        db.session.add(
            Membership(tenant_id=invitation.tenant_id, user_id=user.id, role=invitation.role)
        )
