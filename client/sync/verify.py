"""Integrity check (DESIGN 4): per-bucket ``(count, digest)`` here and on the server.

A mismatch is never left as silent drift: the bucket is reset to cursor 0,
its rows released (pending edits kept), and pulled again.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Connection, select

from client.replica.schema import row_bucket
from client.sync import outbox
from client.sync.db import replica_tx, table_for
from client.sync.engine import SyncEngine
from client.sync.pull import cursors, reset_bucket
from shared_models.sync.checksum import bucket_digest


@dataclass(frozen=True)
class BucketCheck:
    bucket: str
    local_count: int
    local_digest: int
    server_count: int
    server_digest: int

    @property
    def ok(self) -> bool:
        return (self.local_count, self.local_digest) == (self.server_count, self.server_digest)


def local_checksums(conn: Connection, buckets: list[str]) -> dict[str, tuple[int, int]]:
    """``(count, digest)`` over each bucket's live rows as the server last sent them.

    A row deleted locally but not yet pushed still counts: the server holds it live.
    """
    members: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    stmt = select(row_bucket.c.bucket, row_bucket.c.table_name, row_bucket.c.row_id).where(
        row_bucket.c.bucket.in_(buckets)
    )
    for bucket, table, row_id in conn.execute(stmt):
        members[bucket][table].append(row_id)
    pending_deletes = {(m.table, m.row_id) for m in outbox.pending(conn) if m.op == "delete"}
    versions: dict[str, dict[str, int]] = {}
    result: dict[str, tuple[int, int]] = {}
    for bucket in buckets:
        rows: list[tuple[str, str, int]] = []
        for table, ids in members[bucket].items():
            if table not in versions:
                versions[table] = _live_versions(conn, table, pending_deletes)
            rows.extend((table, rid, versions[table][rid]) for rid in ids if rid in versions[table])
        result[bucket] = bucket_digest(rows)
    return result


def _live_versions(
    conn: Connection, table_name: str, pending_deletes: set[tuple[str, str]]
) -> dict[str, int]:
    try:
        table = table_for(table_name)
    except KeyError:
        return {}
    out: dict[str, int] = {}
    for row_id, version, deleted_at in conn.execute(
        select(table.c.id, table.c.version, table.c.deleted_at)
    ):
        key = str(row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(str(row_id)))
        if deleted_at is None or (table_name, key) in pending_deletes:
            out[key] = version
    return out


def verify(engine: SyncEngine, *, repair: bool = True) -> list[BucketCheck]:
    """Compare every subscribed bucket with the server; re-sync the ones that differ."""
    with engine.store.engine.connect() as conn:
        buckets = sorted(cursors(conn))
    if not buckets:
        return []
    answer = engine._authed(lambda t: engine.protocol.checksums(buckets, token=t))
    with engine.store.engine.connect() as conn:
        local = local_checksums(conn, buckets)
    checks = []
    for bucket in buckets:
        theirs = answer.buckets.get(bucket)
        if theirs is None:
            continue  # the server no longer has it for us; the next pull purges it
        count, digest = local[bucket]
        checks.append(BucketCheck(bucket, count, digest, theirs.count, int(theirs.digest)))
    bad = [c.bucket for c in checks if not c.ok]
    if repair and bad:
        with replica_tx(engine.store) as conn:
            for bucket in bad:
                reset_bucket(conn, bucket)
        engine.pull()
    return checks
