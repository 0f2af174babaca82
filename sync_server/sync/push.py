"""Exactly-once push (DESIGN 5): ``POST /v1/sync/push`` as a service function.

In one transaction: lock the device row, answer mutations at or below its
``last_mutation_id`` from their receipts (a resent batch gets the same
answers and changes nothing), apply the rest in order, record a receipt for
each and move the watermark. The caller commits; a lost response is then
harmless, because the retry finds the receipts.

Malformed input policy: a body that does not fit the wire schema, or whose
mutation ids do not strictly increase, is refused whole with 422
``validation_failed`` naming the field (nothing is applied). A well-formed
mutation whose content does not fit the schema (unknown table or column,
bad value, bad clock) is rejected on its own with ``validation_failed``, so
one bad entry never blocks a device's outbox.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shared_models.models import Device, Tenant
from shared_models.sync.codec import encode_row, encode_value
from shared_models.sync.merge import settle
from shared_models.sync.shapes import shape_row, unknown_columns
from shared_models.sync.wire import (
    SCHEMA_VERSION,
    FieldConflictResult,
    MutationResult,
    PushRequest,
    PushResponse,
)
from shared_models.types import utcnow
from sync_server.core.db import is_connection_error
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.db.models import MutationReceipt
from sync_server.db.sql import one_of
from sync_server.sync.apply import Applied, Batch
from sync_server.sync.writer import Actor, SyncWriter, encode_stored, synced_table

_DEVICE = Device.__table__
_RECEIPT = MutationReceipt.__table__
_MESSAGE_MAX = 500
#: (table, row id) -> (the row as the writer last stored it, its wire form)
Encoded = dict[tuple[str, uuid.UUID], tuple[dict[str, Any], dict[str, Any]]]


def push_mutations(
    *,
    session: Session,
    user: Any,
    device_id: uuid.UUID,
    request: PushRequest,
    schema: int = SCHEMA_VERSION,
) -> PushResponse:
    """Apply ``request`` for ``user`` on ``device_id`` (the authenticated device); rows in
    the answer are shaped for a client of wire ``schema``."""
    if request.device_id != device_id:
        raise ApiError(
            ErrorCode.PERMISSION_DENIED,
            "device_id is not the device you signed in on",
            details={"field": "device_id"},
        )
    _check_order(request)
    device = session.execute(
        select(_DEVICE.c.last_mutation_id, _DEVICE.c.tenant_id, _DEVICE.c.user_id)
        .where(_DEVICE.c.id == device_id)
        .with_for_update()
    ).one_or_none()
    if device is None or (device.tenant_id, device.user_id) != (user.tenant_id, user.id):
        raise ApiError(
            ErrorCode.PERMISSION_DENIED, "this device is not yours", details={"field": "device_id"}
        )
    last = device.last_mutation_id
    replays = [m for m in request.mutations if m.mutation_id <= last]
    fresh = [m for m in request.mutations if m.mutation_id > last]
    results = _replayed(session, device_id, replays, user.tenant_id)
    if fresh:
        applied, encoded = _apply_fresh(session, user, device_id, fresh)
        results.update(_record(session, user.tenant_id, device_id, applied, encoded))
        last = fresh[-1].mutation_id
        session.execute(
            update(_DEVICE)
            .where(_DEVICE.c.id == device_id)
            .values(last_mutation_id=last, last_sync_at=utcnow())
        )
    return PushResponse(
        results=[_shaped(results[m.mutation_id], m.table, schema) for m in request.mutations],
        last_mutation_id=last,
    )


def _shaped(result: MutationResult, table: str, schema: int) -> MutationResult:
    """The answer without the row's columns an older client does not know (``shapes``)."""
    if result.row is None or table not in unknown_columns(schema):
        return result
    return result.model_copy(update={"row": shape_row(table, result.row, schema)})


def _check_order(request: PushRequest) -> None:
    previous = 0
    for index, m in enumerate(request.mutations):
        if m.mutation_id <= previous:
            raise ApiError(
                ErrorCode.VALIDATION_FAILED,
                "mutation ids must strictly increase within a push",
                details={
                    "fields": [
                        {
                            "path": f"mutations.{index}.mutation_id",
                            "message": "not greater than the one before",
                        }
                    ]
                },
            )
        previous = m.mutation_id


def _apply_fresh(
    session: Session, user: Any, device_id: uuid.UUID, fresh: list[Any]
) -> tuple[list[Applied], Encoded]:
    """Fast attempt first; on a database refusal, redo with one savepoint per mutation.

    Returns the outcomes and the writer's wire form of each row it wrote last (``encoded``).
    """
    actor = Actor(user.tenant_id, user.id, device_id, str(user.role))
    threshold = session.execute(
        select(Tenant.discount_approval_threshold_pct).where(Tenant.id == user.tenant_id)
    ).scalar()
    context = {"approval_threshold_pct": threshold}
    writer = SyncWriter(session, actor, defer_totals=True, defer_writes=True)
    try:
        with session.begin_nested():
            applied = Batch(session, user, writer, careful=False, context=context).run(fresh)
            return applied, writer.encoded
    except DBAPIError as exc:
        if is_connection_error(exc):
            raise
    finally:
        writer.close()
    writer = SyncWriter(session, actor, defer_totals=False)
    applied = Batch(session, user, writer, careful=True, context=context).run(fresh)
    return applied, writer.encoded


