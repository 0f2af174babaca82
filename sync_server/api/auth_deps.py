"""Who is calling, from which device, with which client version: request dependencies.

Routes read ``principal: CurrentPrincipal`` (any signed-in device),
``admin: AdminPrincipal`` (role ADMIN) and ``version: ClientVersionDep``.
Every ``/v1/sync/*`` route also passes ``sync_guard`` (installed on the
``/v1`` router), so no sync route can forget the version check or the
per-user rate limit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from shared_models.enums import UserRole
from shared_models.models import Device, User
from shared_models.sync.wire import PROTOCOL_HEADER, SCHEMA_HEADER
from shared_models.types import utcnow
from sync_server.api.deps import SessionDep, SettingsDep
from sync_server.auth.devices import device_revoked_error
from sync_server.auth.service import is_active
from sync_server.auth.tokens import AccessClaims, decode_access_token
from sync_server.core.compat import ClientVersion, parse_client_version, require_supported
from sync_server.core.config import Settings
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.core.ratelimit import RateLimiter, RateLimits
from sync_server.db.tenancy import bind_tenant

#: ``last_seen_at`` is written at most this often per device (it costs a write).
LAST_SEEN_RESOLUTION = dt.timedelta(minutes=1)
SYNC_PATH_PREFIX = "/v1/sync"
#: ``request.state`` attribute: ``(token, claims)`` as ``sync_guard`` verified them.
_CHECKED_TOKEN = "checked_access_token"
_CLIENT_VERSION = "client_version"

_bearer = HTTPBearer(auto_error=False, description="Access token from /v1/auth/login")


@dataclass(frozen=True)
class Principal:
    """The signed-in user and the device the request comes from."""

    user: User
    device: Device
    tenant_id: uuid.UUID

    @property
    def user_id(self) -> uuid.UUID:
        return self.user.id

    @property
    def device_id(self) -> uuid.UUID:
        return self.device.id


def _not_authenticated() -> ApiError:
    return ApiError(
        ErrorCode.NOT_AUTHENTICATED,
        "sign in first: send 'Authorization: Bearer <access token>'",
        headers={"WWW-Authenticate": "Bearer"},
    )


def bearer_claims(
    credentials: HTTPAuthorizationCredentials | None, settings: Settings, request: Request
) -> AccessClaims:
    if credentials is None or not credentials.credentials:
        raise _not_authenticated()
    checked = getattr(request.state, _CHECKED_TOKEN, None)  # sync_guard decoded it already
    if checked is not None and checked[0] == credentials.credentials:
        claims: AccessClaims = checked[1]
        return claims
    return decode_access_token(
        credentials.credentials,
        secret=settings.secret_key.get_secret_value(),  # type: ignore[union-attr]
    )


def get_principal(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Verify the access token and load its user and device; refuse revoked devices."""
    claims = bearer_claims(credentials, settings, request)
    # Device and user in one round trip: every request of every client asks.
    found = session.execute(
        select(Device, User)
        .outerjoin(User, User.id == Device.user_id)
        .where(Device.id == claims.device_id)
    ).one_or_none()
    device, user = found if found is not None else (None, None)
    if device is None or device.user_id != claims.user_id or device.tenant_id != claims.tenant_id:
        raise ApiError(ErrorCode.TOKEN_INVALID, "invalid access token: unknown device")
    if device.revoked_at is not None:
        raise device_revoked_error(device)
    if user is None or user.tenant_id != claims.tenant_id:
        raise ApiError(ErrorCode.TOKEN_INVALID, "invalid access token: unknown user")
    if not is_active(user):
        raise ApiError(ErrorCode.TOKEN_INVALID, "this account is disabled; sign in again")
    _touch_device(session, device)
    bind_tenant(session, user.tenant_id)  # from here on PostgreSQL walls in the tenant too
    return Principal(user=user, device=device, tenant_id=user.tenant_id)


def _touch_device(session: Session, device: Device) -> None:
    """Record the contact and commit at once: read-only routes never commit.

    Done on the request's own connection (a second one per request could
    exhaust the pool under load); only the principal's reads precede it.
    """
    now = utcnow()
    if device.last_seen_at is not None and now - device.last_seen_at < LAST_SEEN_RESOLUTION:
        return
    # Conditional, so several processes seeing the same device write once.
    session.execute(
        update(Device)
        .where(
            Device.id == device.id,
            or_(Device.last_seen_at.is_(None), Device.last_seen_at < now - LAST_SEEN_RESOLUTION),
        )
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    set_committed_value(device, "last_seen_at", now)


def get_admin(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """The principal, if their role is ADMIN; else ``403 permission_denied``."""
    if principal.user.role != UserRole.ADMIN:
        raise ApiError(ErrorCode.PERMISSION_DENIED, "this needs the ADMIN role")
    return principal


def get_client_version(
    protocol: Annotated[str | None, Header(alias=PROTOCOL_HEADER)] = None,
    schema: Annotated[str | None, Header(alias=SCHEMA_HEADER)] = None,
) -> ClientVersion:
    """The caller's protocol and schema version; ``426 schema_outdated`` when too old."""
    version = parse_client_version(protocol, schema)
    require_supported(version)
    return version


def sync_client_version(request: Request) -> ClientVersion:
    """On ``/v1/sync/*``: the version ``sync_guard`` already read and accepted."""
    version: ClientVersion = getattr(request.state, _CLIENT_VERSION)
    return version


def get_rate_limits(request: Request) -> RateLimits:
    return getattr(request.app.state, "rate_limits", None) or RateLimits()


def get_rate_limiter(request: Request) -> RateLimiter:
    return RateLimiter(request.app.state.engine)


def _api_path(request: Request) -> str:
    # The URL path, not the route's template: routers are included lazily and a
    # route's own ``path`` is relative to the router that declared it.
    path, root = request.url.path, request.scope.get("root_path") or ""
    return path[len(root) :] if root and path.startswith(root) else path


def sync_guard(request: Request, settings: SettingsDep) -> None:
    """On ``/v1/sync/*``: refuse outdated clients, then count the user's request.

    Installed once on the ``/v1`` router so every sync route gets it, whoever
    wrote the route. Requests without a valid token are left to ``CurrentPrincipal``.
    """
    if not _api_path(request).startswith(SYNC_PATH_PREFIX + "/"):
        return
    headers = request.headers
    version = parse_client_version(headers.get(PROTOCOL_HEADER), headers.get(SCHEMA_HEADER))
    require_supported(version)
    setattr(request.state, _CLIENT_VERSION, version)
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return
    try:
        claims = decode_access_token(
            token.strip(),
            secret=settings.secret_key.get_secret_value(),  # type: ignore[union-attr]
        )
    except ApiError:
        return
    setattr(request.state, _CHECKED_TOKEN, (token.strip(), claims))
    limiter, limits = get_rate_limiter(request), get_rate_limits(request)
    limiter.enforce(limits.sync_per_user, str(claims.user_id))


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]
AdminPrincipal = Annotated[Principal, Depends(get_admin)]
ClientVersionDep = Annotated[ClientVersion, Depends(get_client_version)]
RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
RateLimitsDep = Annotated[RateLimits, Depends(get_rate_limits)]
