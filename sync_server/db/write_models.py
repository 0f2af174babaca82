"""Server-only tables of the write path (push, merge); the lead adds their migration.

``field_clock`` keeps, per synced row, which hybrid logical clock and which
role last wrote each field, so last-writer-wins and ownership (DESIGN 6.2,
6.8) can be decided field by field. One JSONB document per row rather than
one row per field: a push loads the clocks of all its target rows in one
SELECT and rewrites each row's document in one statement.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base
from shared_models.types import JsonDoc

__all__ = ["FieldClock"]


class FieldClock(Base):
    """``clocks``: ``{field: [hlc, role]}`` for the fields clients or the server stamped."""

    __tablename__ = "field_clock"

    table_name: Mapped[str] = mapped_column(String(64), primary_key=True)
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("tenant.id", ondelete="CASCADE"))
    clocks: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)

    __table_args__ = (Index("ix_field_clock_tenant", "tenant_id"),)
