"""Replica transactions for sync and local writes, and the small ``sync_meta`` facts.

Foreign keys are switched off inside these transactions: the replica is a
partial, eventually consistent copy (a pulled quote may arrive before its
customer, a row may point at one outside the user's scope), and referential
integrity is the server's job. CHECK and NOT NULL constraints stay on.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Table, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from client.replica import schema
from client.replica.database import WRITE_INTENT
from client.replica.store import LocalStore
from shared_models.sync.codec import synced_table

# sync_meta names
META_DEVICE_ID = "device_id"
META_NEXT_MUTATION_ID = "next_mutation_id"
META_LAST_SYNC_AT = "last_sync_at"
META_LAST_ERROR = "last_error"
META_NEEDS_SIGN_IN = "needs_sign_in"
META_HLC = "hlc"


def utcnow_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def ensure_sync_schema(store: LocalStore) -> None:
    """Create the local sync tables on replicas made before they existed (idempotent)."""
    with store.engine.begin() as conn:
        schema.local_metadata.create_all(conn, checkfirst=True)


@contextlib.contextmanager
def replica_tx(store: LocalStore) -> Iterator[Connection]:
    """One replica *write* transaction with foreign keys off (taking the write lock at once);
    commits on success, rolls back on error."""
    with store.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        # Must run outside a transaction: SQLite ignores this PRAGMA inside one.
        raw.execute("PRAGMA foreign_keys = OFF")
        conn = conn.execution_options(**{WRITE_INTENT: True})  # BEGIN IMMEDIATE
        try:
            with conn.begin():
                yield conn
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


@functools.cache
def table_for(name: str) -> Table:
    """The synced table called ``name`` on the wire (KeyError if unknown)."""
    return synced_table(name)


def get_meta(conn: Connection, name: str) -> str | None:
    row = conn.execute(
        select(schema.sync_meta.c.value).where(schema.sync_meta.c.name == name)
    ).first()
    return None if row is None else row[0]


def set_meta(conn: Connection, name: str, value: str | None) -> None:
    if value is None:
        conn.execute(delete(schema.sync_meta).where(schema.sync_meta.c.name == name))
        return
    stmt = sqlite_insert(schema.sync_meta).values(name=name, value=value)
    conn.execute(stmt.on_conflict_do_update(index_elements=["name"], set_={"value": value}))


def read_meta(store: LocalStore, name: str) -> str | None:
    with store.engine.connect() as conn:
        return get_meta(conn, name)


def write_meta(store: LocalStore, name: str, value: str | None) -> None:
    with store.engine.begin() as conn:
        set_meta(conn, name, value)


def dumps(value: Any) -> str:
    """Compact, stable JSON for outbox and rejection columns."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
