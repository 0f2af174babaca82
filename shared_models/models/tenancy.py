"""Tenants (the spec's Client), their branches and their people."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, SyncedMixin
from shared_models.enums import Currency, PermissionScope, Province, UserRole, UserStatus
from shared_models.ids import uuid7
from shared_models.types import Money, UTCDateTime, utcnow

__all__ = ["Location", "Tenant", "User"]


class Tenant(Base):
    """A moving-company brand: the spec's ``Client``, the unit of isolation.

    Synced like every row (clients need its name and settings offline) but it
    owns itself, so it carries no ``tenant_id``.
    """

    __tablename__ = "tenant"
    __synced__ = True

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    version: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[uuid.UUID | None]
    deleted_at: Mapped[dt.datetime | None]

    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    legal_name: Mapped[str | None] = mapped_column(String(200))
    default_currency: Mapped[Currency] = mapped_column(default=Currency.CAD)
    #: Business number / GST-HST registration printed on quotes and invoices.
    gst_hst_number: Mapped[str | None] = mapped_column(String(32))
    qst_number: Mapped[str | None] = mapped_column(String(32))
    pst_number: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(200))
    #: Days a device may stay offline before its replica key lease expires (DESIGN 7).
    offline_lease_days: Mapped[int] = mapped_column(default=14)
    #: Quote discount (percent) above which a manager must approve before SENT.
    discount_approval_threshold_pct: Mapped[int] = mapped_column(default=10)

    __table_args__ = (
        CheckConstraint("offline_lease_days > 0", name="lease_positive"),
        CheckConstraint(
            "discount_approval_threshold_pct BETWEEN 0 AND 100", name="discount_threshold_range"
        ),
    )


class Location(SyncedMixin, Base):
    """A branch: its own crews, trucks, stock and customers; tax follows its province."""

    __tablename__ = "location"

    name: Mapped[str] = mapped_column(String(120))
    code: Mapped[str] = mapped_column(String(16))
    address_line1: Mapped[str] = mapped_column(String(200))
    address_line2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    province: Mapped[Province]
    postal_code: Mapped[str] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(2), default="CA")
    #: IANA zone (e.g. ``America/Toronto``): schedules are shown and checked in it.
    timezone: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    manager_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("user.id", use_alter=True, ondelete="RESTRICT")
    )
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        Index("ix_location_tenant_name", "tenant_id", "name"),
    )


class User(SyncedMixin, Base):
    """A person who signs in. The password hash never leaves the server (see sync rules)."""

    __tablename__ = "user"

    email: Mapped[str] = mapped_column(String(254))
    full_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    role: Mapped[UserRole]
    #: Default reach of the user's permissions; RolePermission/UserPermission refine it.
    scope: Mapped[PermissionScope] = mapped_column(default=PermissionScope.OWN)
    location_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("location.id", ondelete="RESTRICT"))
    status: Mapped[UserStatus] = mapped_column(default=UserStatus.ACTIVE)
    #: argon2id hash; server-only column, excluded from every pulled row.
    password_hash: Mapped[str | None] = mapped_column(String(256))
    #: Crew qualifications used by scheduling (e.g. licensed driver for a truck).
    has_drivers_license: Mapped[bool] = mapped_column(default=False)
    license_class: Mapped[str | None] = mapped_column(String(8))
    #: Loaded labour cost per hour, for job costing (CAD).
    hourly_cost: Mapped[Decimal | None] = mapped_column(Money)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        # Sign-in names no tenant, so an email is unique across all of them
        # (stored lower-cased by the service that writes it).
        UniqueConstraint("email"),
        CheckConstraint("hourly_cost IS NULL OR hourly_cost >= 0", name="hourly_cost_nonneg"),
        Index("ix_user_tenant_location_role", "tenant_id", "location_id", "role"),
    )
