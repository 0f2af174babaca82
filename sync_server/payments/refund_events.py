"""Stripe refund events: the refund row moves, the original payment and invoice follow.

``refund.created`` / ``refund.updated`` / ``refund.failed`` carry the Refund
itself, whose metadata names our refund row (``StripeGateway.refund_params``);
``charge.refunded`` carries the Charge, with its refunds listed when Stripe
includes them. A refund that ``succeeded`` becomes COMPLETED (its amount must
match the row), ``failed`` FAILED, ``canceled`` CANCELLED; ``pending`` changes
nothing. The original payment's ``refunded_amount`` and status, the invoice's
settlement and the ledger are recomputed by the writer in the same transaction.
Like payment events, a row that already left PENDING/PROCESSING is not moved
again, so a redelivered event writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.enums import PaymentStatus
from shared_models.rules.ledger import AWAITING_GATEWAY
from shared_models.sync.codec import synced_table
from sync_server.core.logging import get_logger
from sync_server.payments.card_flow import REFUND_OUTCOMES
from sync_server.payments.gateway import STRIPE, from_minor_units
from sync_server.sync.writer import Actor, SyncWriter

log = get_logger(__name__)

REFUND_EVENTS = frozenset({"refund.created", "refund.updated", "refund.failed", "charge.refunded"})


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _refunds_of(event: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    obj = event.get("data", {}).get("object", {}) or {}
    if event.get("type") == "charge.refunded":
        listed = (obj.get("refunds") or {}).get("data") or []
        return [r for r in listed if isinstance(r, Mapping)]
    return [obj]


def apply_refund_event(
    *, session: Session, event: Mapping[str, Any], tenant_id: uuid.UUID | None = None
) -> str:
    """Apply the refunds an event reports; ``tenant_id`` (a tenant's own endpoint) fences it."""
    outcomes = [
        _apply_refund(session, refund, event.get("id"), tenant_id) for refund in _refunds_of(event)
    ]
    if not outcomes:
        return "ignored"
    if "applied" in outcomes:
        return "applied"
    return outcomes[0]


def _apply_refund(
    session: Session, refund: Mapping[str, Any], event_id: Any, fence: uuid.UUID | None
) -> str:
    status = REFUND_OUTCOMES.get(str(refund.get("status")))
    if status is None:
        return "ignored"  # pending, requires_action: still on its way
    meta = refund.get("metadata") or {}
    row_id, tenant_id = _uuid(meta.get("payment_id")), _uuid(meta.get("tenant_id"))
    if row_id is None or tenant_id is None or (fence is not None and tenant_id != fence):
        log.warning("stripe_refund_unknown_row", event_id=event_id)
        return "unknown_payment"
    writer = SyncWriter(session, Actor(tenant_id, None))
    writer.lock()
    t = synced_table("payment")
    row = (
        session.execute(
            select(t).where(
                t.c.id == row_id, t.c.tenant_id == tenant_id, t.c.refund_of_id.isnot(None)
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        log.warning("stripe_refund_unknown_row", event_id=event_id)
        return "unknown_payment"
    if row["status"] not in AWAITING_GATEWAY:
        return "already_applied" if row["status"] == status else "ignored"
    if status == PaymentStatus.COMPLETED:
        amount, currency = refund.get("amount"), str(refund.get("currency", "")).upper()
        if (
            currency != row["currency"]
            or not isinstance(amount, int)
            or from_minor_units(amount, row["currency"]) != row["amount"]
        ):
            log.warning("stripe_refund_amount_mismatch", event_id=event_id)
            return "amount_mismatch"
    changes: dict[str, Any] = {"status": status, "gateway": STRIPE}
    if refund.get("id"):
        changes["gateway_payment_id"] = str(refund["id"])[:128]
    writer.update("payment", row_id, changes, before=dict(row))
    writer.finish()
    return "applied"
