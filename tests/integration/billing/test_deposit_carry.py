"""A deposit taken on a quote counts on the invoice made from it, on real PostgreSQL.

Invoice totals: one 400.00 line + 13 % HST = 452.00 (the world's HQ is in Ontario).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from shared_models.models import Journey
from tests.integration.billing.conftest import UTC, Books


def _deposit(books: Books, amount: str = "100.00", **extra: object) -> uuid.UUID:
    w = books.world
    payment, r = books.insert(
        "payment",
        location_id=w.hq,
        quote_id=extra.pop("quote_id", w.quote),
        customer_id=extra.pop("customer_id", w.customer),
        method=extra.pop("method", "CHECK"),
        status="COMPLETED",
        amount=Decimal(amount),
        currency=extra.pop("currency", "CAD"),
        received_at=dt.datetime(2026, 5, 20, 15, tzinfo=UTC),
        **extra,
    )
    assert r.results[0].status == "applied", r.results[0]
    return payment


def _invoice(books: Books, **links: object) -> uuid.UUID:
    w = books.world
    invoice, r = books.insert(
        "invoice",
        location_id=w.hq,
        customer_id=w.customer,
        status="SENT",
        issue_date=dt.date.today(),
        **links,
    )
    assert r.results[0].status == "applied", r.results[0]
    books.insert(
        "invoice_item",
        invoice_id=invoice,
        category="MOVING_SERVICES",
        description="Move",
        quantity=Decimal(1),
        unit_price=Decimal("400.00"),
    )
    return invoice


def _settled(books: Books, invoice: uuid.UUID) -> tuple[str, Decimal, Decimal]:
    row = books.row("invoice", invoice)
    assert books.ledger_sum(invoice) == row["balance_due"] - row["credit_amount"]
    return row["status"], row["amount_paid"], row["balance_due"]


def test_a_deposit_on_the_quote_is_carried_onto_its_invoice(books: Books) -> None:
    deposit = _deposit(books)
    before = books.row("payment", deposit)
    assert before["invoice_id"] is None

    invoice = _invoice(books, quote_id=books.world.quote)

    carried = books.row("payment", deposit)
    assert carried["invoice_id"] == invoice
    assert carried["version"] > before["version"]  # the laptops pull the link
    assert _settled(books, invoice) == ("PARTIAL_PAID", Decimal("100.00"), Decimal("352.00"))
    [row] = books.rows("financial_transaction", payment_id=deposit)
    assert (row["amount"], row["category"]) == (Decimal("-100.00"), "customer-payment")

    books.payment(invoice, "352.00", "CHECK")
    assert _settled(books, invoice) == ("PAID", Decimal("452.00"), Decimal("0.00"))


def test_the_invoice_of_the_journey_converted_from_the_quote_takes_the_deposit(
    books: Books,
) -> None:
    w = books.world
    deposit = _deposit(books)
    with Session(books.engine) as s, s.begin():
        journey = Journey(
            tenant_id=w.tenant,
            location_id=w.hq,
            customer_id=w.customer,
            quote_id=w.quote,
            scheduled_date=dt.date(2026, 6, 1),
            origin_line1="1 Front St W",
            origin_city="Toronto",
        )
        s.add(journey)
        s.flush()
        journey_id = journey.id

    invoice = _invoice(books, journey_id=journey_id)  # the laptop left quote_id empty

    assert books.row("payment", deposit)["invoice_id"] == invoice
    assert _settled(books, invoice) == ("PARTIAL_PAID", Decimal("100.00"), Decimal("352.00"))


def test_a_deposit_recorded_after_the_invoice_joins_it_at_once(books: Books) -> None:
    invoice = _invoice(books, quote_id=books.world.quote)
    assert _settled(books, invoice) == ("SENT", Decimal("0.00"), Decimal("452.00"))

    deposit = _deposit(books, "452.00")

    assert books.row("payment", deposit)["invoice_id"] == invoice
    assert _settled(books, invoice) == ("PAID", Decimal("452.00"), Decimal("0.00"))


def test_a_refund_of_a_carried_deposit_follows_it_onto_the_invoice(books: Books) -> None:
    deposit = _deposit(books)
    invoice = _invoice(books, quote_id=books.world.quote)
    # The laptop had not pulled the link yet: it refunds against the quote only.
    refund = _deposit(books, "40.00", refund_of_id=deposit)

    assert books.row("payment", refund)["invoice_id"] == invoice
    assert books.row("payment", deposit)["refunded_amount"] == Decimal("40.00")
    assert _settled(books, invoice) == ("PARTIAL_PAID", Decimal("60.00"), Decimal("392.00"))


def test_a_partly_refunded_deposit_comes_with_its_refund(books: Books) -> None:
    deposit = _deposit(books)
    refund = _deposit(books, "30.00", refund_of_id=deposit, quote_id=None)

    invoice = _invoice(books, quote_id=books.world.quote)

    assert {books.row("payment", p)["invoice_id"] for p in (deposit, refund)} == {invoice}
    assert _settled(books, invoice) == ("PARTIAL_PAID", Decimal("70.00"), Decimal("382.00"))


def test_a_deposit_refunded_in_full_stays_on_the_quote(books: Books) -> None:
    deposit = _deposit(books)
    refund = _deposit(books, "100.00", refund_of_id=deposit, quote_id=None)

    invoice = _invoice(books, quote_id=books.world.quote)

    assert {books.row("payment", p)["invoice_id"] for p in (deposit, refund)} == {None}
    assert _settled(books, invoice) == ("SENT", Decimal("0.00"), Decimal("452.00"))


def test_a_deposit_in_another_currency_stays_on_the_quote(books: Books) -> None:
    usd = _deposit(books, "50.00", currency="USD")
    invoice = _invoice(books, quote_id=books.world.quote)
    assert books.row("payment", usd)["invoice_id"] is None
    assert _settled(books, invoice) == ("SENT", Decimal("0.00"), Decimal("452.00"))


def test_a_deposit_goes_to_the_first_invoice_only(books: Books) -> None:
    deposit = _deposit(books)
    first = _invoice(books, quote_id=books.world.quote)
    second = _invoice(books, quote_id=books.world.quote)
    assert books.row("payment", deposit)["invoice_id"] == first
    assert _settled(books, second) == ("SENT", Decimal("0.00"), Decimal("452.00"))
    assert _settled(books, first) == ("PARTIAL_PAID", Decimal("100.00"), Decimal("352.00"))
