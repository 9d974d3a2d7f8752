"""Login with Amazon: a token client aimed at any token URL, with a cache scoped per credentials.

sp_api caches access tokens process-wide keyed by the refresh token alone; two endpoints that
share a refresh token (two simulators, a sandbox and production) would then swap tokens. The
key here covers the token URL and client id too, and entries can be evicted one at a time.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlsplit

from sp_api.auth import AccessTokenClient
from sp_api.auth import access_token_client as _atc

from integrations.amazon.errors import AuthError, PermanentError, TransientError
from integrations.amazon.transport import ClassifyingTransport


def token_client_class(token_url: str, transport: ClassifyingTransport) -> type[AccessTokenClient]:
    """A subclass of sp_api's AccessTokenClient that posts to `token_url` through `transport`."""
    parts = urlsplit(token_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("token URL must be an absolute http(s) URL")

    class ScopedTokenClient(AccessTokenClient):
        scheme = parts.scheme + "://"
        host = parts.netloc
        path = parts.path or "/auth/o2/token"

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            # Close sp_api's own transport; ours classifies errors.
            self.__dict__["_transport"].close()
            self.__dict__["_transport"] = transport

        def _get_cache_key(self, token_flavor: str = "") -> str:
            return scoped_cache_key(token_url, self.cred.client_id, self.cred.refresh_token)

        def _request(self, url: str, data: Any, headers: Any) -> Any:
            try:
                response = self._transport.request("POST", url, data=data, headers=headers)
            except PermanentError as exc:
                # LWA answers 400 invalid_grant / invalid_client for bad credentials.
                raise AuthError(f"token endpoint refused the credentials ({exc.status})") from exc
            try:
                body = response.json()
            except ValueError as exc:
                raise TransientError("token endpoint answered a non-JSON body") from exc
            if not isinstance(body, dict) or "access_token" not in body:
                raise AuthError("token endpoint answered without an access_token")
            return body

    return ScopedTokenClient


def scoped_cache_key(token_url: str, client_id: str | None, refresh_token: str | None) -> str:
    """Cache key of one set of credentials at one token URL (a digest: no secret in memory keys)."""
    raw = "\0".join([token_url, client_id or "", refresh_token or ""])
    return "fba_access_token_" + hashlib.sha256(raw.encode()).hexdigest()


def forget_token(token_url: str, client_id: str | None, refresh_token: str | None) -> None:
    """Drop one cached access token (after a 403, or when credentials change)."""
    _atc.cache.pop(scoped_cache_key(token_url, client_id, refresh_token), None)


def clear_token_cache() -> None:
    """Drop every cached access token in this process (tests)."""
    _atc.cache.clear()
    _atc.grantless_cache.clear()
