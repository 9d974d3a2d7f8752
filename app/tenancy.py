"""Tenant scoping: every query that serves a user is filtered to that user's tenant.

Two layers, so a forgotten filter cannot leak: `tenant_session` marks a session with its tenant
and an ORM event adds `tenant_id = :tenant` to every SELECT of a tenant-owned model through it;
`get_owned` / `owned_select` / `owned_or_404` are the explicit helpers routes use.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, event, select
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from werkzeug.exceptions import NotFound

from app.models.base import MAX_ID, TenantMixin
from app.models.tenancy import ApiToken, User, hash_token

T = TypeVar("T")
TENANT_KEY = "tenant_id"


def tenant_session(session: Session, tenant_id: int) -> Session:
    """Mark `session` as serving `tenant_id`; all ORM selects through it are then scoped."""
    session.info[TENANT_KEY] = tenant_id
    return session


def current_tenant(session: Session) -> int | None:
    """The tenant a session serves, if any."""
    return session.info.get(TENANT_KEY)


def owned_select(model: type[T], tenant_id: int) -> Select[T]:
    """SELECT of a tenant-owned model restricted to one tenant."""
    if not issubclass(model, TenantMixin):
        raise TypeError(f"{model.__name__} is not tenant-owned")
    return select(model).where(model.tenant_id == tenant_id)


def get_owned(session: Session, model: type[T], ident: Any, tenant_id: int) -> T | None:
    """The row with this primary key if it belongs to the tenant, else None (routes answer 404)."""
    row = session.get(model, ident)
    if row is None or getattr(row, "tenant_id", None) != tenant_id:
        return None
    return row


def owned_or_404(
    session: Session, model: type[T], ident: Any, tenant_id: int, what: str = "resource"
) -> T:
    """The tenant's row with this id, or 404 (another tenant's id looks like a missing one).

    The pages render the 404 as HTML, the API and webhooks as application/problem+json.
    """
    # An id beyond the integer columns cannot exist, and the database would raise on it rather
    # than find nothing (routes' `<id:...>` converter refuses those already; form values do not).
    valid = isinstance(ident, int) and not isinstance(ident, bool) and 0 < ident <= MAX_ID
    row = get_owned(session, model, ident, tenant_id) if valid else None
    if row is None:
        raise NotFound(f"{what} not found")
    return row


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    tenant_id = state.session.info.get(TENANT_KEY)
    if tenant_id is None or not state.is_select or state.is_column_load:
        return
    state.statement = state.statement.options(
        with_loader_criteria(
            TenantMixin,
            lambda cls: cls.tenant_id == tenant_id,
            include_aliases=True,
            track_closure_variables=True,
        )
    )


def create_token(
    session: Session, user: User, tenant_id: int, name: str
) -> tuple[ApiToken, str]:
    """Add an API token for `user` in `tenant_id` (flushed, not committed); returns the row and
    the only copy of the secret."""
    secret = ApiToken.generate()
    row = ApiToken(tenant_id=tenant_id, user_id=user.id, name=name, token_hash=hash_token(secret))
    session.add(row)
    session.flush()
    return row, secret
