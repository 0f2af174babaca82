"""Pulled rows into the replica fast: wire values straight to SQLite parameters.

A bootstrap page holds up to 5,000 rows; decoding every value through
``codec.decode_value`` and then SQLAlchemy's bind processors, one compiled
statement per group, cost more than the database work itself. Here each
column gets one converter, built once from the same two steps (decode, then
the column type's bind processor for the replica's dialect) with fast paths
for the values the server always sends in canonical form (UUIDs, UTC
timestamps, dates, enums, decimals), and each table gets one ``executemany``
on the DBAPI connection of the caller's transaction. What lands in the file is
exactly what ``rows.upsert_wire_rows`` writes (a unit test compares them).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Boolean, Connection, Date, DateTime, Enum, Integer, Numeric, Table, Uuid
from sqlalchemy.engine import Dialect

from shared_models.sync.codec import SERVER_ONLY_COLUMNS, CodecError, decode_value

Converter = Callable[[Any], Any]

__all__ = ["column_converter", "insert_memberships", "upsert_rows_fast"]


def _generic(table: Table, name: str, dialect: Dialect) -> Converter | None:
    """decode_value, then the type's bind processor: the slow, always-right path."""
    bind = table.c[name].type._cached_bind_processor(dialect)

    def convert(value: Any) -> Any:
        decoded = decode_value(table, name, value)
        return bind(decoded) if bind is not None else decoded

    return convert


def _is_datetime(column_type: Any) -> bool:
    impl = getattr(column_type, "impl", column_type)
    if isinstance(impl, type):
        return issubclass(impl, DateTime)
    return isinstance(impl, DateTime)


@functools.lru_cache(maxsize=4096)
def _converter(table: Table, name: str, dialect: Dialect) -> Converter | None:
    if name not in table.c:
        raise CodecError(table.name, name, "unknown column")
    column_type = table.c[name].type
    generic = _generic(table, name, dialect)
    if isinstance(column_type, Uuid):
        probe = uuid.UUID(int=0x0123456789ABCDEF0123456789ABCDEF)
        if generic is not None and generic(str(probe)) == probe.hex:

            def to_hex(value: Any) -> Any:
                # PostgreSQL renders uuid::text canonical (36 chars, lowercase hex).
                if isinstance(value, str) and len(value) == 36:
                    return value.replace("-", "")
                return generic(value)

            return to_hex
        return generic
    if isinstance(column_type, Enum):
        table_map = {v: generic(v) for v in column_type.enums}

        def enum_value(value: Any) -> Any:
            try:
                return table_map[value]
            except (KeyError, TypeError):
                return generic(value)  # raises CodecError naming the column

        return enum_value
    if isinstance(column_type, Numeric) and not isinstance(column_type, Integer):
        if generic is not None and generic("1.25") == 1.25:  # SQLite stores REAL

            def to_float(value: Any) -> Any:
                if isinstance(value, str):
                    # float() rounds a decimal string exactly as float(Decimal(...)) does
                    # (both correctly rounded), at a fifth of the cost.
                    try:
                        return float(value)
                    except ValueError:
                        pass
                return generic(value)

            return to_float
        return generic
    if isinstance(column_type, Boolean):
        as_stored = {True: generic(True), False: generic(False)}

        def boolean(value: Any) -> Any:
            if value is True or value is False:
                return as_stored[value]
            return generic(value)  # raises CodecError naming the column

        return boolean
    if isinstance(column_type, Integer):
        if column_type._cached_bind_processor(dialect) is not None:
            return generic

        def integer(value: Any) -> Any:
            if type(value) is int:
                return value
            return generic(value)  # raises CodecError naming the column

        return integer
    if _is_datetime(column_type):
        sample = "2026-06-15T12:34:56.123456+00:00"
        if generic is not None and generic(sample) == "2026-06-15 12:34:56.123456":

            def utc_text(value: Any) -> Any:
                # The pull renders timestamps in UTC: "YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00".
                if isinstance(value, str) and value.endswith("+00:00") and value[10:11] == "T":
                    if len(value) == 32:
                        return f"{value[:10]} {value[11:26]}"
                    if len(value) == 25:
                        return f"{value[:10]} {value[11:19]}.000000"
                return generic(value)

            return utc_text
        return generic
    if isinstance(column_type, Date):
        if generic is not None and generic("2026-06-15") == "2026-06-15":

            def iso_date(value: Any) -> Any:
                if (
                    isinstance(value, str)
                    and len(value) == 10
                    and value[4] == "-"
                    and value[7] == "-"
                    and value[:4].isdigit()
                ):
                    return value
                return generic(value)

            return iso_date
        return generic
    if column_type._cached_bind_processor(dialect) is None and column_type.python_type is str:
        return None  # text: stored as sent
    return generic


