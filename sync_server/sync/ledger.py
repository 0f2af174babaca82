"""Payments on the server: checked when recorded, settled into their invoice, posted to the ledger.

``check_insert`` runs before a pushed payment is written (``SyncWriter._prepare``):
a payment its method, invoice or original payment does not allow is refused
with the rule's code (``shared_models.rules.ledger``), and a client-claimed
status is replaced by the one the server allows (gateway money stays PENDING
until the gateway's webhook says otherwise).

A deposit recorded on a quote joins the invoice made from that quote: at once
when the quote was already invoiced, or when the invoice is next recomputed
(``sync_server.billing.deposits``).

``settle_invoice`` runs whenever an invoice is recomputed (``derived``), which
every write of one of its payments triggers: the invoice's ``amount_paid``,
``balance_due``, ``credit_amount``, ``status`` and ``paid_at`` come from its
COMPLETED payments, refunded payments get their ``refunded_amount`` and
status, and the receivable rows are topped up to what the facts imply. All of
it goes through the writer (versioned, audited, pulled by clients) and is
idempotent: a replayed push or webhook finds nothing left to write. Whether
an invoice is OVERDUE is decided by the date at its branch (``derived`` passes it).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shared_models.enums import PaymentMethod, PaymentStatus
from shared_models.rules import ledger as rules
from shared_models.rules.errors import INVALID_REFUND, RuleViolation
from shared_models.rules.invoice_workflow import derive_invoice_status
from shared_models.sync.codec import synced_table
from shared_models.types import utcnow
from sync_server.billing import deposits
from sync_server.billing.calendar import location_dates

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter

CHECKED_INSERTS = frozenset({"payment", "financial_transaction"})
_LIVE_PAYMENT = (PaymentStatus.PENDING, PaymentStatus.PROCESSING, PaymentStatus.COMPLETED)


class _Diagnostic:
    def __init__(self, violation: RuleViolation) -> None:
        self.constraint_name = violation.code
        self.column_name = violation.field
        self.message_primary = violation.message


class _RuleError(Exception):
    """Stands where a driver error would: PostgreSQL's check_violation state, rule's diag."""

    sqlstate = "23514"

    def __init__(self, violation: RuleViolation) -> None:
        super().__init__(violation.message)
        self.diag = _Diagnostic(violation)


class RuleRefused(IntegrityError):
    """A business rule refused a row: raised like a database refusal, so the push's
    careful pass rolls back that mutation's savepoint (a refused payment writes
    nothing) and answers it as ``rule_violation`` with ``"<rule code>: <message>"``.
    """

    def __init__(self, violation: RuleViolation) -> None:
        super().__init__(f"rule {violation.code}", None, _RuleError(violation))
        self.violation = violation


def check_insert(writer: SyncWriter, table: str, values: dict[str, Any]) -> None:
    """Refuse or normalise a new payment / ledger row before it is written."""
    try:
        if table == "payment":
            _check_payment(writer, values)
        elif (
            table == "financial_transaction"
            and not writer._recomputing
            and (values.get("invoice_id") is not None or values.get("payment_id") is not None)
        ):
            raise RuleViolation(
                "server_owned",
                "ledger rows of invoices and payments are written by the server",
                field="invoice_id",
            )
    except RuleViolation as exc:
        raise RuleRefused(exc) from exc


def _check_payment(writer: SyncWriter, values: dict[str, Any]) -> None:
    session = writer.session
    pay_t, inv_t = synced_table("payment"), synced_table("invoice")
    currency = values.get("currency") or "CAD"
    if values.get("refund_of_id") is None and values.get("invoice_id") is None:
        values["invoice_id"] = deposits.invoice_for_deposit(session, values)
    invoice = None
    if values.get("invoice_id") is not None:
        invoice = session.execute(
            select(inv_t.c.currency, inv_t.c.status, inv_t.c.customer_id).where(
                inv_t.c.id == values["invoice_id"]
            )
        ).first()
    if values.get("refund_of_id") is not None:
        original = session.execute(
            select(pay_t).where(pay_t.c.id == values["refund_of_id"])
        ).first()
        if original is None:
            raise RuleViolation(
                INVALID_REFUND, "the refunded payment does not exist", field="refund_of_id"
            )
        if values.get("invoice_id") is None and original.quote_id is not None:
            # A deposit the server carried onto its invoice: the laptop may not know yet.
            values["invoice_id"] = original.invoice_id
        others = session.execute(
            select(pay_t).where(pay_t.c.refund_of_id == original.id, pay_t.c.deleted_at.is_(None))
        ).all()
        values["amount"] = rules.check_refund(
            amount=values.get("amount"),  # type: ignore[arg-type]
            currency=currency,
            original=_fact(dict(original._mapping)),
            other_refunds=[_fact(dict(r._mapping)) for r in others],
            invoice_id=values.get("invoice_id"),
        )
    else:
        recent = Decimal(0)
        if PaymentMethod(values["method"]) == PaymentMethod.CASH:
            at: dt.datetime = values.get("received_at") or utcnow()
            recent = session.execute(
                select(func.coalesce(func.sum(pay_t.c.amount), 0)).where(
                    pay_t.c.customer_id == values.get("customer_id"),
                    pay_t.c.method == PaymentMethod.CASH,
                    pay_t.c.refund_of_id.is_(None),
                    pay_t.c.status.in_(_LIVE_PAYMENT),
                    pay_t.c.received_at > at - dt.timedelta(hours=24),
                    pay_t.c.received_at < at + dt.timedelta(hours=24),
                )
            ).scalar_one()
        values["amount"] = rules.check_payment(
            amount=values.get("amount"),  # type: ignore[arg-type]
            method=values["method"],
            currency=currency,
            invoice_currency=invoice.currency if invoice else None,
            invoice_status=invoice.status if invoice else None,
            cash_last_24h=Decimal(recent),
        )
    if invoice is not None and values.get("customer_id") != invoice.customer_id:
        raise RuleViolation(
            rules.PAYMENT_NOT_ALLOWED,
            "the payment's customer is not the invoice's",
            field="customer_id",
        )
    values["status"] = rules.initial_status(
        values["method"], values.get("gateway"), values.get("status")
    )
    values["refunded_amount"] = Decimal(0)


def _fact(row: Mapping[str, Any]) -> rules.PaymentFact:
    return rules.PaymentFact(
        id=row["id"],
        amount=row["amount"],
        status=PaymentStatus(row["status"]),
        refund_of_id=row["refund_of_id"],
        currency=row["currency"],
        invoice_id=row["invoice_id"],
    )


def load_payments(
    writer: SyncWriter, invoice_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Live payment rows of each invoice (deposits of its quotes carried first), in one query."""
    ids = list(invoice_ids)
    out: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    deposits.carry_onto_invoices(writer, ids)
    t = synced_table("payment")
    for row in writer.session.execute(
        select(t).where(t.c.invoice_id.in_(ids), t.c.deleted_at.is_(None)).order_by(t.c.id)
    ).mappings():
        out[row["invoice_id"]].append(dict(row))
    return out


