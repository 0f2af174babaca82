"""Applying one push batch: decode, authorize, merge, write (DESIGN 6), per mutation.

A batch runs in one of two modes. The fast mode loads every target row of a
table in one SELECT and writes without per-mutation savepoints. If the
database refuses anything (a CHECK, a foreign key, a NOT NULL), the caller
rolls the whole attempt back and reruns it in careful mode: one savepoint per
mutation, so only the offending mutation is rejected (``constraint_violation``
naming the constraint) and the rest still apply.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from shared_models.enums import QuoteStatus
from shared_models.rules.errors import RuleViolation
from shared_models.sync.buckets import LOCATION_VIA
from shared_models.sync.codec import CodecError, decode_row
from shared_models.sync.hlc import Hlc, HlcError, cap_future
from shared_models.sync.merge import FieldStamp, MergeOutcome, merge_update, rejected
from shared_models.sync.policies import COMMON_SERVER_OWNED, Reason, lock_reason, table_policy
from shared_models.sync.wire import Mutation
from sync_server.core.db import is_connection_error
from sync_server.db.sql import one_of
from sync_server.db.write_models import FieldClock
from sync_server.sync import fleet_rules, schedule_rules, stock
from sync_server.sync.double_booking import flag_double_bookings
from sync_server.sync.double_booking_resolve import resolve_double_bookings
from sync_server.sync.ledger import RuleRefused
from sync_server.sync.scope import PermissionDenied, can_read, check_write, warm_scope
from sync_server.sync.writer import SyncWriter, synced_table

Key = tuple[str, uuid.UUID]


@dataclass
class Applied:
    """What happened to one mutation: the merge outcome and the fields the client sent."""

    mutation: Mutation
    outcome: MergeOutcome
    changes: dict[str, Any] = field(default_factory=dict)
    table: str | None = None
    show_row: bool = True


class StoredStamps(MutableMapping[str, FieldStamp]):
    """A row's field clocks as stored (``{field: [hlc, role]}``), parsed when asked for.

    The merge consults a stamp only for a field both sides changed, so most are never read.
    """

    def __init__(self, stored: Mapping[str, Any]) -> None:
        self._stored = dict(stored)
        self._parsed: dict[str, FieldStamp] = {}

    def __getitem__(self, name: str) -> FieldStamp:
        stamp = self._parsed.get(name)
        if stamp is None:
            stored = self._stored[name]  # KeyError: no stamp for this field
            stamp = self._parsed[name] = FieldStamp(Hlc.parse(stored[0]), stored[1])
        return stamp

    def __setitem__(self, name: str, stamp: FieldStamp) -> None:
        self._stored[name] = None  # keeps the order and the count; the parsed value wins
        self._parsed[name] = stamp

    def __delitem__(self, name: str) -> None:
        del self._stored[name]
        self._parsed.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._stored)

    def __len__(self) -> int:
        return len(self._stored)


class Batch:
    """One attempt at a batch of fresh mutations; ``run()`` returns one Applied per mutation."""

    def __init__(
        self,
        session: Session,
        user: Any,
        writer: SyncWriter,
        *,
        careful: bool,
        context: Mapping[str, Any],
    ) -> None:
        self.session, self.user, self.writer = session, user, writer
        self.careful, self.context = careful, context
        self.tenant_id = writer.actor.tenant_id
        self.rows: dict[Key, dict[str, Any] | None] = {}
        self.stamps: dict[Key, MutableMapping[str, FieldStamp]] = {}
        self.now_ms = time.time_ns() // 1_000_000

    def run(self, mutations: list[Mutation]) -> list[Applied]:
        decoded = [self._decode(m) for m in mutations]
        # The user's grants and buckets need no lock; the rows do: read before the lock,
        # a row could change under a writer committing meanwhile, and the merge would
        # overwrite that writer's edit as if it had never happened.
        warm_scope(self.session, self.user)
        self.writer.lock()
        self._preload(
            [(m, d) for m, d in zip(mutations, decoded, strict=True) if isinstance(d, tuple)]
        )
        self.writer.reserve(len(mutations))
        jobs_before = {  # a finished job releases its unit: known only from before the batch
            key[1]: row["status"]
            for key, row in self.rows.items()
            if key[0] == "equipment_maintenance" and row
        }
        out: list[Applied] = []
        for m, d in zip(mutations, decoded, strict=True):
            if isinstance(d, Applied):
                out.append(d)
            elif self.careful:
                out.append(self._apply_careful(m, *d))
            else:
                out.append(self._apply(m, *d))
        touched: dict[str, set[uuid.UUID]] = {}
        for a in out:
            if a.outcome.status != "rejected" and a.table:
                touched.setdefault(a.table, set()).add(a.mutation.id)
        flag_double_bookings(self.writer, touched, {k: v for k, v in self.rows.items() if v})
        resolve_double_bookings(self.writer, touched, self.rows)  # pairs now apart
        fleet_rules.react(self.writer, touched, jobs_before)  # finished repairs, failed checks
        schedule_rules.react(self.writer, touched)  # time off, out of service, staffing flags
        stock.react(self.writer, touched)  # reorder-point crossings notify the branch manager
        self.writer.finish()
        return out

    # -- decoding and loading -------------------------------------------------
    def _decode(self, m: Mutation) -> Applied | tuple[str, dict[str, Any], dict[str, Any], Hlc]:
        try:
            table = synced_table(m.table)
        except KeyError:
            return Applied(
                m, rejected(Reason.VALIDATION_FAILED, f"unknown table {m.table!r}"), show_row=False
            )
        try:
            changes, base = decode_row(table, m.changes), decode_row(table, m.base)
            hlc = cap_future(Hlc.parse(m.hlc), self.now_ms)
        except CodecError as exc:
            return Applied(m, rejected(Reason.VALIDATION_FAILED, str(exc)), show_row=False)
        except HlcError as exc:
            return Applied(m, rejected(Reason.VALIDATION_FAILED, f"hlc: {exc}"), show_row=False)
        return m.table, changes, base, hlc

    def _preload(self, items: list[tuple[Mutation, tuple[str, dict[str, Any], Any, Hlc]]]) -> None:
        """Target rows, their parents and field clocks: one SELECT per table, not per row."""
        ids: dict[str, set[uuid.UUID]] = {}
        for m, (table, _, _, _) in items:
            ids.setdefault(table, set()).add(m.id)
        self._load(ids)
        parents: dict[str, set[uuid.UUID]] = {}
        for m, (table, changes, _, _) in items:
            row = self.rows.get((table, m.id)) or changes
            for parent in (table_policy(table).parent, LOCATION_VIA.get(table)):
                if parent and row.get(parent[1]) is not None:
                    parents.setdefault(parent[0], set()).add(row[parent[1]])
        self._load(parents)
        for table, table_ids in ids.items():
            for r in self.session.execute(
                select(FieldClock.row_id, FieldClock.clocks).where(
                    FieldClock.table_name == table, one_of(FieldClock.row_id, table_ids)
                )
            ):
                self.stamps[(table, r.row_id)] = StoredStamps(r.clocks)

    def _load(self, ids: Mapping[str, set[uuid.UUID]]) -> None:
        for table, table_ids in ids.items():
            todo = [i for i in table_ids if (table, i) not in self.rows]
            if not todo:
                continue
            t = synced_table(table)
            result = self.session.execute(select(t).where(one_of(t.c.id, todo)))
            keys = list(result.keys())
            found = {}
            for values in result:
                row = dict(zip(keys, values, strict=True))
                found[row["id"]] = row
            for i in todo:
                self.rows[(table, i)] = found.get(i)

    def row(self, table: str, row_id: uuid.UUID | None) -> dict[str, Any] | None:
        if row_id is None:
            return None
        if (table, row_id) not in self.rows:
            self._load({table: {row_id}})
        return self.rows[(table, row_id)]

    # -- applying ---------------------------------------------------------------
    def _apply_careful(
        self, m: Mutation, table: str, changes: dict[str, Any], base: dict[str, Any], hlc: Hlc
    ) -> Applied:
        mark = self.writer.mark()
        try:
            with self.session.begin_nested():
                return self._apply(m, table, changes, base, hlc)
        except DBAPIError as exc:
            if is_connection_error(exc):
                raise
            self.writer.rollback_to(mark)
            self.rows.clear()  # reload lazily: the savepoint undid whatever we cached
            if isinstance(exc, RuleRefused):
                violation = exc.violation
                return Applied(
                    m,
                    rejected(Reason.RULE_VIOLATION, f"{violation.code}: {violation.message}"),
                    changes,
                    table,
                )
            diag = getattr(exc.orig, "diag", None)
            name = getattr(diag, "constraint_name", None) or getattr(diag, "column_name", None)
            detail = (getattr(diag, "message_primary", None) or str(exc.orig)).splitlines()[0]
            return Applied(
                m,
                rejected(Reason.CONSTRAINT_VIOLATION, f"{name or 'constraint'}: {detail}"),
                changes,
                table,
            )

    def _apply(
        self, m: Mutation, table: str, changes: dict[str, Any], base: dict[str, Any], hlc: Hlc
    ) -> Applied:
        row = self.row(table, m.id)
        if row is not None and row.get("tenant_id", row["id"]) != self.tenant_id:
            return self._denied(m, "the row belongs to another tenant")
        if m.op == "insert":
            outcome = self._insert(m, table, row, changes, hlc)
        elif row is None:
            outcome = rejected(Reason.ROW_NOT_FOUND, f"no {table} row {m.id}")
        elif m.op == "update":
            outcome = self._update(m, table, row, changes, base, hlc)
        else:
            outcome = self._delete(m, table, row)
        if outcome.reason == Reason.PERMISSION_DENIED:
            # A refused edit of a row the user still sees comes back with the server's row,
            # so the laptop drops its local change instead of showing it forever.
            visible = row is not None and can_read(
                self.session, self.user, table, row, lookup=self.row
            )
            return Applied(m, outcome, changes, table, show_row=visible)
        return Applied(m, outcome, changes, table, show_row=row is not None or m.op == "insert")

    def _denied(self, m: Mutation, message: str) -> Applied:
        return Applied(m, rejected(Reason.PERMISSION_DENIED, message), show_row=False)

    def _authorize(self, table: str, op: str, old: Any, new: Any) -> MergeOutcome | None:
        try:
            check_write(self.session, self.user, table, op, old, new, lookup=self.row)
        except PermissionDenied as exc:
            return rejected(Reason.PERMISSION_DENIED, exc.message)
        return None

    def _parent(self, table: str, row: Mapping[str, Any]) -> tuple[str, dict[str, Any] | None]:
        parent = table_policy(table).parent
        if parent is None:
            return "", None
        return parent[0], self.row(parent[0], row.get(parent[1]))

    def _insert(
        self, m: Mutation, table: str, row: dict[str, Any] | None, changes: dict[str, Any], hlc: Hlc
    ) -> MergeOutcome:
        if changes.get("tenant_id", self.tenant_id) != self.tenant_id:
            return rejected(Reason.PERMISSION_DENIED, "the row belongs to another tenant")
        policy = table_policy(table)
        values = {
            k: v
            for k, v in changes.items()
            if k not in COMMON_SERVER_OWNED and k not in policy.server_filled
        }
        if row is not None:
            same = all(
                row.get(k) == v
                for k, v in values.items()
                if policy.policy(k).value != "server_owned"
            )
            if same:
                return MergeOutcome(
                    "applied", reason="already_applied", message="this row was already created"
                )
            return rejected(Reason.DUPLICATE_ID, f"a different {table} row has id {m.id}")
        proposed = {**values, "id": m.id, "tenant_id": self.tenant_id}
        if denied := self._authorize(table, "insert", None, proposed):
            return denied
        try:
            policy.check_initial(values)
        except RuleViolation as exc:
            return rejected(Reason.INVALID_TRANSITION, exc.message)
        if table in LOCATION_VIA:
            holder_table, fk = LOCATION_VIA[table]
            holder = self.row(holder_table, values.get(fk))
            if holder is not None and holder.get("deleted_at") is not None:
                # No bucket holds a child of a tombstone: accepting it would strand the row.
                return rejected(
                    Reason.ROW_DELETED, f"the {holder_table} this {table} belongs to was deleted"
                )
        parent_table, parent = self._parent(table, values)
        if locked := lock_reason(table, None, parent):
            return rejected(Reason.LOCKED, locked)
        stored = self.writer.insert(
            table, {**values, "id": m.id}, mutation_id=m.mutation_id, hlc=hlc
        )
        self.rows[(table, m.id)] = stored
        if (
            parent_table == "quote"
            and parent
            and parent["status"] in (QuoteStatus.SENT, QuoteStatus.VIEWED)
        ):
            self._write_parent(parent_table, parent, {"status": QuoteStatus.DRAFT})
        return MergeOutcome("applied")

    def _update(
        self,
        m: Mutation,
        table: str,
        row: dict[str, Any],
        changes: dict[str, Any],
        base: dict[str, Any],
        hlc: Hlc,
    ) -> MergeOutcome:
        if denied := self._authorize(table, "update", row, {**row, **changes}):
            return denied
        if row.get("deleted_at") is not None:
            return rejected(Reason.ROW_DELETED, f"this {table} was deleted on the server")
        if m.base_version is not None and m.base_version == row.get("version"):
            base = {**{k: row.get(k) for k in changes}, **base}
        parent_table, parent = self._parent(table, row)
        outcome = merge_update(
            table,
            row,
            base,
            changes,
            client_hlc=hlc,
            actor_role=self.writer.actor.role,
            server_field_hlcs=self.stamps.get((table, m.id), {}),
            base_version=m.base_version,
            parent_row=parent,
            context=self.context,
        )
        if outcome.status == "rejected":
            return outcome
        if outcome.apply:
            self.rows[(table, m.id)] = self.writer.update(
                table, m.id, outcome.apply, before=row, mutation_id=m.mutation_id, hlc=hlc
            )
            stamps = self.stamps.setdefault((table, m.id), {})
            for name in outcome.apply:
                stamps[name] = FieldStamp(hlc, self.writer.actor.role)
        elif outcome.status == "applied":
            outcome = MergeOutcome(
                "applied", reason="no_change", message="the server already holds these values"
            )
        if outcome.parent_apply and parent is not None:
            self._write_parent(parent_table, parent, outcome.parent_apply)
        return outcome

    def _delete(self, m: Mutation, table: str, row: dict[str, Any]) -> MergeOutcome:
        if denied := self._authorize(table, "delete", row, None):
            return denied
        if table_policy(table).append_only:
            return rejected(
                Reason.APPEND_ONLY, f"{table} rows are append-only: record a correction"
            )
        if row.get("deleted_at") is not None:
            return MergeOutcome("applied", reason="no_change", message="already deleted")
        _, parent = self._parent(table, row)
        if locked := lock_reason(table, row, parent):
            return rejected(Reason.LOCKED, locked)
        self.rows[(table, m.id)] = self.writer.delete(
            table, m.id, before=row, mutation_id=m.mutation_id
        )
        return MergeOutcome("applied")

    def _write_parent(self, table: str, parent: dict[str, Any], changes: dict[str, Any]) -> None:
        self.rows[(table, parent["id"])] = self.writer.update(
            table, parent["id"], changes, before=parent
        )
