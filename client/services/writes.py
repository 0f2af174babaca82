"""``LocalWriteService``: write a row and queue its mutation in ONE replica transaction.

A crash can therefore never leave an edit on screen that will not sync, nor
a queued mutation whose row was never written. Values are validated with the
wire codec before anything is written, so the outbox only holds mutations
the server can decode.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, select, update
from sqlalchemy.exc import IntegrityError, StatementError

from client.replica.store import LocalStore
from client.services.errors import AppendOnlyTable, InvalidWrite, RowNotFound
from client.sync import outbox, rejections
from client.sync.db import META_HLC, replica_tx, set_meta, table_for
from client.sync.rows import as_uuid, read_row
from shared_models.ids import uuid7
from shared_models.models import model_for_table
from shared_models.sync.codec import CodecError, decode_value, encode_value

#: Columns the server owns; a client never sets them in a mutation.
SERVER_COLUMNS = frozenset({"version", "updated_at", "updated_by", "deleted_at"})
#: Columns fixed at creation.
IMMUTABLE_COLUMNS = frozenset({"id", "tenant_id", "created_at"}) | SERVER_COLUMNS

ChangeListener = Callable[[str, uuid.UUID], None]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _validate(table: Table, values: Mapping[str, Any]) -> dict[str, Any]:
    """Round-trip every value through the wire codec: what passes here, the server can read."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        try:
            out[name] = decode_value(table, name, encode_value(value))
        except (CodecError, TypeError) as exc:
            raise InvalidWrite(f"{table.name}.{name}: {exc}", field=name) from exc
    return out


def _unresolved_rejection(conn: Connection, rejection_id: int) -> rejections.Rejection:
    for refused in rejections.unresolved(conn):
        if refused.id == rejection_id:
            return refused
    raise RowNotFound(f"no open sync issue #{rejection_id}")


def _defaults(table: Table) -> dict[str, Any]:
    """Python-side column defaults, evaluated now (the outbox needs the full inserted row)."""
    out: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if (
            default is None
            or not getattr(default, "is_scalar", False)
            and not getattr(default, "is_callable", False)
        ):
            continue
        out[column.name] = default.arg(None) if default.is_callable else default.arg
    return out


class WriteBatch:
    """Several writes of one ``LocalWriteService.batch()``: they commit (and queue) together."""

    def __init__(self, service: LocalWriteService, conn: Connection) -> None:
        self._service, self.conn = service, conn
        self.touched: list[tuple[str, uuid.UUID]] = []

    def read(self, table_name: str, row_id: uuid.UUID | str) -> dict[str, Any] | None:
        """The row as this transaction sees it (earlier writes of the batch included)."""
        return read_row(self.conn, table_for(table_name), row_id)

    def insert(self, table_name: str, values: Mapping[str, Any]) -> uuid.UUID:
        row_id, _ = self._service._insert(self.conn, table_name, values)
        self.touched.append((table_name, row_id))
        return row_id

    def update(
        self, table_name: str, row_id: uuid.UUID | str, changes: Mapping[str, Any]
    ) -> int | None:
        mutation_id = self._service._update(self.conn, table_name, row_id, changes)
        if mutation_id is not None:
            self.touched.append((table_name, as_uuid(row_id)))
        return mutation_id

    def delete(self, table_name: str, row_id: uuid.UUID | str) -> int:
        mutation_id = self._service._delete(self.conn, table_name, row_id)
        self.touched.append((table_name, as_uuid(row_id)))
        return mutation_id


