"""``/v1/admin/users``: what an ADMIN does to accounts that needs the server.

Creating a user and setting a password hash a secret, and a user's
permission overrides sit in that user's own bucket (not the admin's
replica), so these are online calls. Every row is written through the
versioned ORM session: the new user or override reaches replicas by their
next pull like any synced row. Profile edits (name, role, location, status)
are not here: they are ordinary synced updates of the ``user`` row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select, update

from shared_models.enums import PermissionAction, PermissionScope, UserRole
from shared_models.models import Location, Tenant, User, UserPermission
from shared_models.permissions import DEFAULT_GRANTS
from shared_models.rules.errors import RuleViolation
from shared_models.types import utcnow
from sync_server.admin import accounts
from sync_server.api.auth_deps import AdminPrincipal
from sync_server.api.deps import SessionDep
from sync_server.api.errors import ErrorPublic
from sync_server.auth.passwords import WeakPassword
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.db.models import RefreshToken

router = APIRouter(prefix="/admin/users", tags=["admin"])
KNOWN_RESOURCES = frozenset(g.resource for g in DEFAULT_GRANTS)

_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorPublic, "description": "permission_denied (not an ADMIN)"},
    404: {"model": ErrorPublic, "description": "no such user or location in your tenant"},
    409: {"model": ErrorPublic, "description": "conflict (the email is taken)"},
    422: {"model": ErrorPublic, "description": "validation_failed; details.field names it"},
}


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254)
    full_name: str = Field(max_length=200)
    role: UserRole
    password: str = Field(max_length=256)
    location_id: uuid.UUID | None = None
    scope: PermissionScope | None = None
    phone: str | None = Field(default=None, max_length=32)
    license_class: str | None = Field(default=None, max_length=8)


class UserPublic(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str
    role: UserRole
    scope: PermissionScope
    location_id: uuid.UUID
    status: str

    @classmethod
    def of(cls, user: User) -> UserPublic:
        return cls(
            id=user.id,
            email=user.email,
            full_name=user.full_name,
            role=user.role,
            scope=user.scope,
            location_id=user.location_id,
            status=str(user.status),
        )


class PasswordReset(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=256)
    sign_out: bool = True


class PasswordResetPublic(BaseModel):
    user_id: uuid.UUID
    sessions_ended: int


class OverrideCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resource: str = Field(min_length=1, max_length=64)
    action: PermissionAction
    granted: bool = True
    scope: PermissionScope | None = None
    expires_at: dt.datetime | None = None
    reason: str | None = Field(default=None, max_length=500)


class OverridePublic(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    resource: str
    action: PermissionAction
    granted: bool
    scope: PermissionScope | None
    expires_at: dt.datetime | None
    reason: str | None

    @classmethod
    def of(cls, row: UserPermission) -> OverridePublic:
        return cls(
            id=row.id,
            user_id=row.user_id,
            resource=row.resource,
            action=row.action,
            granted=row.granted,
            scope=row.scope,
            expires_at=row.expires_at,
            reason=row.reason,
        )


class OverridesPublic(BaseModel):
    data: list[OverridePublic]
    count: int


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(ErrorCode.VALIDATION_FAILED, message, details={"field": field})


def _user(session: SessionDep, admin: AdminPrincipal, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None or user.tenant_id != admin.tenant_id or user.deleted_at is not None:
        raise ApiError(ErrorCode.NOT_FOUND, f"no user {user_id} in your tenant")
    return user


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserPublic, responses=_ERRORS)
def create_user(body: UserCreate, admin: AdminPrincipal, session: SessionDep) -> UserPublic:
    """A new account of the admin's tenant; replicas receive its row on their next pull."""
    tenant = session.get_one(Tenant, admin.tenant_id)
    location_id = body.location_id or admin.user.location_id
    location = session.get(Location, location_id)
    if location is None or location.tenant_id != tenant.id or location.deleted_at is not None:
        raise _invalid("location_id", f"no location {location_id} in your tenant")
    profile = {"phone": body.phone or None, "license_class": body.license_class or None}
    try:
        accounts.account_rules.check_user_fields({**profile, "full_name": body.full_name})
        user = accounts.create_user(
            session,
            tenant=tenant,
            location=location,
            email=body.email,
            full_name=body.full_name,
            role=body.role,
            password=body.password,
            scope=body.scope,
            has_drivers_license=bool(body.license_class),
            **profile,
        )
    except accounts.DuplicateEmail as exc:
        raise ApiError(ErrorCode.CONFLICT, str(exc), details={"field": "email"}) from None
    except WeakPassword as exc:
        raise _invalid("password", str(exc)) from None
    except RuleViolation as exc:
        raise _invalid(exc.field or "", exc.message) from None
    except accounts.AccountError as exc:
        raise _invalid(exc.field or "full_name", str(exc)) from None
    session.commit()
    return UserPublic.of(user)


