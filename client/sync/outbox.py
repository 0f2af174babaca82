"""The upload queue: local mutations in ``mutation_id`` order until the server acknowledges them.

``mutation_id`` increases per device and is never reused (the server keeps
the last one it applied, so a resent batch is applied once); the counter
lives in ``sync_meta`` and advances in the same transaction as the append.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, update

from client.replica.schema import outbox
from client.sync.db import META_NEXT_MUTATION_ID, dumps, get_meta, set_meta, utcnow_iso
from shared_models.sync.wire import Mutation


@dataclass(frozen=True)
class PendingMutation:
    mutation_id: int
    table: str
    op: str
    row_id: str
    base_version: int | None
    base: dict[str, Any]
    changes: dict[str, Any]
    hlc: str
    attempts: int = 0
    last_error: str | None = None

    def to_wire(self) -> Mutation:
        return Mutation(
            mutation_id=self.mutation_id,
            table=self.table,
            op=self.op,  # type: ignore[arg-type]
            id=self.row_id,
            base_version=self.base_version,
            base=self.base,  # type: ignore[arg-type]
            changes=self.changes,
            hlc=self.hlc,
        )


def _from_row(row: Any) -> PendingMutation:
    return PendingMutation(
        mutation_id=row.mutation_id,
        table=row.table_name,
        op=row.op,
        row_id=row.row_id,
        base_version=row.base_version,
        base=json.loads(row.base),
        changes=json.loads(row.changes),
        hlc=row.hlc,
        attempts=row.attempts,
        last_error=row.last_error,
    )


def append(
    conn: Connection,
    *,
    table: str,
    op: str,
    row_id: str,
    base_version: int | None,
    base: dict[str, Any],
    changes: dict[str, Any],
    hlc: str,
) -> int:
    """Queue one mutation (wire-encoded values) and return its id."""
    next_id = int(get_meta(conn, META_NEXT_MUTATION_ID) or 1)
    # Never below what the queue already holds, even if the counter was lost.
    top = conn.execute(select(func.max(outbox.c.mutation_id))).scalar() or 0
    mutation_id = max(next_id, top + 1)
    conn.execute(
        outbox.insert().values(
            mutation_id=mutation_id,
            table_name=table,
            op=op,
            row_id=row_id,
            base_version=base_version,
            base=dumps(base),
            changes=dumps(changes),
            hlc=hlc,
            created_at=utcnow_iso(),
            attempts=0,
        )
    )
    set_meta(conn, META_NEXT_MUTATION_ID, str(mutation_id + 1))
    return mutation_id


def pending(
    conn: Connection, *, limit: int | None = None, max_bytes: int | None = None
) -> list[PendingMutation]:
    """The oldest pending mutations, at most ``limit`` of them and (but never fewer than
    one) about ``max_bytes`` of changes: a note with six photos is megabytes, not bytes."""
    stmt = select(outbox).order_by(outbox.c.mutation_id)
    if limit is not None:
        stmt = stmt.limit(limit)
    out: list[PendingMutation] = []
    size = 0
    for r in conn.execute(stmt):
        size += len(r.changes) + len(r.base)
        if max_bytes is not None and out and size > max_bytes:
            break
        out.append(_from_row(r))
    return out


def pending_for_rows(conn: Connection, keys: set[tuple[str, str]]) -> list[PendingMutation]:
    """Pending mutations touching any of ``(table, row_id)``, in order."""
    if not keys:
        return []
    row_ids = {row_id for _, row_id in keys}
    rows = conn.execute(
        select(outbox).where(outbox.c.row_id.in_(row_ids)).order_by(outbox.c.mutation_id)
    )
    return [m for m in map(_from_row, rows) if (m.table, m.row_id) in keys]


def has_pending(conn: Connection, table: str, row_id: str) -> bool:
    stmt = (
        select(outbox.c.mutation_id)
        .where(outbox.c.table_name == table, outbox.c.row_id == row_id)
        .limit(1)
    )
    return conn.execute(stmt).first() is not None


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(outbox)).scalar() or 0)


def remove(conn: Connection, mutation_ids: list[int]) -> None:
    if mutation_ids:
        conn.execute(delete(outbox).where(outbox.c.mutation_id.in_(mutation_ids)))


def remove_through(conn: Connection, last_mutation_id: int) -> list[int]:
    """Drop everything the server says it already applied (lost-response retries)."""
    ids = [
        r[0]
        for r in conn.execute(
            select(outbox.c.mutation_id).where(outbox.c.mutation_id <= last_mutation_id)
        )
    ]
    remove(conn, ids)
    return ids


def record_failure(conn: Connection, mutation_id: int, error: str) -> int:
    """Count a failed attempt on the first entry; returns its attempt count."""
    conn.execute(
        update(outbox)
        .where(outbox.c.mutation_id == mutation_id)
        .values(attempts=outbox.c.attempts + 1, last_error=error[:2000])
    )
    return int(
        conn.execute(select(outbox.c.attempts).where(outbox.c.mutation_id == mutation_id)).scalar()
        or 0
    )


def clear_failure(conn: Connection, mutation_ids: list[int]) -> None:
    if mutation_ids:
        conn.execute(
            update(outbox)
            .where(outbox.c.mutation_id.in_(mutation_ids))
            .values(attempts=0, last_error=None)
        )
