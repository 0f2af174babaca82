"""The fast pull apply (``client.sync.apply``) writes exactly what ``rows.upsert_wire_rows`` writes."""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Integer,
    Numeric,
    String,
    Text,
    Time,
    Uuid,
)
from sqlalchemy.exc import IntegrityError

from client.replica import LocalStore, new_replica_key
from client.sync.apply import upsert_rows_fast
from client.sync.db import ensure_sync_schema, replica_tx, table_for
from client.sync.rows import upsert_wire_rows
from shared_models.models import synced_tables
from shared_models.sync.codec import CodecError, encode_row


def _sample(column: Any, n: int) -> Any:
    kind = column.type
    impl = getattr(kind, "impl", kind)
    impl = impl() if isinstance(impl, type) else impl
    if column.name == "id":
        return uuid.UUID(int=n * 7919 + 1)
    if isinstance(impl, Uuid):
        return uuid.UUID(int=n * 104729 + 3)
    if isinstance(impl, Enum):
        members = list(kind.enum_class) if kind.enum_class else kind.enums
        member = members[n % len(members)]
        return member.value if isinstance(member, enum.Enum) else member
    if isinstance(impl, Boolean):
        return n % 2 == 0
    if isinstance(impl, Integer):
        return n + 1
    if isinstance(impl, Numeric):
        return Decimal("12.5") + n
    if isinstance(impl, DateTime):
        micro = 0 if n % 2 else 123456  # both renderings: with and without a fraction
        return dt.datetime(2026, 6, 15, 12, 34, 56, micro, tzinfo=dt.UTC) + dt.timedelta(hours=n)
    if isinstance(impl, Date):
        return dt.date(2026, 6, 15) + dt.timedelta(days=n)
    if isinstance(impl, Time):
        return dt.time(8, 30)
    if isinstance(impl, JSON):
        return {"b": [1, 2], "a": f"x{n}"}
    if isinstance(impl, String | Text):
        length = getattr(impl, "length", None) or 20
        return f"v{n}"[:length]
    return None


def _open(path: Path) -> LocalStore:
    store = LocalStore.open(path, new_replica_key(), create=True)
    ensure_sync_schema(store)
    return store


def _dump(store: LocalStore, table: str) -> list[tuple[Any, ...]]:
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        return list(raw.execute(f'SELECT * FROM "{table}" ORDER BY id'))


@pytest.mark.parametrize("table", [t.name for t in synced_tables()])
def test_fast_apply_stores_what_the_orm_path_stores(tmp_path: Path, table: str) -> None:
    t = table_for(table)
    rows = []
    for n in range(3):
        values = {c.name: _sample(c, n) for c in t.columns}
        if n == 2:  # a sparse row: columns with a Python default left out (filled in)
            values = {
                k: v for k, v in values.items() if t.c[k].default is None or k in ("id", "version")
            }
        try:
            wire = encode_row(t, values)
        except TypeError:
            pytest.skip(f"{table}: no sample for a column type")
        if n == 2:
            wire = {k: v for k, v in wire.items() if k in values}
        rows.append(wire)
    slow, fast = _open(tmp_path / "slow.db"), _open(tmp_path / "fast.db")
    try:
        try:
            with replica_tx(slow) as conn:
                upsert_wire_rows(conn, t, rows)
        except (IntegrityError, CodecError):
            pytest.skip(f"{table}: the samples break a constraint")
        with replica_tx(fast) as conn:
            upsert_rows_fast(conn, t, rows)
        before = _dump(slow, table)
        after = _dump(fast, table)
        assert len(before) == len(after) == 3
        # Callable defaults (fresh ids, now()) differ by nature; the rest must be identical.
        volatile = {
            i
            for i, c in enumerate(t.columns)
            if c.default is not None and c.default.is_callable and c.name not in rows[2]
        }

        def stable(rows: list[tuple[Any, ...]]) -> list[list[Any]]:
            return [[v for i, v in enumerate(r) if i not in volatile] for r in rows]

        assert stable(before) == stable(after)
        # An older version never overwrites a newer one; a newer one does.
        older = {**rows[0], "version": 0, "last_name": "old"} if "last_name" in rows[0] else None
        if older is not None:
            newer = {**rows[0], "version": 99}
            for store in (slow, fast):
                with replica_tx(store) as conn:
                    writer = upsert_wire_rows if store is slow else upsert_rows_fast
                    writer(conn, t, [older])
                    writer(conn, t, [newer])
            assert stable(_dump(slow, table)) == stable(_dump(fast, table))
    finally:
        slow.close()
        fast.close()


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=None, min_value=-(10**15))
    .filter(lambda d: abs(d) < 10**15)
    .map(str)
)
def test_a_decimal_string_becomes_the_float_the_decimal_path_gives(text: str) -> None:
    from sqlalchemy.dialects import sqlite

    from client.sync.apply import column_converter
    from shared_models.sync.codec import decode_value

    table = table_for("quote")
    convert = column_converter(table, "total", sqlite.dialect())
    assert convert is not None
    bind = table.c["total"].type._cached_bind_processor(sqlite.dialect())
    assert convert(text) == bind(decode_value(table, "total", text))


def test_a_decimal_that_is_not_a_number_is_refused_naming_the_column() -> None:
    from sqlalchemy.dialects import sqlite

    from client.sync.apply import column_converter

    convert = column_converter(table_for("quote"), "total", sqlite.dialect())
    assert convert is not None
    with pytest.raises(CodecError, match="quote.total"):
        convert("12,50")
