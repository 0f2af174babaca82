"""Local-only tables of the replica: never synced, never in ``shared_models``.

They have their own ``MetaData`` so the server's Alembic history never sees
them. The sync work adds its outbox, cursors and rejections here.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text

#: Bump when the replica's tables change (synced or local): an older replica is upgraded in
#: place on open (client/replica/upgrade.py); a newer one is refused.
#: 2: membership keyed by row, WITHOUT ROWID; invoice balance and conflict-kind CHECKs.
#: 3: purchase order dates and supplier on stock movements; engine-hour service plans.
REPLICA_SCHEMA_VERSION = 3

local_metadata = MetaData()

#: Small facts about the replica itself: schema version, whose data it holds.
replica_meta = Table(
    "replica_meta",
    local_metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

META_SCHEMA_VERSION = "schema_version"
META_SERVER_URL = "server_url"
META_USER_ID = "user_id"
META_CREATED_AT = "created_at"

# --- Sync state (client/sync). Upload queue and download state are separate
# tables (PowerSync): the outbox only ever grows by local writes and shrinks by
# acknowledgements; cursors and membership only change with pulled pages.

#: Local mutations not yet acknowledged by the server, in ``mutation_id`` order.
outbox = Table(
    "outbox",
    local_metadata,
    Column("mutation_id", Integer, primary_key=True, autoincrement=False),
    Column("table_name", String(64), nullable=False),
    Column("op", String(8), nullable=False),
    Column("row_id", String(36), nullable=False),
    Column("base_version", Integer, nullable=True),
    Column("base", Text, nullable=False),
    Column("changes", Text, nullable=False),
    Column("hlc", String(64), nullable=False),
    Column("created_at", String(40), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text, nullable=True),
    Index("ix_outbox_row", "table_name", "row_id"),
)

#: Per-bucket download cursor: the last server version this replica holds of it.
bucket_state = Table(
    "bucket_state",
    local_metadata,
    Column("bucket", String(200), primary_key=True),
    Column("cursor", Integer, nullable=False, default=0),
)

#: Membership the server sent: which bucket holds which row (purges and checksums).
#: Keyed by row first and WITHOUT ROWID: one B-tree instead of three, so a bootstrap
#: writes membership at a third of the cost; "is this row still held?" is a key prefix.
row_bucket = Table(
    "row_bucket",
    local_metadata,
    Column("table_name", String(64), primary_key=True),
    Column("row_id", String(36), primary_key=True),
    Column("bucket", String(200), primary_key=True),
    sqlite_with_rowid=False,
)

#: Rows that left every bucket while they had pending edits (DESIGN 6.7):
#: kept until those edits were pushed, then dropped.
pending_eviction = Table(
    "pending_eviction",
    local_metadata,
    Column("table_name", String(64), primary_key=True),
    Column("row_id", String(36), primary_key=True),
)

#: DESIGN's SyncRejection: a refused local change, kept for "edit and retry" or "discard".
sync_rejection = Table(
    "sync_rejection",
    local_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("mutation_id", Integer, nullable=False),
    Column("table_name", String(64), nullable=False),
    Column("op", String(8), nullable=False),
    Column("row_id", String(36), nullable=False),
    Column("base_version", Integer, nullable=True),
    Column("base", Text, nullable=False),
    Column("changes", Text, nullable=False),
    Column("hlc", String(64), nullable=False),
    Column("reason", String(64), nullable=False),
    Column("message", Text, nullable=True),
    Column("server_row", Text, nullable=True),
    Column("created_at", String(40), nullable=False),
    Column("resolved_at", String(40), nullable=True),
    Column("resolution", String(16), nullable=True),
)

#: Sync facts: device id, next mutation id, last sync, last error, session.
sync_meta = Table(
    "sync_meta",
    local_metadata,
    Column("name", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
