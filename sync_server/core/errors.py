"""One error shape for every response: ``{"error": code, "message": str, "details": {}}``.

Clients branch on ``error`` (a stable code), show ``message`` to people and
read ``details`` for specifics (field paths, retry delays, minimum version).
"""

from __future__ import annotations

from enum import StrEnum
from http import HTTPStatus
from typing import Any


class ErrorCode(StrEnum):
    """Stable error codes; clients depend on these strings, never rename one."""

    INVALID_CREDENTIALS = "invalid_credentials"
    NOT_AUTHENTICATED = "not_authenticated"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_INVALID = "token_invalid"
    DEVICE_REVOKED = "device_revoked"
    PERMISSION_DENIED = "permission_denied"
    BAD_REQUEST = "bad_request"
    VALIDATION_FAILED = "validation_failed"
    PAYLOAD_TOO_LARGE = "payload_too_large"
    SCHEMA_OUTDATED = "schema_outdated"
    RATE_LIMITED = "rate_limited"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    CONFLICT = "conflict"
    DATABASE_UNAVAILABLE = "database_unavailable"
    INTERNAL_ERROR = "internal_error"
    HTTP_ERROR = "http_error"
    SIGNATURE_INVALID = "signature_invalid"
    SIGNATURE_EXPIRED = "signature_expired"
    NOT_CONFIGURED = "not_configured"
    SCHEDULE_INFEASIBLE = "schedule_infeasible"
    SOLVER_TIMEOUT = "solver_timeout"
    ROW_NOT_FOUND = "row_not_found"
    GATEWAY_NOT_CONFIGURED = "gateway_not_configured"
    GATEWAY_ERROR = "gateway_error"


DEFAULT_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.TOKEN_EXPIRED: 401,
    ErrorCode.TOKEN_INVALID: 401,
    ErrorCode.DEVICE_REVOKED: 403,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.VALIDATION_FAILED: 422,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.SCHEMA_OUTDATED: 426,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.CONFLICT: 409,
    ErrorCode.DATABASE_UNAVAILABLE: 503,
    ErrorCode.INTERNAL_ERROR: 500,
    ErrorCode.HTTP_ERROR: 400,
    ErrorCode.SIGNATURE_INVALID: 400,
    ErrorCode.SIGNATURE_EXPIRED: 400,
    ErrorCode.NOT_CONFIGURED: 503,
    ErrorCode.SCHEDULE_INFEASIBLE: 422,
    ErrorCode.SOLVER_TIMEOUT: 503,
    ErrorCode.ROW_NOT_FOUND: 404,
    ErrorCode.GATEWAY_NOT_CONFIGURED: 409,
    ErrorCode.GATEWAY_ERROR: 502,
}

#: Codes for bare HTTP errors raised by Starlette/FastAPI internals.
CODE_FOR_STATUS: dict[int, ErrorCode] = {
    400: ErrorCode.BAD_REQUEST,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    409: ErrorCode.CONFLICT,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    422: ErrorCode.VALIDATION_FAILED,
    429: ErrorCode.RATE_LIMITED,
    500: ErrorCode.INTERNAL_ERROR,
    503: ErrorCode.DATABASE_UNAVAILABLE,
}


class ApiError(Exception):
    """Raise from anywhere in a request to answer with a stable error code.

    ``headers`` lets e.g. rate limiting add ``Retry-After``.
    """

    def __init__(
        self,
        code: ErrorCode | str,
        message: str,
        *,
        status_code: int | None = None,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = ErrorCode(code)
        self.message = message
        self.status_code = status_code or DEFAULT_STATUS[self.code]
        self.details = details or {}
        self.headers = headers

    def to_body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.details)

    def __repr__(self) -> str:
        return f"ApiError({self.code.value!r}, {self.message!r}, status_code={self.status_code})"


def error_body(
    code: ErrorCode | str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The JSON body of every error response."""
    return {"error": str(code), "message": message, "details": details or {}}


def code_for_status(status_code: int) -> ErrorCode:
    if status_code in CODE_FOR_STATUS:
        return CODE_FOR_STATUS[status_code]
    return ErrorCode.INTERNAL_ERROR if status_code >= 500 else ErrorCode.HTTP_ERROR


def status_phrase(status_code: int) -> str:
    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"
