"""``POST /v1/webhooks/stripe/{integration_id}``: each tenant's endpoint, its own sealed secret.

Signed the documented way (``t=...,v1=HMAC-SHA256``) over real HTTP, offline.
An event verified by one tenant's secret can move only that tenant's rows.
"""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from shared_models.models import Tenant
from sync_server.core.db import session_scope
from sync_server.payments.credentials import configure_stripe
from tests.integration.billing.conftest import (
    WEBHOOK_SECRET,
    Books,
    CardServer,
    card_invoice,
    sign,
)

BIRCH_SECRET = "whsec_" + "BirchHook" * 3


def _succeeded(payment: uuid.UUID, tenant: uuid.UUID) -> bytes:
    return json.dumps(
        {
            "id": f"evt_{uuid.uuid4().hex[:20]}",
            "object": "event",
            "type": "payment_intent.succeeded",
            "data": {
                "object": {
                    "id": "pi_3Tenant000000",
                    "object": "payment_intent",
                    "amount": 45200,
                    "amount_received": 45200,
                    "currency": "cad",
                    "metadata": {"payment_id": str(payment), "tenant_id": str(tenant)},
                }
            },
        }
    ).encode()


def _post(cards: CardServer, integration: uuid.UUID, body: bytes, sig: str) -> httpx.Response:
    return httpx.post(
        f"{cards.url}/v1/webhooks/stripe/{integration}",
        content=body,
        headers={"stripe-signature": sig},
        timeout=10,
    )


@pytest.fixture
def birch_integration(cards: CardServer, books: Books) -> uuid.UUID:
    with session_scope(books.engine) as s:
        return configure_stripe(
            s,
            tenant=s.get(Tenant, books.world.other_tenant),
            api_key="sk_test_" + "Birch0Key" * 3,
            webhook_secret=BIRCH_SECRET,
            server_key=cards.settings.encryption_key_bytes,
        ).id


def test_the_tenants_secret_verifies_its_endpoint(cards: CardServer, books: Books) -> None:
    invoice, payment = card_invoice(books)
    body = _succeeded(payment, books.world.tenant)
    r = _post(cards, cards.integration_id, body, sign(body, WEBHOOK_SECRET))
    assert (r.status_code, r.json()["outcome"]) == (200, "applied")
    assert books.row("payment", payment)["status"] == "COMPLETED"
    assert books.row("invoice", invoice)["status"] == "PAID"


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ("another_tenants_secret", "signature_invalid"),
        ("server_wide_secret", "signature_invalid"),
        ("replayed", "signature_expired"),
        ("future", "signature_expired"),
    ],
)
def test_wrong_secret_or_old_timestamp_is_refused_and_changes_nothing(
    cards: CardServer, books: Books, birch_integration: uuid.UUID, how: str, code: str
) -> None:
    _, payment = card_invoice(books)
    body = _succeeded(payment, books.world.tenant)
    sig = {
        "another_tenants_secret": sign(body, BIRCH_SECRET),
        "server_wide_secret": sign(body, "whsec_test_" + "k3y" * 8),
        "replayed": sign(body, WEBHOOK_SECRET, at=int(time.time()) - 301),
        "future": sign(body, WEBHOOK_SECRET, at=int(time.time()) + 3600),
    }[how]
    r = _post(cards, cards.integration_id, body, sig)
    assert (r.status_code, r.json()["error"]) == (400, code)
    assert books.row("payment", payment)["status"] == "PENDING"


def test_another_tenants_endpoint_cannot_move_our_payment(
    cards: CardServer, books: Books, birch_integration: uuid.UUID
) -> None:
    _, payment = card_invoice(books)
    body = _succeeded(payment, books.world.tenant)  # names maple's payment...
    r = _post(cards, birch_integration, body, sign(body, BIRCH_SECRET))  # ...signed by birch
    assert (r.status_code, r.json()["outcome"]) == (200, "unknown_payment")
    assert books.row("payment", payment)["status"] == "PENDING"


def test_unknown_integration_is_not_found(cards: CardServer, books: Books) -> None:
    _, payment = card_invoice(books)
    body = _succeeded(payment, books.world.tenant)
    r = _post(cards, uuid.uuid4(), body, sign(body, WEBHOOK_SECRET))
    assert (r.status_code, r.json()["error"]) == (404, "not_found")
    assert books.row("payment", payment)["status"] == "PENDING"
