"""Invoices and payments on the laptop, offline: built by the shared rules, written through
``LocalWriteService`` (row + outbox mutation in one transaction).

An invoice gets a provisional number (``P-<device>-<n>``) printed on receipts
until the server assigns the legal one on sync; its totals are computed here
with the same ``compute_totals`` the server runs, so what the customer sees
offline is what the server stores. Payments and refunds are checked by the
same rules the server applies (``shared_models.rules.ledger``) before they are
queued, so a refusal shows at once instead of after the next sync.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    update,
)

from client.replica.store import LocalStore
from client.services.errors import InvalidWrite, RowNotFound
from client.services.lists import customer_name_sql
from client.services.permissions import require, signed_in_user, user_grants
from client.services.queries import get_row, list_rows
from client.services.search import search
from client.services.writes import LocalWriteService, WriteBatch
from client.sync import outbox
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
                tax_date=issue_date or dt.date.today(),
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
            original=_fact(original),
            other_refunds=[_fact(r) for r in others],
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
            self.totals(invoice_id).total or invoice["total"], [_fact(p) for p in payments]
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
                on_date=journey["scheduled_date"] or dt.date.today(),
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


def _fact(row: Mapping[str, Any]) -> rules.PaymentFact:
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
    p = table_for("payment")
    rows = batch.conn.execute(
        select(p).where(p.c.invoice_id == invoice["id"], p.c.deleted_at.is_(None))
    ).mappings()
    settled = rules.settle(invoice["total"], [_fact(r) for r in rows])
    status = workflow.derive_invoice_status(
        total=invoice["total"],
        amount_paid=settled.gross_paid,
        refunded=settled.refunded,
        due_date=invoice["due_date"],
        today=dt.date.today(),
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


# -- what the invoices screen reads -------------------------------------------------
#: Statuses whose balance can fall due: shown OVERDUE once the due date has passed.
_DUE = tuple(s.value for s in invoicing.DUE_STATUSES)
SEARCH_LIMIT = 200


@dataclass(frozen=True)
class InvoiceQuery:
    """The list's filter: a status as displayed (OVERDUE by the calendar) and search text."""

    status: str | None = None
    text: str = ""


@dataclass(frozen=True)
class InvoiceRow:
    id: uuid.UUID
    number: str
    #: No legal number yet: ``number`` is this laptop's provisional one.
    provisional: bool
    customer_name: str
    issue_date: dt.date | None
    due_date: dt.date | None
    status: str
    total: Decimal
    balance_due: Decimal
    credit_amount: Decimal
    currency: str
    created_at: dt.datetime


def shown_status_sql(i: Any, today: dt.date) -> ColumnElement[str]:
    """``invoicing.displayed_status`` in SQL, so filter, counts and rows agree."""
    late = and_(i.status.in_(_DUE), i.due_date < today, i.balance_due > 0)
    return case((late, literal("OVERDUE")), else_=cast(i.status, String))


def _invoice_where(store: LocalStore, query: InvoiceQuery, today: dt.date) -> list[Any]:
    i = table_for("invoice").c
    where: list[Any] = [i.deleted_at.is_(None)]
    if query.status:
        where.append(shown_status_sql(i, today) == query.status)
    text = query.text.strip()
    if text:
        like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        number = (
            func.coalesce(i.number, "") + literal(" ") + func.coalesce(i.provisional_number, "")
        )
        found = or_(number.ilike(like, escape="\\"))
        customers = search(store, "customer", text, limit=SEARCH_LIMIT)
        if customers:
            found = or_(found, i.customer_id.in_(customers))
        where.append(found)
    return where


def count_invoices(store: LocalStore, query: InvoiceQuery = InvoiceQuery()) -> int:
    t = table_for("invoice")
    stmt = select(func.count()).select_from(t).where(*_invoice_where(store, query, _today()))
    with store.engine.connect() as conn:
        return int(conn.execute(stmt).scalar_one())


def invoice_page(
    store: LocalStore, query: InvoiceQuery = InvoiceQuery(), *, offset: int, limit: int
) -> list[InvoiceRow]:
    """Newest first (issue date, then creation): the invoices being worked on come first."""
    today = _today()
    i, c = table_for("invoice"), table_for("customer")
    stmt = (
        select(
            i.c.id,
            i.c.number,
            i.c.provisional_number,
            customer_name_sql(c.c).label("customer_name"),
            i.c.issue_date,
            i.c.due_date,
            shown_status_sql(i.c, today).label("shown"),
            i.c.total,
            i.c.balance_due,
            i.c.credit_amount,
            i.c.currency,
            i.c.created_at,
        )
        .select_from(i.outerjoin(c, c.c.id == i.c.customer_id))
        .where(*_invoice_where(store, query, today))
        .order_by(i.c.issue_date.desc(), i.c.created_at.desc(), literal_column("invoice.rowid"))
        .limit(limit)
        .offset(offset)
    )
    with store.engine.connect() as conn:
        return [_invoice_row(r) for r in conn.execute(stmt)]


