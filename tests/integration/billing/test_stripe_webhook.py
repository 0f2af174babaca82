"""``POST /v1/webhooks/stripe`` over real HTTP on 127.0.0.1, signed the documented way, offline.

Stripe signs ``"{t}.{body}"`` with HMAC-SHA256 under the endpoint secret and
sends ``Stripe-Signature: t=<unix time>,v1=<hex digest>``; we do the same here.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.models import AuditLog
from tests.integration.billing.conftest import Books, card_invoice
from tests.utils.server import live_server

SECRET = "whsec_test_" + "k3y" * 8


def sign(body: bytes, *, secret: str = SECRET, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def event(
    payment_id: uuid.UUID, tenant_id: uuid.UUID, cents: int, kind: str = "succeeded"
) -> bytes:
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:24]}",
            "object": "event",
            "type": f"payment_intent.{kind}",
            "data": {
                "object": {
                    "id": "pi_3Test0000000000",
                    "object": "payment_intent",
                    "amount": cents,
                    "amount_received": cents if kind == "succeeded" else 0,
                    "currency": "cad",
                    "metadata": {"payment_id": str(payment_id), "tenant_id": str(tenant_id)},
                }
            },
        }
    ).encode()


@pytest.fixture
def base_url(write_db_url: str) -> Iterator[str]:
    with live_server(write_db_url, stripe_webhook_secret=SECRET) as url:
        yield url


@pytest.fixture
def card_payment(books: Books) -> tuple[uuid.UUID, uuid.UUID]:
    return card_invoice(books)


def _audit(books: Books, row_id: uuid.UUID) -> list[tuple[str, uuid.UUID | None]]:
    with Session(books.engine) as s:
        return [
            (a.action, a.user_id)
            for a in s.scalars(
                select(AuditLog).where(AuditLog.row_id == row_id).order_by(AuditLog.version)
            )
        ]


def _post(base_url: str, body: bytes, signature: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["stripe-signature"] = signature
    return httpx.post(f"{base_url}/v1/webhooks/stripe", content=body, headers=headers, timeout=10)


def test_succeeded_marks_the_payment_completed_once(base_url, books: Books, card_payment) -> None:
    invoice, payment = card_payment
    before = books.row("payment", payment)
    body = event(payment, books.world.tenant, 45200)
    r = _post(base_url, body, sign(body))
    assert (r.status_code, r.json()["outcome"]) == (200, "applied")
    paid = books.row("payment", payment)
    assert (paid["status"], paid["gateway_payment_id"]) == ("COMPLETED", "pi_3Test0000000000")
    assert paid["version"] > before["version"]  # a versioned write: replicas pull it
    inv = books.row("invoice", invoice)
    assert (inv["status"], inv["amount_paid"], inv["balance_due"]) == (
        "PAID",
        Decimal("452.00"),
        Decimal("0.00"),
    )
    assert books.ledger_sum(invoice) == 0
    ledger = books.rows("financial_transaction", invoice_id=invoice)
    audit = _audit(books, payment)

    again = _post(base_url, body, sign(body))  # Stripe delivers the same event again
    assert (again.status_code, again.json()["outcome"]) == (200, "already_applied")
    assert books.row("payment", payment)["version"] == paid["version"]
    assert books.rows("financial_transaction", invoice_id=invoice) == ledger
    assert _audit(books, payment) == audit
    assert audit[-1] == ("update", None)


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ("wrong_secret", "signature_invalid"),
        ("tampered", "signature_invalid"),
        ("missing", "signature_invalid"),
        ("replayed", "signature_expired"),
    ],
)
def test_bad_signatures_are_refused_and_change_nothing(
    base_url, books: Books, card_payment, how: str, code: str
) -> None:
    invoice, payment = card_payment
    body = event(payment, books.world.tenant, 45200)
    signature = {
        "wrong_secret": sign(body, secret="whsec_someone_else"),
        "tampered": sign(body.replace(b"45200", b"45201")),
        "missing": None,
        "replayed": sign(body, at=int(time.time()) - 301),
    }[how]
    r = _post(base_url, body, signature)
    assert r.status_code == 400
    assert r.json()["error"] == code
    assert books.row("payment", payment)["status"] == "PENDING"
    assert books.row("invoice", invoice)["amount_paid"] == 0


def test_amount_mismatch_and_failure(base_url, books: Books, card_payment) -> None:
    invoice, payment = card_payment
    body = event(payment, books.world.tenant, 100)
    assert _post(base_url, body, sign(body)).json()["outcome"] == "amount_mismatch"
    assert books.row("payment", payment)["status"] == "PENDING"
    body = event(payment, books.world.tenant, 45200, kind="payment_failed")
    assert _post(base_url, body, sign(body)).json()["outcome"] == "applied"
    assert books.row("payment", payment)["status"] == "FAILED"
    assert books.row("invoice", invoice)["amount_paid"] == 0
