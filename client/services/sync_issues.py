"""Sync issues (DESIGN 6.6) as the UI shows them: what, why in plain words, yours vs the server's.

Reads the replica's unresolved ``SyncRejection`` rows; the fixes themselves are
``LocalWriteService.retry_rejection`` / ``discard_rejection``. ``check_value``
runs a typed value through the wire codec, the same test the write service
applies, so "Edit and retry" refuses as you type what it would refuse on save.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from client.replica.store import LocalStore
from client.services.queries import get_row
from client.sync import rejections
from client.sync.db import table_for
from shared_models.rules import contact
from shared_models.rules.errors import RuleViolation
from shared_models.sync.codec import CodecError, decode_value

#: Reason codes (shared_models.sync.policies.Reason and the client's own) in plain words.
REASONS: dict[str, str] = {
    "overruled": "Your change was overruled by a newer edit",
    "locked": "The record is locked: it was accepted, converted or paid meanwhile",
    "row_deleted": "Someone deleted this record while you edited it",
    "row_not_found": "The record no longer exists or is out of your reach",
    "duplicate_id": "A record with the same identity already exists",
    "validation_failed": "The server could not accept one of the values",
    "permission_denied": "You are not allowed to make this change",
    "constraint_violation": "A value clashes with another record (e.g. a number already used)",
    "rule_violation": "A business rule refused the change",
    "server_owned": "This value is set by the server only",
    "server_wins": "The office's value is kept for this field",
    "owner_wins": "The person in charge of this field changed it too; their value is kept",
    "lww": "Someone changed this field later than you did",
    "invalid_transition": "That status change is not allowed from the record's current status",
    "approval_required": "A manager has to approve this first",
    "append_only": "This kind of record cannot be edited, only added to",
    "stuck": "The change kept failing to upload and was set aside",
}
OPS = {"insert": "New", "update": "Change to", "delete": "Deletion of"}
#: Fields never shown or edited: identity and bookkeeping.
HIDDEN = frozenset({"id", "tenant_id", "version", "created_at", "updated_at", "updated_by"})
_NAME_FIELDS = ("number", "provisional_number", "unit_number", "name", "sku", "email")


@dataclass(frozen=True)
class FieldDiff:
    name: str
    yours: Any
    server: Any
    editable: bool

    @property
    def differs(self) -> bool:
        return self.server != self.yours


@dataclass(frozen=True)
class SyncIssue:
    id: int
    table: str
    op: str
    row_id: str
    what: str
    reason: str
    explanation: str
    detail: str | None
    when: dt.datetime | None
    changes: dict[str, Any]
    fields: tuple[FieldDiff, ...]
    server_exists: bool


def humanize_table(table: str) -> str:
    return table.replace("_", " ").capitalize()


def explain(reason: str, message: str | None) -> str:
    """The reason in plain words; an overruled value says which policy beat it."""
    plain = REASONS.get(reason, humanize_table(reason))
    if reason == "overruled" and message:
        why = {REASONS.get(part.split(": ", 1)[-1], "") for part in message.split("; ")}
        extra = "; ".join(sorted(w for w in why if w))
        return f"{plain}. {extra}." if extra else f"{plain}."
    return f"{plain}."


def _when(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _label(table: str, row: dict[str, Any] | None, changes: dict[str, Any]) -> str:
    source = {**changes, **(row or {})}
    name = next((str(source[f]) for f in _NAME_FIELDS if source.get(f)), None)
    if name is None and (source.get("first_name") or source.get("last_name")):
        name = " ".join(str(source.get(f) or "") for f in ("first_name", "last_name")).strip()
    return f"{humanize_table(table)} {name}" if name else humanize_table(table)


def _editable(table: str, name: str) -> bool:
    if name in HIDDEN or name.endswith("_id") or name == "deleted_at":
        return False
    return _python_type(table, name) not in (dict, list, bytes, bool, uuid.UUID, object)


def _python_type(table: str, name: str) -> Any:
    try:
        return table_for(table).c[name].type.python_type
    except (KeyError, NotImplementedError):
        return object


def open_issues(store: LocalStore) -> list[SyncIssue]:
    """Every unresolved rejection, newest first."""
    with store.engine.connect() as conn:
        refused = rejections.unresolved(conn)
    out: list[SyncIssue] = []
    for r in reversed(refused):
        local = get_row(store, r.table, r.row_id, include_deleted=True)
        server = r.server_row or {}
        names = [n for n in r.changes if n not in HIDDEN] or (
            ["deleted_at"] if r.op == "delete" else []
        )
        fields = tuple(
            FieldDiff(
                name=n,
                yours=r.changes.get(n, "(deleted)" if r.op == "delete" else None),
                server=server.get(n) if r.server_row is not None else None,
                editable=r.op != "delete" and _editable(r.table, n),
            )
            for n in names
        )
        out.append(
            SyncIssue(
                id=r.id,
                table=r.table,
                op=r.op,
                row_id=r.row_id,
                what=f"{OPS.get(r.op, r.op.title())} {_label(r.table, local or r.server_row, r.changes)}",
                reason=r.reason,
                explanation=explain(r.reason, r.message),
                detail=r.message,
                when=_when(r.created_at),
                changes=dict(r.changes),
                fields=fields,
                server_exists=r.server_row is not None,
            )
        )
    return out


def check_value(table: str, name: str, text: str) -> tuple[Any, str | None]:
    """A typed value as the wire carries it, or the message saying why it cannot be sent."""
    column = table_for(table).c.get(name)
    if column is None:
        return text, None
    if not text.strip():
        if not column.nullable:
            return None, "This value is required."
        return None, None
    value: Any = text.strip()
    if _python_type(table, name) is int:
        try:
            value = int(value)
        except ValueError:
            return None, "Use a whole number."
    elif _python_type(table, name) in (dict, list):
        try:
            value = json.loads(value)
        except ValueError:
            return None, "This value must stay valid JSON."
    try:
        decoded = decode_value(table_for(table), name, value)
    except CodecError as exc:
        return None, _codec_message(str(exc))
    if hasattr(decoded, "is_signed") and decoded.is_signed():
        return None, "The amount cannot be negative."
    if table in contact.CHECKED_TABLES:
        try:  # the rules the forms and the server apply (phone, email, postal code)
            contact.check_row(table, {name: decoded}, fields={name})
        except RuleViolation as exc:
            return None, exc.message
    return value, None


def _codec_message(text: str) -> str:
    detail = text.split(": ", 1)[-1]
    return f"Not a valid value ({detail})."


def display(value: Any) -> str:
    """A wire value as text for the side-by-side view."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
