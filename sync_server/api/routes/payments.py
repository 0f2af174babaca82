"""Card payments a laptop recorded: ``POST /v1/payments/{id}/intent`` and ``.../refund``.

Both act on rows already pushed (the payment, or the refund row recorded
offline with ``refund_of_id``) and need the permission to record payments
over them. The tenant's Stripe account comes from its ``stripe`` Integration
(``cnc-server configure-stripe``), else from the server-wide
``CNC_STRIPE_API_KEY`` of a single-company install. Refusals: ``row_not_found``
(404), ``permission_denied`` (403), ``validation_failed`` (422, with the rule's
code in ``details``), ``gateway_not_configured`` (409) and ``gateway_error``
(502, with Stripe's message).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from shared_models.enums import PaymentStatus
from sync_server.api.auth_deps import CurrentPrincipal
from sync_server.api.deps import SessionDep, SettingsDep
from sync_server.api.errors import ErrorPublic
from sync_server.core.config import Settings
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.payments.card_flow import GatewayOf, request_refund, start_card_payment
from sync_server.payments.credentials import tenant_stripe
from sync_server.payments.errors import GatewayFailure
from sync_server.payments.gateway import GatewayFactory, PaymentGateway, stripe_gateway

router = APIRouter(prefix="/payments", tags=["payments"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorPublic, "description": "permission_denied"},
    404: {"model": ErrorPublic, "description": "row_not_found"},
    409: {"model": ErrorPublic, "description": "gateway_not_configured"},
    422: {"model": ErrorPublic, "description": "validation_failed (details.code: the rule)"},
    502: {"model": ErrorPublic, "description": "gateway_error (Stripe's message)"},
}


class PaymentIntentPublic(BaseModel):
    gateway_payment_id: str
    #: For the card form (Stripe Elements); never stored on our side.
    client_secret: str | None
    status: str


class RefundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refund_payment_id: uuid.UUID


class RefundPublic(BaseModel):
    refund_payment_id: uuid.UUID
    gateway_refund_id: str
    status: PaymentStatus


def _gateway_of(
    request: Request, session: Session, settings: Settings, tenant_id: uuid.UUID
) -> GatewayOf:
    """The tenant's gateway, looked up when the rows have passed their checks."""

    def gateway() -> PaymentGateway:
        factory: GatewayFactory = getattr(
            request.app.state, "payment_gateway_factory", stripe_gateway
        )
        credentials = tenant_stripe(session, tenant_id, server_key=settings.encryption_key_bytes)
        if credentials is not None:
            return factory(credentials.api_key)
        if settings.stripe_api_key is not None:
            return factory(settings.stripe_api_key.get_secret_value())
        raise ApiError(
            ErrorCode.GATEWAY_NOT_CONFIGURED,
            "card payments are not set up for your company: an administrator runs "
            "'cnc-server configure-stripe'",
        )

    return gateway


def _gateway_error(exc: GatewayFailure) -> ApiError:
    return ApiError(
        ErrorCode.GATEWAY_ERROR,
        f"Stripe refused the request: {exc.message}",
        details={"gateway_code": exc.code, "gateway_status": exc.status},
    )


@router.post("/{payment_id}/intent", response_model=PaymentIntentPublic, responses=_ERRORS)
def create_payment_intent(
    payment_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> PaymentIntentPublic:
    """Create (once) the Stripe PaymentIntent of a pushed card payment still waiting."""
    gateway = _gateway_of(request, session, settings, principal.tenant_id)
    try:
        result = start_card_payment(session, principal, payment_id, gateway)
    except GatewayFailure as exc:
        raise _gateway_error(exc) from None
    return PaymentIntentPublic(
        gateway_payment_id=result.gateway_payment_id,
        client_secret=result.client_secret,
        status=result.status,
    )


@router.post("/{payment_id}/refund", response_model=RefundPublic, responses=_ERRORS)
def create_payment_refund(
    payment_id: uuid.UUID,
    body: RefundCreate,
    request: Request,
    principal: CurrentPrincipal,
    session: SessionDep,
    settings: SettingsDep,
) -> RefundPublic:
    """Refund through Stripe the refund row the laptop recorded for this card payment."""
    gateway = _gateway_of(request, session, settings, principal.tenant_id)
    try:
        result = request_refund(session, principal, payment_id, body.refund_payment_id, gateway)
    except GatewayFailure as exc:
        raise _gateway_error(exc) from None
    return RefundPublic(
        refund_payment_id=result.refund_payment_id,
        gateway_refund_id=result.gateway_refund_id,
        status=result.status,
    )
