"""Local-only tables of the replica: never synced, never in ``shared_models``.

They have their own ``MetaData`` so the server's Alembic history never sees
them. The sync work adds its outbox, cursors and rejections here.
"""
from __future__ import annotations

from sqlalchemy import Column, MetaData, String, Table, Text

#: Bump when the replica's tables change; a store refuses replicas newer than this.
REPLICA_SCHEMA_VERSION = 1

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
