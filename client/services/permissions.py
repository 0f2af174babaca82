"""What the signed-in user may do, read from the replica the way the server reads it.

The replica holds the tenant's ``role_permission`` rows (``tenant_ref``) and the
user's own ``user_permission`` overrides (``own``); they refine each other with
the same ``effective_grants`` the server uses, so the UI offers what the server
will accept. A replica synced before the matrix was installed falls back to the
default matrix of ``shared_models.permissions``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from client.replica.store import LocalStore
from client.services.errors import RowNotFound
from client.services.queries import get_row, list_rows
from shared_models.enums import PermissionAction, PermissionScope, UserRole
from shared_models.permissions import DEFAULT_GRANTS
from shared_models.rules.errors import PERMISSION_DENIED, RuleViolation
from shared_models.sync.buckets import Grants, effective_grants

#: More rows than a permission matrix has.
_ALL = 100_000


def signed_in_user(store: LocalStore, user_id: uuid.UUID) -> dict[str, Any]:
    user = get_row(store, "user", user_id)
    if user is None:
        raise RowNotFound(f"user {user_id} is not in this replica: sync once")
    return user


def user_grants(store: LocalStore, user: dict[str, Any]) -> Grants:
    """``(resource, action) -> scope`` for ``user`` (a replica ``user`` row)."""
    role = UserRole(user["role"])
    stored = list_rows(store, "role_permission", filters={"role": role}, limit=_ALL)
    role_rows = [(r["resource"], r["action"], r["scope"]) for r in stored] or [
        (g.resource, g.action, g.scope) for g in DEFAULT_GRANTS if g.role == role
    ]
    now = dt.datetime.now(dt.UTC)
    overrides = [
        (r["resource"], r["action"], r["scope"], bool(r["granted"]))
        for r in list_rows(store, "user_permission", filters={"user_id": user["id"]}, limit=_ALL)
        if r["expires_at"] is None or _aware(r["expires_at"]) > now
    ]
    return effective_grants(role_rows, overrides, PermissionScope(user["scope"] or "OWN"))


def may(grants: Grants, resource: str, action: PermissionAction) -> bool:
    return (resource, action) in grants


def require(grants: Grants, resource: str, action: PermissionAction) -> None:
    """Refuse at once what the server would refuse as ``permission_denied`` on sync."""
    if not may(grants, resource, action):
        raise RuleViolation(
            PERMISSION_DENIED, f"you have no permission to {action.lower()} {resource}"
        )


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
