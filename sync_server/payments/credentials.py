"""Per-tenant Stripe credentials: an ``Integration`` row whose secrets are sealed.

The API key and the webhook signing secret are kept together as one
``EncryptedData`` row (``integration.credentials_ref``), sealed by
``sync_server.core.sealing`` (AES-256-GCM under the server's key, bound to the
tenant and the owning row, so bytes copied onto another tenant's row do not open).
Secrets are never logged, echoed, or kept in ``Integration.config``.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.enums import IntegrationStatus, IntegrationType
from shared_models.models import EncryptedData, Integration, Tenant
from sync_server.core.sealing import open_sealed, seal_into
from sync_server.payments.gateway import STRIPE

NAME = "Stripe"
FIELD = "credentials"
_API_KEY = re.compile(r"^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$")
_WEBHOOK_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/=_-]{8,}$")


class CredentialError(ValueError):
    """Credentials refused before anything is stored (the message never holds them)."""


@dataclass(frozen=True)
class StripeCredentials:
    """A tenant's opened Stripe secrets; ``repr`` shows neither."""

    integration_id: uuid.UUID | None
    tenant_id: uuid.UUID | None
    api_key: str = field(repr=False)
    webhook_secret: str | None = field(repr=False)


def check_credentials(api_key: str, webhook_secret: str) -> None:
    """Refuse values that are not a Stripe secret key and a webhook signing secret."""
    if not _API_KEY.match(api_key.strip()):
        raise CredentialError(
            "the API key is not a Stripe secret or restricted key (sk_test_..., sk_live_...)"
        )
    if not _WEBHOOK_SECRET.match(webhook_secret.strip()):
        raise CredentialError("the webhook secret is not a Stripe signing secret (whsec_...)")


def configure_stripe(
    session: Session,
    *,
    tenant: Tenant,
    api_key: str,
    webhook_secret: str,
    server_key: bytes,
    created_by: uuid.UUID | None = None,
) -> Integration:
    """Create or replace the tenant's Stripe integration (ACTIVE); the caller commits."""
    api_key, webhook_secret = api_key.strip(), webhook_secret.strip()
    check_credentials(api_key, webhook_secret)
    integration = session.scalar(
        select(Integration).where(
            Integration.tenant_id == tenant.id,
            Integration.provider == STRIPE,
            Integration.name == NAME,
        )
    )
    if integration is None:
        integration = Integration(
            tenant_id=tenant.id,
            type=IntegrationType.PAYMENT,
            name=NAME,
            provider=STRIPE,
            created_by=created_by,
        )
        session.add(integration)
        session.flush()
    integration.status = IntegrationStatus.ACTIVE
    integration.error = None
    integration.config = {"mode": "live" if "_live_" in api_key else "test"}
    sealed = (
        session.get(EncryptedData, integration.credentials_ref)
        if integration.credentials_ref
        else None
    )
    if sealed is None:
        sealed = EncryptedData(
            tenant_id=tenant.id,
            entity_table="integration",
            entity_id=integration.id,
            field_name=FIELD,
            ciphertext=b"",
            nonce=b"",
            key_id="",
        )
        session.add(sealed)
    payload = json.dumps({"api_key": api_key, "webhook_secret": webhook_secret})
    seal_into(sealed, payload.encode(), server_key=server_key)
    session.flush()
    integration.credentials_ref = sealed.id
    session.flush()
    return integration


def _open(
    session: Session, integration: Integration, server_key: bytes
) -> StripeCredentials | None:
    if integration.credentials_ref is None:
        return None
    sealed = session.get(EncryptedData, integration.credentials_ref)
    if sealed is None or sealed.tenant_id != integration.tenant_id:
        return None
    plain = open_sealed(sealed, server_key=server_key)
    if plain is None:
        return None
    data = json.loads(plain)
    return StripeCredentials(
        integration.id, integration.tenant_id, data["api_key"], data.get("webhook_secret")
    )


def tenant_stripe(
    session: Session, tenant_id: uuid.UUID, *, server_key: bytes
) -> StripeCredentials | None:
    """The tenant's active Stripe credentials, or None (none set, inactive, unreadable)."""
    integration = session.scalar(
        select(Integration)
        .where(
            Integration.tenant_id == tenant_id,
            Integration.provider == STRIPE,
            Integration.status == IntegrationStatus.ACTIVE,
        )
        .order_by(Integration.created_at)
    )
    return None if integration is None else _open(session, integration, server_key)


def integration_stripe(
    session: Session, integration_id: uuid.UUID, *, server_key: bytes
) -> StripeCredentials | None:
    """The credentials of one Stripe integration (webhooks name it in their URL)."""
    integration = session.get(Integration, integration_id)
    if integration is None or integration.provider != STRIPE:
        return None
    if integration.status != IntegrationStatus.ACTIVE:
        return None
    return _open(session, integration, server_key)
