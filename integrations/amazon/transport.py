"""HTTP under python-amazon-sp-api: status codes become typed errors; server time is recorded.

sp_api only raises for error bodies it recognises (a 503 with an empty body comes back as an
empty success), builds the Host header as `endpoint[8:]` (wrong for http://) and never retries.
This transport replaces its httpx transport so every status is classified before sp_api parses.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import time
from typing import Any

import httpx

from integrations.amazon.errors import AuthError, PermanentError, RateLimited, TransientError


class ServerClock:
    """The server's notion of now, from the latest `Date` header plus local elapsed time."""

    def __init__(self) -> None:
        self._server: dt.datetime | None = None
        self._mono = 0.0

    def saw(self, date_header: str | None) -> None:
        """Record a response's Date header."""
        if not date_header:
            return
        try:
            when = email.utils.parsedate_to_datetime(date_header)
        except (TypeError, ValueError):
            return
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        self._server, self._mono = when.astimezone(dt.UTC), time.monotonic()

    def now(self) -> dt.datetime | None:
        """Server now, or None before any response was seen."""
        if self._server is None:
            return None
        return self._server + dt.timedelta(seconds=time.monotonic() - self._mono)


class ClassifyingTransport:
    """Drop-in for sp_api's HttpxTransport that raises typed errors for non-2xx answers."""

    def __init__(
        self,
        timeout: float = 30.0,
        clock: ServerClock | None = None,
        http: httpx.BaseTransport | None = None,
    ) -> None:
        # `http` replaces the network (tests pass httpx.MockTransport).
        self._client = httpx.Client(timeout=timeout, transport=http)
        self.clock = clock or ServerClock()
        self.last_rate_limit: str | None = None
        self.requests = 0
        self.busy = 0.0  # seconds spent waiting for answers (benchmarks split wall time)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        data: Any = None,
        content: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """Send one request; return the response only when it is a success."""
        # httpx derives Host from the URL; sp_api's `endpoint[8:]` is wrong for http://.
        clean = {k: v for k, v in (headers or {}).items() if k.lower() != "host"}
        self.requests += 1
        started = time.monotonic()
        try:
            response = self._client.request(
                method, url, params=params, data=data, content=content, headers=clean
            )
        except httpx.TimeoutException as exc:
            raise TransientError(f"{method} {_path(url)}: timeout ({type(exc).__name__})") from exc
        except (httpx.TransportError, httpx.RemoteProtocolError) as exc:
            raise TransientError(f"{method} {_path(url)}: {type(exc).__name__}") from exc
        finally:
            self.busy += time.monotonic() - started
        self.clock.saw(response.headers.get("date"))
        self.last_rate_limit = response.headers.get("x-amzn-RateLimit-Limit")
        raise_for_status(response, f"{method} {_path(url)}")
        return response

    def stream(self, *args: Any, **kwargs: Any) -> Any:
        """Unused by the connectors; present for interface compatibility."""
        return self._client.stream(*args, **kwargs)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()


def _path(url: str) -> str:
    # Never log query strings or hosts with tokens; the path names the operation.
    return httpx.URL(url).path


def raise_for_status(response: httpx.Response, what: str) -> None:
    """Map an HTTP status to the connector's error types (2xx passes).

    The message names the status only, never the body: errors end up on the Jobs page and in
    the API, and a body from a custom endpoint would let whoever set it read what it answers.
    """
    status = response.status_code
    if 200 <= status < 300:
        return
    # The standard phrase for the code, not the server's own reason line (that is its text too).
    detail = httpx.codes.get_reason_phrase(status)
    if status == 429:
        raise RateLimited(f"{what}: 429 {detail}", retry_after=_retry_after(response))
    if status >= 500 or status == 408:
        raise TransientError(f"{what}: {status} {detail}")
    if status in (401, 403):
        raise AuthError(f"{what}: {status} {detail}", status=status)
    raise PermanentError(f"{what}: {status} {detail}", status=status)


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
    rate = response.headers.get("x-amzn-RateLimit-Limit")
    try:
        return 1.0 / float(rate) if rate else 1.0
    except (ValueError, ZeroDivisionError):
        return 1.0
