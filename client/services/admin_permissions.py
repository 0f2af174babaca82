"""Roles and per-user overrides, as the Admin screen shows and edits them.

The role matrix is read from the tenant's ``role_permission`` rows in the
replica (every user pulls them with the tenant's reference data); a replica
that has none yet falls back to the default matrix. A user's overrides
(``user_permission``) sync only to that user's own replicas, so the admin
reads and changes them online, through ``/v1/admin/users/{id}/permissions``;
the server writes them as synced rows, which the user receives on their
next pull (and their buckets follow).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from pydantic import BaseModel
from sqlalchemy import select

from client.replica.store import LocalStore
from client.services.admin import AdminService
from client.services.admin_users import USERS_PATH
from client.sync.db import table_for
from shared_models.enums import PermissionAction, PermissionScope
from shared_models.permissions import DEFAULT_GRANTS

ACTIONS = tuple(PermissionAction)


@dataclass(frozen=True)
class MatrixRow:
    """One resource of a role: the scope of each action (None: not allowed)."""

    resource: str
    scopes: dict[str, str | None]


def role_matrix(store: LocalStore, role: str) -> tuple[list[MatrixRow], bool]:
    """``role``'s grants by resource, and whether they come from the tenant's own rows."""
    rp = table_for("role_permission")
    stmt = select(rp.c.resource, rp.c.action, rp.c.scope).where(
        rp.c.role == role, rp.c.deleted_at.is_(None)
    )
    with store.engine.connect() as conn:
        stored = [(r.resource, str(r.action), str(r.scope)) for r in conn.execute(stmt)]
    from_tenant = bool(stored)
    if not stored:
        stored = [
            (g.resource, g.action.value, g.scope.value) for g in DEFAULT_GRANTS if g.role == role
        ]
    by_resource: dict[str, dict[str, str | None]] = {}
    for resource, action, scope in stored:
        row = by_resource.setdefault(resource, {a.value: None for a in ACTIONS})
        row[_value(action)] = _value(scope)
    rows = [MatrixRow(resource, scopes) for resource, scopes in sorted(by_resource.items())]
    return rows, from_tenant


def _value(text: str) -> str:
    """``PermissionAction.READ`` or ``READ`` -> ``READ`` (replicas store either spelling)."""
    return text.rsplit(".", 1)[-1]


def known_resources() -> list[str]:
    return sorted({g.resource for g in DEFAULT_GRANTS})


class Override(BaseModel):
    id: uuid.UUID
    user_id: uuid.UUID
    resource: str
    action: PermissionAction
    granted: bool
    scope: PermissionScope | None = None
    expires_at: dt.datetime | None = None
    reason: str | None = None


class Overrides(BaseModel):
    data: list[Override]
    count: int


class NewOverride(BaseModel):
    resource: str
    action: PermissionAction
    granted: bool = True
    scope: PermissionScope | None = None
    expires_at: dt.datetime | None = None
    reason: str | None = None


class PermissionAdmin(AdminService):
    """A user's overrides of their role (online calls; run off the UI thread)."""

    subject = "change permissions"
    needs_connection = (
        "A person's permission overrides are kept on the server: changing them needs a "
        "connection. Try again once online."
    )

    def list_overrides(self, user_id: uuid.UUID) -> list[Override]:
        path = f"{USERS_PATH}/{user_id}/permissions"
        return self._authorised(
            lambda token: self._request("GET", path, Overrides, token=token)
        ).data

    def add_override(self, user_id: uuid.UUID, new: NewOverride) -> Override:
        path = f"{USERS_PATH}/{user_id}/permissions"
        body = new.model_dump(mode="json", exclude_none=True)
        return self._authorised(
            lambda token: self._request("POST", path, Override, token=token, body=body)
        )

    def remove_override(self, user_id: uuid.UUID, override_id: uuid.UUID) -> Override:
        path = f"{USERS_PATH}/{user_id}/permissions/{override_id}"
        return self._authorised(lambda token: self._request("DELETE", path, Override, token=token))
