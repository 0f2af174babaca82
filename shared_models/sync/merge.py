"""The field-level three-way merge of DESIGN 6.1, pure so both sides can run it.

For each changed field: server == base -> the client's edit applies; server ==
new -> nothing to do; otherwise both sides changed it and the field's policy
(shared_models.sync.policies) decides. Nothing is dropped silently: every
changed field ends up applied, already equal, or listed in ``conflicts`` with
the reason and the value that won.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from shared_models.enums import QuoteStatus
from shared_models.rules.errors import APPROVAL_REQUIRED, RuleViolation
from shared_models.sync.hlc import Hlc
from shared_models.sync.policies import Policy, Reason, lock_reason, table_policy

Status = Literal["applied", "merged", "conflict_resolved", "rejected"]
Winner = Literal["client", "server"]
_ABSENT: Any = object()


@dataclass(frozen=True, slots=True)
class FieldStamp:
    """Who last wrote a field on the server: the edit's clock and the writer's role."""

    hlc: Hlc
    role: str | None = None


@dataclass(frozen=True, slots=True)
class FieldConflict:
    """Both sides changed ``field``; ``winner`` says whose value the row now holds."""

    field: str
    reason: str
    winner: Winner
    client_value: Any
    server_value: Any
    message: str | None = None


@dataclass(frozen=True)
class MergeOutcome:
    status: Status
    apply: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    message: str | None = None
    conflicts: list[FieldConflict] = field(default_factory=list)
    #: Changes the merge implies for the parent row (a quote item's price -> quote DRAFT).
    parent_apply: dict[str, Any] = field(default_factory=dict)


def rejected(reason: str, message: str) -> MergeOutcome:
    return MergeOutcome("rejected", reason=reason, message=message)


def merge_update(
    table: str,
    server_row: Mapping[str, Any],
    base: Mapping[str, Any],
    changes: Mapping[str, Any],
    *,
    client_hlc: Hlc,
    server_field_hlcs: Mapping[str, FieldStamp],
    actor_role: str | None,
    base_version: int | None = None,
    parent_row: Mapping[str, Any] | None = None,
    context: Mapping[str, Any] | None = None,
) -> MergeOutcome:
    """Merge one pushed update into the server's row; see the module docstring."""
    policy = table_policy(table)
    if policy.append_only:
        return rejected(Reason.APPEND_ONLY, f"{table} rows are append-only: record a new one")
    differing = [name for name, new in changes.items() if server_row.get(name, _ABSENT) != new]
    locked = lock_reason(table, server_row, parent_row)
    if locked and any(name not in policy.lock_exempt for name in differing):
        return rejected(Reason.LOCKED, locked)

    apply: dict[str, Any] = {}
    conflicts: list[FieldConflict] = []
    status_move: tuple[Any, Any] | None = None
    for name in differing:
        new, cur = changes[name], server_row.get(name)
        kind = policy.policy(name)
        client_only = name in base and base[name] == cur
        if kind is Policy.SERVER_OWNED:
            conflicts.append(
                FieldConflict(
                    name, Reason.SERVER_OWNED, "server", new, cur, f"{name} is set by the server"
                )
            )
        elif kind is Policy.SERVER_WINS:
            if client_only:
                status_move = (cur, new)
            else:
                conflicts.append(
                    FieldConflict(
                        name,
                        Reason.SERVER_WINS,
                        "server",
                        new,
                        cur,
                        f"{name} changed on the server meanwhile",
                    )
                )
        elif client_only:
            apply[name] = new
        else:
            winner, reason = _decide(
                policy, name, server_field_hlcs.get(name), client_hlc, actor_role, kind
            )
            if winner == "client":
                apply[name] = new
            conflicts.append(FieldConflict(name, reason, winner, new, cur))

    if status_move is not None:
        assert policy.status_field is not None and policy.transition is not None
        merged = {**server_row, **apply}
        try:
            policy.transition(status_move[0], status_move[1], merged, context or {})
            apply[policy.status_field] = status_move[1]
        except RuleViolation as exc:
            reason = (
                Reason.APPROVAL_REQUIRED
                if exc.code == APPROVAL_REQUIRED
                else Reason.INVALID_TRANSITION
            )
            conflicts.append(
                FieldConflict(
                    policy.status_field,
                    reason,
                    "server",
                    status_move[1],
                    status_move[0],
                    exc.message,
                )
            )

    parent_apply: dict[str, Any] = {}
    if policy.price_fields & apply.keys():
        if table == "quote" and policy.status_field not in apply:
            _send_back(server_row, apply)
        elif policy.parent is not None and policy.parent[0] == "quote" and parent_row is not None:
            _send_back(parent_row, parent_apply)

    moved_on = base_version is not None and (server_row.get("version") or 0) > base_version
    status: Status = "conflict_resolved" if conflicts else "merged" if moved_on else "applied"
    return MergeOutcome(status, apply, *_summary(conflicts), conflicts, parent_apply)


def _decide(
    policy: Any,
    name: str,
    stamp: FieldStamp | None,
    client_hlc: Hlc,
    actor_role: str | None,
    kind: Policy,
) -> tuple[Winner, str]:
    """Both sides changed ``name``: the owner beats a non-owner, else the newer clock wins."""
    if kind is Policy.OWNED and stamp is not None:
        client_owns = policy.is_owner(name, actor_role)
        if client_owns != policy.is_owner(name, stamp.role):
            return ("client" if client_owns else "server"), Reason.OWNER_WINS
    server_hlc = stamp.hlc if stamp is not None else Hlc.zero()
    return ("client" if client_hlc > server_hlc else "server"), Reason.LWW


def _send_back(quote_row: Mapping[str, Any], into: dict[str, Any]) -> None:
    status = quote_row.get("status")
    if status in (QuoteStatus.SENT, QuoteStatus.VIEWED):
        into["status"] = QuoteStatus.DRAFT


def _summary(conflicts: list[FieldConflict]) -> tuple[str | None, str | None]:
    if not conflicts:
        return None, None
    parts = [f"{c.field}: {c.winner} value kept ({c.reason})" for c in conflicts]
    return conflicts[0].reason, "; ".join(parts)


def settle(
    outcome: MergeOutcome, table: str, changes: Mapping[str, Any], final_row: Mapping[str, Any]
) -> MergeOutcome:
    """Reconcile the outcome with the row as stored after server recomputation.

    A server-owned field the client computed identically is no conflict; a
    server-owned field stored with another value than the client sent is one.
    """
    if outcome.status == "rejected":
        return outcome
    policy = table_policy(table)
    listed = {c.field for c in outcome.conflicts}
    kept = [
        c
        for c in outcome.conflicts
        if not (c.reason == Reason.SERVER_OWNED and final_row.get(c.field) == c.client_value)
    ]
    for name, new in changes.items():
        if (
            name not in listed
            and policy.policy(name) is Policy.SERVER_OWNED
            and name in final_row
            and final_row[name] != new
        ):
            kept.append(
                FieldConflict(
                    name,
                    Reason.SERVER_OWNED,
                    "server",
                    new,
                    final_row[name],
                    f"{name} was recomputed by the server",
                )
            )
    if kept == outcome.conflicts:
        return outcome
    status: Status = (
        "conflict_resolved"
        if kept
        else ("applied" if outcome.status == "conflict_resolved" else outcome.status)
    )
    reason, message = _summary(kept)
    return replace(outcome, status=status, reason=reason, message=message, conflicts=kept)
