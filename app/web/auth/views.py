"""Sign up, log in, log out, and the members of a business."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Membership, Tenant, User
from app.security.ratelimit import login_key, login_limiter
from app.web.auth.forms import PasswordChangeForm
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
from app.web.forms import CsrfOnlyForm, LoginForm, MemberForm, SignupForm

bp = Blueprint("auth", __name__)

# Checked against when the e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY = User(email="-", password_hash="")
_DUMMY.set_password("not a real password, only spends the same time")


def _user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


@bp.route("/signup", methods=["GET", "POST"])
def signup():  # type: ignore[no-untyped-def]
    """Create a business with the new user as its owner."""
    form = SignupForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        if _user_by_email(email) is not None:
            form.email.errors.append("An account with this e-mail exists; log in instead.")
        elif db.session.scalar(select(Tenant).where(Tenant.name == form.business.data.strip())):
            form.business.errors.append("That business name is taken; choose another.")
        else:
            tenant = Tenant(name=form.business.data.strip())
            user = User(email=email)
            user.set_password(form.password.data)
            db.session.add_all([tenant, user])
            db.session.flush()
            db.session.add(Membership(tenant_id=tenant.id, user_id=user.id, role="owner"))
            try:
                db.session.commit()
            except IntegrityError:
                # Two sign-ups raced for the same name or e-mail.
                db.session.rollback()
                form.email.errors.append("That e-mail or business name was just taken.")
            else:
                login_user(user, tenant.id)
                db.session.commit()
                flash("Welcome! Connect a seller account to start.", "success")
                return redirect(url_for("sellers.index"))
    return render_template("auth/signup.html", form=form), 200 if not form.errors else 422


@bp.route("/login", methods=["GET", "POST"])
def login():  # type: ignore[no-untyped-def]
    """Check the password (rate-limited per client and e-mail) and start a new session."""
    form = LoginForm()
    if request.method == "POST" and form.validate():
        key = login_key(request.remote_addr, form.email.data)
        limiter = login_limiter()
        wait = limiter.blocked(key)
        if wait:
            minutes = max(1, round(wait / 60))
            form.email.errors.append(
                f"Too many failed attempts. Try again in about {minutes} minute(s)."
            )
            return render_template("auth/login.html", form=form), 429
        user = _user_by_email(form.email.data)
        candidate = user if user is not None else _DUMMY
        ok = candidate.check_password(form.password.data) and user is not None and user.active
        membership = None
        if ok and user is not None:
            membership = db.session.scalar(
                select(Membership).where(Membership.user_id == user.id).order_by(Membership.id)
            )
        if not ok or user is None or membership is None:
            limiter.fail(key)
            form.password.errors.append("Wrong e-mail or password.")
            return render_template("auth/login.html", form=form), 401
        limiter.reset(key)
        login_user(user, membership.tenant_id)
        db.session.commit()
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
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
def account():  # type: ignore[no-untyped-def]
    """Change the password (every other session of the user ends); log out everywhere."""
    form = PasswordChangeForm()
    user = current_user()
    assert user is not None
    if form.validate_on_submit():
        if not user.check_password(form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            user.set_password(form.password.data)
            ended = revoke_sessions(user.id, keep=current_session())
            db.session.commit()
            flash(f"Password changed; {ended} other session(s) logged out.", "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form, button=CsrfOnlyForm(), me=user), (
        422 if form.errors else 200
    )


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():  # type: ignore[no-untyped-def]
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
def team():  # type: ignore[no-untyped-def]
    """List the business's members; owners add people here."""
    form = MemberForm()
    tid = tenant_id()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = _user_by_email(email)
        if user is None:
            if not form.password.data:
                form.password.errors.append("A new user needs an initial password.")
            else:
                user = User(email=email)
                user.set_password(form.password.data)
                db.session.add(user)
                db.session.flush()
        if user is not None:
            exists = db.session.scalar(
                select(Membership).where(Membership.user_id == user.id, Membership.tenant_id == tid)
            )
            if exists is not None:
                form.email.errors.append("This person is already a member.")
            else:
                db.session.add(Membership(tenant_id=tid, user_id=user.id, role=form.role.data))
                db.session.commit()
                flash(f"{email} can now log in to this business.", "success")
                return redirect(url_for("auth.team"))
        db.session.rollback()
    members = db.session.execute(
        select(User.email, Membership.role, Membership.created_at)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tid)
        .order_by(User.email)
    ).all()
    return render_template(
        "auth/team.html", form=form, members=members, me=current_user(), role=current_membership()
    ), (422 if form.errors else 200)