class LocalWriteService:
    """insert / update / delete on synced tables, each with its outbox mutation."""

    def __init__(
        self,
        store: LocalStore,
        *,
        user_id: uuid.UUID | str,
        hlc: Callable[[], str],
        tenant_id: uuid.UUID | str | None = None,
        device_id: str | None = None,
        on_change: ChangeListener | None = None,
    ) -> None:
        self.store = store
        self.user_id = as_uuid(user_id)
        self.tenant_id = None if tenant_id is None else as_uuid(tenant_id)
        self.device_id = device_id
        self.hlc = hlc
        self.on_change = on_change

    @contextmanager
    def batch(self) -> Iterator[WriteBatch]:
        """Writes that belong together (a quote and its lines): all commit or none does.

        Listeners hear of the rows once the batch has committed.
        """
        with self._tx() as conn:
            batch = WriteBatch(self, conn)
            yield batch
        for table_name, row_id in dict.fromkeys(batch.touched):
            self._notify(table_name, row_id)

    def insert(self, table_name: str, values: Mapping[str, Any]) -> uuid.UUID:
        """Create a row; returns its new UUIDv7 id."""
        with self._tx() as conn:
            row_id, _ = self._insert(conn, table_name, values)
        self._notify(table_name, row_id)
        return row_id

    def update(
        self, table_name: str, row_id: uuid.UUID | str, changes: Mapping[str, Any]
    ) -> int | None:
        """Change some fields; returns the mutation id (None when nothing changed)."""
        with self._tx() as conn:
            mutation_id = self._update(conn, table_name, row_id, changes)
        if mutation_id is not None:
            self._notify(table_name, as_uuid(row_id))
        return mutation_id

    def delete(self, table_name: str, row_id: uuid.UUID | str) -> int:
        """Tombstone a row (synced rows are never hard-deleted while replicas hold them)."""
        with self._tx() as conn:
            mutation_id = self._delete(conn, table_name, row_id)
        self._notify(table_name, as_uuid(row_id))
        return mutation_id

    # -- sync issues (DESIGN 6.6) ------------------------------------------------

    def retry_rejection(
        self, rejection_id: int, changes: Mapping[str, Any] | None = None
    ) -> int | None:
        """ "Edit and retry": queue the refused change again, as edited by the user.

        ``changes`` replaces the attempted change (default: the change as it
        was refused); it is applied on the row as the replica now holds it, so
        the new mutation carries the current server values as its base. The
        rejection is marked "retried" in the same transaction. Returns the new
        mutation id (None when the row already holds those values).
        """
        with self._tx() as conn:
            refused = _unresolved_rejection(conn, rejection_id)
            values = dict(refused.changes if changes is None else changes)
            row_id = uuid.UUID(refused.row_id)
            mutation_id: int | None
            if refused.op == "insert":
                values.pop("created_at", None)  # stamped again by this new attempt
                values["id"] = row_id
                _, mutation_id = self._insert(conn, refused.table, values)
            elif refused.op == "delete":
                mutation_id = self._delete(conn, refused.table, row_id)
            else:
                mutation_id = self._update(conn, refused.table, row_id, values)
            rejections.resolve(conn, rejection_id, "retried")
        self._notify(refused.table, row_id)
        return mutation_id

    def discard_rejection(self, rejection_id: int) -> None:
        """ "Discard": keep the server's version; the record stays (resolved) for support."""
        with self._tx() as conn:
            _unresolved_rejection(conn, rejection_id)
            rejections.resolve(conn, rejection_id, "discarded")

    # -- one write inside the caller's transaction --------------------------------

    def _insert(
        self, conn: Connection, table_name: str, values: Mapping[str, Any]
    ) -> tuple[uuid.UUID, int]:
        table = table_for(table_name)
        extra = set(values) & (SERVER_COLUMNS | {"created_at"})
        if extra:
            raise InvalidWrite(f"{table_name}: {sorted(extra)} are set by the server")
        row = {**_defaults(table), **_validate(table, values)}
        row["id"] = as_uuid(values["id"]) if values.get("id") is not None else uuid7()
        row.update(version=0, updated_by=self.user_id, deleted_at=None)
        if "tenant_id" in table.c and row.get("tenant_id") is None:
            row["tenant_id"] = self._tenant_id(conn)
        self._execute(conn, table.insert().values(**row))
        changes = {k: encode_value(v) for k, v in row.items() if k not in SERVER_COLUMNS}
        changes.pop("id")
        return row["id"], self._queue(conn, table_name, "insert", row["id"], None, {}, changes)

    def _update(
        self, conn: Connection, table_name: str, row_id: uuid.UUID | str, changes: Mapping[str, Any]
    ) -> int | None:
        table = self._mutable(table_name)
        fixed = set(changes) & IMMUTABLE_COLUMNS
        if fixed:
            raise InvalidWrite(f"{table_name}: {sorted(fixed)} cannot be changed")
        new = _validate(table, changes)
        old = self._live_row(conn, table, row_id)
        diff = {k: v for k, v in new.items() if old[k] != v}
        if not diff:
            return None
        self._execute(
            conn,
            update(table)
            .where(table.c.id == old["id"])
            .values(**diff, updated_at=_now(), updated_by=self.user_id),
        )
        base = {k: encode_value(old[k]) for k in diff}
        wire = {k: encode_value(v) for k, v in diff.items()}
        return self._queue(conn, table_name, "update", old["id"], old["version"], base, wire)

    def _delete(self, conn: Connection, table_name: str, row_id: uuid.UUID | str) -> int:
        table = self._mutable(table_name)
        old = self._live_row(conn, table, row_id)
        now = _now()
        conn.execute(
            update(table)
            .where(table.c.id == old["id"])
            .values(deleted_at=now, updated_at=now, updated_by=self.user_id)
        )
        return self._queue(
            conn, table_name, "delete", old["id"], old["version"], {"deleted_at": None}, {}
        )

    # -- helpers ---------------------------------------------------------------

    def _tx(self) -> Any:
        return replica_tx(self.store)

    def _mutable(self, table_name: str) -> Table:
        table = table_for(table_name)
        if getattr(model_for_table(table_name), "__append_only__", False):
            raise AppendOnlyTable(f"{table_name} is append-only: add a new entry instead")
        return table

    def _live_row(self, conn: Connection, table: Table, row_id: uuid.UUID | str) -> dict[str, Any]:
        row = read_row(conn, table, row_id)
        if row is None or row.get("deleted_at") is not None:
            raise RowNotFound(f"no {table.name} {row_id} in this replica")
        return row

    def _tenant_id(self, conn: Connection) -> uuid.UUID:
        if self.tenant_id is None:
            users = table_for("user")
            found = conn.execute(select(users.c.tenant_id).where(users.c.id == self.user_id))
            tenant = found.scalar()
            if tenant is None:
                raise InvalidWrite("tenant unknown: sync once before creating rows")
            self.tenant_id = tenant
        return self.tenant_id

    def _execute(self, conn: Connection, stmt: Any) -> None:
        try:
            conn.execute(stmt)
        except IntegrityError as exc:
            raise InvalidWrite(f"refused by the replica's constraints: {exc.orig}") from exc
        except StatementError as exc:
            raise InvalidWrite(str(exc.orig or exc)) from exc

    def _queue(
        self,
        conn: Connection,
        table: str,
        op: str,
        row_id: uuid.UUID,
        base_version: int | None,
        base: dict[str, Any],
        changes: dict[str, Any],
    ) -> int:
        stamp = self.hlc()
        set_meta(conn, META_HLC, stamp)
        return outbox.append(
            conn,
            table=table,
            op=op,
            row_id=str(row_id),
            base_version=base_version,
            base=base,
            changes=changes,
            hlc=stamp,
        )

    def _notify(self, table: str, row_id: uuid.UUID) -> None:
        if self.on_change is not None:
            self.on_change(table, row_id)
