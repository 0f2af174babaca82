"""``/v1/admin/devices``: an ADMIN lists their tenant's devices and revokes lost ones."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from shared_models.models import Device, User
from sync_server.admin import devices as device_admin
from sync_server.api.auth_deps import AdminPrincipal
from sync_server.api.deps import SessionDep
from sync_server.api.errors import ErrorPublic
from sync_server.core.errors import ApiError, ErrorCode

router = APIRouter(prefix="/admin/devices", tags=["admin"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorPublic, "description": "permission_denied (not an ADMIN)"},
    404: {"model": ErrorPublic, "description": "no such device in your tenant"},
}


class DevicePublic(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    user_id: uuid.UUID
    user_email: str
    name: str
    platform: str | None
    app_version: str | None
    schema_version: int | None
    registered_at: dt.datetime
    last_seen_at: dt.datetime | None
    last_sync_at: dt.datetime | None
    lease_expires_at: dt.datetime | None
    revoked_at: dt.datetime | None
    revoke_reason: str | None

    @classmethod
    def of(cls, device: Device, user: User) -> DevicePublic:
        return cls(
            id=device.id,
            user_id=device.user_id,
            user_email=user.email,
            name=device.name,
            platform=device.platform,
            app_version=device.app_version,
            schema_version=device.schema_version,
            registered_at=device.registered_at,
            last_seen_at=device.last_seen_at,
            last_sync_at=device.last_sync_at,
            lease_expires_at=device.lease_expires_at,
            revoked_at=device.revoked_at,
            revoke_reason=device.revoke_reason,
        )


class DevicesPublic(BaseModel):
    data: list[DevicePublic]
    count: int


class DeviceRevoke(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=device_admin.MAX_REASON_LENGTH)


@router.get("", response_model=DevicesPublic, responses=_ERRORS)
def read_devices(
    admin: AdminPrincipal, session: SessionDep, include_revoked: bool = True
) -> DevicesPublic:
    """Every device of the admin's tenant, most recently seen first."""
    rows = device_admin.list_devices(
        session, tenant_id=admin.tenant_id, include_revoked=include_revoked
    )
    data = [DevicePublic.of(device, user) for device, user in rows]
    return DevicesPublic(data=data, count=len(data))


@router.post("/{device_id}/revoke", response_model=DevicePublic, responses=_ERRORS)
def revoke_device(
    device_id: uuid.UUID,
    admin: AdminPrincipal,
    session: SessionDep,
    body: DeviceRevoke | None = None,
) -> DevicePublic:
    """Revoke a device of the admin's tenant: its next call is told to wipe itself."""
    try:
        device = device_admin.revoke_device(
            session,
            device_id,
            by=admin.user_id,
            reason=body.reason if body else None,
            tenant_id=admin.tenant_id,
        )
    except device_admin.DeviceNotFound:
        raise ApiError(ErrorCode.NOT_FOUND, f"no device {device_id} in your tenant") from None
    user = session.get_one(User, device.user_id)
    session.commit()
    return DevicePublic.of(device, user)
