"""Server-only tables of the sync engine: sessions, bucket membership, receipts, limits.

They live on the shared ``Base.metadata`` so one Alembic history covers the
whole server schema, but no client ever holds them.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base
from shared_models.ids import uuid7
from shared_models.types import utcnow

__all__ = ["BucketMembership", "MutationReceipt", "RateLimitCounter", "RefreshToken"]


class RefreshToken(Base):
    """One rotating refresh token; a family is one sign-in on one device (DESIGN 5).

    Only a hash is stored. Presenting a token whose ``rotated_at`` is set means
    it was stolen or replayed: the whole family is revoked.
    """

    __tablename__ = "refresh_token"

    id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True, default=uuid7)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("device.id", ondelete="CASCADE"))
    family_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    #: SHA-256 of the opaque token, hex.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    rotated_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_refresh_token_tenant_family", "tenant_id", "family_id"),
        Index("ix_refresh_token_tenant_device", "tenant_id", "device_id"),
    )


class BucketMembership(Base):
    """The compacted membership log of DESIGN 4: one entry per (bucket, row).

    ``version`` is the server version of the last change that touched the row
    in this bucket; ``removed`` marks a row that left the bucket (or was
    deleted), so replicas drop it. A pull reads ``version > cursor`` per bucket.
    """

    __tablename__ = "bucket_membership"

    bucket: Mapped[str] = mapped_column(String(120), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(BigInteger)
    removed: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        Index("ix_bucket_membership_bucket_version", "bucket", "version"),
        Index("ix_bucket_membership_tenant_row", "tenant_id", "table_name", "row_id"),
    )


class MutationReceipt(Base):
    """The outcome of each pushed mutation, so a replayed batch gets the same answer."""

    __tablename__ = "mutation_receipt"

    device_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("device.id", ondelete="CASCADE"), primary_key=True
    )
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str | None] = mapped_column(String(64))
    message: Mapped[str | None] = mapped_column(String(500))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    row_version: Mapped[int | None] = mapped_column(BigInteger)
    applied_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("mutation_id > 0", name="mutation_id_positive"),
        Index("ix_mutation_receipt_tenant_applied", "tenant_id", "applied_at"),
    )


class RateLimitCounter(Base):
    """Fixed-window counters in PostgreSQL, so every server process shares the limit."""

    __tablename__ = "rate_limit_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint("count >= 0", name="count_nonneg"),)
