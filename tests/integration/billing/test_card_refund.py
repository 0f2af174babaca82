"""``POST /v1/payments/{id}/refund`` and Stripe's refund webhooks, over real HTTP, offline.

The laptop records the refund row (``refund_of_id``) and pushes it; the server
asks Stripe for the refund; the refund events move the row, and the original
payment's ``refunded_amount``, the invoice and its ledger follow.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from shared_models.sync.codec import synced_table
from tests.integration.billing.conftest import (
    UTC,
    WEBHOOK_SECRET,
    Books,
    CardServer,
    card_invoice,
    new_id,
    sign,
)


def _webhook(cards: CardServer, kind: str, obj: dict[str, Any]) -> httpx.Response:
    body = json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:20]}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": obj},
        }
    ).encode()
    return httpx.post(
        f"{cards.url}/v1/webhooks/stripe/{cards.integration_id}",
        content=body,
        headers={"stripe-signature": sign(body, WEBHOOK_SECRET)},
        timeout=10,
    )


def _paid_card(cards: CardServer, books: Books) -> tuple[uuid.UUID, uuid.UUID, str]:
    """A 452.00 invoice paid in full by card: intent created, Stripe said succeeded."""
    invoice, payment = card_invoice(books)
    pi = cards.post(f"/v1/payments/{payment}/intent").json()["gateway_payment_id"]
    done = _webhook(
        cards, "payment_intent.succeeded", cards.stub.intents[pi] | {"amount_received": 45200}
    )
    assert done.json()["outcome"] == "applied"
    return invoice, payment, pi


def _refund_row(books: Books, invoice: uuid.UUID, payment: uuid.UUID, amount: str) -> uuid.UUID:
    refund, r = books.payment(
        invoice, amount, "STRIPE", gateway="stripe", status="PENDING", refund_of_id=payment
    )
    assert r.results[0].status == "applied", r.results[0]
    return refund


def _refund(cards: CardServer, payment: uuid.UUID, refund: uuid.UUID) -> httpx.Response:
    return cards.post(f"/v1/payments/{payment}/refund", json={"refund_payment_id": str(refund)})


def test_refund_is_asked_once_and_its_webhook_settles_invoice_and_ledger(
    cards: CardServer, books: Books
) -> None:
    invoice, payment, pi = _paid_card(cards, books)
    refund = _refund_row(books, invoice, payment, "100.00")
    cards.stub.refund_status = "pending"

    r = _refund(cards, payment, refund)

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "PROCESSING"
    re_id = r.json()["gateway_refund_id"]
    [sent] = cards.stub.posts("/v1/refunds")
    assert sent.form == {
        "payment_intent": pi,
        "amount": "10000",
        "metadata[payment_id]": str(refund),
        "metadata[tenant_id]": str(books.world.tenant),
    }
    assert sent.headers["idempotency-key"] == f"cnc-refund-{refund}"
    row = books.row("payment", refund)
    assert (row["status"], row["gateway_payment_id"], row["gateway"]) == (
        "PROCESSING",
        re_id,
        "stripe",
    )
    assert books.row("invoice", invoice)["amount_paid"] == Decimal("452.00")  # not yet back

    again = _refund(cards, payment, refund)  # a retry asks Stripe nothing more
    assert (again.status_code, again.json()["gateway_refund_id"]) == (200, re_id)
    assert len(cards.stub.posts("/v1/refunds")) == 1

    obj = {
        "id": re_id,
        "object": "refund",
        "amount": 10000,
        "currency": "cad",
        "status": "succeeded",
        "payment_intent": pi,
        "metadata": {"payment_id": str(refund), "tenant_id": str(books.world.tenant)},
    }
    done = _webhook(cards, "refund.updated", obj)

    assert (done.status_code, done.json()["outcome"]) == (200, "applied")
    assert books.row("payment", refund)["status"] == "COMPLETED"
    original = books.row("payment", payment)
    assert (original["refunded_amount"], original["status"]) == (Decimal("100.00"), "COMPLETED")
    inv = books.row("invoice", invoice)
    assert (inv["status"], inv["amount_paid"], inv["balance_due"]) == (
        "PARTIAL_PAID",
        Decimal("352.00"),
        Decimal("100.00"),
    )
    assert books.ledger_sum(invoice) == inv["balance_due"]
    ledger = books.rows("financial_transaction", invoice_id=invoice)

    assert _webhook(cards, "refund.updated", obj).json()["outcome"] == "already_applied"
    assert books.rows("financial_transaction", invoice_id=invoice) == ledger


def test_charge_refunded_in_full_marks_the_payment_refunded(
    cards: CardServer, books: Books
) -> None:
    invoice, payment, pi = _paid_card(cards, books)
    refund = _refund_row(books, invoice, payment, "452.00")
    cards.stub.refund_status = "pending"
    re_id = _refund(cards, payment, refund).json()["gateway_refund_id"]
    charge = {
        "id": "ch_3Test",
        "object": "charge",
        "payment_intent": pi,
        "amount": 45200,
        "amount_refunded": 45200,
        "currency": "cad",
        "refunded": True,
        "metadata": {},
        "refunds": {
            "object": "list",
            "data": [
                {
                    "id": re_id,
                    "object": "refund",
                    "amount": 45200,
                    "currency": "cad",
                    "status": "succeeded",
                    "payment_intent": pi,
                    "metadata": {"payment_id": str(refund), "tenant_id": str(books.world.tenant)},
                }
            ],
        },
    }

    r = _webhook(cards, "charge.refunded", charge)

    assert r.json()["outcome"] == "applied"
    original = books.row("payment", payment)
    assert (original["status"], original["refunded_amount"]) == ("REFUNDED", Decimal("452.00"))
    inv = books.row("invoice", invoice)
    assert (inv["status"], inv["amount_paid"]) == ("REFUNDED", Decimal("0.00"))
    assert books.ledger_sum(invoice) == Decimal("452.00")  # owed again: refunded in full


def test_refund_succeeding_at_once_completes_without_a_webhook(
    cards: CardServer, books: Books
) -> None:
    invoice, payment, _ = _paid_card(cards, books)
    refund = _refund_row(books, invoice, payment, "52.00")

    r = _refund(cards, payment, refund)

    assert (r.status_code, r.json()["status"]) == (200, "COMPLETED")
    assert books.row("payment", payment)["refunded_amount"] == Decimal("52.00")
    assert books.row("invoice", invoice)["balance_due"] == Decimal("52.00")
    assert books.ledger_sum(invoice) == Decimal("52.00")


def test_a_failed_refund_leaves_the_payment_and_invoice_alone(
    cards: CardServer, books: Books
) -> None:
    invoice, payment, _ = _paid_card(cards, books)
    refund = _refund_row(books, invoice, payment, "100.00")
    cards.stub.refund_status = "pending"
    re_id = _refund(cards, payment, refund).json()["gateway_refund_id"]
    paid = books.row("invoice", invoice)

    obj = {
        "id": re_id,
        "object": "refund",
        "amount": 10000,
        "currency": "cad",
        "status": "failed",
        "failure_reason": "expired_or_canceled_card",
        "metadata": {"payment_id": str(refund), "tenant_id": str(books.world.tenant)},
    }
    assert _webhook(cards, "refund.failed", obj).json()["outcome"] == "applied"

    assert books.row("payment", refund)["status"] == "FAILED"
    assert books.row("payment", payment)["refunded_amount"] == 0
    inv = books.row("invoice", invoice)
    assert (inv["status"], inv["amount_paid"]) == (paid["status"], paid["amount_paid"])
    assert books.ledger_sum(invoice) == 0


def test_refund_of_a_cash_payment_is_refused(cards: CardServer, books: Books) -> None:
    invoice, _ = card_invoice(books)
    cash, _ = books.payment(invoice, "100.00", "CASH")
    refund, _ = books.payment(invoice, "40.00", "CASH", status="PENDING", refund_of_id=cash)

    r = _refund(cards, cash, refund)

    assert (r.status_code, r.json()["error"]) == (422, "validation_failed")
    assert "not charged through Stripe" in r.json()["message"]
    assert cards.stub.posts("/v1/refunds") == []


def test_refund_row_of_another_payment_is_refused(cards: CardServer, books: Books) -> None:
    invoice, payment, _ = _paid_card(cards, books)
    cash, _ = books.payment(invoice, "10.00", "CASH")
    other = _refund_row(books, invoice, cash, "5.00")

    r = _refund(cards, payment, other)

    assert (r.status_code, r.json()["details"]["code"]) == (422, "invalid_refund")
    assert cards.stub.posts("/v1/refunds") == []


def test_a_refund_recorded_as_completed_is_not_sent_to_stripe(
    cards: CardServer, books: Books
) -> None:
    invoice, payment, _ = _paid_card(cards, books)
    # Paid back by hand at the counter and recorded so: not the gateway's to do.
    by_hand, r = books.payment(
        invoice, "20.00", "CREDIT_CARD", status="COMPLETED", refund_of_id=payment
    )
    assert r.results[0].row["status"] == "COMPLETED"

    refused = _refund(cards, payment, by_hand)

    assert (refused.status_code, refused.json()["error"]) == (422, "validation_failed")
    assert "COMPLETED" in refused.json()["message"]
    assert cards.stub.posts("/v1/refunds") == []


def test_asking_again_for_a_completed_refund_changes_nothing(
    cards: CardServer, books: Books
) -> None:
    invoice, payment, _ = _paid_card(cards, books)
    refund = _refund_row(books, invoice, payment, "52.00")
    first = _refund(cards, payment, refund)
    assert first.json()["status"] == "COMPLETED"
    stored = books.row("payment", refund)
    cards.stub.requests.clear()

    again = _refund(cards, payment, refund)

    assert (again.status_code, again.json()) == (200, first.json())
    assert cards.stub.requests == []
    assert books.row("payment", refund)["version"] == stored["version"]


def test_refund_larger_than_what_is_left_is_refused_before_stripe(
    cards: CardServer, books: Books
) -> None:
    invoice, payment, _ = _paid_card(cards, books)
    _refund_row(books, invoice, payment, "400.00")
    # A row written before the refund rule existed (legacy data): the endpoint checks again.
    legacy = new_id()
    with books.engine.begin() as conn:
        conn.execute(
            insert(synced_table("payment")).values(
                id=legacy,
                tenant_id=books.world.tenant,
                location_id=books.world.hq,
                invoice_id=invoice,
                customer_id=books.world.customer,
                method="STRIPE",
                status="PENDING",
                amount=Decimal("100.00"),
                currency="CAD",
                received_at=dt.datetime(2026, 6, 4, tzinfo=UTC),
                gateway="stripe",
                refunded_amount=Decimal(0),
                refund_of_id=payment,
                version=1,
                created_at=dt.datetime.now(UTC),
                updated_at=dt.datetime.now(UTC),
            )
        )

    r = _refund(cards, payment, legacy)

    assert (r.status_code, r.json()["details"]["code"]) == (422, "refund_exceeds_paid")
    assert cards.stub.posts("/v1/refunds") == []
    assert books.row("payment", legacy)["status"] == "PENDING"


@pytest.mark.parametrize("bad", ["unknown_refund", "unknown_payment"])
def test_unknown_rows_are_row_not_found(cards: CardServer, books: Books, bad: str) -> None:
    invoice, payment, _ = _paid_card(cards, books)
    refund = _refund_row(books, invoice, payment, "10.00")
    target, row = (payment, uuid.uuid4()) if bad == "unknown_refund" else (uuid.uuid4(), refund)
    r = _refund(cards, target, row)
    assert (r.status_code, r.json()["error"]) == (404, "row_not_found")
