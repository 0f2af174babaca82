"""Sign-in, refresh and sign-out (DESIGN 5, 7): the rules behind ``/v1/auth/*``.

Functions take the request's session and flush; the route commits. Two
outcomes must survive a refusal and therefore commit on their own: the
revocation of a token family whose spent token was replayed, and the rate-limit
counters (kept in their own transactions by ``RateLimiter``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_models.enums import UserStatus
from shared_models.models import Device, Tenant, User
from shared_models.sync.wire import LoginRequest, LoginResponse, UserProfile
from shared_models.types import utcnow
from sync_server.auth import tokens
from sync_server.auth.devices import device_for_login, device_revoked_error
from sync_server.auth.lease import renew_lease
from sync_server.auth.passwords import hash_password, needs_rehash, verify_password
from sync_server.core.config import Settings
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.core.ratelimit import RateLimiter, RateLimits, rate_limited


@cache
def _dummy_hash() -> str:
    """Verified when the email is unknown, so that case takes as long as a wrong password."""
    return hash_password("no such user: constant-time padding")


@dataclass(frozen=True)
class LoginContext:
    """Where a sign-in comes from: counted for rate limits, recorded on the device."""

    client_ip: str
    schema_version: int | None = None


def _invalid_credentials() -> ApiError:
    return ApiError(ErrorCode.INVALID_CREDENTIALS, "wrong email or password")


def _disabled() -> ApiError:
    return ApiError(ErrorCode.PERMISSION_DENIED, "this account is disabled; ask an administrator")


def is_active(user: User | None) -> bool:
    return user is not None and user.deleted_at is None and user.status == UserStatus.ACTIVE


def login(
    *,
    session: Session,
    settings: Settings,
    limiter: RateLimiter,
    limits: RateLimits,
    body: LoginRequest,
    context: LoginContext,
) -> LoginResponse:
    """Check the password (rate-limited per email and per IP) and open a session on a device."""
    email = body.email.strip().lower()
    # Count the attempt before the (slow) hash check, so parallel guesses cannot
    # slip past the limit; a successful sign-in takes its hits back.
    hits = [
        limiter.hit(limits.login_failures_per_ip, context.client_ip),
        limiter.hit(limits.login_failures_per_email, email),
    ]
    for hit in hits:
        if hit.exceeded:
            raise rate_limited(hit)
    user = session.scalar(
        select(User).where(func.lower(User.email) == email, User.deleted_at.is_(None))
    )
    if user is None or not user.password_hash:
        verify_password(_dummy_hash(), body.password)
        raise _invalid_credentials()
    if not verify_password(user.password_hash, body.password):
        raise _invalid_credentials()
    for hit in hits:  # committed with the sign-in: a refused one stays a failure
        limiter.refund(hit, connection=session.connection())
    if not is_active(user):
        raise _disabled()
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(body.password)
    now = utcnow()
    device, is_new = device_for_login(
        session, user=user, body=body, schema_version=context.schema_version, now=now
    )
    if not is_new:
        # One live sign-in per device: an earlier one's refresh tokens are retired.
        tokens.revoke_device_tokens(session, device.id, reason="superseded", now=now)
    user.last_login_at = now
    refresh_token, _ = tokens.issue_refresh_token(
        session, tenant_id=user.tenant_id, user_id=user.id, device_id=device.id, now=now
    )
    return _session_response(session, settings, user, device, refresh_token, now)


def refresh(*, session: Session, settings: Settings, refresh_token: str) -> LoginResponse:
    """Rotate a refresh token within its family; a replayed spent token revokes the family."""
    now = utcnow()
    row = tokens.find_refresh_token(session, refresh_token, lock=True)
    if row is None:
        raise ApiError(ErrorCode.TOKEN_INVALID, "unknown refresh token; sign in again")
    device = session.get(Device, row.device_id)
    if device is None:
        raise ApiError(ErrorCode.TOKEN_INVALID, "unknown refresh token; sign in again")
    if device.revoked_at is not None:
        raise device_revoked_error(device)
    if row.revoked_at is not None:
        raise ApiError(ErrorCode.TOKEN_INVALID, "this session was ended; sign in again")
    if row.rotated_at is not None:
        tokens.revoke_family(session, row.family_id, reason="reuse_detected", now=now)
        session.commit()  # the refusal below must not roll the revocation back
        raise ApiError(
            ErrorCode.TOKEN_INVALID,
            "this refresh token was already used; the session has been ended, sign in again",
        )
    if row.expires_at <= now:
        raise ApiError(ErrorCode.TOKEN_INVALID, "the session has expired; sign in again")
    user = session.get(User, row.user_id)
    if user is None or not is_active(user):
        tokens.revoke_family(session, row.family_id, reason="account_disabled", now=now)
        session.commit()
        raise ApiError(ErrorCode.TOKEN_INVALID, "this account is disabled; sign in again")
    row.rotated_at = now
    new_token, _ = tokens.issue_refresh_token(
        session,
        tenant_id=row.tenant_id,
        user_id=row.user_id,
        device_id=row.device_id,
        family_id=row.family_id,
        now=now,
    )
    device.last_seen_at = now
    return _session_response(session, settings, user, device, new_token, now)


def logout(*, session: Session, refresh_token: str) -> None:
    """End the sign-in the token belongs to; unknown or spent tokens are not an error."""
    row = tokens.find_refresh_token(session, refresh_token)
    if row is not None:
        tokens.revoke_family(session, row.family_id, reason="logout")


def _session_response(
    session: Session,
    settings: Settings,
    user: User,
    device: Device,
    refresh_token: str,
    now: dt.datetime,
) -> LoginResponse:
    tenant = session.get_one(Tenant, user.tenant_id)
    lease = renew_lease(device, tenant, server_key=settings.encryption_key_bytes, now=now)
    session.flush()
    access_token = tokens.create_access_token(
        secret=settings.secret_key.get_secret_value(),  # type: ignore[union-attr]
        user_id=user.id,
        tenant_id=user.tenant_id,
        device_id=device.id,
        now=now,
    )
    return LoginResponse(
        access_token=access_token,
        refresh_token=refresh_token,
        expires_in=int(tokens.ACCESS_TOKEN_TTL.total_seconds()),
        device_id=device.id,
        user=profile_of(user),
        buckets=_buckets(session, user),
        lease_key=lease.key_b64,
        lease_expires_at=lease.expires_at_iso,
    )


def profile_of(user: User) -> UserProfile:
    return UserProfile(
        id=user.id,
        tenant_id=user.tenant_id,
        email=user.email,
        full_name=user.full_name,
        role=user.role.value,
        scope=user.scope.value,
        location_id=user.location_id,
    )


def _buckets(session: Session, user: User) -> list[str]:
    # Imported here: scope evaluation belongs to the sync package, which imports auth.
    from sync_server.sync.scope import user_buckets

    return list(user_buckets(session, user))
