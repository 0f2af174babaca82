"""Rows leaving the replica: dropped buckets, removed memberships, DESIGN 6.7 evictions.

A row is dropped only when no bucket holds it any more. If it still has
unsynced edits it is parked in ``pending_eviction`` instead: the edits are
pushed first (whatever the server refuses becomes a SyncRejection), and only
then is the row deleted.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from client.replica.schema import pending_eviction, row_bucket
from client.sync import outbox, rejections
from client.sync.db import table_for
from client.sync.rows import delete_row


def is_member(conn: Connection, table: str, row_id: str) -> bool:
    stmt = (
        select(row_bucket.c.bucket)
        .where(row_bucket.c.table_name == table, row_bucket.c.row_id == row_id)
        .limit(1)
    )
    return conn.execute(stmt).first() is not None


def bucket_rows(conn: Connection, bucket: str) -> list[tuple[str, str]]:
    stmt = select(row_bucket.c.table_name, row_bucket.c.row_id).where(row_bucket.c.bucket == bucket)
    return [(t, r) for t, r in conn.execute(stmt)]


def drop_bucket_membership(conn: Connection, bucket: str) -> list[tuple[str, str]]:
    """Forget every membership of ``bucket``; returns the rows that may now be orphans."""
    rows = bucket_rows(conn, bucket)
    conn.execute(delete(row_bucket).where(row_bucket.c.bucket == bucket))
    return rows


def release_rows(conn: Connection, keys: Iterable[tuple[str, str]]) -> tuple[int, int]:
    """Delete rows no bucket holds any more, or park them if edits are pending.

    Returns ``(deleted, parked)``.
    """
    deleted = parked = 0
    for table, row_id in set(keys):
        if is_member(conn, table, row_id):
            continue
        if outbox.has_pending(conn, table, row_id):
            stmt = sqlite_insert(pending_eviction).values(table_name=table, row_id=row_id)
            conn.execute(stmt.on_conflict_do_nothing())
            parked += 1
            continue
        try:
            delete_row(conn, table_for(table), row_id)
        except KeyError:
            pass  # a table this client does not know: nothing stored
        rejections.label_scope_exit(conn, table, row_id)
        deleted += 1
    return deleted, parked


def is_parked(conn: Connection, table: str, row_id: str) -> bool:
    stmt = select(pending_eviction.c.row_id).where(
        pending_eviction.c.table_name == table, pending_eviction.c.row_id == row_id
    )
    return conn.execute(stmt).first() is not None


def parked_count(conn: Connection) -> int:
    return len(conn.execute(select(pending_eviction.c.row_id)).all())


def evict_ready(conn: Connection) -> int:
    """Drop parked rows whose edits have all been pushed (or that came back into scope)."""
    evicted = 0
    for table, row_id in conn.execute(select(pending_eviction)).all():
        if outbox.has_pending(conn, table, row_id):
            continue
        conn.execute(
            delete(pending_eviction).where(
                pending_eviction.c.table_name == table, pending_eviction.c.row_id == row_id
            )
        )
        if not is_member(conn, table, row_id):
            delete_row(conn, table_for(table), row_id)
            evicted += 1
    return evicted
