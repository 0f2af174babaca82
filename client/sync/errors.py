"""Typed sync failures, mapped from the server's ``{error, message, details}`` codes (DESIGN 5).

Each class says what the client does about it: retry later, refresh the
session, ask for a new sign-in, wipe the replica, or keep working offline.
"""

from __future__ import annotations

from typing import Any


class SyncError(Exception):
    """Base of everything the sync protocol can raise."""

    code = "sync_error"

    def __init__(
        self, message: str, *, details: dict[str, Any] | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}
        self.status = status


class ServerUnavailable(SyncError):
    """Connection refused or reset, timeout, 5xx: retry with backoff, nothing is lost."""

    code = "server_unavailable"


class RateLimited(ServerUnavailable):
    """429: retry after the server's ``Retry-After`` (seconds) or our backoff."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class AuthExpired(SyncError):
    """The access token expired or was refused: refresh once, then retry."""

    code = "token_expired"


class SessionExpired(SyncError):
    """The refresh token no longer works: stop syncing, keep the outbox, sign in again."""

    code = "session_expired"


class InvalidCredentials(SyncError):
    """Wrong email or password at sign-in."""

    code = "invalid_credentials"


class DeviceRevoked(SyncError):
    """This device was revoked by an admin: the replica and its key must be wiped."""

    code = "device_revoked"


class SchemaOutdated(SyncError):
    """The server needs a newer client: keep working offline, keep the outbox, update."""

    code = "schema_outdated"


class PermissionDeniedError(SyncError):
    """The request touched something outside the user's permissions."""

    code = "permission_denied"


class ValidationFailed(SyncError):
    """The server refused the request body; ``details`` names the field."""

    code = "validation_failed"


class ProtocolError(SyncError):
    """An answer that does not follow the protocol (not JSON, wrong shape)."""

    code = "protocol_error"


_BY_CODE: dict[str, type[SyncError]] = {
    "token_expired": AuthExpired,
    "invalid_token": AuthExpired,
    "token_invalid": AuthExpired,
    "bad_request": ValidationFailed,
    "payload_too_large": ValidationFailed,
    "not_authenticated": AuthExpired,
    "device_revoked": DeviceRevoked,
    "schema_outdated": SchemaOutdated,
    "permission_denied": PermissionDeniedError,
    "validation_failed": ValidationFailed,
    "invalid_credentials": InvalidCredentials,
    "rate_limited": RateLimited,
    "refresh_reused": SessionExpired,
    "refresh_invalid": SessionExpired,
    "invalid_refresh_token": SessionExpired,
    "session_expired": SessionExpired,
}


def error_for(
    status: int,
    code: str | None,
    message: str,
    details: dict[str, Any],
    retry_after: float | None = None,
) -> SyncError:
    """The exception for an HTTP error answer."""
    cls = _BY_CODE.get(code or "")
    if cls is None:
        if status >= 500:
            cls = ServerUnavailable
        elif status == 401:
            cls = AuthExpired
        elif status == 403:
            cls = PermissionDeniedError
        elif status in (400, 413, 422):
            cls = ValidationFailed
        elif status == 426:
            cls = SchemaOutdated
        elif status == 429:
            cls = RateLimited
        else:
            cls = ProtocolError
    text = message or code or f"HTTP {status}"
    if cls is RateLimited:
        return RateLimited(text, retry_after=retry_after, details=details, status=status)
    return cls(text, details=details, status=status)
