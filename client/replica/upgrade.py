"""Bring a replica written by an older app up to this app's schema, in place, keeping its data.

A field laptop updated overnight opens yesterday's replica: its outbox must
survive, and pulled rows must fit the new tables (a widened CHECK, a new
column, a leaner membership table). Rather than one hand-written step per
change, every table whose stored ``CREATE TABLE`` differs from what this
app's metadata compiles to is rebuilt the way SQLite documents for schema
changes (create the new table, copy the common columns, drop the old one,
rename), then its indexes are created. It all runs in one transaction with
foreign keys off: a crash leaves the old replica as it was.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import Connection, Table, text
from sqlalchemy.schema import CreateTable

from client.replica import schema
from shared_models.models import synced_tables

log = logging.getLogger(__name__)

__all__ = ["replica_tables", "upgrade_replica"]


def replica_tables() -> list[Table]:
    """Every table a replica holds: synced rows, then the local sync state."""
    return [*synced_tables(), *schema.local_metadata.sorted_tables]


def _normalise(sql: str | None) -> str:
    """Whitespace-insensitive, and blind to the quotes a rename puts around the name."""
    flat = " ".join((sql or "").split())
    return re.sub(r'^CREATE TABLE "([^"]+)"', r"CREATE TABLE \1", flat)


def _stored(conn: Connection) -> dict[str, str]:
    rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    return {name: sql for name, sql in rows}


def _rebuild(conn: Connection, table: Table, stored_sql: str) -> None:
    old_columns = [row[1] for row in conn.execute(text(f'PRAGMA table_info("{table.name}")'))]
    common = [c.name for c in table.columns if c.name in old_columns]
    staging = f"_upgrade_{table.name}"
    create = str(CreateTable(table).compile(dialect=conn.dialect))
    staged, found = re.subn(
        rf'^\s*CREATE TABLE (?:"{table.name}"|{table.name}) ', f'CREATE TABLE "{staging}" ', create
    )
    if found != 1:
        raise RuntimeError(f"replica upgrade: cannot stage {table.name}: {create[:80]!r}")
    conn.execute(text(staged))
    names = ", ".join(f'"{c}"' for c in common)
    conn.execute(text(f'INSERT INTO "{staging}" ({names}) SELECT {names} FROM "{table.name}"'))
    conn.execute(text(f'DROP TABLE "{table.name}"'))
    conn.execute(text(f'ALTER TABLE "{staging}" RENAME TO "{table.name}"'))
    for index in table.indexes:
        index.create(conn, checkfirst=True)
    log.info(
        "replica upgrade: rebuilt table %s (%d columns kept)",
        table.name,
        len(common),
        extra={"was": _normalise(stored_sql)[:200]},
    )


def upgrade_replica(conn: Connection) -> list[str]:
    """Create missing tables and rebuild changed ones; returns the names rebuilt or created.

    Call inside a transaction with foreign keys off (``PRAGMA foreign_keys`` is
    ignored inside a transaction, so the caller switches it before BEGIN).
    """
    stored = _stored(conn)
    changed: list[str] = []
    for table in replica_tables():
        expected = str(CreateTable(table).compile(dialect=conn.dialect))
        if table.name not in stored:
            table.create(conn)
            changed.append(table.name)
        elif _normalise(stored[table.name]) != _normalise(expected):
            _rebuild(conn, table, stored[table.name])
            changed.append(table.name)
    return changed
