"""``/v1/auth``: sign in, refresh, sign out (DESIGN 5)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response, status

from shared_models.sync.wire import (
    PROTOCOL_HEADER,
    SCHEMA_HEADER,
    LoginRequest,
    LoginResponse,
    LogoutRequest,
    RefreshRequest,
)
from sync_server.api.auth_deps import RateLimiterDep, RateLimitsDep
from sync_server.api.deps import SessionDep, SettingsDep
from sync_server.api.errors import ErrorPublic
from sync_server.auth import service
from sync_server.core.compat import parse_client_version

router = APIRouter(prefix="/auth", tags=["auth"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorPublic, "description": "invalid_credentials / token_invalid"},
    403: {"model": ErrorPublic, "description": "device_revoked (details.wipe) / disabled"},
    429: {"model": ErrorPublic, "description": "rate_limited (Retry-After)"},
}


def client_ip(request: Request) -> str:
    """The peer address (uvicorn's proxy-headers option makes it the real client's)."""
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=LoginResponse, responses=_ERRORS)
def login(
    body: LoginRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    limiter: RateLimiterDep,
    limits: RateLimitsDep,
) -> LoginResponse:
    """Check the password, register or recognise the device, open a session."""
    version = parse_client_version(
        request.headers.get(PROTOCOL_HEADER), request.headers.get(SCHEMA_HEADER)
    )
    context = service.LoginContext(client_ip=client_ip(request), schema_version=version.schema)
    response = service.login(
        session=session,
        settings=settings,
        limiter=limiter,
        limits=limits,
        body=body,
        context=context,
    )
    session.commit()
    return response


@router.post("/refresh", response_model=LoginResponse, responses=_ERRORS)
def refresh_session(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep
) -> LoginResponse:
    """Trade a refresh token for a new pair; the lease is extended too."""
    response = service.refresh(session=session, settings=settings, refresh_token=body.refresh_token)
    session.commit()
    return response


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(body: LogoutRequest, session: SessionDep) -> Response:
    """End this sign-in: every refresh token of its family stops working."""
    service.logout(session=session, refresh_token=body.refresh_token)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
