"""Administration: the tenant's users (from the replica) and devices (from the server).

Users are synced rows, readable offline. Devices are server-only rows, so
listing and revoking them are online calls made here through the
workspace's HTTP protocol and session token; the UI never opens the
network itself. Every failure becomes an ``AdminError`` whose message a
screen can show as is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select

from client.replica.store import LocalStore
from client.services.workspace import Workspace
from client.sync.db import table_for
from client.sync.errors import (
    DeviceRevoked,
    PermissionDeniedError,
    ServerUnavailable,
    SessionExpired,
    SyncError,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
DEVICES_PATH = "/v1/admin/devices"
NEEDS_CONNECTION = "Managing devices needs a connection to the server. Try again once online."


class AdminError(Exception):
    """An admin call that failed; ``str()`` is the sentence to show."""


class NeedsConnection(AdminError):
    """The server cannot be reached: device management waits until we are online."""


# -- users (replica) --------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    id: uuid.UUID
    name: str
    email: str
    role: str
    location: str
    scope: str
    status: str

    @property
    def active(self) -> bool:
        return self.status == "ACTIVE"


def list_users(store: LocalStore) -> list[UserRow]:
    """Every live user of the tenant, by name, with their home location."""
    u, loc = table_for("user"), table_for("location")
    stmt = (
        select(
            u.c.id,
            u.c.full_name,
            u.c.email,
            u.c.role,
            u.c.scope,
            u.c.status,
            loc.c.code,
            loc.c.name.label("location_name"),
        )
        .select_from(u.outerjoin(loc, loc.c.id == u.c.location_id))
        .where(u.c.deleted_at.is_(None))
        .order_by(func.lower(u.c.full_name), u.c.email)
    )
    with store.engine.connect() as conn:
        return [
            UserRow(
                id=r.id,
                name=r.full_name,
                email=r.email,
                role=str(r.role),
                location=f"{r.location_name} ({r.code})" if r.code else "",
                scope=str(r.scope or ""),
                status=str(r.status),
            )
            for r in conn.execute(stmt)
        ]


# -- devices (server) -------------------------------------------------------------------


class DevicePublic(BaseModel):
    """The server's ``DevicePublic`` (``sync_server/api/routes/devices.py``), as read here."""

    id: uuid.UUID
    user_id: uuid.UUID
    user_email: str
    name: str
    platform: str | None = None
    app_version: str | None = None
    registered_at: dt.datetime
    last_seen_at: dt.datetime | None = None
    last_sync_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None
    revoke_reason: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def last_contact(self) -> dt.datetime | None:
        """The last pull or push: the server stamps pushes and pulls in separate columns."""
        seen = [t for t in (self.last_sync_at, self.last_seen_at) if t is not None]
        return max(seen) if seen else None


class DevicesPublic(BaseModel):
    data: list[DevicePublic]
    count: int


class AdminFieldError(AdminError):
    """The server refused one field of the request (``field`` names it for the form)."""

    def __init__(self, message: str, *, field: str | None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AdminService:
    """Device management for the signed-in admin (blocking: run it off the UI thread)."""

    #: What the admin was doing, in the sentences a refusal shows.
    subject = "manage devices"
    needs_connection = NEEDS_CONNECTION

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @property
    def this_device_id(self) -> str | None:
        return self.workspace.session.device_id

    def list_devices(self) -> list[DevicePublic]:
        """The tenant's devices, most recently seen first (revoked ones included)."""
        answer = self._authorised(
            lambda token: self._request("GET", DEVICES_PATH, DevicesPublic, token=token)
        )
        return answer.data

    def revoke_device(self, device_id: uuid.UUID, *, reason: str | None = None) -> DevicePublic:
        """Revoke ``device_id``: on its next contact it erases its local data."""
        body = {"reason": reason} if reason else None
        return self._authorised(
            lambda token: self._request(
                "POST", f"{DEVICES_PATH}/{device_id}/revoke", DevicePublic, token=token, body=body
            )
        )

    # -- plumbing ------------------------------------------------------------------------

    def _request(self, method: str, path: str, model: type[M], **kw: Any) -> M:
        return self.workspace.protocol.request(method, path, model, **kw)  # type: ignore[no-any-return]

    def _authorised(self, call: Callable[[str], T]) -> T:
        try:
            return self.workspace.session.call(call)
        except ServerUnavailable as exc:
            raise NeedsConnection(self.needs_connection) from exc
        except PermissionDeniedError as exc:
            raise AdminError(f"Only an administrator can {self.subject}.") from exc
        except (SessionExpired, DeviceRevoked) as exc:
            raise AdminError(f"Your session has ended: sign in again to {self.subject}.") from exc
        except SyncError as exc:
            field = exc.details.get("field") if isinstance(exc.details, dict) else None
            message = f"{exc.message[:1].upper()}{exc.message[1:]}."
            if field:
                raise AdminFieldError(message.replace("..", "."), field=str(field)) from exc
            raise AdminError(f"The server refused: {exc.message}") from exc
