"""The one write path for synced rows (DESIGN 3, 7): lock, version, row, audit, membership.

Every change of a synced row on the server goes through ``SyncWriter`` so that
no write can escape versioning, the audit log or bucket membership. Row
statements run immediately (Core, ``RETURNING`` the stored row); the audit
entries, field clocks, memberships and live notifications of a transaction are
collected and written by ``finish()`` in a few bulk statements, which is what
makes a 1,000-mutation push fit its budget.

With ``defer_writes`` (a push's fast attempt) row statements are queued too and
sent in batches: consecutive inserts of a table as one multi-row ``INSERT ...
RETURNING``, consecutive updates of the same columns as one ``executemany``
followed by one ``SELECT`` of the stored rows. The queue is flushed before any
other statement the session runs (a ``do_orm_execute`` hook), before a second
write of a queued row and in ``finish()``, so every read in the transaction
still sees every write before it, and each handed-out row dict is refreshed in
place with what PostgreSQL stored. A database refusal then surfaces at a flush
instead of at the write; the push answers that by rerunning the batch in
careful mode (one savepoint per mutation, immediate statements).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from shared_models.ids import uuid7
from shared_models.models import AuditLog
from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation
from shared_models.rules.scheduling.intervals import zone
from shared_models.sync.codec import encode_fields, wire_columns
from shared_models.sync.codec import synced_table as _synced_table
from shared_models.sync.hlc import SERVER_NODE, Hlc
from shared_models.types import utcnow
from sync_server.admin.accounts import check_user_write
from sync_server.db.versioning import next_versions
from sync_server.db.write_models import FieldClock
from sync_server.sync import derived
from sync_server.sync.ledger import RuleRefused
from sync_server.sync.live import notify_buckets
from sync_server.sync.locks import lock_tenant_for_write
from sync_server.sync.membership import update_memberships

#: codec.synced_table scans every table per call; the write path asks thousands of times.
synced_table = cache(_synced_table)

_AUDIT = AuditLog.__table__
_CLOCK = FieldClock.__table__
_SYNC_COLUMNS = frozenset(
    {"id", "tenant_id", "version", "created_at", "updated_at", "updated_by", "deleted_at"}
)


@cache
def _column_defaults_of(table_name: str) -> tuple[tuple[str, Any, bool], ...]:
    out = []
    for column in synced_table(table_name).columns:
        default = column.default
        if default is not None and (default.is_scalar or default.is_callable):
            out.append((column.name, default.arg, bool(default.is_callable)))
        else:
            out.append((column.name, None, False))
    return tuple(out)


@cache
def _wire_names(table_name: str) -> tuple[str, ...]:
    return tuple(wire_columns(synced_table(table_name)))


def encode_stored(table_name: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """``codec.encode_row`` for a row dict, with the table's wire columns looked up once."""
    return encode_fields(row.get, _wire_names(table_name))


def _by_id(result: Any) -> dict[uuid.UUID, dict[str, Any]]:
    """Rows as dicts by id (one keys() for the result, not one per row)."""
    keys = list(result.keys())
    at = keys.index("id")
    return {row[at]: dict(zip(keys, row, strict=True)) for row in result}


