"""Tenants, locations and users as an administrator creates them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_models.enums import PermissionScope, UserRole, UserStatus
from shared_models.models import Location, RolePermission, Tenant, User
from shared_models.permissions import DEFAULT_GRANTS, default_home_scope
from shared_models.rules import accounts as account_rules
from sync_server.auth.passwords import check_password_strength, hash_password


class AccountError(ValueError):
    """An account request that cannot be carried out; the message says why."""

    field: str | None = None


class InvalidEmail(AccountError):
    """The email address is not one (the API answers 422 naming ``email``)."""

    field = "email"


class DuplicateEmail(AccountError):
    """Another account signs in with this email (the API answers 409 ``conflict``)."""

    field = "email"


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidEmail(f"invalid email address {email!r}: {exc}") from exc


def parse_role(role: str | UserRole) -> UserRole:
    try:
        return UserRole(str(role).strip().upper())
    except ValueError:
        known = ", ".join(r.value for r in UserRole)
        raise AccountError(f"unknown role {role!r}; expected one of: {known}") from None


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:64] or "tenant"


def create_tenant(
    session: Session, *, name: str, slug: str | None = None, **fields: object
) -> Tenant:
    """A new tenant with the default permission matrix installed."""
    slug = slugify(slug or name)
    if session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise AccountError(f"a tenant with slug {slug!r} already exists")
    tenant = Tenant(name=name.strip(), slug=slug, **fields)
    session.add(tenant)
    session.flush()
    install_default_permissions(session, tenant.id)
    return tenant


def install_default_permissions(session: Session, tenant_id: uuid.UUID) -> int:
    """Write one RolePermission row per grant of the default matrix."""
    rows = [
        RolePermission(
            tenant_id=tenant_id, role=g.role, resource=g.resource, action=g.action, scope=g.scope
        )
        for g in DEFAULT_GRANTS
    ]
    session.add_all(rows)
    session.flush()
    return len(rows)


def add_missing_default_permissions(session: Session) -> int:
    """Give every tenant the grants a newer default matrix added (run after migrations).

    A tenant keeps whatever it changed: only (role, resource, action) triples it has
    no live row for are written, versioned like any row, so replicas pull them.
    """
    have = {
        (r.tenant_id, str(r.role), str(r.resource), str(r.action))
        for r in session.execute(
            select(
                RolePermission.tenant_id,
                RolePermission.role,
                RolePermission.resource,
                RolePermission.action,
            ).where(RolePermission.deleted_at.is_(None))
        )
    }
    added = [
        RolePermission(
            tenant_id=tenant_id, role=g.role, resource=g.resource, action=g.action, scope=g.scope
        )
        for tenant_id in session.scalars(select(Tenant.id))
        for g in DEFAULT_GRANTS
        if (tenant_id, str(g.role), str(g.resource), str(g.action)) not in have
    ]
    session.add_all(added)
    session.flush()
    return len(added)


def find_tenant(session: Session, slug_or_id: str) -> Tenant:
    query = select(Tenant).where(Tenant.slug == slug_or_id)
    try:
        query = select(Tenant).where(
            (Tenant.slug == slug_or_id) | (Tenant.id == uuid.UUID(slug_or_id))
        )
    except ValueError:
        pass
    tenant = session.scalar(query)
    if tenant is None:
        raise AccountError(f"no tenant {slug_or_id!r}")
    return tenant


def find_location(session: Session, tenant: Tenant, code: str | None) -> Location:
    """The location with ``code``, or the tenant's only/first location when none is named."""
    query = select(Location).where(Location.tenant_id == tenant.id, Location.deleted_at.is_(None))
    if code:
        location = session.scalar(query.where(func.upper(Location.code) == code.strip().upper()))
        if location is None:
            raise AccountError(f"tenant {tenant.slug!r} has no location with code {code!r}")
        return location
    location = session.scalar(query.order_by(Location.code).limit(1))
    if location is None:
        raise AccountError(f"tenant {tenant.slug!r} has no location yet; create one first")
    return location


def create_user(
    session: Session,
    *,
    tenant: Tenant,
    location: Location,
    email: str,
    full_name: str,
    role: str | UserRole,
    password: str,
    scope: PermissionScope | None = None,
    extra_user_inputs: Iterable[str] = (),
    **profile: Any,
) -> User:
    """Validate everything first, then write: a refused request changes nothing."""
    email = normalise_email(email)
    user_role = parse_role(role)
    if not full_name.strip():
        raise AccountError("full name is required")
    if session.scalar(select(User.id).where(func.lower(User.email) == email)) is not None:
        raise DuplicateEmail(f"a user with email {email} already exists")
    check_password_strength(password, user_inputs=[email, full_name, *extra_user_inputs])
    user = User(
        tenant_id=tenant.id,
        location_id=location.id,
        email=email,
        full_name=full_name.strip(),
        role=user_role,
        scope=scope or default_home_scope(user_role),
        password_hash=hash_password(password),
        **profile,
    )
    session.add(user)
    session.flush()
    return user


def other_active_admins(session: Session, *, tenant_id: uuid.UUID, user_id: uuid.UUID) -> int:
    """Active admins of the tenant besides ``user_id`` (what the last-admin rule needs)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(
                User.tenant_id == tenant_id,
                User.id != user_id,
                User.role == UserRole.ADMIN,
                User.status == UserStatus.ACTIVE,
                User.deleted_at.is_(None),
            )
        )
        or 0
    )


def check_user_write(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    actor_id: uuid.UUID | None,
    actor_role: str | None,
    before: Mapping[str, Any] | None,
    values: Mapping[str, Any],
) -> None:
    """The shared account rules for a ``user`` row written through the sync path.

    Raises ``RuleViolation``; only fields the change touches are format-checked,
    so old stored data never blocks an unrelated edit.
    """
    after = {**(before or {}), **values}
    fields = None if before is None else values.keys()
    account_rules.check_user_fields(after, fields=fields)
    if before is None:
        others = 1  # a new row cannot remove an admin
    else:
        others = other_active_admins(session, tenant_id=tenant_id, user_id=before["id"])
    account_rules.check_user_change(
        before, after, actor_id=actor_id, actor_role=actor_role, other_active_admins=others
    )


def set_password(session: Session, user: User, password: str) -> None:
    """A new password for ``user``, under the same strength rules as at creation."""
    check_password_strength(password, user_inputs=[user.email, user.full_name])
    user.password_hash = hash_password(password)
    session.flush()
