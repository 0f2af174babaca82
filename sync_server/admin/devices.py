"""Registered devices as an administrator sees them: list, and revoke a lost laptop.

A revoked device is refused on its next contact with ``device_revoked`` and
told to wipe its replica; its sessions end at once and its lease key is
destroyed, so even a copy of the laptop's disk cannot be unlocked by the server
handing the key out again.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.models import Device, User
from shared_models.types import utcnow
from sync_server.admin.accounts import AccountError
from sync_server.auth.tokens import revoke_device_tokens

MAX_REASON_LENGTH = 200


class DeviceNotFound(AccountError):
    """No such device (or not in the caller's tenant: the two look the same)."""


def parse_device_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        raise DeviceNotFound(f"{value!r} is not a device id (a UUID)") from None


def list_devices(
    session: Session,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID | None = None,
    include_revoked: bool = True,
) -> Sequence[tuple[Device, User]]:
    """A tenant's devices with their owners, most recently seen first."""
    query = (
        select(Device, User)
        .join(User, User.id == Device.user_id)
        .where(Device.tenant_id == tenant_id)
        .order_by(Device.last_seen_at.desc().nulls_last(), Device.registered_at.desc())
    )
    if user_id is not None:
        query = query.where(Device.user_id == user_id)
    if not include_revoked:
        query = query.where(Device.revoked_at.is_(None))
    return [(device, user) for device, user in session.execute(query)]


def get_device(
    session: Session, device_id: uuid.UUID, *, tenant_id: uuid.UUID | None = None
) -> Device:
    """The device; ``tenant_id`` hides other tenants' devices (they are "not found")."""
    device = session.get(Device, device_id, with_for_update=True)
    if device is None or (tenant_id is not None and device.tenant_id != tenant_id):
        raise DeviceNotFound(f"no device {device_id}")
    return device


def revoke_device(
    session: Session,
    device_id: uuid.UUID,
    *,
    by: uuid.UUID | None,
    reason: str | None,
    tenant_id: uuid.UUID | None = None,
) -> Device:
    """Revoke the device, end its sessions and destroy its lease key (idempotent).

    ``by`` is the admin's user id (None from the CLI); ``tenant_id`` confines
    the lookup to one tenant, as the admin endpoint must.
    """
    device = get_device(session, device_id, tenant_id=tenant_id)
    now = utcnow()
    if device.revoked_at is None:
        device.revoked_at = now
        device.revoked_by = by
        device.revoke_reason = (reason or "").strip()[:MAX_REASON_LENGTH] or None
    device.lease_key_sealed = None
    if device.lease_expires_at is None or device.lease_expires_at > now:
        device.lease_expires_at = now
    revoke_device_tokens(session, device.id, reason="device_revoked", now=now)
    session.flush()
    return device
