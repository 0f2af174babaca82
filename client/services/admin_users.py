"""Editing and creating the tenant's users: profile edits offline, accounts online.

A profile (name, phone, role, scope, location, licence, status) is an
ordinary synced ``user`` row: edits go through ``LocalWriteService`` and
reach the server on the next sync, where the same shared rules
(``shared_models.rules.accounts``) are applied again. Creating a user and
resetting a password hash a secret, so they are online calls to
``/v1/admin/users``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select

from client.replica.store import LocalStore
from client.services.admin import AdminService
from client.services.errors import InvalidWrite, RowNotFound
from client.services.workspace import Workspace
from client.sync.db import table_for
from shared_models.enums import UserRole, UserStatus
from shared_models.rules import accounts as rules
from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation

USERS_PATH = "/v1/admin/users"
#: The profile columns the Admin form edits (never email or password: those are online).
PROFILE_FIELDS = (
    "full_name",
    "phone",
    "role",
    "scope",
    "location_id",
    "license_class",
    "status",
)


@dataclass(frozen=True)
class LocationChoice:
    id: uuid.UUID
    label: str


def list_locations(store: LocalStore) -> list[LocationChoice]:
    """The tenant's live branches, by code, as the form offers them."""
    loc = table_for("location")
    stmt = select(loc.c.id, loc.c.code, loc.c.name).where(loc.c.deleted_at.is_(None))
    with store.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(loc.c.code)).all()
    return [LocationChoice(r.id, f"{r.name} ({r.code})") for r in rows]


def load_profile(store: LocalStore, user_id: uuid.UUID) -> dict[str, Any]:
    """The user's editable fields (plus id and email), as stored in the replica."""
    u = table_for("user")
    columns = [u.c.id, u.c.email, *(u.c[name] for name in PROFILE_FIELDS)]
    stmt = select(*columns).where(u.c.id == user_id, u.c.deleted_at.is_(None))
    with store.engine.connect() as conn:
        row = conn.execute(stmt).mappings().first()
    if row is None:
        raise RowNotFound(f"no user {user_id} in this replica")
    return {k: (getattr(v, "value", v)) for k, v in row.items()}


def other_active_admins(store: LocalStore, user_id: uuid.UUID) -> int:
    """Active admins besides ``user_id``, as this replica knows them."""
    u = table_for("user")
    stmt = select(func.count()).where(
        u.c.id != user_id,
        u.c.role == UserRole.ADMIN.value,
        u.c.status == UserStatus.ACTIVE.value,
        u.c.deleted_at.is_(None),
    )
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


class UserEdits:
    """Profile edits by the signed-in user, checked with the shared account rules."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    @property
    def me(self) -> uuid.UUID:
        return uuid.UUID(str(self.workspace.user["id"]))

    def check(self, before: dict[str, Any], after: dict[str, Any], others: int) -> None:
        """Raise ``RuleViolation`` (with its field) for a change the server would refuse."""
        rules.check_user_fields(after, fields=PROFILE_FIELDS)
        rules.check_user_change(
            before,
            after,
            actor_id=self.me,
            actor_role=str(self.workspace.user.get("role") or ""),
            other_active_admins=others,
        )

    def update_user(self, user_id: uuid.UUID, values: dict[str, Any]) -> dict[str, Any]:
        """Save the changed profile fields as one synced update; returns what changed."""
        store = self.workspace.store
        before = load_profile(store, user_id)
        after = {**before, **{k: v for k, v in values.items() if k in PROFILE_FIELDS}}
        if after.get("phone"):
            try:
                after["phone"] = contact.parse_phone(str(after["phone"]))
            except RuleViolation as exc:
                raise InvalidWrite(exc.message, field="phone") from exc
        if "license_class" in values:
            after["has_drivers_license"] = bool(after.get("license_class"))
        try:
            self.check(before, after, other_active_admins(store, user_id))
        except RuleViolation as exc:
            raise InvalidWrite(exc.message, field=exc.field) from exc
        changes = {k: v for k, v in after.items() if k != "id" and before.get(k, v) != v}
        changes.pop("email", None)
        if "license_class" in changes or "has_drivers_license" in changes:
            changes["has_drivers_license"] = bool(after.get("license_class"))
        if changes:
            self.workspace.writes.update("user", user_id, changes)
        return changes


class NewUser(BaseModel):
    email: str
    full_name: str
    role: UserRole
    password: str
    location_id: uuid.UUID | None = None
    phone: str | None = None
    license_class: str | None = None


class CreatedUser(BaseModel):
    id: uuid.UUID
    email: str
    full_name: str
    role: str
    scope: str
    location_id: uuid.UUID
    status: str


class PasswordResetDone(BaseModel):
    user_id: uuid.UUID
    sessions_ended: int


class AccountAdmin(AdminService):
    """Creating accounts and resetting passwords: online calls (run off the UI thread)."""

    subject = "manage user accounts"
    needs_connection = (
        "Creating a user or setting a password needs a connection to the server: "
        "the password is protected there. Try again once online."
    )

    def create_user(self, new: NewUser) -> CreatedUser:
        """The new account; its row reaches this replica by the next sync."""
        body = new.model_dump(mode="json", exclude_none=True)
        return self._authorised(
            lambda token: self._request("POST", USERS_PATH, CreatedUser, token=token, body=body)
        )

    def reset_password(
        self, user_id: uuid.UUID, password: str, *, sign_out: bool = True
    ) -> PasswordResetDone:
        """A new password; ``sign_out`` ends the user's sessions on every device."""
        body = {"password": password, "sign_out": sign_out}
        path = f"{USERS_PATH}/{user_id}/password"
        return self._authorised(
            lambda token: self._request("POST", path, PasswordResetDone, token=token, body=body)
        )
