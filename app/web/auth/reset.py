"""Password reset: a signed, expiring, single-use link mailed through the operator's MAIL_URL.

The token is an itsdangerous signature over (user id, a digest of the current password hash),
valid PASSWORD_RESET_MAX_AGE. Nothing is stored: setting a new password changes the hash, so a
used link no longer matches, and neither does one issued before any other password change.
"""

from __future__ import annotations

import hashlib
import logging

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.extensions import db
from app.models import User
from app.web.auth.mail import send_mail

log = logging.getLogger(__name__)
SALT = "fba-password-reset-v1"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def make_token(user: User) -> str:
    """The signed token of a reset link for `user`'s current password."""
    return _serializer().dumps([user.id, _fingerprint(user)])


def read_token(token: str | None) -> User | None:
    """The active user a token resets, or None if forged, expired, used or outdated."""
    if not token or len(token) > 1000:
        return None
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds())
    try:
        user_id, fingerprint = _serializer().loads(token, max_age=max_age)
    except (BadSignature, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(fingerprint, str):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or _fingerprint(user) != fingerprint:
        return None
    return user


def send_reset_mail(user: User, link: str) -> None:
    """Mail the link; a failure is logged, never shown (the page answers the same either way)."""
    minutes = int(current_app.config["PASSWORD_RESET_MAX_AGE"].total_seconds() // 60)
    body = (
        "Someone asked to reset the password of your FBA Planner account.\n\n"
        f"Open this link within {minutes} minutes to choose a new one (it works once):\n{link}\n\n"
        "If it was not you, ignore this message; your password stays as it is."
    )
    if not send_mail(user.email, "Reset your FBA Planner password", body):
        log.warning("password reset mail for user %s was not accepted", user.id)
