"""The logged-in user, their tenant and seller account, and the decorators that require them."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, g, redirect, request, session, url_for
from sqlalchemy import select

from app.extensions import db
from app.models import Membership, SellerAccount, User
from app.tenancy import owned_select, tenant_session

F = TypeVar("F", bound=Callable[..., Any])


def login_user(user: User, tenant_id: int) -> None:
    """Start a brand-new session for `user` (nothing from the anonymous session survives)."""
    session.clear()
    session["uid"] = user.id
    session["tid"] = tenant_id
    # A fresh random value makes the new cookie differ from any cookie seen before login.
    session["sid"] = secrets.token_urlsafe(16)
    session.permanent = True


def logout_user() -> None:
    """Forget everything about the session."""
    session.clear()


def _load() -> None:
    """Resolve the session's user and membership once per request (inactive or removed: none)."""
    if "fba_user" in g:
        return
    g.fba_user = None
    g.fba_membership = None
    uid, tid = session.get("uid"), session.get("tid")
    if not uid or not tid:
        return
    user = db.session.get(User, uid)
    if user is None or not user.active:
        return
    membership = db.session.scalar(
        select(Membership).where(Membership.user_id == uid, Membership.tenant_id == tid)
    )
    if membership is None:
        return
    g.fba_user = user
    g.fba_membership = membership
    # Second layer under the explicit filters: every ORM select is scoped to the tenant.
    tenant_session(db.session, tid)


def current_user() -> User | None:
    """The logged-in user, or None."""
    _load()
    return g.fba_user


def current_membership() -> Membership | None:
    """The logged-in user's membership in the session's tenant."""
    _load()
    return g.fba_membership


def tenant_id() -> int:
    """The session's tenant id (only call behind login_required)."""
    membership = current_membership()
    if membership is None:
        abort(401)
    return membership.tenant_id


def login_required(view: F) -> F:
    """Redirect anonymous users to the login page (JSON endpoints answer 401)."""

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if request.path.endswith(".json"):
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def is_owner() -> bool:
    """The logged-in user is an owner of the session's tenant."""
    membership = current_membership()
    return membership is not None and membership.role == "owner"


def owner_required(view: F) -> F:
    """Only the tenant's owners may use this view."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        membership = current_membership()
        if membership is None or membership.role != "owner":
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def seller_accounts() -> list[SellerAccount]:
    """The tenant's seller accounts, oldest first."""
    return list(
        db.session.scalars(owned_select(SellerAccount, tenant_id()).order_by(SellerAccount.id))
    )


def current_seller() -> SellerAccount | None:
    """The seller account the user is looking at (chosen in the header), or the first one."""
    if "fba_seller" in g:
        return g.fba_seller
    accounts = seller_accounts()
    chosen = session.get("seller")
    seller = next((a for a in accounts if a.id == chosen), accounts[0] if accounts else None)
    g.fba_seller = seller
    g.fba_seller_accounts = accounts
    return seller


def safe_next(target: str | None) -> str | None:
    """Only follow `next` to a local path, never to another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target
