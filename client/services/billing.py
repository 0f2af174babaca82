"""Invoices and payments on the laptop, offline: built by the shared rules, written through
``LocalWriteService`` (row + outbox mutation in one transaction).

An invoice gets a provisional number (``P-<device>-<n>``) printed on receipts
until the server assigns the legal one on sync; its totals are computed here
with the same ``compute_totals`` the server runs, so what the customer sees
offline is what the server stores. Payments and refunds are checked by the
same rules the server applies (``shared_models.rules.ledger``) before they are
queued, so a refusal shows at once instead of after the next sync.

This module holds the writes; the invoices screen reads through
``invoice_list``, ``invoice_detail`` and ``invoice_billable``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy import select, update

from client.services.errors import InvalidWrite, RowNotFound
from client.services.invoice_dates import branch_today
from client.services.permissions import require, signed_in_user, user_grants
from client.services.queries import get_row, list_rows
from client.services.writes import LocalWriteService, WriteBatch
from client.sync.db import table_for
from shared_models.enums import (
    Currency,
    InventoryTransactionType,
    InvoiceStatus,
    JourneyEventType,
    PaymentMethod,
    PermissionAction,
)
from shared_models.rules import invoice_workflow as workflow
from shared_models.rules import invoicing
from shared_models.rules import ledger as rules
from shared_models.rules.errors import RuleViolation
from shared_models.rules.invoice_workflow import zone_date
from shared_models.rules.money import ZERO
from shared_models.rules.rate_card import parse_rate_card, select_rate_card
from shared_models.rules.tax import TaxRateRow
from shared_models.rules.totals import DocumentInput, Totals, compute_totals


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class BillingService:
    """Create invoices from journeys or accepted quotes, record payments and refunds."""

    def __init__(self, writes: LocalWriteService) -> None:
        self.writes = writes
        self.store = writes.store

    # -- invoices -------------------------------------------------------------
    def create_invoice_from_journey(
        self,
        *,
        journey_id: uuid.UUID,
        rates: invoicing.LabourRates,
        issue_date: dt.date,
        terms: str | int = "NET_15",
    ) -> uuid.UUID:
        """Bill a completed journey: its timeline's hours, the stock it sold, the fees."""
        self._require("invoice")
        journey = self._row("journey", journey_id)
        events = list_rows(
            self.store, "journey_event", filters={"journey_id": journey_id}, limit=10_000
        )
        moves = list_rows(
            self.store, "inventory_transaction", filters={"journey_id": journey_id}, limit=10_000
        )
        prices: dict[uuid.UUID, invoicing.MaterialPrice] = {}
        for item_id in {m["inventory_id"] for m in moves}:
            item = get_row(self.store, "inventory", item_id)
            if item is not None:
                prices[item_id] = invoicing.MaterialPrice(
                    item["name"], item["unit"], item["unit_price"]
                )
        lines = invoicing.journey_lines(
            status=journey["status"],
            crew_size=journey["crew_size_required"],
            events=[
                invoicing.TimelineEvent(JourneyEventType(e["event_type"]), e["occurred_at"])
                for e in events
            ],
            rates=rates,
            movements=[
                invoicing.MaterialMovement(
                    m["inventory_id"], InventoryTransactionType(m["type"]), m["quantity"]
                )
                for m in moves
            ],
            prices=prices,
            truck_count=journey["truck_count"],
        )
        return self._create(
            lines,
            location_id=journey["location_id"],
            customer_id=journey["customer_id"],
            issue_date=issue_date,
            terms=terms,
            extra={"journey_id": journey_id, "quote_id": journey.get("quote_id")},
        )

    def create_invoice_from_quote(
        self, *, quote_id: uuid.UUID, issue_date: dt.date, terms: str | int = "NET_15"
    ) -> uuid.UUID:
        """Bill an accepted FLAT or BINDING quote as sold, each line linked to its quote item."""
        self._require("invoice")
        quote = self._row("quote", quote_id)
        items = list_rows(
            self.store, "quote_item", filters={"quote_id": quote_id}, order_by="sort_order"
        )
        lines = invoicing.quote_lines(
            status=quote["status"],
            estimate_type=quote["estimate_type"],
            items=[
                invoicing.QuotedLine(
                    i["id"],
                    i["category"],
                    i["description"],
                    i["quantity"],
                    i["unit"],
                    i["unit_price"],
                    i["discount_pct"],
                    i["taxable"],
                    i["catalogue_item_id"],
                )
                for i in items
            ],
        )
        return self._create(
            lines,
            location_id=quote["location_id"],
            customer_id=quote["customer_id"],
            issue_date=issue_date,
            terms=terms,
            extra={"quote_id": quote_id, "journey_id": quote.get("journey_id")},
            discount=quote["discount_amount"] or ZERO,
            currency=quote["currency"],
        )

    def totals(self, invoice_id: uuid.UUID) -> Totals:
        """Live totals of an invoice as the server will compute them."""
        invoice = self._row("invoice", invoice_id)
        items = list_rows(
            self.store, "invoice_item", filters={"invoice_id": invoice_id}, order_by="sort_order"
        )
        lines = [
            invoicing.InvoiceLine(
                i["category"],
                i["description"],
                i["quantity"],
                i["unit"],
                i["unit_price"],
                i["discount_pct"],
                i["taxable"],
            )
            for i in items
        ]
        return self._price(
            lines,
            invoice["location_id"],
            invoice["customer_id"],
            invoice["issue_date"],
            invoice["currency"],
            invoice["discount_amount"],
        )

    def _create(
        self,
        lines: tuple[invoicing.InvoiceLine, ...],
        *,
        location_id: uuid.UUID,
        customer_id: uuid.UUID,
        issue_date: dt.date,
        terms: str | int,
        extra: Mapping[str, Any],
        discount: Decimal = ZERO,
        currency: str = "CAD",
    ) -> uuid.UUID:
        totals = self._price(lines, location_id, customer_id, issue_date, currency, discount)
        invoice = {
            "location_id": location_id,
            "customer_id": customer_id,
            "currency": currency,
            "status": "DRAFT",
            "issue_date": issue_date,
            "due_date": invoicing.due_date(issue_date, terms),
            "provisional_number": self._provisional_number(),
            "subtotal": totals.subtotal,
            "discount_amount": totals.discount,
            "tax_amount": totals.tax_total,
            "total": totals.total,
            "balance_due": totals.total,
            "tax_breakdown": totals.to_dict()["taxes"],
            "created_by": self.writes.user_id,
            **{k: v for k, v in extra.items() if v is not None},
        }
        with self.writes.batch() as batch:
            invoice_id = batch.insert("invoice", invoice)
            for n, (line, amount) in enumerate(zip(lines, totals.lines, strict=True)):
                batch.insert(
                    "invoice_item",
                    {
                        "invoice_id": invoice_id,
                        "category": line.category,
                        "description": line.description,
                        "quantity": line.quantity,
                        "unit": line.unit,
                        "unit_price": line.unit_price,
                        "discount_pct": line.discount_pct,
                        "taxable": line.taxable,
                        "line_total": amount.amount,
                        "sort_order": n,
                        "quote_item_id": line.quote_item_id,
                        "catalogue_item_id": line.catalogue_item_id,
                    },
                )
        return invoice_id

    def _price(
        self,
        lines: Any,
        location_id: uuid.UUID,
        customer_id: uuid.UUID,
        issue_date: dt.date | None,
        currency: str,
        discount: Decimal,
    ) -> Totals:
        location = self._row("location", location_id)
        customer = self._row("customer", customer_id)
        taxes = [
            TaxRateRow(
                province=r["province"],
                kind=r["kind"],
                rate=r["rate"],
                effective_from=r["effective_from"],
                effective_to=r["effective_to"],
                label=r["label"],
            )
            for r in list_rows(self.store, "tax_rate", limit=10_000)
        ]
        return compute_totals(
            DocumentInput(
                currency=Currency(currency),
                lines=tuple(ln.line_input() for ln in lines),
                tax_date=issue_date or zone_date(location.get("timezone"), _utcnow()),
                province=location.get("province"),
                tax_exempt=bool(customer.get("tax_exempt")),
                tax_rows=tuple(taxes),
                document_discount_amount=discount,
            )
        )

    def _provisional_number(self) -> str:
        """``P-<device>-<n>``: unique per laptop, so two laptops never print the same one."""
        device = str(self.writes.device_id or self.writes.user_id).replace("-", "")[-6:].upper()
        prefix = f"P-{device}-"
        t = table_for("invoice")
        with self.store.engine.connect() as conn:
            taken = conn.execute(
                select(t.c.provisional_number).where(t.c.provisional_number.like(f"{prefix}%"))
            ).scalars()
            highest = max(
                (int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()), default=0
            )
        return f"{prefix}{highest + 1:04d}"

    # -- payments -------------------------------------------------------------
    def record_payment(
        self,
        *,
        invoice_id: uuid.UUID,
        amount: Decimal,
        method: PaymentMethod | str,
        received_at: dt.datetime | None = None,
        reference: str | None = None,
        gateway: str | None = None,
    ) -> uuid.UUID:
        """Money received: COMPLETED when in hand, PENDING until a gateway confirms it."""
        invoice = self._row("invoice", invoice_id)
        when = received_at or _utcnow()
        cash = ZERO
        if PaymentMethod(method) == PaymentMethod.CASH:
            cash = self.cash_within_24h(invoice["customer_id"], when)
        self._require("payment")
        value = rules.check_payment(
            amount=amount,
            method=method,
            currency=invoice["currency"],
            invoice_currency=invoice["currency"],
            invoice_status=invoice["status"],
            cash_last_24h=cash,
        )
        return self._insert_payment(invoice, value, method, when, reference, gateway, None)

    def cash_within_24h(self, customer_id: uuid.UUID, when: dt.datetime) -> Decimal:
        """Cash this customer paid within 24 hours of ``when`` (the large-cash rule's sum)."""
        return sum(
            (
                p["amount"]
                for p in list_rows(
                    self.store,
                    "payment",
                    filters={"customer_id": customer_id, "method": "CASH"},
                    limit=10_000,
                )
                if p["refund_of_id"] is None
                and p["status"] in ("PENDING", "PROCESSING", "COMPLETED")
                and abs(p["received_at"] - when) < dt.timedelta(hours=24)
            ),
            ZERO,
        )

    def record_refund(
        self,
        *,
        payment_id: uuid.UUID,
        amount: Decimal,
        method: PaymentMethod | str | None = None,
        received_at: dt.datetime | None = None,
        reference: str | None = None,
    ) -> uuid.UUID:
        """Money given back, as its own row pointing at the payment it refunds."""
        original = self._row("payment", payment_id)
        others = list_rows(
            self.store, "payment", filters={"refund_of_id": payment_id}, limit=10_000
        )
        self._require("payment")
        value = rules.check_refund(
            amount=amount,
            currency=original["currency"],
            original=payment_fact(original),
            other_refunds=[payment_fact(r) for r in others],
            invoice_id=original["invoice_id"],
        )
        invoice = self._row("invoice", original["invoice_id"])
        return self._insert_payment(
            invoice,
            value,
            method or original["method"],
            received_at or _utcnow(),
            reference,
            original["gateway"],
            payment_id,
        )

    def settlement(self, invoice_id: uuid.UUID) -> rules.Settlement:
        """What this laptop knows of an invoice's payments (synced and not yet synced)."""
        invoice = self._row("invoice", invoice_id)
        payments = list_rows(
            self.store, "payment", filters={"invoice_id": invoice_id}, limit=10_000
        )
        return rules.settle(
            self.totals(invoice_id).total or invoice["total"], [payment_fact(p) for p in payments]
        )

    def _insert_payment(
        self,
        invoice: Mapping[str, Any],
        amount: Decimal,
        method: PaymentMethod | str,
        received_at: dt.datetime,
        reference: str | None,
        gateway: str | None,
        refund_of: uuid.UUID | None,
    ) -> uuid.UUID:
        status = rules.initial_status(method, gateway, "COMPLETED")
        with self.writes.batch() as batch:
            payment_id = batch.insert(
                "payment",
                {
                    "location_id": invoice["location_id"],
                    "invoice_id": invoice["id"],
                    "customer_id": invoice["customer_id"],
                    "method": PaymentMethod(method),
                    "status": status,
                    "amount": amount,
                    "currency": invoice["currency"],
                    "received_at": received_at,
                    "reference": reference,
                    "gateway": gateway,
                    "refund_of_id": refund_of,
                    "recorded_by": self.writes.user_id,
                },
            )
            _settle_locally(batch, invoice["id"])
        return payment_id

    # -- the invoice workflow (shared state machine) ------------------------------
    def send_invoice(self, invoice_id: uuid.UUID) -> None:
        """DRAFT -> SENT: the invoice is issued to the customer."""
        self._move(invoice_id, InvoiceStatus.SENT, {"sent_at": _utcnow()})

    def mark_viewed(self, invoice_id: uuid.UUID) -> None:
        self._move(invoice_id, InvoiceStatus.VIEWED, {"viewed_at": _utcnow()})

    def cancel_invoice(self, invoice_id: uuid.UUID, *, reason: str) -> None:
        """Void an invoice nothing was paid on; the reason is kept for the accountant."""
        why = reason.strip()
        if not why:
            raise InvalidWrite("say why the invoice is cancelled", field="cancellation_reason")
        self._move(
            invoice_id,
            InvoiceStatus.CANCELLED,
            {"cancelled_at": _utcnow(), "cancellation_reason": why[:500]},
        )

    def _move(
        self, invoice_id: uuid.UUID, target: InvoiceStatus, stamps: Mapping[str, Any]
    ) -> None:
        """One manual step, checked as the server will check it (stored status, net paid)."""
        self._require("invoice", PermissionAction.UPDATE)
        invoice = self._row("invoice", invoice_id)
        workflow.check_invoice_transition(
            invoice["status"], target, net_paid=self.settlement(invoice_id).amount_paid
        )
        self.writes.update("invoice", invoice_id, {"status": target, **stamps})

    # -- rates and permissions ------------------------------------------------------
    def rates_for_journey(self, journey_id: uuid.UUID) -> invoicing.LabourRates:
        """The journey's rate card (its quote's, else the branch's on the day) as labour rates."""
        journey = self._row("journey", journey_id)
        quote = get_row(self.store, "quote", journey["quote_id"]) if journey["quote_id"] else None
        card_row = (
            get_row(self.store, "price_list", quote["price_list_id"])
            if quote and quote.get("price_list_id")
            else None
        )
        if card_row is None:
            card_row = select_rate_card(  # type: ignore[assignment]
                list_rows(self.store, "price_list", limit=10_000),
                location_id=journey["location_id"],
                on_date=journey["scheduled_date"]
                or branch_today(self.store, journey["location_id"], _utcnow()),
            )
        card = parse_rate_card(card_row)
        return invoicing.LabourRates(
            hourly_rate=card.hourly_rate(journey["crew_size_required"] or 1),
            minimum_hours=card.minimum_hours,
            truck_fee=card.truck_fee,
            travel_fee=card.travel_flat_fee,
        )

    def may_bill(self) -> bool:
        """Whether this user may create invoices and record payments (DISPATCHER reads only)."""
        try:
            self._require("invoice")
            self._require("payment")
        except RuleViolation:
            return False
        return True

    def _require(self, resource: str, action: PermissionAction = PermissionAction.CREATE) -> None:
        """Refuse now what the server would refuse as ``permission_denied`` on sync."""
        user = signed_in_user(self.store, self.writes.user_id)
        require(user_grants(self.store, user), resource, action)

    def _row(self, table: str, row_id: uuid.UUID) -> dict[str, Any]:
        row = get_row(self.store, table, row_id)
        if row is None:
            raise RowNotFound(f"no {table} {row_id} in this replica")
        return row