def settlement_changes(
    doc: Mapping[str, Any], total: Decimal, payments: list[dict[str, Any]], today: dt.date
) -> dict[str, Any]:
    """Invoice fields its payments imply (compare with the stored row before writing)."""
    facts = [_fact(p) for p in payments]
    s = rules.settle(total, facts)
    status = derive_invoice_status(
        total=total,
        amount_paid=s.gross_paid,
        refunded=s.refunded,
        due_date=doc.get("due_date"),
        today=today,
        current=doc["status"],
    )
    if total == 0 and s.gross_paid == 0:
        # An invoice whose lines have not arrived yet (the outbox sends them in later
        # batches) owes nothing but was not paid: PAID would lock it against its lines.
        status = doc["status"]
    received = [p["received_at"] for p in payments if p["status"] in rules.RECEIVED]
    paid_at = doc.get("paid_at") or (max(received) if received else utcnow())
    return {
        "amount_paid": s.amount_paid,
        "balance_due": s.balance_due,
        "credit_amount": s.credit_amount,
        "status": status,
        "paid_at": paid_at if status == "PAID" else None,
    }


def post_invoice(
    writer: SyncWriter, invoice: Mapping[str, Any], payments: list[dict[str, Any]]
) -> None:
    """Refund state of each paid-back payment, then the receivable rows the facts imply."""
    facts = [_fact(p) for p in payments]
    s = rules.settle(invoice["total"], facts)
    by_id = {p["id"]: p for p in payments}
    for pid, (back, status) in s.originals.items():
        row = by_id[pid]
        if (row["refunded_amount"], row["status"]) != (back, status):
            writer.update("payment", pid, {"refunded_amount": back, "status": status}, before=row)
    ft = synced_table("financial_transaction")
    existing = writer.session.execute(
        select(ft.c.payment_id, ft.c.amount).where(
            ft.c.invoice_id == invoice["id"],
            ft.c.account == rules.RECEIVABLE_ACCOUNT,
            ft.c.deleted_at.is_(None),
        )
    ).all()
    deltas = rules.ledger_deltas(
        rules.ledger_targets(invoice["total"], facts),
        [(r.payment_id, r.amount) for r in existing],
        refunds=[f.id for f in facts if f.refund_of_id is not None],
    )
    label = invoice.get("number") or invoice.get("provisional_number") or str(invoice["id"])
    for entry in deltas:
        payment = by_id.get(entry.payment_id) if entry.payment_id else None
        writer.insert(
            "financial_transaction",
            {
                "location_id": invoice["location_id"],
                "type": entry.type,
                "invoice_id": invoice["id"],
                "payment_id": entry.payment_id,
                "journey_id": invoice.get("journey_id"),
                "amount": entry.amount,
                "currency": invoice["currency"],
                "exchange_rate": invoice.get("exchange_rate"),
                "occurred_at": payment["received_at"] if payment else utcnow(),
                "description": _describe(entry, payment, label),
                "account": rules.RECEIVABLE_ACCOUNT,
                "category": entry.category,
                "recorded_by": None,
            },
        )


def invoice_date(writer: SyncWriter, invoice: Mapping[str, Any]) -> dt.date:
    """Today at the invoice's branch (its location's IANA zone)."""
    dates = location_dates(writer.session, [invoice["location_id"]])
    return dates.get(invoice["location_id"]) or utcnow().date()


def _describe(entry: rules.LedgerEntry, payment: Mapping[str, Any] | None, label: str) -> str:
    if payment is None:
        return f"Invoice {label} total" + (" changed" if entry.amount < 0 else "")
    what = "Refund" if payment.get("refund_of_id") else "Payment"
    verb = "reversed" if (entry.amount > 0) == (what == "Payment") else "recorded"
    return f"{what} {payment['method']} on invoice {label} {verb}"[:500]
