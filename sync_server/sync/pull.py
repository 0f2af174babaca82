"""Paged pull (DESIGN 5): membership entries past each cursor, with row data, as JSON.

Row data is rendered to JSON by PostgreSQL (``row_to_json`` with decimals cast
to text and timestamps in UTC), so a 5,000-row page costs one query per table
and string joins here: no ORM objects, no per-value Python encoding. The
output decodes with ``shared_models.sync.codec`` exactly like ``encode_row``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache

from sqlalchemy import Integer, Numeric, text
from sqlalchemy.orm import Session

from shared_models.sync.codec import synced_table, wire_columns
from shared_models.sync.shapes import unknown_columns, unknown_tables
from shared_models.sync.wire import PULL_PAGE_BYTES, SCHEMA_VERSION

__all__ = ["PullPage", "pull_page", "row_json_sql"]

_CHANGED_BUCKETS = text(
    "SELECT q.b FROM unnest(CAST(:buckets AS varchar[]), CAST(:cursors AS bigint[])) AS q(b, c)"
    " WHERE EXISTS (SELECT 1 FROM bucket_membership m WHERE m.bucket = q.b AND m.version > q.c)"
)
#: The versions (and tables) past a cursor, as one row of arrays: cheap to fetch.
_VERSIONS = text(
    "SELECT coalesce(array_agg(version ORDER BY version), '{}'),"
    " coalesce(array_agg(DISTINCT table_name), '{}') FROM ("
    " SELECT version, table_name FROM bucket_membership"
    " WHERE bucket = :bucket AND version > :cursor ORDER BY version LIMIT :n) s"
)
#: The tables and size of one version's entries, when it alone overflows a page.
_GROUP = text(
    "SELECT coalesce(array_agg(DISTINCT table_name), '{}'), count(*) FROM bucket_membership"
    " WHERE bucket = :bucket AND version = :version"
)
#: The page's entries are exactly those in each bucket's range (cursor, new cursor].
_RANGES = (
    " JOIN unnest(CAST(:rb AS varchar[]), CAST(:rlo AS bigint[]), CAST(:rhi AS bigint[]))"
    " AS q(b, lo, hi) ON e.bucket = q.b AND e.version > q.lo AND e.version <= q.hi"
)
_CHANGE_HEAD = (
    'concat(\'{"bucket":\', to_json(e.bucket)::text, \',"table":"\', e.table_name,'
    ' \'","id":"\', e.row_id::text, \'","version":\', e.version::text, \',"removed":\','
)
_REMOVED = text(
    f"SELECT string_agg({_CHANGE_HEAD} 'true,\"data\":', 'null}}'), ','), count(*)"
    f" FROM bucket_membership e {_RANGES}"
    " WHERE e.removed AND e.table_name <> ALL(CAST(:hidden AS varchar[]))"
)


@dataclass
class PullPage:
    """One response page: changes as ready JSON fragments (comma-joined objects), cursors."""

    changes: list[str] = field(default_factory=list)
    cursors: dict[str, int] = field(default_factory=dict)
    has_more: bool = False

    def to_json(self, buckets: Sequence[str]) -> bytes:
        # One join: a bootstrap page is ~5 MB, and each ``+`` would copy all of it.
        return "".join(
            (
                '{"changes":[',
                ",".join(self.changes),
                '],"cursors":',
                json.dumps(self.cursors),
                ',"has_more":',
                "true" if self.has_more else "false",
                ',"buckets":',
                json.dumps(list(buckets)),
                "}",
            )
        ).encode()


def _is_decimal(column_type: object) -> bool:
    impl = getattr(column_type, "impl", column_type)
    return isinstance(impl, Numeric) and not isinstance(impl, Integer)


@cache
def row_json_sql(table_name: str, schema: int = SCHEMA_VERSION) -> str:
    """The page's live changes of one table as one JSON text (comma-joined objects), and a count.

    Decimals are cast to text and secrets left out, and so are columns a client
    of ``schema`` does not know (``shapes``); an entry whose row is gone from
    the table comes as removed, so the replica drops it.
    """
    table = synced_table(table_name)
    unknown = unknown_columns(schema).get(table_name, frozenset())
    parts = []
    for name in (c for c in wire_columns(table) if c not in unknown):
        column = f'x."{name}"'
        parts.append(f'{column}::text AS "{name}"' if _is_decimal(table.c[name].type) else column)
    data = (
        "CASE WHEN x.id IS NULL THEN concat('true,\"data\":', 'null}')"
        " ELSE concat('false,\"data\":', row_to_json(r)::text, '}') END"
    )
    return (
        f"SELECT string_agg({_CHANGE_HEAD} {data}), ','), count(*)"
        f" FROM bucket_membership e {_RANGES}"
        f' LEFT JOIN "{table_name}" x ON x.id = e.row_id'
        f" LEFT JOIN LATERAL (SELECT {', '.join(parts)}) r ON x.id IS NOT NULL"
        f" WHERE e.table_name = '{table_name}' AND NOT e.removed"
    )


def _next_cursor(
    session: Session, bucket: str, cursor: int, room: int, *, overflow: bool
) -> tuple[int, list[str], int, bool]:
    """``(new cursor, tables, entries, more)`` for up to ``room`` entries past ``cursor``.

    One version is never split across pages (the cursor would skip its rest); a
    single version with more entries than ``room`` comes whole when ``overflow``
    (the page is still empty), else waits for the next page.
    """
    versions, tables = session.execute(
        _VERSIONS, {"bucket": bucket, "cursor": cursor, "n": room + 1}
    ).one()
    if len(versions) <= room:
        return (versions[-1] if versions else cursor), tables, len(versions), False
    last = versions[room - 1]
    if versions[room] != last:
        return last, tables, room, True
    kept = sum(1 for v in versions[:room] if v != last)
    if kept:
        return versions[kept - 1], tables, kept, True
    if not overflow:
        return cursor, [], 0, True
    at = session.execute(_GROUP, {"bucket": bucket, "version": last}).one()
    return last, at[0], at[1], True


#: Columns holding photos and signatures (base64 inside JSON or text): the only ones
#: whose size matters next to a page's row count (DESIGN 9: memory must not grow
#: with what a bucket holds).
HEAVY_COLUMNS: Mapping[str, str] = {
    "journey_event": "payload",
    "equipment_check": "signature",
    "quote": "signature",
}


@cache
def _heavy_sql(table_name: str) -> str:
    # One primary-key probe per entry of the range. As a join, PostgreSQL hashed the
    # whole table instead (a sequential scan of every quote for each page pulled).
    column = HEAVY_COLUMNS[table_name]
    size = f'(SELECT pg_column_size(x."{column}") FROM "{table_name}" x WHERE x.id = e.row_id)'
    return (
        f"SELECT coalesce(sum({size}), 0) FROM bucket_membership e WHERE e.bucket = :bucket"
        " AND e.version > :lo AND e.version <= :hi AND e.table_name = :table AND NOT e.removed"
    )


def _heavy_bytes(session: Session, bucket: str, lo: int, hi: int, tables: Sequence[str]) -> int:
    """Stored bytes of the photo and signature columns among ``bucket``'s entries (lo, hi]."""
    total = 0
    for table in sorted(set(tables) & HEAVY_COLUMNS.keys()):
        params = {"bucket": bucket, "lo": lo, "hi": hi, "table": table}
        total += int(session.execute(text(_heavy_sql(table)), params).scalar_one())
    return total


