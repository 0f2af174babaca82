"""Who may do what, which laptops may sync, and the trail of every applied change.

Permissions are synced (the client hides what the user may not do); devices,
encrypted fields and the audit log stay on the server.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, SyncedMixin, live_unique
from shared_models.enums import PermissionAction, PermissionScope, UserRole
from shared_models.ids import uuid7
from shared_models.types import utcnow

__all__ = ["AuditLog", "Device", "EncryptedData", "RolePermission", "UserPermission"]


class RolePermission(SyncedMixin, Base):
    """One cell of a tenant's permission matrix; seeded from ``shared_models.permissions``.

    ``conditions`` narrows a grant, e.g. ``{"max_discount_pct": 10}`` or
    ``{"status_in": ["DRAFT"]}``; the rule evaluator owns its vocabulary.
    """

    __tablename__ = "role_permission"

    role: Mapped[UserRole]
    #: A wire table name ("quote", "journey_event").
    resource: Mapped[str] = mapped_column(String(64))
    action: Mapped[PermissionAction]
    scope: Mapped[PermissionScope]
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        live_unique("uq_role_permission_live", "tenant_id", "role", "resource", "action"),
    )


class UserPermission(SyncedMixin, Base):
    """A per-user override of the role matrix: ``granted`` False is an explicit deny."""

    __tablename__ = "user_permission"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    resource: Mapped[str] = mapped_column(String(64))
    action: Mapped[PermissionAction]
    #: None keeps the reach of the role's grant (meaningless for a deny).
    scope: Mapped[PermissionScope | None]
    granted: Mapped[bool] = mapped_column(default=True)
    conditions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    expires_at: Mapped[dt.datetime | None]
    granted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        live_unique("uq_user_permission_live", "tenant_id", "user_id", "resource", "action"),
    )


class EncryptedData(Base):
    """A sensitive field sealed with AES-256-GCM under a rotatable key (DESIGN 7).

    The owning row is named by table and id, not by FK: any table may own one.
    ``blind_index`` is an HMAC of the normalised plaintext, for equality lookups.
    """

    __tablename__ = "encrypted_data"
    __synced__ = False

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    entity_table: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[uuid.UUID]
    field_name: Mapped[str] = mapped_column(String(64))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary(32))
    #: Id of the data key that sealed it; rotation re-encrypts rows key by key.
    key_id: Mapped[str] = mapped_column(String(64))
    algorithm: Mapped[str] = mapped_column(String(32), default="AES-256-GCM")
    blind_index: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("tenant_id", "entity_table", "entity_id", "field_name"),
        Index(
            "ix_encrypted_data_tenant_blind_index",
            "tenant_id",
            "entity_table",
            "field_name",
            "blind_index",
        ),
        Index("ix_encrypted_data_key_id", "key_id"),
    )


class Device(Base):
    """A registered laptop or desktop: holds the push watermark and the offline lease."""

    __tablename__ = "device"
    __synced__ = False

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))
    #: "windows", "macos", "linux".
    platform: Mapped[str | None] = mapped_column(String(32))
    app_version: Mapped[str | None] = mapped_column(String(32))
    schema_version: Mapped[int | None]
    registered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime | None]
    last_sync_at: Mapped[dt.datetime | None]
    #: Highest mutation id applied from this device: a replayed batch is applied once.
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Past this instant the device can no longer unlock its replica (DESIGN 7).
    lease_expires_at: Mapped[dt.datetime | None]
    #: The device's 32-byte lease key, AES-256-GCM sealed under the server key (nonce
    #: first); deferred: only sign-in and refresh read it, not every request.
    lease_key_sealed: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    revoked_at: Mapped[dt.datetime | None]
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    revoke_reason: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        CheckConstraint("last_mutation_id >= 0", name="watermark_nonneg"),
        Index("ix_device_tenant_user", "tenant_id", "user_id"),
    )


class AuditLog(Base):
    """Who changed which row, from which device, before and after: append-only.

    ``user_id`` and ``device_id`` carry no FK so the trail outlives any purge.
    """

    __tablename__ = "audit_log"
    __synced__ = False
    __append_only__ = True

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="RESTRICT"))
    user_id: Mapped[uuid.UUID | None]
    device_id: Mapped[uuid.UUID | None]
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID]
    #: The wire op (DESIGN 5): "insert", "update" or "delete".
    action: Mapped[str] = mapped_column(String(16))
    #: The row version this change produced.
    version: Mapped[int | None] = mapped_column(BigInteger)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any] | None]
    #: None for changes made on the server (API, webhooks, admin CLI).
    mutation_id: Mapped[int | None] = mapped_column(BigInteger)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("action IN ('insert', 'update', 'delete')", name="action_valid"),
        Index("ix_audit_log_tenant_table_row", "tenant_id", "table_name", "row_id"),
        Index("ix_audit_log_tenant_occurred", "tenant_id", "occurred_at"),
        Index("ix_audit_log_tenant_user_occurred", "tenant_id", "user_id", "occurred_at"),
    )
