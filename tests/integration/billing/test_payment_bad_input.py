"""Payments a rule refuses: a clear code per mutation, nothing of it written, the rest applied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared_models.models import AuditLog, FinancialTransaction, Payment
from tests.integration.billing.conftest import UTC, Books, new_id, wire


def _invoice(books: Books, total_lines: tuple[str, ...] = ("1000.00",)) -> object:
    w = books.world
    invoice, _ = books.insert(
        "invoice",
        location_id=w.hq,
        customer_id=w.customer,
        status="DRAFT",
        issue_date=dt.date.today(),
    )
    for price in total_lines:
        books.insert(
            "invoice_item",
            invoice_id=invoice,
            category="MOVING_SERVICES",
            description="Move",
            quantity=Decimal(1),
            unit_price=Decimal(price),
        )
    return invoice


def _counts(books: Books) -> tuple[int, int, int]:
    with Session(books.engine) as s:
        return (
            s.scalar(select(func.count()).select_from(Payment)),
            s.scalar(select(func.count()).select_from(FinancialTransaction)),
            s.scalar(select(func.count()).select_from(AuditLog)),
        )


def _code(result) -> str:
    assert (result.status, result.reason) == ("rejected", "rule_violation"), result
    return result.message.split(":", 1)[0]


def test_each_refused_payment_has_its_code_and_writes_nothing(books: Books) -> None:
    invoice = _invoice(books, ("12000.00",))
    w = books.world
    cash, r = books.payment(invoice, "600.00", "CASH")
    assert r.results[0].status == "applied"
    before = _counts(books)
    inv_before = books.row("invoice", invoice)

    def pay(amount: str, method: str = "CASH", **extra) -> object:
        values = {
            "location_id": w.hq,
            "invoice_id": invoice,
            "customer_id": w.customer,
            "method": method,
            "status": "COMPLETED",
            "amount": amount,
            "currency": extra.pop("currency", "CAD"),
            "received_at": dt.datetime(2026, 6, 3, 16, tzinfo=UTC),
            **extra,
        }
        return books.p.mutation("payment", "insert", new_id(), changes=wire(values))

    r = books.p.push(
        pay("10000.00"),  # one large cash amount
        pay("9500.00"),  # with the 600.00 earlier today: the 24-hour rule
        pay("700.00", refund_of_id=cash),  # more than was paid
        pay("-5.00", "CHECK"),
        pay("0.00", "CHECK"),
        pay("10.005", "CHECK"),
        pay("50.00", "CHECK", currency="USD"),
        pay("1000000.00", "CREDIT_CARD"),
        pay("5.00", "CHECK", refund_of_id=new_id()),
        books.p.mutation(
            "financial_transaction",
            "insert",
            new_id(),
            changes=wire(
                {
                    "location_id": w.hq,
                    "type": "INCOME",
                    "invoice_id": invoice,
                    "amount": Decimal("-12000.00"),
                    "occurred_at": dt.datetime(2026, 6, 3, tzinfo=UTC),
                    "description": "paid, honest",
                    "account": "1200-accounts-receivable",
                }
            ),
        ),
    )
    assert [_code(x) for x in r.results] == [
        "payment_limit_exceeded",
        "payment_limit_exceeded",
        "refund_exceeds_paid",
        "negative_amount",
        "invalid_amount",
        "invalid_amount",
        "currency_mismatch",
        "payment_limit_exceeded",
        "invalid_refund",
        "server_owned",
    ]
    assert "large cash" in r.results[1].message
    assert _counts(books) == before
    after = books.row("invoice", invoice)
    assert (after["version"], after["amount_paid"]) == (inv_before["version"], Decimal("600.00"))


def test_a_good_payment_beside_bad_ones_still_applies_and_a_replay_adds_nothing(
    books: Books,
) -> None:
    invoice = _invoice(books)
    w = books.world
    good = {
        "location_id": w.hq,
        "invoice_id": invoice,
        "customer_id": w.customer,
        "method": "DEBIT_CARD",
        "status": "COMPLETED",
        "amount": "250.00",
        "currency": "CAD",
        "received_at": dt.datetime(2026, 6, 3, 16, tzinfo=UTC),
    }
    batch = [
        books.p.mutation("payment", "insert", new_id(), changes={**good, "amount": "-1.00"}),
        books.p.mutation("payment", "insert", new_id(), changes=good),
    ]
    first = books.p.push(*batch)
    assert [x.status for x in first.results] == ["rejected", "applied"]
    ledger = books.rows("financial_transaction", invoice_id=invoice)
    again = books.p.push(*batch)  # the response was lost: the laptop sends the batch again
    assert [x.status for x in again.results] == ["rejected", "applied"]
    assert books.rows("financial_transaction", invoice_id=invoice) == ledger
    inv = books.row("invoice", invoice)
    assert (inv["amount_paid"], inv["balance_due"]) == (Decimal("250.00"), Decimal("880.00"))
    assert sum(e["amount"] for e in ledger) == inv["balance_due"]


def test_gateway_payments_wait_for_the_gateway_whatever_the_laptop_says(books: Books) -> None:
    invoice = _invoice(books)
    pid, r = books.payment(invoice, "100.00", "STRIPE", gateway="stripe")
    assert r.results[0].row["status"] == "PENDING"
    inv = books.row("invoice", invoice)
    assert (inv["amount_paid"], books.ledger_sum(invoice)) == (Decimal("0.00"), inv["total"])
    assert books.row("payment", pid)["status"] == "PENDING"
