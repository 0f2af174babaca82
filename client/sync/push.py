"""Upload phase: push the outbox in batches, acknowledge in the same transaction as the result.

Each batch's answer is applied in ONE replica transaction: acknowledged
mutations leave the outbox, rejections become SyncRejections, and the rows
the server returned are written (then rebased on what is still pending).
A first entry that keeps failing is isolated (batch of one) and, after
``stuck_after`` attempts on a permanent error, turned into a rejection so
the queue moves on; transient failures only mark the queue as stalled.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from client.replica.store import LocalStore
from client.sync import outbox, rejections
from client.sync.db import replica_tx, table_for
from client.sync.errors import (
    PermissionDeniedError,
    ProtocolError,
    ServerUnavailable,
    ValidationFailed,
)
from client.sync.outbox import PendingMutation
from client.sync.rebase import rebase_rows
from client.sync.rows import delete_row, read_row, upsert_wire_rows
from client.sync.scope import evict_ready, is_member, is_parked
from shared_models.sync.buckets import LOCATION_VIA
from shared_models.sync.policies import Reason
from shared_models.sync.wire import PUSH_BATCH_BYTES, PushRequest, PushResponse

DEFAULT_BATCH = 500
STUCK_AFTER = 5


@dataclass
class PushSummary:
    sent: int = 0
    acknowledged: int = 0
    rejected: int = 0
    #: Accepted mutations with some field values lost to the server's (kept as issues).
    overruled: int = 0
    tables: set[str] = field(default_factory=set)


def apply_results(
    conn: Connection, batch: list[PendingMutation], response: PushResponse, summary: PushSummary
) -> int:
    """Acknowledge, record rejections and write returned rows: the caller's one transaction."""
    results = {r.mutation_id: r for r in response.results}
    done: list[int] = []
    touched: set[tuple[str, str]] = set()
    returned: set[tuple[str, str]] = set()
    for mutation in batch:
        result = results.get(mutation.mutation_id)
        if result is None:
            if mutation.mutation_id <= response.last_mutation_id:
                done.append(mutation.mutation_id)  # applied by an earlier, lost answer
            continue
        done.append(mutation.mutation_id)
        key = (mutation.table, mutation.row_id)
        touched.add(key)
        summary.tables.add(mutation.table)
        if result.status == "rejected":
            message = result.message
            if is_parked(conn, *key):
                message = f"{rejections.SCOPE_EXIT_MESSAGE}: {message or result.reason}"
            rejections.record(
                conn,
                mutation,
                reason=result.reason or "rejected",
                message=message,
                server_row=result.row,
            )
            summary.rejected += 1
            if result.row is None and mutation.op == "insert":
                delete_row(conn, table_for(mutation.table), mutation.row_id)
        else:
            summary.acknowledged += 1
            # Server-owned fields (totals, numbers) are derived, not the user's work.
            lost = {
                c.field: c.message or f"the server's value was kept ({c.reason})"
                for c in result.conflicts
                if c.winner == "server" and c.reason != Reason.SERVER_OWNED
            }
            rejections.record_overruled(conn, mutation, lost, result.row)
            summary.overruled += bool(lost)
        if result.row is not None:
            row = {**result.row, "id": mutation.row_id}
            upsert_wire_rows(conn, table_for(mutation.table), [row])
            if row.get("deleted_at") is not None or mutation.table in LOCATION_VIA:
                returned.add(key)  # only these can be left in no bucket (see below)
    outbox.remove(conn, done)
    for table, row_id in returned:
        if _held_by_no_bucket(conn, table, row_id):
            delete_row(conn, table_for(table), row_id)
    rebase_rows(conn, touched)
    evict_ready(conn)
    return len(done)


def _held_by_no_bucket(conn: Connection, table: str, row_id: str) -> bool:
    """A row a push answer wrote that no pull will ever remove, so it must leave now.

    A tombstone no bucket held (created and deleted before any pull), or a live child
    whose parent is deleted or not here (a child of a tombstoned parent is in no
    bucket, and when the insert and the parent's delete met in one push, the removal a
    pull brings may already be behind this replica's cursor). Rows with edits still
    waiting, or that a bucket holds, stay.
    """
    if is_member(conn, table, row_id) or outbox.has_pending(conn, table, row_id):
        return False
    row = read_row(conn, table_for(table), row_id)
    if row is None:
        return False
    if row.get("deleted_at") is not None:
        return True
    if table not in LOCATION_VIA:
        return False
    parent_table, fk = LOCATION_VIA[table]
    if row.get(fk) is None:
        return False
    parent = read_row(conn, table_for(parent_table), row[fk])
    return parent is None or parent.get("deleted_at") is not None


def _give_up(conn: Connection, mutation: PendingMutation, error: Exception) -> None:
    """Take a mutation the server keeps refusing out of the queue, as a rejection."""
    reason = getattr(error, "code", None) or rejections.REASON_STUCK
    rejections.record(
        conn,
        mutation,
        reason=reason,
        message=f"{rejections.REASON_STUCK}: {error}",
        server_row=None,
    )
    outbox.remove(conn, [mutation.mutation_id])
    rebase_rows(conn, {(mutation.table, mutation.row_id)})
    evict_ready(conn)


def push_all(
    store: LocalStore,
    send: Callable[[PushRequest], PushResponse],
    *,
    device_id: str,
    batch_size: int = DEFAULT_BATCH,
    batch_bytes: int = PUSH_BATCH_BYTES,
    stuck_after: int = STUCK_AFTER,
) -> PushSummary:
    """Push until the outbox is empty; raises on transport, auth or version failures."""
    summary = PushSummary()
    while True:
        with store.engine.connect() as conn:
            head = outbox.pending(conn, limit=1)
            if not head:
                return summary
            size = 1 if head[0].attempts else batch_size
            batch = outbox.pending(conn, limit=size, max_bytes=batch_bytes)
        request = PushRequest(
            device_id=uuid.UUID(device_id), mutations=[m.to_wire() for m in batch]
        )
        try:
            response = send(request)
        except ServerUnavailable as exc:
            with replica_tx(store) as conn:
                outbox.record_failure(conn, batch[0].mutation_id, str(exc))
            raise
        except (ValidationFailed, PermissionDeniedError) as exc:
            with replica_tx(store) as conn:
                attempts = outbox.record_failure(conn, batch[0].mutation_id, str(exc))
                if len(batch) == 1 and attempts >= stuck_after:
                    _give_up(conn, batch[0], exc)
                    summary.rejected += 1
                    continue
            if len(batch) > 1:
                continue  # retry the head alone now, to find the refused mutation
            raise
        summary.sent += len(batch)
        with replica_tx(store) as conn:
            if not apply_results(conn, batch, response, summary):
                raise ProtocolError("the server answered the push without acknowledging any of it")
