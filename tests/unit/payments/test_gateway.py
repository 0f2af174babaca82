"""StripeGateway's request building (no network) and webhook signature checking, offline."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from decimal import Decimal

import pytest

from shared_models.enums import Currency
from shared_models.rules.errors import RuleViolation
from sync_server.api.routes.webhooks import verify_stripe_payload
from sync_server.core.errors import ApiError
from sync_server.payments.gateway import (
    ChargeRequest,
    PaymentGateway,
    RefundRequest,
    StripeGateway,
    from_minor_units,
    to_minor_units,
)

PAY, TENANT, INVOICE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()


def test_minor_units_are_exact() -> None:
    assert to_minor_units(Decimal("1189.61"), "CAD") == 118961
    assert to_minor_units(Decimal("0.01"), Currency.EUR) == 1
    assert from_minor_units(118961, "USD") == Decimal("1189.61")
    for bad in (Decimal("1.005"), Decimal(0), Decimal(-3)):
        with pytest.raises(RuleViolation):
            to_minor_units(bad, "CAD")


def test_payment_intent_params_carry_cents_currency_and_our_ids() -> None:
    request = ChargeRequest(
        PAY, TENANT, Decimal("452.00"), Currency.CAD, INVOICE, "Invoice INV-000001", "a@b.example"
    )
    assert StripeGateway.payment_intent_params(request) == {
        "amount": 45200,
        "currency": "cad",
        "metadata": {"payment_id": str(PAY), "tenant_id": str(TENANT), "invoice_id": str(INVOICE)},
        "automatic_payment_methods": {"enabled": True},
        "description": "Invoice INV-000001",
        "receipt_email": "a@b.example",
    }
    refund = RefundRequest(PAY, TENANT, "pi_123", Decimal("10.50"), Currency.USD)
    assert StripeGateway.refund_params(refund) == {
        "payment_intent": "pi_123",
        "amount": 1050,
        "metadata": {"payment_id": str(PAY), "tenant_id": str(TENANT)},
    }
    assert StripeGateway.idempotency_key("payment", PAY) == f"cnc-payment-{PAY}"


def test_stripe_gateway_is_a_payment_gateway() -> None:
    gateway: PaymentGateway = StripeGateway("sk_test_not_used")  # builds a client, no call
    assert gateway.name == "stripe"


SECRET = "whsec_unit"


def _sign(body: bytes, t: int, secret: str = SECRET) -> str:
    mac = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def test_signature_verification_codes() -> None:
    body = json.dumps({"id": "evt_1", "type": "payment_intent.succeeded"}).encode()
    now = int(time.time())
    assert verify_stripe_payload(body, _sign(body, now), SECRET)["id"] == "evt_1"
    cases = {
        "signature_invalid": [_sign(body, now, "whsec_other"), None, "t=1,v0=abc", "garbage"],
        "signature_expired": [_sign(body, now - 301)],
    }
    for expected, headers in cases.items():
        for header in headers:
            with pytest.raises(ApiError) as err:
                verify_stripe_payload(body, header, SECRET)
            assert (err.value.code, err.value.status_code) == (expected, 400)
    not_json = b"not json"
    with pytest.raises(ApiError) as err:
        verify_stripe_payload(not_json, _sign(not_json, now), SECRET)
    assert err.value.code == "signature_invalid"
