"""Declarative base and the sync columns every replicated row carries (DESIGN 3).

One ``MetaData`` builds both the server's PostgreSQL schema (through Alembic)
and the client's SQLite replica schema (``create_all``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from typing import Any, ClassVar

from sqlalchemy import BigInteger, Date, Enum, ForeignKey, Index, MetaData, String, Uuid, text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from shared_models.ids import uuid7
from shared_models.types import JsonDoc, Money, UTCDateTime, utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    # Enums are stored as checked VARCHAR on both sides (no native PG enum):
    # SQLite has none, and a new value is then a plain constraint change.
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        uuid.UUID: Uuid(),
        dt.datetime: UTCDateTime(),
        dt.date: Date(),
        decimal.Decimal: Money,
        str: String(),
        dict[str, Any]: JsonDoc,
        list[Any]: JsonDoc,
        enum.Enum: Enum(
            enum.Enum,
            native_enum=False,
            create_constraint=True,
            length=32,
            values_callable=lambda cls: [member.value for member in cls],
            validate_strings=True,
        ),
    }

    #: Synced tables are replicated to clients; server-only tables set False.
    __synced__: ClassVar[bool] = False
    #: Append-only facts never conflict (DESIGN 6.3): inserts only, no updates.
    __append_only__: ClassVar[bool] = False


class SyncedMixin:
    """The sync columns of DESIGN 3: ``id`` (UUIDv7), tenant, version, tombstone.

    ``version`` is assigned by the server from one sequence on every write; a
    row created offline carries 0 until the server has accepted it.
    """

    __synced__: ClassVar[bool] = True

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7, sort_order=-100)

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("tenant.id", ondelete="RESTRICT"), nullable=False, sort_order=-90
        )

    version: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0, sort_order=100)
    created_at: Mapped[dt.datetime] = mapped_column(nullable=False, default=utcnow, sort_order=101)
    updated_at: Mapped[dt.datetime] = mapped_column(
        nullable=False, default=utcnow, onupdate=utcnow, sort_order=102
    )
    #: The user whose change produced this version (no FK: users are rows too
    #: and may be tombstoned; the audit log keeps the full story).
    updated_by: Mapped[uuid.UUID | None] = mapped_column(Uuid(), nullable=True, sort_order=103)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True, sort_order=104)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ServerRowMixin:
    """Identity and tenancy of a server-only row: UUIDv7 id, tenant, timestamps, no version."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7, sort_order=-100)

    @declared_attr
    def tenant_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("tenant.id", ondelete="RESTRICT"), nullable=False, sort_order=-90
        )

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, sort_order=101)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow, sort_order=102)


class LocationScopedMixin:
    """Rows that belong to one branch; LOCATION scope and location buckets key on it."""

    @declared_attr
    def location_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(
            ForeignKey("location.id", ondelete="RESTRICT"), nullable=False, sort_order=-80
        )


def checked_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """The Base map's checked VARCHAR under its own constraint name.

    The map names each CHECK after the enum class, so two columns of one enum in
    a table (origin and destination province) would both emit ``ck_<table>_province``.
    """
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda cls: [member.value for member in cls],
        validate_strings=True,
    )


def live_unique(name: str, *columns: str) -> Index:
    """Unique among live rows only, so a tombstoned row does not block re-creating it."""
    return Index(
        name,
        *columns,
        unique=True,
        postgresql_where=text("deleted_at IS NULL"),
        sqlite_where=text("deleted_at IS NULL"),
    )


__all__ = [
    "ServerRowMixin",
    "checked_enum",
    "live_unique",
    "Base",
    "LocationScopedMixin",
    "NAMING_CONVENTION",
    "SyncedMixin",
    "JsonDoc",
    "Money",
]
