"""Exception handlers that turn every failure into the one JSON error shape."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync_server.core.db import DatabaseUnavailable, is_connection_error
from sync_server.core.errors import ApiError, ErrorCode, code_for_status, error_body, status_phrase
from sync_server.core.logging import get_logger

log = get_logger(__name__)

DATABASE_UNAVAILABLE_MESSAGE = "the database is unavailable; try again shortly"


class ErrorPublic(BaseModel):
    """Body of every error response (documented in OpenAPI)."""

    error: str = Field(examples=["validation_failed"])
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


def _json(
    status_code: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(status_code=status_code, content=body, headers=headers)


def _field_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        fields.append(
            {
                "path": ".".join(loc),
                "loc": loc,
                "message": err.get("msg", ""),
                "type": err.get("type", ""),
            }
        )
    return fields


async def handle_api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _json(exc.status_code, exc.to_body(), exc.headers)


async def handle_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = _field_errors(exc)
    summary = "; ".join(f"{f['path']}: {f['message']}" for f in fields[:5])
    body = error_body(
        ErrorCode.VALIDATION_FAILED, f"invalid request: {summary}", {"fields": fields}
    )
    return _json(422, body)


async def handle_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    details: dict[str, Any] = {}
    if isinstance(exc.detail, str) and exc.detail:
        message = exc.detail
    else:
        message = status_phrase(exc.status_code)
        if exc.detail is not None:
            details = {"detail": exc.detail}
    body = error_body(code_for_status(exc.status_code), message, details)
    return _json(exc.status_code, body, getattr(exc, "headers", None))


async def handle_database_unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The specific reason (host, socket, libpq message) is for the operator's log only.
    log.warning("database_unavailable", reason=getattr(exc, "message", str(exc)))
    return _json(503, error_body(ErrorCode.DATABASE_UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE))


async def handle_dbapi_error(request: Request, exc: Exception) -> JSONResponse:
    if not is_connection_error(exc):
        raise exc  # a failing statement is a bug: the middleware logs it and answers 500
    return await handle_database_unavailable(
        request, DatabaseUnavailable(str(getattr(exc, "orig", exc)))
    )


async def handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Backstop behind the request middleware, which normally answers first."""
    log.error("unhandled_error", exc_info=exc)
    return _json(500, error_body(ErrorCode.INTERNAL_ERROR, "internal server error"))


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, handle_api_error)
    app.add_exception_handler(RequestValidationError, handle_validation_error)
    app.add_exception_handler(StarletteHTTPException, handle_http_exception)
    app.add_exception_handler(DatabaseUnavailable, handle_database_unavailable)
    app.add_exception_handler(DBAPIError, handle_dbapi_error)
    app.add_exception_handler(Exception, handle_unexpected)
