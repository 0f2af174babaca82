"""Charging and refunding a card payment a laptop recorded: our rows, Stripe's calls.

The laptop records the Payment offline (PENDING, ``gateway="stripe"``) and
pushes it; then it asks for a PaymentIntent (``start_card_payment``) to hand
its ``client_secret`` to the card form, or for a refund of a received card
payment through a refund row it recorded (``request_refund``). Each call:

1. reads and checks the rows (scope, then ``rules.ledger.check_card_*``),
   and ends that transaction: no lock is held while Stripe answers;
2. calls the gateway with an idempotency key of our row id, so a retried or
   doubled request never charges or refunds twice;
3. writes what Stripe said through ``SyncWriter`` under the tenant lock,
   re-reading the row first (a webhook may have been faster).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.enums import PaymentStatus
from shared_models.rules import ledger as rules
from shared_models.rules.errors import RuleViolation
from shared_models.sync.codec import synced_table
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.payments.gateway import STRIPE, ChargeRequest, PaymentGateway, RefundRequest
from sync_server.sync.scope import PermissionDenied, check_write
from sync_server.sync.writer import Actor, SyncWriter

if TYPE_CHECKING:
    from sync_server.api.auth_deps import Principal

#: Stripe refund status -> our refund row's status (anything else: still on its way).
REFUND_OUTCOMES: Mapping[str, PaymentStatus] = {
    "succeeded": PaymentStatus.COMPLETED,
    "failed": PaymentStatus.FAILED,
    "canceled": PaymentStatus.CANCELLED,
}


@dataclass(frozen=True)
class IntentResult:
    gateway_payment_id: str
    client_secret: str | None
    status: str


@dataclass(frozen=True)
class RefundResult:
    refund_payment_id: uuid.UUID
    gateway_refund_id: str
    status: PaymentStatus


def refund_status(gateway_status: str) -> PaymentStatus:
    return REFUND_OUTCOMES.get(gateway_status, PaymentStatus.PROCESSING)


def _fact(row: Mapping[str, Any]) -> rules.PaymentFact:
    return rules.PaymentFact(
        id=row["id"],
        amount=row["amount"],
        status=PaymentStatus(row["status"]),
        refund_of_id=row["refund_of_id"],
        currency=row["currency"],
        invoice_id=row["invoice_id"],
    )


def _payment(session: Session, principal: Principal, payment_id: uuid.UUID) -> dict[str, Any]:
    """The live payment of the caller's tenant that the caller may record; else 404/403."""
    t = synced_table("payment")
    row = (
        session.execute(
            select(t).where(
                t.c.id == payment_id,
                t.c.tenant_id == principal.tenant_id,
                t.c.deleted_at.is_(None),
            )
        )
        .mappings()
        .one_or_none()
    )
    if row is None:
        raise ApiError(ErrorCode.ROW_NOT_FOUND, f"no payment {payment_id}")
    try:
        check_write(session, principal.user, "payment", "insert", None, dict(row))
    except PermissionDenied as exc:
        raise ApiError(ErrorCode.PERMISSION_DENIED, exc.message, details=exc.details) from None
    return dict(row)


def _refused(exc: RuleViolation) -> ApiError:
    return ApiError(ErrorCode.VALIDATION_FAILED, exc.message, details=exc.to_dict())


def _writer(session: Session, principal: Principal) -> SyncWriter:
    user = principal.user
    writer = SyncWriter(
        session, Actor(principal.tenant_id, user.id, principal.device_id, str(user.role))
    )
    writer.lock()
    return writer


#: The tenant's gateway, asked for only once the rows passed their checks.
GatewayOf = Callable[[], PaymentGateway]


def start_card_payment(
    session: Session, principal: Principal, payment_id: uuid.UUID, gateway_of: GatewayOf
) -> IntentResult:
    """The PaymentIntent of a waiting card payment: created once, then looked up again."""
    row = _payment(session, principal, payment_id)
    try:
        rules.check_card_charge(
            status=row["status"], gateway=row["gateway"], refund_of_id=row["refund_of_id"]
        )
    except RuleViolation as exc:
        raise _refused(exc) from None
    gateway = gateway_of()
    session.rollback()  # no transaction (nor lock) stays open while Stripe answers
    if row["gateway_payment_id"]:
        charge = gateway.get_payment(row["gateway_payment_id"])
    else:
        charge = gateway.create_payment(
            ChargeRequest(
                payment_id=row["id"],
                tenant_id=principal.tenant_id,
                amount=row["amount"],
                currency=row["currency"],
                invoice_id=row["invoice_id"],
                description=f"Payment {row['id']}",
            )
        )
        writer = _writer(session, principal)
        t = synced_table("payment")
        now = dict(session.execute(select(t).where(t.c.id == payment_id)).mappings().one())
        if now["gateway_payment_id"] is None:
            writer.update(
                "payment", payment_id, {"gateway_payment_id": charge.gateway_payment_id}, before=now
            )
        writer.finish()
        session.commit()
    return IntentResult(charge.gateway_payment_id, charge.client_secret, charge.status)


def request_refund(
    session: Session,
    principal: Principal,
    payment_id: uuid.UUID,
    refund_payment_id: uuid.UUID,
    gateway_of: GatewayOf,
) -> RefundResult:
    """Ask Stripe to pay back the refund row's amount of a received card payment."""
    original = _payment(session, principal, payment_id)
    refund = _payment(session, principal, refund_payment_id)
    if refund["gateway_payment_id"] and refund["status"] != PaymentStatus.PENDING:
        # Already asked: answer what we know (the webhook moves it on).
        return RefundResult(
            refund["id"], refund["gateway_payment_id"], PaymentStatus(refund["status"])
        )
    t = synced_table("payment")
    others = session.execute(
        select(t).where(t.c.refund_of_id == payment_id, t.c.deleted_at.is_(None))
    ).mappings()
    try:
        amount = rules.check_card_refund(
            original=_fact(original),
            original_gateway=original["gateway"],
            original_gateway_id=original["gateway_payment_id"],
            refund=_fact(refund),
            other_refunds=[_fact(r) for r in others],
        )
    except RuleViolation as exc:
        raise _refused(exc) from None
    gateway = gateway_of()
    session.rollback()
    answer = gateway.refund(
        RefundRequest(
            refund_payment_id=refund["id"],
            tenant_id=principal.tenant_id,
            gateway_payment_id=original["gateway_payment_id"],
            amount=amount,
            currency=refund["currency"],
        )
    )
    status = refund_status(answer.status)
    writer = _writer(session, principal)
    now = dict(session.execute(select(t).where(t.c.id == refund_payment_id)).mappings().one())
    if now["status"] in rules.AWAITING_GATEWAY:
        writer.update(
            "payment",
            refund_payment_id,
            {"gateway": STRIPE, "gateway_payment_id": answer.gateway_refund_id, "status": status},
            before=now,
        )
    else:
        status = PaymentStatus(now["status"])
    writer.finish()
    session.commit()
    return RefundResult(refund_payment_id, answer.gateway_refund_id, status)