def _invoice_row(r: Any) -> InvoiceRow:
    return InvoiceRow(
        id=r.id,
        number=r.number or r.provisional_number or "—",
        provisional=r.number is None,
        customer_name=r.customer_name or "(unknown customer)",
        issue_date=r.issue_date,
        due_date=r.due_date,
        status=str(r.shown),
        total=r.total if r.total is not None else ZERO,
        balance_due=r.balance_due if r.balance_due is not None else ZERO,
        credit_amount=r.credit_amount if r.credit_amount is not None else ZERO,
        currency=str(r.currency),
        created_at=r.created_at,
    )


def invoice_status_counts(store: LocalStore) -> dict[str, int]:
    """Live invoices per displayed status (an unpaid SENT one past due counts as OVERDUE)."""
    i = table_for("invoice")
    shown = shown_status_sql(i.c, _today())
    stmt = select(shown, func.count()).where(i.c.deleted_at.is_(None)).group_by(shown)
    with store.engine.connect() as conn:
        return {str(status): int(n) for status, n in conn.execute(stmt)}


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

    @property
    def number(self) -> str:
        return str(self.row["number"] or self.row["provisional_number"] or "Draft invoice")


def invoice_detail(store: LocalStore, invoice_id: uuid.UUID) -> InvoiceDetail | None:
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
    facts = [_fact(p) for p in rows]
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
    status = invoicing.displayed_status(
        invoice["status"], invoice["due_date"], _today(), invoice["balance_due"]
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


@dataclass(frozen=True)
class Billable:
    """A completed journey or an accepted fixed-price quote that has no invoice yet."""

    id: uuid.UUID
    number: str
    customer_name: str
    day: dt.date | None
    detail: str


def billable_journeys(store: LocalStore) -> list[Billable]:
    """Completed journeys without a live invoice, most recent first."""
    j, c, i = table_for("journey"), table_for("customer"), table_for("invoice")
    billed = select(i.c.journey_id).where(i.c.deleted_at.is_(None), i.c.journey_id.is_not(None))
    stmt = (
        select(
            j.c.id,
            j.c.number,
            customer_name_sql(c.c).label("customer_name"),
            j.c.scheduled_date,
            j.c.crew_size_required,
            j.c.origin_city,
            j.c.destination_city,
        )
        .select_from(j.outerjoin(c, c.c.id == j.c.customer_id))
        .where(j.c.deleted_at.is_(None), j.c.status == "COMPLETED", j.c.id.not_in(billed))
        .order_by(j.c.scheduled_date.desc(), j.c.created_at.desc())
        .limit(500)
    )
    with store.engine.connect() as conn:
        return [
            Billable(
                r.id,
                r.number or "New job (number on sync)",
                r.customer_name or "(unknown customer)",
                r.scheduled_date,
                " → ".join(x for x in (r.origin_city, r.destination_city) if x)
                + (f" · {r.crew_size_required} movers" if r.crew_size_required else ""),
            )
            for r in conn.execute(stmt)
        ]


def billable_quotes(store: LocalStore) -> list[Billable]:
    """Accepted FLAT or BINDING quotes no invoice was made from, most recent first."""
    q, c, i = table_for("quote"), table_for("customer"), table_for("invoice")
    billed = select(i.c.quote_id).where(i.c.deleted_at.is_(None), i.c.quote_id.is_not(None))
    stmt = (
        select(
            q.c.id,
            q.c.number,
            q.c.provisional_number,
            customer_name_sql(c.c).label("customer_name"),
            q.c.move_date,
            q.c.estimate_type,
            q.c.total,
            q.c.currency,
        )
        .select_from(q.outerjoin(c, c.c.id == q.c.customer_id))
        .where(
            q.c.deleted_at.is_(None),
            q.c.status.in_([s.value for s in invoicing.BILLABLE_QUOTE]),
            q.c.estimate_type.in_([e.value for e in invoicing.FIXED_PRICE]),
            q.c.id.not_in(billed),
        )
        .order_by(q.c.move_date.desc(), q.c.created_at.desc())
        .limit(500)
    )
    with store.engine.connect() as conn:
        return [
            Billable(
                r.id,
                r.number or r.provisional_number or "Quote (number on sync)",
                r.customer_name or "(unknown customer)",
                r.move_date,
                f"{str(r.estimate_type).title()} estimate · {r.total:,.2f} {r.currency}",
            )
            for r in conn.execute(stmt)
        ]


def _today() -> dt.date:
    return dt.date.today()