def _bucket_order(name: str) -> tuple[int, str]:
    return (0 if name.startswith("tenant_ref:") else 1, name)


def pull_page(
    session: Session,
    cursors: Mapping[str, int],
    limit: int,
    max_bytes: int = PULL_PAGE_BYTES,
    *,
    schema: int = SCHEMA_VERSION,
) -> PullPage:
    """At most about ``limit`` changes across ``cursors``' buckets (already authorised), and
    about ``max_bytes`` of photos and signatures (a single larger version comes alone),
    shaped for a client of wire ``schema``: tables it lacks are left out (it pulls them
    again once upgraded), and so are columns it lacks.

    Starts its own transaction (one snapshot for the page): call it with none open.
    """
    # One round trip for both (a no-op pull is a handful of round trips in all).
    session.connection().exec_driver_sql(
        "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL TimeZone = 'UTC'"
    )
    page = PullPage(cursors={b: int(c) for b, c in cursors.items()})
    names = sorted(cursors, key=_bucket_order)
    if not names:
        return page
    changed = set(
        session.scalars(
            _CHANGED_BUCKETS, {"buckets": names, "cursors": [int(cursors[b]) for b in names]}
        )
    )
    ranges: dict[str, list] = {"rb": [], "rlo": [], "rhi": []}
    tables: set[str] = set()
    picked = 0
    budget = max_bytes
    for name in (b for b in names if b in changed):
        room = limit - picked
        if room <= 0 or budget <= 0:
            page.has_more = True
            break
        low = page.cursors[name]
        high, found, count, more = _next_cursor(session, name, low, room, overflow=not picked)
        heavy = _heavy_bytes(session, name, low, high, found) if high > low else 0
        while heavy > budget and count > 1:
            # Photos: take half as many entries until they fit (a single version comes
            # whole, so an oversized one still moves the cursor, alone on its page).
            shrunk = _next_cursor(session, name, low, max(1, count // 2), overflow=not picked)
            if shrunk[2] >= count:
                break
            high, found, count, more = shrunk
            more = True
            heavy = _heavy_bytes(session, name, low, high, found) if high > low else 0
        if picked and heavy > budget:
            page.has_more = True
            break
        budget -= heavy
        page.has_more |= more
        if high > low:
            picked += count
            tables.update(found)
            page.cursors[name] = high
            ranges["rb"].append(name)
            ranges["rlo"].append(low)
            ranges["rhi"].append(high)
    if not ranges["rb"]:
        return page
    hidden = unknown_tables(schema)
    ranges["hidden"] = sorted(hidden)
    shown = sorted(tables - hidden)
    for statement in (_REMOVED, *(text(row_json_sql(t, schema)) for t in shown)):
        body, _count = session.execute(statement, ranges).one()
        if body:
            page.changes.append(body)
    return page
