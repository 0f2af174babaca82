"""What the invoice pane reads: the invoice, its lines, payments, settlement and manual steps.

Unsynced payments count (the laptop shows what the server will store); the
status is the displayed one, OVERDUE by the branch's date (``invoice_dates``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from client.replica.store import LocalStore
from client.services.billing import payment_fact
from client.services.invoice_dates import shown_status
from client.services.queries import get_row, list_rows
from client.sync import outbox
from shared_models.enums import InvoiceStatus
from shared_models.rules import invoice_workflow as workflow
from shared_models.rules import ledger as rules
from shared_models.rules.invoice_workflow import FALLBACK_ZONE, zone_date
from shared_models.rules.money import ZERO


@dataclass(frozen=True)
class PaymentView:
    """A payment or refund as the detail pane lists it."""

    id: uuid.UUID
    method: str
    amount: Decimal
    status: str
    received_at: dt.datetime
    reference: str | None
    refund_of_id: uuid.UUID | None
    #: Refunded so far, and what may still be refunded (0 for refunds and unreceived money).
    refunded: Decimal
    refundable: Decimal
    pending_sync: bool


@dataclass(frozen=True)
class InvoiceDetail:
    row: dict[str, Any]
    customer: dict[str, Any]
    items: list[dict[str, Any]]
    payments: list[PaymentView]
    settlement: rules.Settlement
    #: Displayed status (OVERDUE by the calendar) and the manual steps it allows.
    status: str
    actions: dict[str, str]
    #: What the receivable ledger sums to under the shared rules, and what the server posted.
    ledger_balance: Decimal
    ledger_posted: Decimal
    journey_number: str | None
    quote_number: str | None
    pending_sync: bool
    #: IANA zone of the invoice's branch: its payments' days are that branch's days.
    zone: str = FALLBACK_ZONE

    @property
    def number(self) -> str:
        return str(self.row["number"] or self.row["provisional_number"] or "Draft invoice")


def invoice_detail(
    store: LocalStore, invoice_id: uuid.UUID, *, now: dt.datetime | None = None
) -> InvoiceDetail | None:
    """Everything the invoice pane shows, unsynced payments included."""
    invoice = get_row(store, "invoice", invoice_id)
    if invoice is None:
        return None
    customer = get_row(store, "customer", invoice["customer_id"]) or {}
    items = list_rows(
        store, "invoice_item", filters={"invoice_id": invoice_id}, order_by="sort_order", limit=500
    )
    rows = list_rows(store, "payment", filters={"invoice_id": invoice_id}, limit=10_000)
    rows.sort(key=lambda p: p["received_at"])
    facts = [payment_fact(p) for p in rows]
    settled = rules.settle(invoice["total"], facts)
    ids = {("payment", str(p["id"])) for p in rows} | {("invoice", str(invoice_id))}
    with store.engine.connect() as conn:
        pending = {m.row_id for m in outbox.pending_for_rows(conn, ids)}
    payments = [_payment_view(p, rows, settled, str(p["id"]) in pending) for p in rows]
    posted = sum(
        (
            f["amount"]
            for f in list_rows(
                store, "financial_transaction", filters={"invoice_id": invoice_id}, limit=10_000
            )
        ),
        ZERO,
    )
    branch = get_row(store, "location", invoice["location_id"], include_deleted=True) or {}
    zone = branch.get("timezone") or FALLBACK_ZONE
    status = shown_status(
        invoice["status"],
        invoice["due_date"],
        zone_date(zone, now or dt.datetime.now(dt.UTC)),
        invoice["balance_due"],
    )
    actions = {
        str(to): label
        for (frm, to), label in workflow.MANUAL_ACTIONS.items()
        if frm == InvoiceStatus(invoice["status"])
        and not (to == InvoiceStatus.CANCELLED and settled.amount_paid > 0)
    }
    journey = get_row(store, "journey", invoice["journey_id"]) if invoice["journey_id"] else None
    quote = get_row(store, "quote", invoice["quote_id"]) if invoice["quote_id"] else None
    return InvoiceDetail(
        row=invoice,
        customer=customer,
        items=items,
        payments=payments,
        settlement=settled,
        status=str(status),
        actions=actions,
        ledger_balance=sum(rules.ledger_targets(invoice["total"], facts).values(), ZERO),
        ledger_posted=posted,
        journey_number=(journey or {}).get("number"),
        quote_number=(quote or {}).get("number"),
        pending_sync=invoice["number"] is None or str(invoice_id) in pending,
        zone=zone,
    )


def _payment_view(
    p: Mapping[str, Any], rows: list[dict[str, Any]], settled: rules.Settlement, pending: bool
) -> PaymentView:
    back = sum(
        (
            r["amount"]
            for r in rows
            if r["refund_of_id"] == p["id"] and r["status"] not in ("FAILED", "CANCELLED")
        ),
        ZERO,
    )
    received = p["refund_of_id"] is None and p["status"] in rules.RECEIVED
    status = settled.originals.get(p["id"], (ZERO, p["status"]))[1]
    return PaymentView(
        id=p["id"],
        method=str(p["method"]),
        amount=p["amount"],
        status=str(status),
        received_at=p["received_at"],
        reference=p["reference"],
        refund_of_id=p["refund_of_id"],
        refunded=back,
        refundable=max(p["amount"] - back, ZERO) if received else ZERO,
        pending_sync=pending,
    )