def _with_defaults(table_name: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """``{**defaults, **row}``: every column with what INSERT would store, in column order.

    A callable default (``uuid7``, ``utcnow``) runs only for a column ``row`` lacks.
    """
    full: dict[str, Any] = {}
    given = 0
    for name, arg, is_callable in _column_defaults_of(table_name):
        if name in row:
            full[name] = row[name]
            given += 1
        else:
            full[name] = arg(None) if is_callable else arg
    if given < len(row):  # keys that are no column go last, as the dict merge put them
        full.update((k, v) for k, v in row.items() if k not in full)
    return full


@dataclass(frozen=True)
class Actor:
    """Who is writing: stamped on rows (``updated_by``) and on the audit trail."""

    tenant_id: uuid.UUID
    user_id: uuid.UUID | None
    device_id: uuid.UUID | None = None
    role: str | None = None


@dataclass
class _Op:
    """A queued row statement (``defer_writes``): its values and the dict handed out."""

    kind: str  # "insert" | "update"
    table: str
    values: dict[str, Any]
    stored: dict[str, Any]

    def signature(self) -> tuple[Any, ...]:
        return (self.kind, self.table, tuple(self.values))


@dataclass
class _Pending:
    #: Audit entries; ``before``/``after`` stay row dicts until ``finish()`` encodes them
    #: (a deferred write's dict is only complete after its flush).
    audit: list[dict[str, Any]] = field(default_factory=list)
    clocks: dict[tuple[str, uuid.UUID], dict[str, list[Any]]] = field(default_factory=dict)
    changed: dict[str, set[uuid.UUID]] = field(default_factory=dict)
    documents: set[tuple[str, uuid.UUID]] = field(default_factory=set)


class SyncWriter:
    """Writes synced rows of ``actor.tenant_id`` inside the caller's transaction.

    Use one writer per transaction and call ``finish()`` before commit.
    ``defer_totals`` lets a push recompute document totals once per batch.
    """

    def __init__(
        self,
        session: Session,
        actor: Actor,
        *,
        defer_totals: bool = False,
        defer_writes: bool = False,
    ) -> None:
        self.session = session
        self.actor = actor
        self.defer_totals = defer_totals
        self.rows: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
        self.numbers: dict[str, int] = {}
        self.tax_rows: Any = None
        self.max_version = 0
        self._locked = False
        self._versions: deque[int] = deque()
        self._clock = Hlc.zero(SERVER_NODE)
        self._pending = _Pending()
        self._recomputing = False
        self.defer_writes = defer_writes
        self._queue: list[_Op] = []
        self._queued: set[tuple[str, uuid.UUID]] = set()
        self._flushing = False
        #: The last state each row reached in ``finish()`` and its wire form (the audit's
        #: ``after``), so a push answers with the same encoding instead of redoing it.
        self.encoded: dict[tuple[str, uuid.UUID], tuple[dict[str, Any], dict[str, Any]]] = {}
        if defer_writes:
            event.listen(session, "do_orm_execute", self._flush_before_statement)

    def close(self) -> None:
        """Stop watching the session (deferred writes); ``finish()`` calls it, and so
        must whoever abandons a writer after an error."""
        if self.defer_writes and event.contains(
            self.session, "do_orm_execute", self._flush_before_statement
        ):
            event.remove(self.session, "do_orm_execute", self._flush_before_statement)
        self._queue.clear()
        self._queued.clear()

    # -- deferred row statements -------------------------------------------------
    def _flush_before_statement(self, _state: Any) -> None:
        if self._queue and not self._flushing:
            self.flush()

    def flush(self) -> None:
        """Send the queued row statements, in order, batched; refresh their row dicts."""
        if not self._queue:
            return
        queue, self._queue = self._queue, []
        self._queued.clear()
        self._flushing = True
        try:
            start = 0
            while start < len(queue):
                end = start + 1
                signature = queue[start].signature()
                while end < len(queue) and queue[end].signature() == signature:
                    end += 1
                self._flush_run(queue[start:end])
                start = end
        finally:
            self._flushing = False

    def _flush_run(self, ops: list[_Op]) -> None:
        t = synced_table(ops[0].table)
        # Plain executemany (psycopg pipelines it), then one SELECT for the stored rows: an
        # INSERT ... RETURNING of many rows becomes one huge statement that psycopg re-parses
        # on every call (too long for its cache), which cost a third of a 1,000-row push.
        if ops[0].kind == "insert":
            self.session.execute(insert(t), [op.values for op in ops])
        else:
            self.session.execute(
                update(t).where(t.c.id == bindparam("_cnc_row_id")),
                [{"_cnc_row_id": op.stored["id"], **op.values} for op in ops],
            )
        ids = [op.stored["id"] for op in ops]
        stored = _by_id(self.session.execute(select(t).where(t.c.id.in_(ids))))
        for op in ops:
            row = stored.get(op.stored["id"])
            if row is None:  # what .one() would have said had the statement run at once
                raise LookupError(f"{op.table} row {op.stored['id']} vanished during the push")
            op.stored.update(row)

    def _queue_write(
        self, kind: str, table: str, values: dict[str, Any], stored: dict[str, Any]
    ) -> dict[str, Any]:
        self._queue.append(_Op(kind, table, values, stored))
        self._queued.add((table, stored["id"]))
        return stored

    def _settle(self, table: str, row_id: uuid.UUID) -> None:
        """A row written twice in one flush could not get each state back: flush first."""
        if (table, row_id) in self._queued:
            self.flush()

    # -- versions -------------------------------------------------------------
    def lock(self) -> None:
        """Take the tenant write lock once, before the first version is drawn (DESIGN 3)."""
        if not self._locked:
            lock_tenant_for_write(self.session, self.actor.tenant_id)
            self._locked = True

    def reserve(self, count: int) -> None:
        """Draw ``count`` versions in one round trip (unused ones are harmless gaps)."""
        self.lock()
        self._versions.extend(next_versions(self.session, count))

    def _next_version(self) -> int:
        if not self._versions:
            self.reserve(1)
        version = self._versions.popleft()
        self.max_version = max(self.max_version, version)
        return version

    def stamp(self, hlc: Hlc | None) -> Hlc:
        """The clock to record for a write: the client's edit, or a fresh server tick."""
        now_ms = int(time.time() * 1000)
        self._clock = self._clock.receive(hlc, now_ms) if hlc else self._clock.tick(now_ms)
        return hlc or self._clock

    # -- writes ---------------------------------------------------------------
    def insert(
        self,
        table: str,
        values: Mapping[str, Any],
        *,
        mutation_id: int | None = None,
        hlc: Hlc | None = None,
    ) -> dict[str, Any]:
        """Create a row (the id may come from the client); server columns are ours."""
        t = synced_table(table)
        now = utcnow()
        row = {k: v for k, v in values.items() if k not in _SYNC_COLUMNS}
        row.update(
            id=values.get("id") or uuid7(),
            version=self._next_version(),
            created_at=now,
            updated_at=now,
            updated_by=self.actor.user_id,
            deleted_at=None,
        )
        if "tenant_id" in t.c:
            row["tenant_id"] = self.actor.tenant_id
        self._prepare(table, row, None)
        if self.defer_writes:
            full = _with_defaults(table, row)
            stored = self._queue_write("insert", table, full, dict(full))
        else:
            stored = dict(
                self.session.execute(insert(t).values(row).returning(*t.c)).mappings().one()
            )
        self._record(table, "insert", None, stored, mutation_id, hlc, values.keys())
        return stored

    def update(
        self,
        table: str,
        row_id: uuid.UUID,
        changes: Mapping[str, Any],
        *,
        before: Mapping[str, Any] | None = None,
        mutation_id: int | None = None,
        hlc: Hlc | None = None,
    ) -> dict[str, Any]:
        """Change some fields of a row (merge already decided which); bumps its version."""
        synced_table(table)  # an unknown table fails before anything is written
        before = before if before is not None else self.load(table, row_id)
        values = {k: v for k, v in changes.items() if k not in _SYNC_COLUMNS}
        self._prepare(table, values, before)
        values.update(
            version=self._next_version(), updated_at=utcnow(), updated_by=self.actor.user_id
        )
        stored = self._store_update(table, row_id, values, before)
        self._record(table, "update", before, stored, mutation_id, hlc, changes.keys())
        return stored

    def _store_update(
        self, table: str, row_id: uuid.UUID, values: dict[str, Any], before: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Write ``values`` to the row now, or queue them for the batched flush."""
        if self.defer_writes:
            self._settle(table, row_id)
            return self._queue_write("update", table, values, {**before, **values})
        t = synced_table(table)
        statement = update(t).where(t.c.id == row_id).values(values).returning(*t.c)
        return dict(self.session.execute(statement).mappings().one())

    def delete(
        self,
        table: str,
        row_id: uuid.UUID,
        *,
        before: Mapping[str, Any] | None = None,
        mutation_id: int | None = None,
    ) -> dict[str, Any]:
        """Tombstone: synced rows are never hard-deleted while a replica may hold them."""
        synced_table(table)  # an unknown table fails before anything is written
        before = before if before is not None else self.load(table, row_id)
        now = utcnow()
        values = {
            "deleted_at": now,
            "version": self._next_version(),
            "updated_at": now,
            "updated_by": self.actor.user_id,
        }
        if table == "user":
            self._check_user(before, values)  # deleting the last admin locks everyone out
        stored = self._store_update(table, row_id, values, before)
        self._record(table, "delete", before, stored, mutation_id, None, ())
        return stored

    def load(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        self.flush()
        t = synced_table(table)
        row = self.session.execute(select(t).where(t.c.id == row_id)).mappings().one()
        return dict(row)

    # -- bookkeeping ----------------------------------------------------------
    def _check_user(self, before: Mapping[str, Any] | None, values: Mapping[str, Any]) -> None:
        """Nobody locks the company out (``shared_models.rules.accounts``)."""
        try:
            check_user_write(
                self.session,
                tenant_id=self.actor.tenant_id,
                actor_id=self.actor.user_id,
                actor_role=self.actor.role,
                before=before,
                values=values,
            )
        except RuleViolation as exc:
            raise RuleRefused(exc) from exc

    def _prepare(
        self, table: str, values: dict[str, Any], before: Mapping[str, Any] | None
    ) -> None:
        """Server-owned values (item line totals, document numbers) and checked inserts."""
        if before is None and table in derived.CHECKED_INSERTS:
            derived.check_insert(self, table, values)  # may refuse: payments, ledger rows
        if table in contact.CHECKED_TABLES and (
            before is None or contact.checks_any(table, values.keys())
        ):
            # The same phone, email and postal-code rules the forms apply; only the
            # fields this change touches, so old stored data never blocks an edit.
            fields = None if before is None else values.keys()
            try:
                contact.check_row(table, {**(before or {}), **values}, fields=fields)
            except RuleViolation as exc:
                raise RuleRefused(exc) from exc
        if table == "user":
            self._check_user(before, values)
        if table == "location" and "timezone" in values:
            try:  # every screen, rule and document reads the branch's clock from it
                zone(values["timezone"])
            except RuleViolation as exc:
                raise RuleRefused(exc) from exc
        if table in derived.ITEM_PARENT and (
            {"unit_price", "quantity", "discount_pct"} & values.keys() or before is None
        ):
            values["line_total"] = derived.line_total({**(before or {}), **values})
        if before is None and table in derived.NUMBERING:
            values["number"] = derived.next_number(self, table)

    def _record(
        self,
        table: str,
        action: str,
        before: Mapping[str, Any] | None,
        after: dict[str, Any],
        mutation_id: int | None,
        hlc: Hlc | None,
        fields: Any,
    ) -> None:
        row_id = after["id"]
        self.rows[(table, row_id)] = after
        self._pending.audit.append(
            {
                "id": uuid7(),
                "tenant_id": self.actor.tenant_id,
                "user_id": self.actor.user_id,
                "device_id": self.actor.device_id,
                "table_name": table,
                "row_id": row_id,
                "action": action,
                "version": after["version"],
                "mutation_id": mutation_id,
                "before": before,
                "after": after,
                "occurred_at": after["updated_at"],
            }
        )
        self._pending.changed.setdefault(table, set()).add(row_id)
        stamp = [str(self.stamp(hlc)), self.actor.role]
        clocks = self._pending.clocks.setdefault((table, row_id), {})
        for name in fields:
            if name not in _SYNC_COLUMNS:
                clocks[name] = stamp
        doc = derived.document_of(table, after)
        if doc is not None and not self._recomputing and (table, action) != (doc[0], "delete"):
            self._pending.documents.add(doc)
            if not self.defer_totals:
                self.recompute_totals()

    def recompute_totals(self) -> None:
        docs, self._pending.documents = self._pending.documents, set()
        self._recomputing = True
        try:
            derived.recompute_documents(self, docs)
        finally:
            self._recomputing = False

    def mark(self) -> tuple[int, dict[Any, Any], dict[str, set[uuid.UUID]]]:
        """A restore point matching a savepoint (see ``rollback_to``)."""
        p = self._pending
        return (
            len(p.audit),
            {k: dict(v) for k, v in p.clocks.items()},
            {k: set(v) for k, v in p.changed.items()},
        )

    def rollback_to(self, mark: tuple[int, dict[Any, Any], dict[str, set[uuid.UUID]]]) -> None:
        """Forget what was collected since ``mark`` (its savepoint was rolled back)."""
        del self._pending.audit[mark[0] :]
        self._pending.clocks, self._pending.changed = mark[1], mark[2]
        self._pending.documents.clear()

    def audit_count(self) -> int:
        return len(self._pending.audit)

    def finish(self) -> None:
        """Write audit entries and field clocks, update memberships, queue live notifications."""
        self.flush()
        if self._pending.documents:
            self.recompute_totals()
        self.flush()
        self.close()
        p = self._pending
        encoded: dict[tuple[str, uuid.UUID], tuple[dict[str, Any], dict[str, Any]]] = {}
        if p.audit:
            entries = []
            for entry in p.audit:
                name, before, after = entry["table_name"], entry["before"], entry["after"]
                data = encode_stored(name, after)
                encoded[(name, after["id"])] = (after, data)
                entries.append(
                    {
                        **entry,
                        "before": None if before is None else encode_stored(name, before),
                        "after": data,
                    }
                )
            self.session.execute(insert(_AUDIT), entries)
        self.encoded = encoded
        clock_rows = [
            {"table_name": t, "row_id": r, "tenant_id": self.actor.tenant_id, "clocks": c}
            for (t, r), c in p.clocks.items()
            if c
        ]
        if clock_rows:
            stmt = pg_insert(_CLOCK)
            stmt = stmt.on_conflict_do_update(
                index_elements=[_CLOCK.c.table_name, _CLOCK.c.row_id],
                set_={"clocks": _CLOCK.c.clocks.op("||")(stmt.excluded.clocks)},
            )
            self.session.execute(stmt, clock_rows)
        if p.changed:
            # One call per batch at its highest version: the batch commits atomically
            # under the tenant lock, so no puller can observe a version in between.
            buckets = update_memberships(
                self.session,
                self.actor.tenant_id,
                p.changed,  # a set per table: update_memberships only asks membership
                self.max_version,
            )
            notify_buckets(self.session, self.actor.tenant_id, buckets)  # sent at commit
        self._pending = _Pending()
