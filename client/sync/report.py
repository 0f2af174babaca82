"""What ``cnc-client status`` prints: the replica's sync state as plain data."""

from __future__ import annotations

from typing import Any

from client.replica.store import LocalStore
from client.sync import outbox, rejections
from client.sync.pull import cursors
from client.sync.status import read_status

MAX_LISTED = 50


def describe(store: LocalStore) -> dict[str, Any]:
    with store.engine.connect() as conn:
        status = read_status(conn)
        pending = outbox.pending(conn, limit=MAX_LISTED)
        refused = rejections.unresolved(conn)
        buckets = dict(sorted(cursors(conn).items()))
    return {
        "summary": status.summary,
        "pending": status.pending,
        "stalled": status.stalled,
        "last_synced_at": status.last_synced_at,
        "last_error": status.last_error,
        "needs_sign_in": status.needs_sign_in,
        "pending_mutations": [
            {
                "mutation_id": m.mutation_id,
                "table": m.table,
                "op": m.op,
                "row_id": m.row_id,
                "attempts": m.attempts,
                "last_error": m.last_error,
            }
            for m in pending
        ],
        "buckets": buckets,
        "rejections": [
            {
                "id": r.id,
                "reason": r.reason,
                "message": r.message,
                "table": r.table,
                "op": r.op,
                "row_id": r.row_id,
                "changes": r.changes,
                "created_at": r.created_at,
            }
            for r in refused
        ],
    }