def column_converter(table: Table, name: str, dialect: Dialect) -> Converter | None:
    """Wire value -> DBAPI parameter for ``table.name``; None means "as is"."""
    return _converter(table, name, dialect)


@functools.lru_cache(maxsize=1024)
def _upsert_sql(table: Table, columns: tuple[str, ...], filled: tuple[str, ...]) -> str:
    """Insert ``columns`` + ``filled`` (defaults); on conflict update only ``columns``."""
    names = ", ".join(f'"{c}"' for c in (*columns, *filled))
    marks = ", ".join("?" * (len(columns) + len(filled)))
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c != "id")
    return (
        f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}) ON CONFLICT ("id") DO UPDATE'
        f' SET {updates} WHERE excluded."version" >= "{table.name}"."version"'
    )


@functools.lru_cache(maxsize=1024)
def _defaults_for(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[tuple[str, ...], tuple[Callable[[], Any], ...]]:
    """Columns missing from ``columns`` that have a Python default, and makers of their
    bound values: what SQLAlchemy's INSERT adds for them (so the row is the same)."""
    names, makers = [], []
    for column in table.columns:
        default = column.default
        if column.name in columns or default is None:
            continue
        if not (default.is_scalar or default.is_callable):
            continue
        bind = column.type._cached_bind_processor(dialect)
        arg, is_callable = default.arg, bool(default.is_callable)

        def make(arg: Any = arg, is_callable: bool = is_callable, bind: Any = bind) -> Any:
            value = arg(None) if is_callable else arg
            return bind(value) if bind is not None and value is not None else value

        names.append(column.name)
        makers.append(make)
    return tuple(names), tuple(makers)


def upsert_rows_fast(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """``rows.upsert_wire_rows`` semantics (older versions never overwrite newer), batched."""
    if not rows:
        return 0
    hidden = SERVER_ONLY_COLUMNS.get(table.name, frozenset())
    dialect = conn.dialect
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        for columns, batch in groups.items():
            for name in columns:
                if name in hidden:
                    raise CodecError(table.name, name, "not writable by clients")
            converters = [column_converter(table, c, dialect) for c in columns]
            plan = [(i, f) for i, f in enumerate(converters) if f is not None]
            filled, makers = _defaults_for(table, columns, dialect)
            # Converted row by row as SQLite takes them: a page's worth of parameter
            # lists held at once was tens of megabytes on top of the page itself.
            cursor.executemany(
                _upsert_sql(table, columns, filled), _parameters(batch, plan, makers)
            )
    finally:
        cursor.close()
    return len(rows)


def _parameters(
    batch: Iterable[Mapping[str, Any]],
    plan: Sequence[tuple[int, Converter]],
    makers: Sequence[Callable[[], Any]],
) -> Iterator[list[Any]]:
    for row in batch:
        values = list(row.values())
        for i, f in plan:
            v = values[i]
            if v is not None:
                values[i] = f(v)
        if makers:
            values.extend(make() for make in makers)
        yield values


def insert_memberships(conn: Connection, members: Iterable[tuple[str, str, str]]) -> None:
    """``(bucket, table, row_id)`` rows into ``row_bucket``; existing ones are kept."""
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.executemany(
            "INSERT OR IGNORE INTO row_bucket (bucket, table_name, row_id) VALUES (?, ?, ?)",
            members if isinstance(members, list) else list(members),
        )
    finally:
        cursor.close()
