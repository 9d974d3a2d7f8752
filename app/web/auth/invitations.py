"""Invitations: a signed, expiring link that the invitee opens to join a business.

Nothing is stored until the invitee accepts, so an owner cannot add an existing user to their
business without consent, nor take an e-mail address by creating its account. The link is an
itsdangerous token over (tenant, e-mail, role) with its own salt, valid INVITATION_MAX_AGE.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "fba-invitation-v1"


@dataclass(frozen=True)
class Invitation:
    """Who is invited to which business, as what."""

    tenant_id: int
    email: str
    role: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def make_token(invitation: Invitation) -> str:
    """The signed token for an invitation link."""
    return _serializer().dumps([invitation.tenant_id, invitation.email, invitation.role])


def read_token(token: str | None) -> Invitation | None:
    """The invitation in a token, or None if it is forged, malformed or expired."""
    if not token or len(token) > 1000:
        return None
    max_age = int(current_app.config["INVITATION_MAX_AGE"].total_seconds())
    try:
        tenant_id, email, role = _serializer().loads(token, max_age=max_age)
    except (BadSignature, TypeError, ValueError):
        return None
    if (
        not isinstance(tenant_id, int)
        or not isinstance(email, str)
        or role
        not in (
            "owner",
            "member",
        )
    ):
        return None
    return Invitation(tenant_id, email, role)
