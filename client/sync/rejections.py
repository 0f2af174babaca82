"""SyncRejection (DESIGN 6.6): every refused local change is kept with the attempted change.

The UI lists them in "Sync issues" with "edit and retry" (a new mutation of
the same change) and "discard" (mark resolved, keep the record).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select, update

from client.replica.schema import sync_rejection
from client.sync.db import dumps, utcnow_iso
from client.sync.outbox import PendingMutation

#: Reason recorded when the first outbox entry kept failing and was taken out of the queue.
REASON_STUCK = "stuck"
#: Message prefix for edits refused because the row left the user's scope (DESIGN 6.7).
SCOPE_EXIT_MESSAGE = "reassigned while you edited"
#: Reason of an accepted mutation some of whose field values lost a conflict: the lost
#: values are kept as an issue so the user can see them and re-apply them (edit and retry).
REASON_OVERRULED = "overruled"


@dataclass(frozen=True)
class Rejection:
    id: int
    mutation_id: int
    table: str
    op: str
    row_id: str
    base: dict[str, Any]
    changes: dict[str, Any]
    reason: str
    message: str | None
    server_row: dict[str, Any] | None
    created_at: str
    resolved_at: str | None


def record(
    conn: Connection,
    mutation: PendingMutation,
    *,
    reason: str,
    message: str | None,
    server_row: dict[str, Any] | None,
) -> None:
    conn.execute(
        sync_rejection.insert().values(
            mutation_id=mutation.mutation_id,
            table_name=mutation.table,
            op=mutation.op,
            row_id=mutation.row_id,
            base_version=mutation.base_version,
            base=dumps(mutation.base),
            changes=dumps(mutation.changes),
            hlc=mutation.hlc,
            reason=reason or "rejected",
            message=message,
            server_row=None if server_row is None else dumps(server_row),
            created_at=utcnow_iso(),
        )
    )


def record_overruled(
    conn: Connection,
    mutation: PendingMutation,
    lost: dict[str, str],
    server_row: dict[str, Any] | None,
) -> None:
    """Keep the values of ``lost`` fields (name -> why) that the server's policy overruled."""
    if not lost:
        return
    kept = replace(
        mutation,
        base={k: v for k, v in mutation.base.items() if k in lost},
        changes={k: v for k, v in mutation.changes.items() if k in lost},
    )
    message = "; ".join(f"{name}: {why}" for name, why in sorted(lost.items()))
    record(conn, kept, reason=REASON_OVERRULED, message=message, server_row=server_row)


def unresolved(conn: Connection) -> list[Rejection]:
    rows = conn.execute(
        select(sync_rejection)
        .where(sync_rejection.c.resolved_at.is_(None))
        .order_by(sync_rejection.c.id)
    )
    return [
        Rejection(
            id=r.id,
            mutation_id=r.mutation_id,
            table=r.table_name,
            op=r.op,
            row_id=r.row_id,
            base=json.loads(r.base),
            changes=json.loads(r.changes),
            reason=r.reason,
            message=r.message,
            server_row=None if r.server_row is None else json.loads(r.server_row),
            created_at=r.created_at,
            resolved_at=r.resolved_at,
        )
        for r in rows
    ]


def count_unresolved(conn: Connection) -> int:
    stmt = (
        select(func.count())
        .select_from(sync_rejection)
        .where(sync_rejection.c.resolved_at.is_(None))
    )
    return int(conn.execute(stmt).scalar() or 0)


def resolve(conn: Connection, rejection_id: int, resolution: str) -> None:
    """Mark a rejection handled ("discarded" or "retried"); the record stays for support."""
    conn.execute(
        update(sync_rejection)
        .where(sync_rejection.c.id == rejection_id)
        .values(resolved_at=utcnow_iso(), resolution=resolution)
    )


def label_scope_exit(conn: Connection, table: str, row_id: str) -> int:
    """Say why refusals of a row that just left this user's scope happened (DESIGN 6.7).

    A job reassigned while the laptop was offline is refused as ``permission_denied``
    on the push that precedes the pull which removes it; once the pull confirms the
    row left the scope, its open refusals (and those of rows created against it, such
    as the job's events) read "reassigned while you edited".
    """
    prefix = f"{SCOPE_EXIT_MESSAGE}: "
    # The row itself, and rows created against it (a journey's events name its id).
    about_row = or_(
        and_(sync_rejection.c.table_name == table, sync_rejection.c.row_id == row_id),
        sync_rejection.c.changes.contains(row_id, autoescape=True),
    )
    open_refusals = select(sync_rejection.c.id, sync_rejection.c.message).where(
        about_row,
        sync_rejection.c.reason == "permission_denied",
        sync_rejection.c.resolved_at.is_(None),
    )
    relabelled = 0
    for rejection_id, message in conn.execute(open_refusals).all():
        if message and message.startswith(prefix):
            continue
        conn.execute(
            update(sync_rejection)
            .where(sync_rejection.c.id == rejection_id)
            .values(message=f"{prefix}{message or 'permission_denied'}")
        )
        relabelled += 1
    return relabelled
