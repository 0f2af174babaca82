"""Invoices for completed journeys, the payments against them, and the ledger.

Every invoice's status is what ``derive_invoice_status`` says its payments
and due date imply, ``balance_due``/``credit_amount`` come from
``invoice_balance``, and each completed payment has exactly one ledger entry.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import Any

from shared_models.enums import (
    CommunicationStatus,
    CommunicationType,
    Currency,
    EstimateType,
    InvoiceStatus,
    JourneyStatus,
    PaymentMethod,
    PaymentStatus,
    QuoteItemCategory,
    QuoteStatus,
    TransactionType,
)
from shared_models.models import Communication, FinancialTransaction, Invoice, InvoiceItem, Payment
from shared_models.rules.invoice_workflow import derive_invoice_status, invoice_balance
from sync_server.seed import pricing
from sync_server.seed.comms import message
from sync_server.seed.company import Site
from sync_server.seed.operations import Job
from sync_server.seed.quotes import SoldQuote
from sync_server.seed.world import World

P = PaymentMethod
GATEWAY = {P.CREDIT_CARD: "stripe", P.DEBIT_CARD: "square"}
CENT = Decimal("0.01")


class _Books:
    """Rows of one batch, written together."""

    def __init__(self) -> None:
        self.invoices: list[dict[str, Any]] = []
        self.items: list[dict[str, Any]] = []
        self.payments: list[dict[str, Any]] = []
        self.ledger: list[dict[str, Any]] = []
        self.mails: list[dict[str, Any]] = []
        #: Ledger entry of each payment, so a deposit can be tied to its invoice later.
        self.entry_of: dict[uuid.UUID, dict[str, Any]] = {}


def _pay(
    world: World,
    site: Site,
    books: _Books,
    quote: SoldQuote,
    amount: Decimal,
    at: dt.datetime,
    method: PaymentMethod,
    rng: random.Random,
    *,
    invoice_id: uuid.UUID | None,
    status: PaymentStatus = PaymentStatus.COMPLETED,
    refund_of: dict[str, Any] | None = None,
    recorded_by: uuid.UUID | None = None,
) -> dict[str, Any]:
    ctx = world.ctx
    pay_id = ctx.new_id(at)
    gateway = GATEWAY.get(method)
    row = {
        "id": pay_id,
        "created_at": at,
        "location_id": site.id,
        "invoice_id": invoice_id,
        "quote_id": quote.id,
        "customer_id": quote.customer.id,
        "method": method,
        "status": status,
        "amount": amount,
        "currency": Currency.CAD,
        "exchange_rate": None,
        "received_at": at,
        "reference": {
            P.CHECK: f"Cheque {rng.randint(100, 999)}",
            P.BANK_TRANSFER: f"e-Transfer CA{rng.randint(10**9, 10**10 - 1)}",
        }.get(method, f"**** {rng.randint(1000, 9999)}" if gateway else None),
        "gateway": gateway,
        "gateway_payment_id": f"{gateway[:2]}_{pay_id.hex[:24]}" if gateway else None,
        "refunded_amount": Decimal(0),
        "refund_of_id": refund_of["id"] if refund_of else None,
        "notes": None,
        "recorded_by": recorded_by,
    }
    books.payments.append(row)
    if status == PaymentStatus.COMPLETED:
        if refund_of is not None:
            refund_of["refunded_amount"] += amount
            refund_of["status"] = PaymentStatus.REFUNDED
            refund_of["updated_at"] = at
        entry = books.entry_of[pay_id] = {
            "id": ctx.new_id(at),
            "created_at": at,
            "location_id": site.id,
            "type": TransactionType.EXPENSE if refund_of else TransactionType.INCOME,
            "invoice_id": invoice_id,
            "payment_id": pay_id,
            "journey_id": None,
            "amount": -amount if refund_of else amount,
            "currency": Currency.CAD,
            "exchange_rate": None,
            "occurred_at": at,
            "description": f"{'Refund to' if refund_of else 'Payment from'} {quote.customer.name}",
            "account": "4000-moving-revenue",
            "category": "refund" if refund_of else "customer-payment",
            "recorded_by": recorded_by,
        }
        books.ledger.append(entry)
        if method == P.CASH and not refund_of:
            world.state(site).cash += amount
    return row


def seed_finance_batch(world: World, site: Site, sold: list[SoldQuote], jobs: list[Job]) -> None:
    ctx = world.ctx
    rng = ctx.rng("finance", site.code, sold[0].number if sold else "-")
    books = _Books()
    by_quote = {job.quote.id: job for job in jobs}
    for quote in sold:
        job = by_quote.get(quote.id)
        billed = job is not None and job.status == JourneyStatus.COMPLETED
        deposit = None
        if quote.deposit > 0:
            deposit = _pay(
                world,
                site,
                books,
                quote,
                quote.deposit,
                quote.accepted_at,
                P.CREDIT_CARD,
                rng,
                invoice_id=None,
            )
        if billed and job is not None:
            _invoice(world, site, books, rng, quote, job, deposit)
        elif quote.status == QuoteStatus.CONVERTED and job is None:
            raise AssertionError("a converted quote without its journey")
    ctx.insert(Invoice, books.invoices)
    ctx.insert(InvoiceItem, books.items)
    ctx.insert(Payment, books.payments)
    ctx.insert(FinancialTransaction, books.ledger)
    ctx.insert(Communication, books.mails)


def _invoice(
    world: World,
    site: Site,
    books: _Books,
    rng: random.Random,
    quote: SoldQuote,
    job: Job,
    deposit: dict[str, Any] | None,
) -> None:
    ctx = world.ctx
    today, now = ctx.today, world.site_now(site)
    done = job.completed_at or now
    issue = quote.move_date
    invoice_id = ctx.new_id(done)
    lines = []
    for line in quote.lines:
        copy = pricing.Line(
            ctx.new_id(done),
            line.category,
            line.description,
            line.quantity,
            line.unit,
            line.unit_price,
            line.taxable,
            line.sort_order,
            line.catalogue_item_id,
            line.code,
            line.discount_pct,
        )
        if (
            line.category == QuoteItemCategory.MOVING_SERVICES
            and job.billable_hours
            and quote.estimate_type in (EstimateType.HOURLY, EstimateType.NON_BINDING)
        ):
            copy.quantity = job.billable_hours
        lines.append((line, copy))
    totals = pricing.price(
        [c for _, c in lines],
        currency=Currency.CAD,
        province=site.branch.province,
        tax_date=issue,
        tax_rows=world.ref.tax_rows,
        tax_exempt=quote.customer.tax_exempt,
        discount_pct=quote.discount_pct,
    )
    for (original, copy), amount in zip(lines, totals.lines, strict=True):
        books.items.append(
            {
                "id": copy.id,
                "created_at": done,
                "invoice_id": invoice_id,
                "category": copy.category,
                "description": copy.description,
                "quantity": copy.quantity,
                "unit": copy.unit,
                "unit_price": copy.unit_price,
                "discount_pct": copy.discount_pct,
                "line_total": amount.amount,
                "taxable": copy.taxable,
                "sort_order": copy.sort_order,
                "quote_item_id": original.id,
                "catalogue_item_id": copy.catalogue_item_id,
            }
        )
    total = totals.total
    commercial = quote.customer.commercial
    due = issue + dt.timedelta(days=30 if commercial else 15)
    age = (today - issue).days
    paid, refunded, last_paid = Decimal(0), Decimal(0), None
    if deposit is not None:
        deposit["invoice_id"] = invoice_id
        books.entry_of[deposit["id"]]["invoice_id"] = invoice_id
        paid += deposit["amount"]
    rest = total - paid
    roll = rng.random()
    base = InvoiceStatus.VIEWED if rng.random() < 0.6 else InvoiceStatus.SENT
    if age <= 1 and roll < 0.25:
        base, roll = InvoiceStatus.DRAFT, 1.0  # not sent yet: nothing more paid
    sent_at = None if base == InvoiceStatus.DRAFT else min(now, done + dt.timedelta(minutes=30))
    if rest > 0 and roll < 0.98:
        if commercial:
            lag = rng.randint(5, 45)
            when = ctx.local(issue + dt.timedelta(days=lag), 11, 0, site.tz)
            if when <= now and roll < 0.9:
                method = rng.choice((P.BANK_TRANSFER, P.CHECK))
                _pay(world, site, books, quote, rest, when, method, rng, invoice_id=invoice_id)
                paid, last_paid = paid + rest, when
        elif roll < 0.85:
            method = rng.choices(
                (P.CREDIT_CARD, P.DEBIT_CARD, P.BANK_TRANSFER, P.CASH), weights=(55, 25, 12, 8)
            )[0]
            if method == P.CREDIT_CARD and rng.random() < 0.03:
                _pay(
                    world,
                    site,
                    books,
                    quote,
                    rest,
                    done,
                    method,
                    rng,
                    invoice_id=invoice_id,
                    status=PaymentStatus.FAILED,
                )
            when = done + dt.timedelta(minutes=5)
            taker = job.quote.customer.seller.id if method == P.BANK_TRANSFER else None
            payment = _pay(
                world,
                site,
                books,
                quote,
                rest,
                when,
                method,
                rng,
                invoice_id=invoice_id,
                recorded_by=taker,
            )
            paid, last_paid = paid + rest, when
            if (
                roll > 0.845 and age > 3 and method == P.CREDIT_CARD
            ):  # goodwill refund after a damage claim
                back = min(now, when + dt.timedelta(days=2))
                for taken in filter(None, (deposit, payment)):
                    _pay(
                        world,
                        site,
                        books,
                        quote,
                        taken["amount"],
                        back,
                        taken["method"],
                        rng,
                        invoice_id=invoice_id,
                        refund_of=taken,
                    )
                    refunded += taken["amount"]
        elif roll < 0.90:
            half = (rest / 2).quantize(CENT)
            when = done + dt.timedelta(minutes=5)
            _pay(world, site, books, quote, half, when, P.DEBIT_CARD, rng, invoice_id=invoice_id)
            paid, last_paid = paid + half, when
    status = derive_invoice_status(
        total=total, amount_paid=paid, due_date=due, today=today, current=base, refunded=refunded
    )
    balance, credit = invoice_balance(total, paid)
    viewed = (
        sent_at + dt.timedelta(hours=rng.randint(1, 20))
        if sent_at and base == InvoiceStatus.VIEWED
        else None
    )
    viewed = min(viewed, now) if viewed else None
    customer = quote.customer
    books.invoices.append(
        {
            "id": invoice_id,
            "created_at": done,
            "updated_at": max(filter(None, (done, sent_at, viewed, last_paid))),
            "location_id": site.id,
            "number": world.next_number("INV", 6),
            "provisional_number": None,
            "customer_id": customer.id,
            "journey_id": job.id,
            "quote_id": quote.id,
            "status": status,
            "currency": Currency.CAD,
            "exchange_rate": None,
            "issue_date": issue,
            "due_date": due,
            "bill_to": {
                "name": customer.name,
                "line1": customer.address.line1,
                "line2": customer.address.line2,
                "city": customer.address.city,
                "province": customer.address.province.value,
                "postal_code": customer.address.postal_code,
                "email": customer.email,
            },
            "subtotal": totals.subtotal,
            "discount_amount": totals.discount,
            "tax_amount": totals.tax_total,
            "total": total,
            "amount_paid": paid,
            "balance_due": balance,
            "credit_amount": credit,
            "tax_breakdown": pricing.tax_breakdown(totals),
            "notes": None,
            "created_by": world.dispatcher(site).id,
            "sent_at": sent_at,
            "viewed_at": viewed,
            "paid_at": last_paid if status == InvoiceStatus.PAID else None,
            "cancelled_at": None,
            "cancellation_reason": None,
        }
    )
    if sent_at and customer.email:
        books.mails.append(
            message(
                ctx,
                location_id=site.id,
                kind=CommunicationType.EMAIL,
                sent_at=sent_at,
                status=CommunicationStatus.READ if viewed else CommunicationStatus.DELIVERED,
                read_at=viewed,
                customer_id=customer.id,
                user_id=None,
                to_address=customer.email,
                from_address="billing@demo.cnc-crm.ca",
                subject=f"Invoice for your move ({job.number})",
                body=f"Hi {customer.first_name}, your invoice total is ${total}.",
                template_id=world.ref.templates["invoice_email"],
                invoice_id=invoice_id,
                journey_id=job.id,
            )
        )


def seed_ledger_extras(world: World) -> None:
    """Costs other steps incurred, and each branch's cash banked in one transfer."""
    ctx = world.ctx
    rows = []
    for cost in world.expenses:
        site: Site = cost["site"]  # type: ignore[assignment]
        at: dt.datetime = cost["at"]  # type: ignore[assignment]
        rows.append(
            {
                "id": ctx.new_id(at),
                "created_at": at,
                "location_id": site.id,
                "type": TransactionType.EXPENSE,
                "invoice_id": None,
                "payment_id": None,
                "journey_id": None,
                "amount": Decimal(cost["amount"]).quantize(CENT),  # type: ignore[arg-type]
                "currency": Currency.CAD,
                "exchange_rate": None,
                "occurred_at": at,
                "description": cost["description"],
                "account": cost["account"],
                "category": cost["category"],
                "recorded_by": None,
            }
        )
    for site in world.company.sites:
        cash = world.state(site).cash
        if cash <= 0:
            continue
        at = ctx.local(ctx.today - dt.timedelta(days=1), 16, 30, site.tz)
        for amount, account in ((-cash, "1010-cash-on-hand"), (cash, "1000-bank")):
            rows.append(
                {
                    "id": ctx.new_id(at),
                    "created_at": at,
                    "location_id": site.id,
                    "type": TransactionType.TRANSFER,
                    "invoice_id": None,
                    "payment_id": None,
                    "journey_id": None,
                    "amount": amount,
                    "currency": Currency.CAD,
                    "exchange_rate": None,
                    "occurred_at": at,
                    "description": "Crew cash deposited",
                    "account": account,
                    "category": "cash-deposit",
                    "recorded_by": None,
                }
            )
    ctx.insert(FinancialTransaction, rows)
