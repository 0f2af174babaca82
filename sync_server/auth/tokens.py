"""Access tokens (short-lived JWT) and rotating refresh tokens (DESIGN 5, 7).

The access token is checked without a database hit on every request, so it
lives only minutes. The refresh token is opaque and stored hashed; each use
rotates it within its *family* (one sign-in on one device), and presenting a
spent one again means it was copied: the whole family is revoked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass

import jwt
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from shared_models.types import utcnow
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.db.models import RefreshToken

ALGORITHM = "HS256"
ACCESS_TOKEN_TTL = dt.timedelta(minutes=15)
REFRESH_TOKEN_TTL = dt.timedelta(days=30)
#: Tolerated clock difference between the server processes that sign and check.
CLOCK_LEEWAY = dt.timedelta(seconds=10)
ACCESS_TYPE = "access"
_REQUIRED_CLAIMS = ["sub", "tid", "did", "iat", "exp", "jti", "typ"]


@dataclass(frozen=True)
class AccessClaims:
    """A verified access token: who, in which tenant, from which device."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    device_id: uuid.UUID
    jti: str
    issued_at: dt.datetime
    expires_at: dt.datetime


def create_access_token(
    *,
    secret: str,
    user_id: uuid.UUID,
    tenant_id: uuid.UUID,
    device_id: uuid.UUID,
    ttl: dt.timedelta = ACCESS_TOKEN_TTL,
    now: dt.datetime | None = None,
) -> str:
    """A signed HS256 JWT; ``now`` in the past makes an already-expired one (tests)."""
    issued = now or utcnow()
    claims = {
        "sub": str(user_id),
        "tid": str(tenant_id),
        "did": str(device_id),
        "iat": int(issued.timestamp()),
        "exp": int((issued + ttl).timestamp()),
        "jti": uuid.uuid4().hex,
        "typ": ACCESS_TYPE,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def _invalid(reason: str) -> ApiError:
    return ApiError(ErrorCode.TOKEN_INVALID, f"invalid access token: {reason}")


def decode_access_token(token: str, *, secret: str) -> AccessClaims:
    """Verify signature, expiry and shape; expired -> token_expired, anything else -> token_invalid.

    Only HS256 is accepted, so ``alg: none`` and algorithm-confusion tokens fail.
    """
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            leeway=CLOCK_LEEWAY,
            options={"require": _REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise ApiError(
            ErrorCode.TOKEN_EXPIRED, "the access token has expired; refresh it"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise _invalid(str(exc) or type(exc).__name__) from None
    if claims.get("typ") != ACCESS_TYPE:
        raise _invalid("not an access token")
    try:
        return AccessClaims(
            user_id=uuid.UUID(str(claims["sub"])),
            tenant_id=uuid.UUID(str(claims["tid"])),
            device_id=uuid.UUID(str(claims["did"])),
            jti=str(claims["jti"]),
            issued_at=dt.datetime.fromtimestamp(int(claims["iat"]), dt.UTC),
            expires_at=dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC),
        )
    except (ValueError, TypeError, OverflowError):
        raise _invalid("malformed claims") from None


def hash_refresh_token(token: str) -> str:
    """SHA-256 hex: enough for a 256-bit random token, and indexable for lookup."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_refresh_token(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    device_id: uuid.UUID,
    family_id: uuid.UUID | None = None,
    now: dt.datetime | None = None,
) -> tuple[str, RefreshToken]:
    """A new opaque token (returned once, stored hashed); a new family unless one is given."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    row = RefreshToken(
        tenant_id=tenant_id,
        user_id=user_id,
        device_id=device_id,
        family_id=family_id or uuid.uuid4(),
        token_hash=hash_refresh_token(token),
        issued_at=now,
        expires_at=now + REFRESH_TOKEN_TTL,
    )
    session.add(row)
    session.flush()
    return token, row


def find_refresh_token(session: Session, token: str, *, lock: bool = False) -> RefreshToken | None:
    """The stored row of ``token``; ``lock`` serialises concurrent rotations of it."""
    query = select(RefreshToken).where(RefreshToken.token_hash == hash_refresh_token(token))
    if lock:
        query = query.with_for_update()
    return session.scalar(query)


def revoke_family(
    session: Session, family_id: uuid.UUID, *, reason: str, now: dt.datetime | None = None
) -> int:
    """Revoke every live token of a family; returns how many."""
    result = session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow(), revoke_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) or 0


def revoke_device_tokens(
    session: Session, device_id: uuid.UUID, *, reason: str, now: dt.datetime | None = None
) -> int:
    """Revoke every live token of a device (device revoked, or a fresh sign-in on it)."""
    result = session.execute(
        update(RefreshToken)
        .where(RefreshToken.device_id == device_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow(), revoke_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) or 0
