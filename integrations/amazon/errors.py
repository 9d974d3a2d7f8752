"""Typed errors raised by the Amazon connectors, so jobs can decide whether to retry."""

from __future__ import annotations


class SpApiError(Exception):
    """Base of every connector error."""


class RateLimited(SpApiError):
    """HTTP 429: the operation's quota is spent; `retry_after` seconds is a safe wait."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TransientError(SpApiError):
    """5xx, timeouts and dropped connections: the same call may succeed later."""


class AuthError(SpApiError):
    """The credentials were refused (LWA token endpoint or 401/403 from the API). `status` is
    the API's 401 or 403, None when the token endpoint refused: a 403 from one API with a token
    the others accept means the app lacks that API's role, not that the credentials are bad."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PermanentError(SpApiError):
    """A 4xx other than 429: repeating the call cannot help."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MalformedPayload(SpApiError):
    """A response did not match the documented shape; `field` names the offending path."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"malformed payload at {field}: {problem}")
        self.field = field
        self.problem = problem


RETRYABLE = (RateLimited, TransientError)
