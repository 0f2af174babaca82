"""Rebase: pending local mutations re-applied on top of freshly pulled or pushed server rows.

The UI therefore always shows server state plus the user's unsynced edits
(DESIGN 6). Runs inside the transaction that wrote the server rows, so no
reader ever sees the edits vanish and come back.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from client.sync import outbox
from client.sync.rows import apply_local_change


def rebase_rows(conn: Connection, keys: Iterable[tuple[str, str]] | None = None) -> int:
    """Re-apply pending mutations for ``(table, row_id)`` keys (all rows when None)."""
    pending = outbox.pending(conn)
    if not pending:
        return 0
    wanted = None if keys is None else set(keys)
    applied = 0
    for mutation in pending:
        if wanted is not None and (mutation.table, mutation.row_id) not in wanted:
            continue
        apply_local_change(conn, mutation.table, mutation.op, mutation.row_id, mutation.changes)
        applied += 1
    return applied
