"""Synced rows in the replica, written through Core on ``shared_models`` tables.

Everything here runs inside a caller's transaction (``db.replica_tx``): the
caller decides what must commit together.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from client.sync.db import table_for
from shared_models.sync.codec import decode_row, encode_row


def as_uuid(value: uuid.UUID | str) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def read_row(conn: Connection, table: Table, row_id: uuid.UUID | str) -> dict[str, Any] | None:
    """The row as Python values, or None."""
    row = conn.execute(select(table).where(table.c.id == as_uuid(row_id))).mappings().first()
    return None if row is None else dict(row)


def read_wire_row(conn: Connection, table: Table, row_id: uuid.UUID | str) -> dict[str, Any] | None:
    row = read_row(conn, table, row_id)
    return None if row is None else encode_row(table, row)


def upsert_wire_rows(conn: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update server rows; an older version never overwrites a newer one.

    ON CONFLICT DO UPDATE (not REPLACE) so update triggers, e.g. the FTS
    index's, see an update rather than a silent delete.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for data in rows:
        decoded = decode_row(table, data)
        groups[tuple(sorted(decoded))].append(decoded)
    count = 0
    for keys, batch in groups.items():
        stmt = sqlite_insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={k: stmt.excluded[k] for k in keys if k != "id"},
            where=stmt.excluded.version >= table.c.version,
        )
        conn.execute(stmt, batch)
        count += len(batch)
    return count


def delete_row(conn: Connection, table: Table, row_id: uuid.UUID | str) -> None:
    """Remove a row from the replica (purge; the server keeps it)."""
    conn.execute(delete(table).where(table.c.id == as_uuid(row_id)))


def apply_local_change(
    conn: Connection, table_name: str, op: str, row_id: str, changes: Mapping[str, Any]
) -> None:
    """Re-apply one outbox mutation on the current local row (rebase and replay)."""
    table = table_for(table_name)
    if op == "delete":
        conn.execute(
            update(table)
            .where(table.c.id == as_uuid(row_id), table.c.deleted_at.is_(None))
            .values(deleted_at=dt.datetime.now(dt.UTC))
        )
        return
    values = decode_row(table, changes)
    existing = read_row(conn, table, row_id)
    if existing is None:
        if op == "insert":
            conn.execute(table.insert().values(id=as_uuid(row_id), **values))
        return  # an update of a row we no longer hold: nothing to show
    if values:
        conn.execute(update(table).where(table.c.id == as_uuid(row_id)).values(**values))


def outbox_changes(raw: str) -> dict[str, Any]:
    return dict(json.loads(raw))
