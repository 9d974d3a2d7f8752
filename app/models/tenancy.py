"""Tenants, users and their memberships, browser sessions, and per-user API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.models.base import Base, TimestampMixin, utcnow

ROLES = ("owner", "member")


class Tenant(TimestampMixin, Base):
    """A seller business: the unit of isolation for all data."""

    __tablename__ = "tenants"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    memberships: Mapped[list[Membership]] = relationship(back_populates="tenant")


class User(TimestampMixin, Base):
    """A person who logs in; belongs to tenants through memberships."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    # The IANA zone the pages show this user's times in (None: the marketplace's).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    def set_password(self, password: str) -> None:
        """Store a salted hash; the password itself is never kept."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Compare a candidate password with the stored hash."""
        return check_password_hash(self.password_hash, password)


class Membership(TimestampMixin, Base):
    """A user's role in a tenant."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    tenant: Mapped[Tenant] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(back_populates="memberships")


class UserSession(Base):
    """A logged-in browser session; the cookie carries a random id whose digest is kept here.

    The cookie is signed but lives in the browser: without this row, a copy taken before
    logout would stay valid. Logout, a password change and "log out everywhere" set revoked_at,
    and every request checks the row, so revocation takes effect at once.
    """

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


def hash_token(token: str) -> str:
    """API tokens are stored as SHA-256 digests (they are long random values, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(TimestampMixin, Base):
    """A per-user bearer token for the JSON API; only its digest is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("tenant_id", "token_hash"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), index=True)
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    @staticmethod
    def generate() -> str:
        """A new random token, shown to the user once."""
        return "fbap_" + secrets.token_urlsafe(32)

    def revoke(self) -> None:
        """Stop the token from authenticating."""
        self.revoked_at = utcnow()
