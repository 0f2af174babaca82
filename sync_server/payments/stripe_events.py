"""Applying a verified Stripe event: the Payment it names moves, its invoice and ledger follow.

Handled: ``payment_intent.succeeded`` (-> COMPLETED), ``payment_intent.payment_failed``
(-> FAILED) and ``payment_intent.canceled`` (-> CANCELLED), and the refund
events (``sync_server.payments.refund_events``); anything else is acknowledged
and ignored. An event that arrives at a tenant's own endpoint only moves that
tenant's rows. The Payment is found by the intent's metadata
(``payment_id``, ``tenant_id``, set by ``StripeGateway``). The write goes
through ``SyncWriter`` under the tenant write lock, so it is versioned and
pulled by every replica, and the invoice's settlement and ledger rows are
recomputed in the same transaction (``sync_server.sync.ledger``).

Exactly once without an event table: the lock serialises deliveries, and a
payment that already left PENDING/PROCESSING is not moved again, so the same
event delivered twice (Stripe retries, replays) changes nothing the second time.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.enums import PaymentStatus
from shared_models.sync.codec import synced_table
from sync_server.core.logging import get_logger
from sync_server.payments.gateway import STRIPE, from_minor_units
from sync_server.payments.refund_events import REFUND_EVENTS, apply_refund_event
from sync_server.sync.writer import Actor, SyncWriter

log = get_logger(__name__)

#: event type -> the status it gives a payment still waiting for the gateway
OUTCOMES: Mapping[str, PaymentStatus] = {
    "payment_intent.succeeded": PaymentStatus.COMPLETED,
    "payment_intent.payment_failed": PaymentStatus.FAILED,
    "payment_intent.canceled": PaymentStatus.CANCELLED,
}
WAITING = frozenset({PaymentStatus.PENDING, PaymentStatus.PROCESSING})


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def apply_stripe_event(
    *, session: Session, event: Mapping[str, Any], tenant_id: uuid.UUID | None = None
) -> str:
    """Apply one verified event; returns what happened (``applied``, ``already_applied``, ...).

    The caller commits. Unknown payments and mismatched amounts are answered,
    logged and left alone: Stripe would only retry them for days. ``tenant_id``
    is the tenant whose endpoint secret verified the event: rows of any other
    tenant are treated as unknown.
    """
    if str(event.get("type")) in REFUND_EVENTS:
        return apply_refund_event(session=session, event=event, tenant_id=tenant_id)
    fence = tenant_id
    status = OUTCOMES.get(str(event.get("type")))
    if status is None:
        return "ignored"
    intent = event.get("data", {}).get("object", {})
    meta = intent.get("metadata") or {}
    payment_id, tenant_id = _uuid(meta.get("payment_id")), _uuid(meta.get("tenant_id"))
    if payment_id is None or tenant_id is None or (fence is not None and tenant_id != fence):
        log.warning("stripe_event_without_payment", event_id=event.get("id"))
        return "unknown_payment"
    writer = SyncWriter(session, Actor(tenant_id, None))
    writer.lock()  # one delivery at a time per tenant, and after any push in flight
    t = synced_table("payment")
    row = (
        session.execute(select(t).where(t.c.id == payment_id, t.c.tenant_id == tenant_id))
        .mappings()
        .one_or_none()
    )
    if row is None:
        log.warning("stripe_event_unknown_payment", event_id=event.get("id"))
        return "unknown_payment"
    if row["status"] not in WAITING:
        return "already_applied" if row["status"] == status else "ignored"
    if status == PaymentStatus.COMPLETED:
        received = intent.get("amount_received", intent.get("amount"))
        currency = str(intent.get("currency", "")).upper()
        if currency != row["currency"] or (
            not isinstance(received, int)
            or from_minor_units(received, row["currency"]) != row["amount"]
        ):
            log.warning("stripe_event_amount_mismatch", event_id=event.get("id"))
            return "amount_mismatch"
    changes: dict[str, Any] = {"status": status, "gateway": STRIPE}
    if intent.get("id"):
        changes["gateway_payment_id"] = str(intent["id"])[:128]
    writer.update("payment", payment_id, changes, before=dict(row))
    writer.finish()
    return "applied"
