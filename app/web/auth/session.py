"""The logged-in user, their tenant and seller account, and the decorators that require them."""

from __future__ import annotations

import functools
import secrets
import time
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for
from sqlalchemy import bindparam, select, update

from app.extensions import db
from app.models import Membership, SellerAccount, User, utcnow
from app.models.tenancy import UserSession, hash_token
from app.tenancy import owned_select, tenant_session

F = TypeVar("F", bound=Callable[..., Any])


def login_user(user: User, tenant_id: int) -> None:
    """Start a brand-new session for `user` (nothing from the anonymous session survives).

    Adds the server-side session row (and revokes the one the browser had); the caller commits.
    """
    previous = _session_row()
    if previous is not None and previous.revoked_at is None:
        previous.revoked_at = utcnow()
    session.clear()
    raw = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, token_hash=hash_token(raw)))
    session["uid"] = user.id
    session["tid"] = tenant_id
    # A fresh random value: the new cookie differs from any seen before login, and it names
    # the server-side row that logout revokes.
    session["sid"] = raw
    session["seen"] = int(time.time())
    session.permanent = True


def _session_row() -> UserSession | None:
    sid = session.get("sid")
    if not isinstance(sid, str) or not sid:
        return None
    return db.session.scalar(select(UserSession).where(UserSession.token_hash == hash_token(sid)))


def logout_user() -> None:
    """Revoke this session on the server (the caller commits) and forget the cookie's contents."""
    row = _session_row()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
    session.clear()


def revoke_sessions(user_id: int, keep: UserSession | None = None) -> int:
    """Revoke every live session of a user except `keep`; how many (the caller commits)."""
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    result: Any = db.session.execute(stmt)
    return int(result.rowcount)


def current_session() -> UserSession | None:
    """The server-side row of this request's session, if it is live."""
    _load()
    return g.get("fba_session_row")


def _live(row: UserSession | None, uid: int) -> UserSession | None:
    """`row` if it is this user's session, not revoked, not past its lifetimes (a row past them
    is revoked and committed); else None."""
    if row is None or row.user_id != uid or row.revoked_at is not None:
        return None
    now = utcnow()
    idle = current_app.config["SESSION_IDLE_TIMEOUT"]
    seen = session.get("seen")
    if not isinstance(seen, int):
        seen = 0
    expired = now - row.created_at > current_app.config["SESSION_ABSOLUTE_LIFETIME"]
    if expired or time.time() - seen > idle.total_seconds():
        row.revoked_at = now
        db.session.commit()
        return None
    if time.time() - seen > 60:
        # Refresh the idle clock at most once a minute, so most responses set no cookie.
        session["seen"] = int(time.time())
    return row


@functools.cache
def _who_statement() -> Any:
    """The session row by its digest with its user and the user's membership of the cookie's
    tenant (NULLs when missing): one statement per request instead of three."""
    return (
        select(UserSession, User, Membership)
        .outerjoin(User, User.id == UserSession.user_id)
        .outerjoin(
            Membership,
            (Membership.user_id == UserSession.user_id)
            & (Membership.tenant_id == bindparam("tenant_id")),
        )
        .where(UserSession.token_hash == bindparam("token_hash"))
    )


def _load() -> None:
    """Resolve the session's user and membership once per request (inactive or removed: none).

    Checked on every request: the server-side session row must exist, belong to the user, be
    unrevoked and within its idle and absolute lifetimes; otherwise the cookie is emptied.
    """
    if "fba_user" in g:
        return
    g.fba_user = None
    g.fba_membership = None
    g.fba_session_row = None
    uid, tid, sid = session.get("uid"), session.get("tid"), session.get("sid")
    if not uid or not tid:
        return
    found = None
    if isinstance(sid, str) and sid and isinstance(tid, int):
        found = db.session.execute(
            _who_statement(), {"token_hash": hash_token(sid), "tenant_id": tid}
        ).first()
    row = _live(found.UserSession if found is not None else None, uid)
    if row is None or found is None:
        session.clear()
        return
    user, membership = found.User, found.Membership
    if user is None or not user.active:
        return
    if membership is None:
        return
    g.fba_user = user
    g.fba_membership = membership
    g.fba_session_row = row
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
    """`target` if it is a path on this site, else None (never another site, never a 500).

    Parsed with urlsplit, and refused with any control, format or space character, or a
    backslash: browsers drop tabs and newlines from URLs (slash, tab, slash becomes `//`, another
    host), read a backslash as a slash, and a CR/LF in a Location header is an error.
    """
    if not target or len(target) > 2000 or "\\" in target:
        return None
    if any(unicodedata.category(c)[0] in "CZ" for c in target):
        return None
    try:
        parts = urlsplit(target)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
