"""Column types shared by every model, chosen to mean the same in PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Numeric
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

#: Money: two decimals, up to 999 billion. Never float.
Money = Numeric(14, 2, asdecimal=True)
#: Rates and factors: tax rates, exchange rates, per-pound prices.
Rate = Numeric(12, 6, asdecimal=True)
#: Quantities of stock, hours, cubic feet: three decimals.
Quantity = Numeric(14, 3, asdecimal=True)

#: JSON documents: JSONB on PostgreSQL, JSON text on the SQLite replica.
JsonDoc = JSON().with_variant(postgresql.JSONB(), "postgresql")


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL keeps the offset (timestamptz); SQLite stores text without one,
    so values read from the replica are re-tagged as UTC. Naive datetimes are
    refused on the way in: a naive local time is the classic off-by-hours bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
        value = value.astimezone(dt.timezone.utc)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC (use as a callable default)."""
    return dt.datetime.now(dt.timezone.utc)
