"""Bearer-token authentication for the API: each request runs as one user in one tenant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import g, request
from sqlalchemy import select, update

from app.extensions import db
from app.models import ApiToken, Membership, User, utcnow
from app.models.tenancy import hash_token
from app.tenancy import TENANT_KEY, tenant_session
from app.web.api.errors import ApiError

# Writing last_used_at on every call would turn each read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
PUBLIC_ENDPOINTS = {"api.openapi_document"}


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token, its user and the tenant every query is scoped to."""

    token_id: int
    user_id: int
    tenant_id: int


def current() -> Principal:
    """The authenticated caller of this request."""
    principal: Principal | None = g.get("api_principal")
    if principal is None:  # pragma: no cover - the before_request hook guarantees it
        raise ApiError(401, "unauthorized", "authentication required")
    return principal


def _bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ApiError(401, "unauthorized", "missing Authorization: Bearer <token> header")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "the Authorization header must be 'Bearer <token>'")
    return token.strip()


def authenticate() -> None:
    """before_request: resolve the bearer token, or answer 401 (revoked and unknown alike)."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    token = _bearer_token()
    session = db.session
    row = session.execute(
        select(ApiToken.id, ApiToken.user_id, ApiToken.tenant_id, ApiToken.last_used_at)
        .join(User, User.id == ApiToken.user_id)
        .join(
            Membership,
            (Membership.user_id == ApiToken.user_id) & (Membership.tenant_id == ApiToken.tenant_id),
        )
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).first()
    if row is None:
        raise ApiError(401, "unauthorized", "invalid or revoked API token")
    token_id, user_id, tenant_id, last_used = row
    now = utcnow()
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        # Conditional UPDATE so concurrent requests write it once; committed at once because it is
        # bookkeeping, not part of what the request itself changes.
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .where(
                ApiToken.last_used_at.is_(None)
                | (ApiToken.last_used_at <= now - LAST_USED_RESOLUTION)
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    g.api_principal = Principal(token_id=token_id, user_id=user_id, tenant_id=tenant_id)
    # Second layer behind the explicit owned_select/get_owned in every view.
    tenant_session(session, tenant_id)


def release(_exc: BaseException | None) -> None:
    """teardown_request: the session may outlive the request (tests share it); unscope it."""
    if "fba_session" in g:
        g.fba_session.info.pop(TENANT_KEY, None)
    g.pop("api_principal", None)
