"""``POST /v1/payments/{id}/intent`` over real HTTP: the real app and Stripe client, Stripe's
API as a loopback stub that records what the official library sends."""

from __future__ import annotations

import json
import time
import uuid
from decimal import Decimal

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.models import AuditLog
from shared_models.sync.codec import synced_table
from tests.integration.billing.conftest import (
    STRIPE_KEY,
    WEBHOOK_SECRET,
    Books,
    CardServer,
    card_invoice,
    card_server,
    sign,
)


def _intent(cards: CardServer, payment: uuid.UUID, who: str = "admin"):
    return cards.post(f"/v1/payments/{payment}/intent", who)


def test_intent_is_created_once_with_the_exact_stripe_parameters(
    cards: CardServer, books: Books
) -> None:
    invoice, payment = card_invoice(books)
    before = books.row("payment", payment)

    r = _intent(cards, payment)

    assert r.status_code == 200, r.text
    body = r.json()
    assert body["gateway_payment_id"].startswith("pi_")
    assert body["client_secret"].startswith(body["gateway_payment_id"] + "_secret_")
    assert body["status"] == "requires_payment_method"
    [sent] = cards.stub.posts("/v1/payment_intents")
    assert sent.form == {
        "amount": "45200",
        "currency": "cad",
        "metadata[payment_id]": str(payment),
        "metadata[tenant_id]": str(books.world.tenant),
        "metadata[invoice_id]": str(invoice),
        "automatic_payment_methods[enabled]": "true",
        "description": f"Payment {payment}",
    }
    assert sent.headers["idempotency-key"] == f"cnc-payment-{payment}"
    assert sent.headers["authorization"] == f"Bearer {STRIPE_KEY}"  # the tenant's own key
    stored = books.row("payment", payment)
    assert stored["gateway_payment_id"] == body["gateway_payment_id"]
    assert (stored["status"], stored["version"] > before["version"]) == ("PENDING", True)
    with Session(books.engine) as s:
        last = s.scalars(
            select(AuditLog).where(AuditLog.row_id == payment).order_by(AuditLog.version.desc())
        ).first()
    assert (last.action, last.user_id) == ("update", books.world.users["admin"])

    again = _intent(cards, payment)  # a double click, or the laptop retrying

    assert again.status_code == 200, again.text
    assert again.json() == body
    assert len(cards.stub.posts("/v1/payment_intents")) == 1  # looked up, not created again
    assert books.row("payment", payment)["version"] == stored["version"]


def test_unknown_payment_is_row_not_found(cards: CardServer) -> None:
    r = _intent(cards, uuid.uuid4())
    assert (r.status_code, r.json()["error"]) == (404, "row_not_found")
    assert cards.stub.requests == []


def test_a_cash_payment_is_not_charged_by_card(cards: CardServer, books: Books) -> None:
    invoice, _ = card_invoice(books)
    cash, _ = books.payment(invoice, "50.00", "CASH")

    r = _intent(cards, cash)

    assert (r.status_code, r.json()["error"]) == (422, "validation_failed")
    assert r.json()["details"]["code"] == "payment_not_allowed"
    assert "not a card payment" in r.json()["message"]
    assert cards.stub.requests == []


def test_a_completed_card_payment_is_not_charged_again(cards: CardServer, books: Books) -> None:
    _, payment = card_invoice(books)
    with Session(books.engine) as s, s.begin():  # as the webhook leaves it
        t = synced_table("payment")
        s.execute(t.update().where(t.c.id == payment).values(status="COMPLETED"))

    r = _intent(cards, payment)

    assert (r.status_code, r.json()["error"]) == (422, "validation_failed")
    assert "COMPLETED" in r.json()["message"]
    assert cards.stub.requests == []


def test_a_dispatcher_without_payment_rights_is_refused(cards: CardServer, books: Books) -> None:
    _, payment = card_invoice(books)
    r = _intent(cards, payment, who="dispatcher")
    assert (r.status_code, r.json()["error"]) == (403, "permission_denied")
    assert books.row("payment", payment)["gateway_payment_id"] is None
    assert cards.stub.requests == []


def test_stripe_refusal_is_gateway_error_with_its_message(cards: CardServer, books: Books) -> None:
    _, payment = card_invoice(books)
    before = books.row("payment", payment)
    cards.stub.fail_next = (
        400,
        {
            "type": "invalid_request_error",
            "code": "amount_too_large",
            "message": "Amount must be no more than $999,999.99",
        },
    )

    r = _intent(cards, payment)

    assert (r.status_code, r.json()["error"]) == (502, "gateway_error")
    assert "Amount must be no more than $999,999.99" in r.json()["message"]
    assert r.json()["details"]["gateway_code"] == "amount_too_large"
    assert books.row("payment", payment) == before


def test_a_tenant_without_stripe_gets_gateway_not_configured(
    write_db_url: str, engine, world, books: Books
) -> None:
    _, payment = card_invoice(books)
    with card_server(write_db_url, engine, world, configure=False) as bare:
        r = _intent(bare, payment)
        assert (r.status_code, r.json()["error"]) == (409, "gateway_not_configured")
        assert "configure-stripe" in r.json()["message"]
        assert bare.stub.requests == []
    assert books.row("payment", payment)["gateway_payment_id"] is None


def test_intent_then_the_tenants_webhook_completes_the_invoice(
    cards: CardServer, books: Books
) -> None:
    invoice, payment = card_invoice(books)
    pi = _intent(cards, payment).json()["gateway_payment_id"]
    body = json.dumps(
        {
            "id": "evt_1",
            "object": "event",
            "type": "payment_intent.succeeded",
            "created": int(time.time()),
            "data": {"object": cards.stub.intents[pi] | {"amount_received": 45200}},
        }
    ).encode()
    r = httpx.post(
        f"{cards.url}/v1/webhooks/stripe/{cards.integration_id}",
        content=body,
        headers={"stripe-signature": sign(body, WEBHOOK_SECRET)},
        timeout=10,
    )
    assert (r.status_code, r.json()["outcome"]) == (200, "applied")
    inv = books.row("invoice", invoice)
    assert (inv["status"], inv["amount_paid"], inv["balance_due"]) == (
        "PAID",
        Decimal("452.00"),
        Decimal("0.00"),
    )
    assert books.row("payment", payment)["status"] == "COMPLETED"
    assert books.ledger_sum(invoice) == 0
