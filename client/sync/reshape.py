"""After an app upgrade, pull again what the old app could not hold (``shared_models.sync.shapes``).

The server sends each app only the tables and columns its wire schema knows.
Rows pulled by the old app therefore lack the columns added since, and the
cursors have moved past them: without a new pull those columns would stay
empty until each row next changed. So when the app's wire schema is newer
than the one the replica was filled with, the buckets holding changed tables
start again from cursor 0. Their rows stay in place and are overwritten by
the same versions with every column (an equal version wins on the client);
the outbox and every other bucket are untouched.
"""

from __future__ import annotations

import logging
import weakref

from sqlalchemy import Connection, select, update

from client.replica.schema import bucket_state
from client.replica.store import LocalStore
from client.sync.db import get_meta, replica_tx, set_meta
from shared_models.sync.buckets import BUCKET_TABLES, parse_bucket
from shared_models.sync.shapes import changed_since
from shared_models.sync.wire import SCHEMA_VERSION

log = logging.getLogger(__name__)

#: sync_meta entry: the wire schema the replica's rows were pulled in.
META_WIRE_SCHEMA = "wire_schema"
#: What a replica filled before the entry existed was pulled in.
FIRST_SCHEMA = 1

__all__ = ["META_WIRE_SCHEMA", "pull_again_after_upgrade", "stale_buckets"]

#: Replicas already brought to a schema in this process: a no-op sync skips the check.
_checked: weakref.WeakKeyDictionary[LocalStore, int] = weakref.WeakKeyDictionary()


def _filled_schema(conn: Connection) -> int | None:
    """The wire schema of the replica's rows; None for a replica with nothing pulled yet."""
    stored = get_meta(conn, META_WIRE_SCHEMA)
    if stored is not None:
        return int(stored)
    pulled = conn.execute(select(bucket_state.c.cursor).where(bucket_state.c.cursor > 0).limit(1))
    return FIRST_SCHEMA if pulled.first() is not None else None


def stale_buckets(conn: Connection, schema: int) -> list[str]:
    """Buckets already pulled that hold a table changed since ``schema``."""
    changed = changed_since(schema)
    out = []
    for (name,) in conn.execute(select(bucket_state.c.bucket).where(bucket_state.c.cursor > 0)):
        try:
            kind, _ = parse_bucket(name)
        except ValueError:
            continue
        if changed.intersection(BUCKET_TABLES.get(kind, ())):
            out.append(name)
    return sorted(out)


def pull_again_after_upgrade(store: LocalStore) -> list[str]:
    """Rewind the buckets the old app pulled incompletely; returns their names."""
    if _checked.get(store) == SCHEMA_VERSION:
        return []
    with store.engine.connect() as conn:
        filled = _filled_schema(conn)
    if filled is not None and filled >= SCHEMA_VERSION:
        _checked[store] = SCHEMA_VERSION
        return []
    with replica_tx(store) as conn:
        filled = _filled_schema(conn)
        stale = stale_buckets(conn, filled) if filled is not None else []
        if stale:
            conn.execute(
                update(bucket_state).where(bucket_state.c.bucket.in_(stale)).values(cursor=0)
            )
        if filled is None or filled < SCHEMA_VERSION:
            set_meta(conn, META_WIRE_SCHEMA, str(SCHEMA_VERSION))
    _checked[store] = SCHEMA_VERSION
    if stale:
        log.info(
            "replica pulled in an older wire schema: buckets start again",
            extra={"from_schema": filled, "to_schema": SCHEMA_VERSION, "buckets": stale},
        )
    return stale
