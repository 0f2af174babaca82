"""Per-table, per-field merge policies (DESIGN 6.2, 6.3, 6.8), declared once for both sides.

The server applies them on push; the client reads the same declarations to
predict outcomes and to explain a rejection. Everything not declared here is
last-writer-wins by hybrid logical clock, the right default for free text
and contact details.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from shared_models.enums import JourneyStatus, UserRole
from shared_models.rules import conversion, invoice_workflow, maintenance, quote_workflow
from shared_models.rules.errors import INVALID_TRANSITION, UNKNOWN_STATUS, RuleViolation


class Policy(enum.StrEnum):
    LWW = "lww"  #: newer hybrid logical clock wins
    SERVER_WINS = "server_wins"  #: status fields: the server's state stands, moves are validated
    OWNED = "owned"  #: the owning role's edit beats a non-owner's; LWW among equals
    SERVER_OWNED = "server_owned"  #: computed or assigned by the server; clients cannot set it


class Reason(enum.StrEnum):
    """Stable reason codes on the wire (MutationResult.reason, conflict entries)."""

    LOCKED = "locked"
    APPEND_ONLY = "append_only"
    ROW_DELETED = "row_deleted"
    ROW_NOT_FOUND = "row_not_found"
    DUPLICATE_ID = "duplicate_id"
    VALIDATION_FAILED = "validation_failed"
    PERMISSION_DENIED = "permission_denied"
    CONSTRAINT_VIOLATION = "constraint_violation"
    #: A business rule refused the row (payment limits, refunds, ...); message "<code>: text".
    RULE_VIOLATION = "rule_violation"
    SERVER_OWNED = "server_owned"
    SERVER_WINS = "server_wins"
    OWNER_WINS = "owner_wins"
    LWW = "lww"
    INVALID_TRANSITION = "invalid_transition"
    APPROVAL_REQUIRED = "approval_required"


#: Sync columns every row carries; the server alone writes them (DESIGN 3).
COMMON_SERVER_OWNED = frozenset(
    {"id", "tenant_id", "version", "created_at", "updated_at", "updated_by", "deleted_at"}
)

R = UserRole
#: Supervisors own everything their staff own: among owners the newer edit wins.
_SUPERVISORS = frozenset({R.ADMIN, R.MANAGER})
DISPATCH = _SUPERVISORS | {R.DISPATCHER}
CREW = _SUPERVISORS | {R.CREW_LEAD, R.CREW_MEMBER, R.DRIVER}
SALES = _SUPERVISORS | {R.SALES}

Transition = Callable[[Any, Any, Mapping[str, Any], Mapping[str, Any]], None]
Lock = Callable[[Mapping[str, Any]], str | None]


@dataclass(frozen=True)
class TablePolicy:
    """How pushed changes to one table merge; see the module docstring for the default."""

    table: str
    append_only: bool = False
    server_owned: frozenset[str] = frozenset()
    #: Server-owned columns only the server ever fills, on insert too: a pushed new row's
    #: values for them are dropped. (Others, e.g. a payment's status, a new row brings.)
    server_filled: frozenset[str] = frozenset()
    owners: Mapping[str, frozenset[UserRole]] = field(default_factory=dict)
    status_field: str | None = None
    #: ``(old, new, merged_row, context)``; raises RuleViolation for a forbidden move.
    transition: Transition | None = None
    #: Message when the row is locked against edits, else None.
    lock: Lock | None = None
    #: Fields that may still change on a locked row (through the state machine).
    lock_exempt: frozenset[str] = frozenset()
    #: ``(table, fk column)`` of a parent whose lock also locks this row.
    parent: tuple[str, str] | None = None
    #: A change to one of these on a SENT/VIEWED quote sends it back to DRAFT.
    price_fields: frozenset[str] = frozenset()
    #: The statuses a new row may start in; later ones are reached through ``transition``
    #: (an offline laptop pushes the insert as created, then each move as an update).
    initial_statuses: frozenset[str] = frozenset()

    def check_initial(self, row: Mapping[str, Any]) -> None:
        """Raise RuleViolation when a new row claims a status the workflow must reach."""
        if not self.status_field or not self.initial_statuses:
            return
        status = row.get(self.status_field)
        if (
            status is not None
            and str(getattr(status, "value", status)) not in self.initial_statuses
        ):
            allowed = ", ".join(sorted(self.initial_statuses))
            raise RuleViolation(
                INVALID_TRANSITION,
                f"a new {self.table} starts as {allowed}, not {status}; later statuses are"
                " reached through the workflow",
                field=self.status_field,
            )

    def policy(self, name: str) -> Policy:
        if name in COMMON_SERVER_OWNED or name in self.server_owned:
            return Policy.SERVER_OWNED
        if name == self.status_field:
            return Policy.SERVER_WINS
        if name in self.owners:
            return Policy.OWNED
        return Policy.LWW

    def is_owner(self, name: str, role: UserRole | str | None) -> bool:
        return role is not None and str(role) in {str(r) for r in self.owners.get(name, ())}


def _quote_transition(old: Any, new: Any, row: Mapping[str, Any], ctx: Mapping[str, Any]) -> None:
    quote_workflow.check_transition(
        old,
        new,
        discount_pct=row.get("discount_pct") or 0,
        approval_threshold_pct=ctx.get("approval_threshold_pct"),
        approved=row.get("approved_by") is not None,
    )
    conversion.require_journey_link(new, row)


def _invoice_transition(old: Any, new: Any, row: Mapping[str, Any], ctx: Mapping[str, Any]) -> None:
    invoice_workflow.check_invoice_transition(old, new, net_paid=row.get("amount_paid") or 0)


J = JourneyStatus
_JOURNEY_CHAIN = (J.PLANNED, J.CONFIRMED, J.DISPATCHED, J.IN_PROGRESS, J.COMPLETED)


def journey_transitions(current: JourneyStatus) -> frozenset[JourneyStatus]:
    """Forward along the chain (skipping allowed: a crew may start an undispatched job),
    one step back before work starts, cancel before completion, reopen a cancelled job."""
    if current == J.CANCELLED:
        return frozenset({J.PLANNED})
    at = _JOURNEY_CHAIN.index(current)
    out = set(_JOURNEY_CHAIN[at + 1 :])
    if 0 < at <= 2:
        out.add(_JOURNEY_CHAIN[at - 1])
    if current != J.COMPLETED:
        out.add(J.CANCELLED)
    return frozenset(out)


def _journey_transition(old: Any, new: Any, row: Mapping[str, Any], ctx: Mapping[str, Any]) -> None:
    try:
        current, target = JourneyStatus(old), JourneyStatus(new)
    except ValueError:
        raise RuleViolation(
            UNKNOWN_STATUS, f"unknown journey status {new!r}", field="status"
        ) from None
    if target not in journey_transitions(current):
        raise RuleViolation(
            INVALID_TRANSITION,
            f"a journey in status {current} cannot move to {target}",
            field="status",
        )


def _maintenance_transition(
    old: Any, new: Any, row: Mapping[str, Any], ctx: Mapping[str, Any]
) -> None:
    maintenance.check_transition(old, new)


def _quote_lock(row: Mapping[str, Any]) -> str | None:
    status = row.get("status")
    if status is not None and quote_workflow.is_locked(status):
        return f"the quote is {status} and locked: it can no longer be edited"
    return None


def _invoice_lock(row: Mapping[str, Any]) -> str | None:
    status = row.get("status")
    if status is not None and invoice_workflow.is_locked(status):
        return f"the invoice is {status} and locked: it can no longer be edited"
    return None


_DOC_TOTALS = frozenset({"number", "subtotal", "tax_amount", "total", "tax_breakdown"})
_PRICES = frozenset({"unit_price", "quantity", "discount_pct"})

_DECLARED: tuple[TablePolicy, ...] = (
    TablePolicy(
        "quote",
        server_owned=_DOC_TOTALS,
        status_field="status",
        transition=_quote_transition,
        lock=_quote_lock,
        lock_exempt=frozenset({"status", "journey_id"}),
        initial_statuses=frozenset({"DRAFT"}),
        owners={"discount_pct": SALES, "discount_amount": SALES},
        price_fields=frozenset({"discount_pct", "discount_amount"}),
    ),
    TablePolicy(
        "quote_item",
        server_owned=frozenset({"line_total"}),
        parent=("quote", "quote_id"),
        owners={"unit_price": SALES, "discount_pct": SALES},
        price_fields=_PRICES,
    ),
    TablePolicy(
        "invoice",
        status_field="status",
        transition=_invoice_transition,
        lock=_invoice_lock,
        # Issued at once is fine; paid or refunded only ever follows from payments.
        initial_statuses=frozenset({"DRAFT", "SENT"}),
        server_owned=_DOC_TOTALS | {"amount_paid", "balance_due", "credit_amount", "paid_at"},
    ),
    TablePolicy(
        "invoice_item",
        server_owned=frozenset({"line_total"}),
        parent=("invoice", "invoice_id"),
    ),
    TablePolicy(
        "journey",
        server_owned=frozenset({"number"}),
        status_field="status",
        transition=_journey_transition,
        initial_statuses=frozenset({"PLANNED", "CONFIRMED"}),
        owners={
            **{
                f: DISPATCH
                for f in (
                    "scheduled_date",
                    "scheduled_start",
                    "truck_id",
                    "truck_count",
                    "crew_lead_id",
                    "dispatcher_id",
                    "crew_size_required",
                )
            },
            **{
                f: CREW
                for f in (
                    "actual_start",
                    "actual_end",
                    "completed_at",
                    "billable_hours",
                    "signer_name",
                    "signed_at",
                )
            },
        },
    ),
    TablePolicy(
        "journey_crew",
        owners={f: DISPATCH for f in ("journey_id", "user_id", "crew_role")},
    ),
    TablePolicy(
        "schedule",
        owners={
            f: DISPATCH for f in ("start_at", "end_at", "user_id", "equipment_id", "journey_id")
        },
    ),
    TablePolicy("payment", append_only=True, server_owned=frozenset({"status", "refunded_amount"})),
    # The detector's record of a double booking's pair and of when it was seen apart: a
    # dispatcher resolves a flag (resolved_*, note) but cannot rewrite what it is about.
    TablePolicy(
        "schedule_conflict",
        server_owned=frozenset({"other_journey_id", "pair_ended_at"}),
        server_filled=frozenset({"other_journey_id", "pair_ended_at"}),
    ),
    # A finished or cancelled job is a record of what was paid for: work found undone
    # is a new job (shared_models.rules.maintenance).
    TablePolicy("equipment_maintenance", status_field="status", transition=_maintenance_transition),
)


@cache
def table_policy(table: str) -> TablePolicy:
    """The declared policy of ``table``; append-only follows the model's ``__append_only__``."""
    from shared_models import models

    declared = {p.table: p for p in _DECLARED}
    try:
        append_only = bool(models.model_for_table(table).__append_only__)
    except KeyError:
        append_only = False
    policy = declared.get(table, TablePolicy(table))
    if append_only and not policy.append_only:
        policy = TablePolicy(**{**policy.__dict__, "append_only": True})
    return policy


def lock_reason(
    table: str, row: Mapping[str, Any] | None, parent: Mapping[str, Any] | None = None
) -> str | None:
    """Why edits of this row are refused (its own lock or its parent's), or None."""
    policy = table_policy(table)
    if row is not None and policy.lock is not None and (msg := policy.lock(row)):
        return msg
    if parent is not None and policy.parent is not None:
        parent_policy = table_policy(policy.parent[0])
        if parent_policy.lock is not None:
            return parent_policy.lock(parent)
    return None


def price_change_status(status: Any) -> Any:
    """The quote status after a price change: SENT/VIEWED go back to DRAFT for approval."""
    return quote_workflow.status_after_price_change(status)


__all__ = [
    "COMMON_SERVER_OWNED",
    "CREW",
    "DISPATCH",
    "SALES",
    "Policy",
    "Reason",
    "TablePolicy",
    "journey_transitions",
    "lock_reason",
    "price_change_status",
    "table_policy",
]
