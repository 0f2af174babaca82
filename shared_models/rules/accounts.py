"""Who may change a user's role and status: the rules the Admin form and the server share.

A company must never lock itself out: nobody changes their own role or
disables their own account (another admin must do it), only an admin hands
out the ADMIN role, and the tenant always keeps at least one active ADMIN.
The form calls ``check_user_change`` as the admin types (with the replica's
count of other admins); the server calls it on every pushed ``user`` row with
PostgreSQL's count, so a stale replica cannot get around it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping
from typing import Any, Final

from shared_models.enums import UserRole, UserStatus
from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation

SELF_CHANGE: Final = "self_change"
LAST_ADMIN: Final = "last_admin"
ADMIN_ONLY: Final = "admin_only"
REQUIRED: Final = "required"
TOO_LONG: Final = "too_long"

#: Columns of ``user`` whose length a form checks before the database would refuse them.
USER_TEXT_LIMITS: Mapping[str, int] = {"full_name": 200, "phone": 32, "license_class": 8}


def _text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def is_active_admin(row: Mapping[str, Any]) -> bool:
    """An ADMIN who can sign in (live, status ACTIVE)."""
    return (
        _text(row.get("role")) == UserRole.ADMIN
        and _text(row.get("status") or UserStatus.ACTIVE) == UserStatus.ACTIVE
        and row.get("deleted_at") is None
    )


def check_user_change(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any],
    *,
    actor_id: uuid.UUID | str | None,
    actor_role: str | None,
    other_active_admins: int,
) -> None:
    """Refuse a change of ``user`` row ``before`` into ``after`` that would lock people out.

    ``after`` is the whole new state; ``other_active_admins`` counts the active
    admins of the tenant besides this user. ``actor_id`` None is the server itself.
    """
    old_role = _text((before or {}).get("role"))
    new_role = _text(after.get("role"))
    old_status = _text((before or {}).get("status") or UserStatus.ACTIVE)
    new_status = _text(after.get("status") or UserStatus.ACTIVE)
    is_self = actor_id is not None and str(actor_id) == str(after.get("id"))
    if before is not None and is_self:
        if new_role != old_role:
            raise RuleViolation(
                SELF_CHANGE,
                "You cannot change your own role: ask another administrator.",
                field="role",
            )
        if new_status != old_status and new_status != UserStatus.ACTIVE:
            raise RuleViolation(
                SELF_CHANGE,
                "You cannot disable your own account: ask another administrator.",
                field="status",
            )
    if (
        actor_id is not None
        and new_role == UserRole.ADMIN
        and old_role != UserRole.ADMIN
        and _text(actor_role) != UserRole.ADMIN
    ):
        raise RuleViolation(
            ADMIN_ONLY, "Only an administrator can give the Administrator role.", field="role"
        )
    leaves = before is not None and is_active_admin(before) and not is_active_admin(after)
    if leaves and other_active_admins < 1:
        raise RuleViolation(
            LAST_ADMIN,
            "The company must keep at least one active administrator: "
            "make someone else an administrator first.",
            field="role" if new_role != UserRole.ADMIN else "status",
        )


def check_user_fields(row: Mapping[str, Any], *, fields: Collection[str] | None = None) -> None:
    """Name required, phone in a dialable format, texts that fit their columns."""
    wanted = set(fields) if fields is not None else set(USER_TEXT_LIMITS)
    if "full_name" in wanted and not _text(row.get("full_name")).strip():
        raise RuleViolation(REQUIRED, "Enter the person's name.", field="full_name")
    for name, limit in USER_TEXT_LIMITS.items():
        if name in wanted and len(_text(row.get(name))) > limit:
            raise RuleViolation(TOO_LONG, f"Use at most {limit} characters.", field=name)
    phone = _text(row.get("phone")).strip()
    if "phone" in wanted and phone:
        contact.parse_phone(phone)