def _final_rows(
    session: Session, keys: set[tuple[str, uuid.UUID]], written: Encoded | None = None
) -> dict[Any, dict[str, Any]]:
    """The rows as stored after the whole batch (totals recomputed): one SELECT per table.

    A row the batch's writer wrote is taken from ``written``: the writer refreshed it
    from PostgreSQL after its last write, and nothing writes synced rows but the writer.
    """
    by_table: dict[str, set[uuid.UUID]] = {}
    out: dict[Any, dict[str, Any]] = {}
    for key in keys:
        held = written.get(key) if written else None
        if held is not None:
            out[key] = held[0]
        else:
            by_table.setdefault(key[0], set()).add(key[1])
    for table, ids in by_table.items():
        t = synced_table(table)
        result = session.execute(select(t).where(one_of(t.c.id, ids)))
        keys = list(result.keys())
        for values in result:
            row = dict(zip(keys, values, strict=True))
            out[(table, row["id"])] = row
    return out


def _wire_row(table: str, row: dict[str, Any], written: Encoded) -> dict[str, Any]:
    """``encode_stored(table, row)``, taken from the writer when it encoded this very row."""
    held = written.get((table, row["id"]))
    if held is not None and held[0] is row:
        return held[1]
    return encode_stored(table, row)


def _record(
    session: Session,
    tenant_id: uuid.UUID,
    device_id: uuid.UUID,
    applied: list[Applied],
    encoded: Encoded,
) -> dict[int, MutationResult]:
    keys = {(a.table, a.mutation.id) for a in applied if a.table and a.show_row}
    rows = _final_rows(session, keys, encoded)
    results: dict[int, MutationResult] = {}
    receipts = []
    for a in applied:
        row = rows.get((a.table, a.mutation.id)) if a.show_row else None
        if row is not None and row.get("tenant_id", row["id"]) != tenant_id:
            row = None
        outcome = settle(a.outcome, a.table, a.changes, row) if row is not None else a.outcome
        message = outcome.message[:_MESSAGE_MAX] if outcome.message else None
        m = a.mutation
        results[m.mutation_id] = MutationResult(
            mutation_id=m.mutation_id,
            status=outcome.status,
            reason=outcome.reason,
            message=message,
            row=_wire_row(a.table, row, encoded) if row else None,
            conflicts=[
                FieldConflictResult(
                    field=c.field,
                    reason=c.reason,
                    winner=c.winner,
                    client_value=encode_value(c.client_value),
                    server_value=encode_value(c.server_value),
                    message=c.message,
                )
                for c in outcome.conflicts
            ],
        )
        receipts.append(
            {
                "device_id": device_id,
                "mutation_id": m.mutation_id,
                "tenant_id": tenant_id,
                "status": outcome.status,
                "reason": outcome.reason,
                "message": message,
                "table_name": m.table[:64],
                "row_id": m.id,
                "row_version": row["version"] if row else None,
                "applied_at": utcnow(),
            }
        )
    session.execute(insert(_RECEIPT), receipts)
    return results


def _replayed(
    session: Session, device_id: uuid.UUID, replays: list[Any], tenant_id: uuid.UUID
) -> dict[int, MutationResult]:
    """Answers for mutations already applied: their recorded outcome, today's row."""
    if not replays:
        return {}
    ids = [m.mutation_id for m in replays]
    receipts = {
        r.mutation_id: r
        for r in session.execute(
            select(_RECEIPT).where(
                _RECEIPT.c.device_id == device_id, one_of(_RECEIPT.c.mutation_id, ids)
            )
        )
    }
    keys = set()
    for r in receipts.values():
        try:
            synced_table(r.table_name)
            keys.add((r.table_name, r.row_id))
        except KeyError:
            pass
    rows = _final_rows(session, keys)
    out: dict[int, MutationResult] = {}
    for m in replays:
        r = receipts.get(m.mutation_id)
        if r is None:
            out[m.mutation_id] = MutationResult(
                mutation_id=m.mutation_id,
                status="rejected",
                reason="stale_mutation",
                message="this mutation id is at or below the device's last applied one",
            )
            continue
        row = (
            rows.get((r.table_name, r.row_id)) if r.status != "rejected" or r.row_version else None
        )
        if row is not None and row.get("tenant_id", row["id"]) != tenant_id:
            row = None
        out[m.mutation_id] = MutationResult(
            mutation_id=m.mutation_id,
            status=r.status,
            reason=r.reason,
            message=r.message,
            row=encode_row(synced_table(r.table_name), row) if row else None,
        )
    return out
