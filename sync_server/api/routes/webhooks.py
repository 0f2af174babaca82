"""Stripe tells us a payment or a refund went through (or did not).

Two endpoints: ``POST /v1/webhooks/stripe/{integration_id}``, one per tenant,
verified with the signing secret sealed in that tenant's Stripe integration
(``cnc-server configure-stripe``) and moving only that tenant's rows; and
``POST /v1/webhooks/stripe`` for a single-company install, verified with
``CNC_STRIPE_WEBHOOK_SECRET``.

The body is verified before anything is read from it: ``Stripe-Signature``
must be an HMAC-SHA256 of ``"{timestamp}.{body}"`` with the endpoint's signing
secret, checked by the official library's
``stripe.Webhook.construct_event``, and the timestamp at most 300 s old, so a
captured delivery cannot be replayed later. Refusals are 400 with a stable
code: ``signature_invalid`` (missing, malformed or wrong signature, or a body
that is not JSON) and ``signature_expired`` (a timestamp more than 300 s old,
or as far in the future).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import stripe
from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from sync_server.api.deps import SessionDep, SettingsDep
from sync_server.api.errors import ErrorPublic
from sync_server.core.errors import ApiError, ErrorCode
from sync_server.payments.credentials import integration_stripe
from sync_server.payments.stripe_events import apply_stripe_event

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

#: Seconds a signed delivery stays valid (Stripe's own default).
TOLERANCE_S = 300


class WebhookReceipt(BaseModel):
    received: bool = True
    outcome: str


def _signed_at(header: str | None) -> int:
    """The ``t=`` of a (verified) ``Stripe-Signature`` header."""
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            return int(value)
    return 0


def verify_stripe_payload(payload: bytes, header: str | None, secret: str) -> dict[str, Any]:
    """The event in ``payload`` if ``header`` signs it with ``secret`` recently; else ApiError."""
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=None)
    except stripe.SignatureVerificationError as exc:
        raise ApiError(ErrorCode.SIGNATURE_INVALID, f"Stripe signature refused: {exc}") from None
    try:
        stripe.Webhook.construct_event(payload, header, secret, tolerance=TOLERANCE_S)
    except stripe.SignatureVerificationError:
        raise ApiError(
            ErrorCode.SIGNATURE_EXPIRED,
            f"the signed timestamp is more than {TOLERANCE_S} s old: replayed or delayed delivery",
        ) from None
    except ValueError:
        raise ApiError(ErrorCode.SIGNATURE_INVALID, "the body is not a JSON event") from None
    if _signed_at(header) > time.time() + TOLERANCE_S:
        # The library only bounds the past; Stripe signs with its current time, so a
        # timestamp far ahead is a delivery forged to stay replayable for longer.
        raise ApiError(
            ErrorCode.SIGNATURE_EXPIRED,
            f"the signed timestamp is more than {TOLERANCE_S} s in the future",
        )
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise ApiError(ErrorCode.SIGNATURE_INVALID, "the body is not a JSON event")
    return event


@router.post(
    "/stripe",
    response_model=WebhookReceipt,
    responses={
        400: {"model": ErrorPublic, "description": "signature_invalid / signature_expired"},
        503: {"model": ErrorPublic, "description": "not_configured: no webhook secret set"},
    },
)
async def receive_stripe_event(
    request: Request, settings: SettingsDep, session: SessionDep
) -> WebhookReceipt:
    """Verify Stripe's signature, then apply the event exactly once."""
    if settings.stripe_webhook_secret is None:
        raise ApiError(ErrorCode.NOT_CONFIGURED, "Stripe webhooks are not configured here")
    payload = await request.body()
    event = verify_stripe_payload(
        payload,
        request.headers.get("stripe-signature"),
        settings.stripe_webhook_secret.get_secret_value(),
    )

    def apply() -> str:
        outcome = apply_stripe_event(session=session, event=event)
        session.commit()
        return outcome

    return WebhookReceipt(outcome=await run_in_threadpool(apply))


@router.post(
    "/stripe/{integration_id}",
    response_model=WebhookReceipt,
    responses={
        400: {"model": ErrorPublic, "description": "signature_invalid / signature_expired"},
        404: {"model": ErrorPublic, "description": "not_found: no active Stripe integration"},
    },
)
async def receive_tenant_stripe_event(
    integration_id: uuid.UUID, request: Request, settings: SettingsDep, session: SessionDep
) -> WebhookReceipt:
    """Verify with the tenant's own signing secret, then apply the event to that tenant only."""
    credentials = await run_in_threadpool(
        integration_stripe, session, integration_id, server_key=settings.encryption_key_bytes
    )
    if credentials is None or not credentials.webhook_secret:
        raise ApiError(ErrorCode.NOT_FOUND, "no active Stripe integration at this address")
    payload = await request.body()
    event = verify_stripe_payload(
        payload, request.headers.get("stripe-signature"), credentials.webhook_secret
    )

    def apply() -> str:
        outcome = apply_stripe_event(session=session, event=event, tenant_id=credentials.tenant_id)
        session.commit()
        return outcome

    return WebhookReceipt(outcome=await run_in_threadpool(apply))
