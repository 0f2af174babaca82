"""Devices as sign-in sees them: register a laptop, or recognise one signing in again."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy.orm import Session

from shared_models.ids import uuid7
from shared_models.models import Device, User
from shared_models.sync.wire import SCHEMA_VERSION, LoginRequest
from shared_models.types import utcnow
from sync_server.core.errors import ApiError, ErrorCode


def device_revoked_error(device: Device) -> ApiError:
    """``403 device_revoked``; ``wipe`` tells the client to delete its replica and keyring entry."""
    return ApiError(
        ErrorCode.DEVICE_REVOKED,
        "this device has been revoked by an administrator; its local data must be erased",
        details={"wipe": True, "device_id": str(device.id)},
    )


def device_for_login(
    session: Session,
    *,
    user: User,
    body: LoginRequest,
    schema_version: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[Device, bool]:
    """The device signing in and whether it is new.

    A ``device_id`` of this user's is reused (it keeps its push watermark); a
    revoked one is refused. An id that is unknown or belongs to someone else
    gets a new device: a replica is per user, so another user's laptop id
    means nothing for this user.
    """
    now = now or utcnow()
    device = _own_device(session, user, body.device_id)
    if device is not None:
        if device.revoked_at is not None:
            raise device_revoked_error(device)
        device.name = body.device_name
        device.platform = body.platform or device.platform
        device.app_version = body.app_version or device.app_version
        if schema_version is not None:
            device.schema_version = schema_version
        device.last_seen_at = now
        return device, False
    device = Device(
        id=uuid7(),
        tenant_id=user.tenant_id,
        user_id=user.id,
        name=body.device_name,
        platform=body.platform,
        app_version=body.app_version,
        schema_version=SCHEMA_VERSION if schema_version is None else schema_version,
        registered_at=now,
        last_seen_at=now,
        last_mutation_id=0,
    )
    session.add(device)
    session.flush()
    return device, True


def _own_device(session: Session, user: User, device_id: uuid.UUID | None) -> Device | None:
    if device_id is None:
        return None
    device = session.get(Device, device_id, with_for_update=True)
    if device is None or device.user_id != user.id or device.tenant_id != user.tenant_id:
        return None
    return device