def payment_fact(row: Mapping[str, Any]) -> rules.PaymentFact:
    return rules.PaymentFact(
        id=row["id"],
        amount=row["amount"],
        status=row["status"],
        refund_of_id=row["refund_of_id"],
        currency=row["currency"],
        invoice_id=row["invoice_id"],
    )


def _settle_locally(batch: WriteBatch, invoice_id: uuid.UUID) -> None:
    """Show on this laptop what the server will store once the payment syncs.

    ``amount_paid``, balance, credit and the derived status are server-owned:
    the server recomputes them from the payments it receives and the next pull
    brings its values. They are written to the replica row only, never queued:
    a client cannot move an invoice to PARTIAL_PAID or PAID by hand (the
    transition table refuses it), only a payment does.
    """
    invoice = batch.read("invoice", invoice_id)
    if invoice is None:
        raise RowNotFound(f"no invoice {invoice_id} in this replica")
    location = batch.read("location", invoice["location_id"])
    p = table_for("payment")
    rows = batch.conn.execute(
        select(p).where(p.c.invoice_id == invoice["id"], p.c.deleted_at.is_(None))
    ).mappings()
    settled = rules.settle(invoice["total"], [payment_fact(r) for r in rows])
    status = workflow.derive_invoice_status(
        total=invoice["total"],
        amount_paid=settled.gross_paid,
        refunded=settled.refunded,
        due_date=invoice["due_date"],
        today=zone_date((location or {}).get("timezone"), _utcnow()),
        current=invoice["status"],
    )
    paid_at = invoice["paid_at"] or _utcnow()
    t = table_for("invoice")
    batch.conn.execute(
        update(t)
        .where(t.c.id == invoice["id"])
        .values(
            amount_paid=settled.amount_paid,
            balance_due=settled.balance_due,
            credit_amount=settled.credit_amount,
            status=status,
            paid_at=paid_at if status == InvoiceStatus.PAID else None,
        )
    )
