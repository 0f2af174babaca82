"""Third-party connections, outbound webhooks and calendar feeds: server-only rows.

None of these is replicated (``__synced__ = False``): they hold secrets or
references to them, and only the server acts on them. Secrets themselves live
in ``encrypted_data`` (AES-256-GCM envelope, DESIGN 7); rows keep its id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, ServerRowMixin
from shared_models.enums import (
    DeliveryStatus,
    IntegrationStatus,
    IntegrationType,
    SyncStatus,
    SyncType,
)

__all__ = ["CalendarFeed", "Integration", "IntegrationSyncLog", "Webhook", "WebhookDelivery"]


class Integration(ServerRowMixin, Base):
    """A configured connection to an outside system (QuickBooks, Twilio, Stripe...)."""

    __tablename__ = "integration"
    __synced__ = False

    type: Mapped[IntegrationType]
    status: Mapped[IntegrationStatus] = mapped_column(default=IntegrationStatus.INACTIVE)
    name: Mapped[str] = mapped_column(String(120))
    #: Adapter key, e.g. ``quickbooks_online``, ``twilio``, ``stripe``.
    provider: Mapped[str] = mapped_column(String(60))
    #: Non-secret settings only (account id, sandbox flag, field mappings).
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: The sealed API keys / OAuth tokens; never stored in ``config``.
    credentials_ref: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("encrypted_data.id", ondelete="RESTRICT")
    )
    last_sync_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))

    __table_args__ = (
        UniqueConstraint("tenant_id", "provider", "name"),
        Index("ix_integration_tenant_type_status", "tenant_id", "type", "status"),
    )


class IntegrationSyncLog(ServerRowMixin, Base):
    """One run of an integration's sync: what it did and why it failed."""

    __tablename__ = "integration_sync_log"
    __synced__ = False

    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integration.id", ondelete="CASCADE")
    )
    sync_type: Mapped[SyncType]
    status: Mapped[SyncStatus] = mapped_column(default=SyncStatus.PENDING)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    records_processed: Mapped[int] = mapped_column(default=0)
    records_failed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    #: Per-record failures and provider cursors, for support.
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        CheckConstraint("records_processed >= 0 AND records_failed >= 0", name="counts_nonneg"),
        CheckConstraint(
            "finished_at IS NULL OR started_at IS NULL OR finished_at >= started_at",
            name="finish_after_start",
        ),
        Index("ix_integration_sync_log_tenant_run", "tenant_id", "integration_id", "started_at"),
    )


class Webhook(ServerRowMixin, Base):
    """A subscriber URL we POST domain events to, signed with HMAC-SHA256.

    Signing needs the secret itself, so it is kept encrypted (``secret_ref``),
    not hashed; it is shown to the admin once, at creation.
    """

    __tablename__ = "webhook"
    __synced__ = False

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(200))
    #: Event names subscribed to, e.g. ``["quote.accepted", "invoice.paid"]``.
    events: Mapped[list[Any]] = mapped_column(default=list)
    #: The sealed signing secret.
    secret_ref: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("encrypted_data.id", ondelete="RESTRICT")
    )
    is_active: Mapped[bool] = mapped_column(default=True)
    #: Consecutive failures; the sender disables the hook past a threshold.
    failure_count: Mapped[int] = mapped_column(default=0)
    last_delivery_at: Mapped[dt.datetime | None]
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))

    __table_args__ = (
        CheckConstraint("failure_count >= 0", name="failure_count_nonneg"),
        Index("ix_webhook_tenant_active", "tenant_id", "is_active"),
    )


class WebhookDelivery(ServerRowMixin, Base):
    """One event for one webhook, retried with backoff until delivered or given up.

    ``idempotency_key`` (one per event and webhook) is sent as a header so the
    receiver can drop our retries; unique so an event is never enqueued twice.
    """

    __tablename__ = "webhook_delivery"
    __synced__ = False

    webhook_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("webhook.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    status: Mapped[DeliveryStatus] = mapped_column(default=DeliveryStatus.PENDING)
    attempt_count: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    response_status: Mapped[int | None] = mapped_column(SmallInteger)
    #: First 2 KB of the receiver's answer; the sender truncates.
    response_body: Mapped[str | None] = mapped_column(String(2048))
    error: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(100))
    delivered_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        CheckConstraint("attempt_count >= 0", name="attempt_count_nonneg"),
        CheckConstraint(
            "response_status IS NULL OR response_status BETWEEN 100 AND 599",
            name="response_status_range",
        ),
        # The delivery worker scans due rows across all tenants: no tenant prefix.
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_tenant_webhook", "tenant_id", "webhook_id", "created_at"),
    )


class CalendarFeed(ServerRowMixin, Base):
    """A private iCalendar URL (a user's jobs, or a branch's board) for phone calendars.

    Only a SHA-256 of the URL token is stored; the token is shown once. Revoking
    sets ``revoked_at``; the row stays for the audit trail.
    """

    __tablename__ = "calendar_feed"
    __synced__ = False

    #: Hex SHA-256 of the token; looked up without a tenant, hence globally unique.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str | None] = mapped_column(String(120))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    location_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("location.id", ondelete="RESTRICT")
    )
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    last_accessed_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]

    __table_args__ = (
        CheckConstraint("user_id IS NOT NULL OR location_id IS NOT NULL", name="has_subject"),
        Index("ix_calendar_feed_tenant_user", "tenant_id", "user_id"),
    )