@router.post("/{user_id}/password", response_model=PasswordResetPublic, responses=_ERRORS)
def reset_password(
    user_id: uuid.UUID, body: PasswordReset, admin: AdminPrincipal, session: SessionDep
) -> PasswordResetPublic:
    """Set a new password; ``sign_out`` ends every session of the user on every device."""
    user = _user(session, admin, user_id)
    try:
        accounts.set_password(session, user, body.password)
    except WeakPassword as exc:
        raise _invalid("password", str(exc)) from None
    ended = 0
    if body.sign_out:
        result = session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=utcnow(), revoke_reason="password_reset")
            .execution_options(synchronize_session=False)
        )
        ended = getattr(result, "rowcount", 0) or 0
    session.commit()
    return PasswordResetPublic(user_id=user.id, sessions_ended=ended)


@router.get("/{user_id}/permissions", response_model=OverridesPublic, responses=_ERRORS)
def read_overrides(
    user_id: uuid.UUID, admin: AdminPrincipal, session: SessionDep
) -> OverridesPublic:
    """The user's live overrides of their role's grants (expired ones included)."""
    user = _user(session, admin, user_id)
    rows = session.scalars(
        select(UserPermission)
        .where(UserPermission.user_id == user.id, UserPermission.deleted_at.is_(None))
        .order_by(UserPermission.resource, UserPermission.action)
    ).all()
    data = [OverridePublic.of(r) for r in rows]
    return OverridesPublic(data=data, count=len(data))


@router.post(
    "/{user_id}/permissions",
    status_code=status.HTTP_201_CREATED,
    response_model=OverridePublic,
    responses=_ERRORS,
)
def create_override(
    user_id: uuid.UUID, body: OverrideCreate, admin: AdminPrincipal, session: SessionDep
) -> OverridePublic:
    """Grant or deny one (resource, action) to one user; one live override per pair."""
    user = _user(session, admin, user_id)
    if body.resource not in KNOWN_RESOURCES:
        raise _invalid("resource", f"unknown resource {body.resource!r}")
    if body.expires_at is not None and body.expires_at <= utcnow():
        raise _invalid("expires_at", "the expiry must be in the future")
    if body.granted and body.scope is None:
        raise _invalid("scope", "a grant needs a scope")
    taken = session.scalar(
        select(UserPermission.id).where(
            UserPermission.user_id == user.id,
            UserPermission.resource == body.resource,
            UserPermission.action == body.action,
            UserPermission.deleted_at.is_(None),
        )
    )
    if taken is not None:
        raise ApiError(
            ErrorCode.CONFLICT,
            f"{user.email} already has an override for {body.action.value} {body.resource}",
            details={"field": "resource"},
        )
    row = UserPermission(
        tenant_id=admin.tenant_id,
        user_id=user.id,
        resource=body.resource,
        action=body.action,
        granted=body.granted,
        scope=body.scope if body.granted else None,
        expires_at=body.expires_at,
        granted_by=admin.user_id,
        reason=(body.reason or "").strip() or None,
    )
    session.add(row)
    session.flush()
    public = OverridePublic.of(row)
    session.commit()
    return public


@router.delete(
    "/{user_id}/permissions/{override_id}", response_model=OverridePublic, responses=_ERRORS
)
def delete_override(
    user_id: uuid.UUID, override_id: uuid.UUID, admin: AdminPrincipal, session: SessionDep
) -> OverridePublic:
    """Remove an override (a tombstone, so the user's replicas drop it on their next pull)."""
    user = _user(session, admin, user_id)
    row = session.get(UserPermission, override_id)
    if row is None or row.user_id != user.id or row.deleted_at is not None:
        raise ApiError(ErrorCode.NOT_FOUND, f"no override {override_id} for {user.email}")
    row.deleted_at = utcnow()
    session.flush()
    public = OverridePublic.of(row)
    session.commit()
    return public
