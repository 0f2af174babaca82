"""Card payments through a gateway: one protocol, Stripe behind it (official ``stripe`` library).

The flow: a laptop records a card Payment (PENDING, ``gateway="stripe"``) and
pushes it; the server asks the gateway for a PaymentIntent carrying the
payment's id and tenant in its metadata; the customer pays; Stripe calls
``POST /v1/webhooks/stripe`` and the webhook marks the Payment COMPLETED
(``sync_server.payments.stripe_events``). Amounts cross the wire in minor
units (cents), computed exactly from the Decimal, never through a float.

Each call carries an idempotency key derived from our payment id, so a retried
request never charges or refunds twice. Whatever Stripe refuses (or a network
failure) surfaces as ``GatewayFailure`` with Stripe's own message.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

import stripe

from shared_models.enums import Currency
from shared_models.rules.ledger import check_amount
from shared_models.rules.money import MINOR_UNITS, parse_currency
from sync_server.payments.errors import GatewayFailure

STRIPE = "stripe"


def to_minor_units(amount: Decimal, currency: Currency | str) -> int:
    """12.34 CAD -> 1234; refuses amounts that are not whole cents or not positive."""
    value = check_amount(amount, currency)
    return int(value.scaleb(MINOR_UNITS[parse_currency(currency)]))


def from_minor_units(amount: int, currency: Currency | str) -> Decimal:
    return Decimal(amount).scaleb(-MINOR_UNITS[parse_currency(currency)])


@dataclass(frozen=True, slots=True)
class ChargeRequest:
    """What to collect for one Payment row."""

    payment_id: uuid.UUID
    tenant_id: uuid.UUID
    amount: Decimal
    currency: Currency
    invoice_id: uuid.UUID | None = None
    description: str | None = None
    receipt_email: str | None = None


@dataclass(frozen=True, slots=True)
class RefundRequest:
    """Give back part or all of a gateway payment (``refund_payment_id`` is our refund row)."""

    refund_payment_id: uuid.UUID
    tenant_id: uuid.UUID
    gateway_payment_id: str
    amount: Decimal
    currency: Currency


@dataclass(frozen=True, slots=True)
class GatewayCharge:
    gateway_payment_id: str
    status: str
    #: Handed to the payment form (Stripe Elements) so the customer can pay.
    client_secret: str | None = None


@dataclass(frozen=True, slots=True)
class GatewayRefund:
    gateway_refund_id: str
    status: str


class PaymentGateway(Protocol):
    """A card processor: start a charge for a Payment, refund one; confirmation comes by webhook."""

    name: str

    def create_payment(self, request: ChargeRequest) -> GatewayCharge: ...

    def get_payment(self, gateway_payment_id: str) -> GatewayCharge: ...

    def refund(self, request: RefundRequest) -> GatewayRefund: ...


#: Builds the gateway for a tenant's API key (the app keeps one; tests point it at a stub).
GatewayFactory = Callable[[str], PaymentGateway]


def metadata(payment_id: uuid.UUID, tenant_id: uuid.UUID) -> dict[str, str]:
    """What the webhook needs to find the Payment again (Stripe metadata values are strings)."""
    return {"payment_id": str(payment_id), "tenant_id": str(tenant_id)}


class StripeGateway:
    """PaymentGateway on Stripe PaymentIntents and Refunds."""

    name = STRIPE

    def __init__(self, api_key: str, *, client: stripe.StripeClient | None = None) -> None:
        self._client = client or stripe.StripeClient(api_key, max_network_retries=2)

    @staticmethod
    def payment_intent_params(request: ChargeRequest) -> dict[str, Any]:
        """The ``PaymentIntent.create`` parameters for ``request`` (no network)."""
        params: dict[str, Any] = {
            "amount": to_minor_units(request.amount, request.currency),
            "currency": parse_currency(request.currency).value.lower(),
            "metadata": {
                **metadata(request.payment_id, request.tenant_id),
                **({"invoice_id": str(request.invoice_id)} if request.invoice_id else {}),
            },
            "automatic_payment_methods": {"enabled": True},
        }
        if request.description:
            params["description"] = request.description[:1000]
        if request.receipt_email:
            params["receipt_email"] = request.receipt_email
        return params

    @staticmethod
    def refund_params(request: RefundRequest) -> dict[str, Any]:
        """The ``Refund.create`` parameters for ``request`` (no network)."""
        return {
            "payment_intent": request.gateway_payment_id,
            "amount": to_minor_units(request.amount, request.currency),
            "metadata": metadata(request.refund_payment_id, request.tenant_id),
        }

    @staticmethod
    def idempotency_key(kind: str, row_id: uuid.UUID) -> str:
        return f"cnc-{kind}-{row_id}"

    def create_payment(self, request: ChargeRequest) -> GatewayCharge:
        with _stripe_failures():
            intent = self._client.v1.payment_intents.create(
                params=self.payment_intent_params(request),  # type: ignore[arg-type]
                options={"idempotency_key": self.idempotency_key("payment", request.payment_id)},
            )
        return GatewayCharge(intent.id, intent.status, intent.client_secret)

    def get_payment(self, gateway_payment_id: str) -> GatewayCharge:
        with _stripe_failures():
            intent = self._client.v1.payment_intents.retrieve(gateway_payment_id)
        return GatewayCharge(intent.id, intent.status, intent.client_secret)

    def refund(self, request: RefundRequest) -> GatewayRefund:
        with _stripe_failures():
            refund = self._client.v1.refunds.create(
                params=self.refund_params(request),  # type: ignore[arg-type]
                options={
                    "idempotency_key": self.idempotency_key("refund", request.refund_payment_id)
                },
            )
        return GatewayRefund(refund.id, str(refund.status))


@contextmanager
def _stripe_failures() -> Iterator[None]:
    """Stripe's refusals and network failures as ``GatewayFailure`` with its message."""
    try:
        yield
    except stripe.StripeError as exc:
        message = exc.user_message or str(exc) or type(exc).__name__
        raise GatewayFailure(message, code=exc.code, status=exc.http_status) from None


def stripe_gateway(api_key: str) -> PaymentGateway:
    """The production factory: the official client on Stripe's own API address."""
    return StripeGateway(api_key)
