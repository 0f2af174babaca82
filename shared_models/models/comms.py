"""Messages to and from customers, their templates, and in-app notifications.

All three are synced: a sales rep reads a customer's history offline, templates
render quotes on site, and a notification marked read offline stays read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from shared_models.base import Base, LocationScopedMixin, SyncedMixin, live_unique
from shared_models.enums import (
    CommunicationDirection,
    CommunicationStatus,
    CommunicationType,
    NotificationKind,
    TemplateType,
)

__all__ = ["Communication", "Notification", "Template"]


class Communication(SyncedMixin, LocationScopedMixin, Base):
    """One message or call with a customer or lead, kept as the contact history.

    Drafted anywhere (offline too); the server sends it and fills the delivery
    timestamps and the provider's ``external_id`` from its callbacks.
    """

    __tablename__ = "communication"

    type: Mapped[CommunicationType]
    status: Mapped[CommunicationStatus] = mapped_column(default=CommunicationStatus.DRAFT)
    direction: Mapped[CommunicationDirection] = mapped_column(
        default=CommunicationDirection.OUTBOUND
    )
    customer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("customer.id", ondelete="RESTRICT")
    )
    lead_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("lead.id", ondelete="RESTRICT"))
    journey_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("journey.id", ondelete="RESTRICT")
    )
    #: The quote or invoice this message carries (the PDF attachment).
    quote_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("quote.id", ondelete="RESTRICT"))
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("invoice.id", ondelete="RESTRICT")
    )
    #: The staff member who wrote, sent or took it.
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    template_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("template.id", ondelete="RESTRICT")
    )
    #: Email address, E.164 phone number or postal address, per ``type``.
    to_address: Mapped[str | None] = mapped_column(String(320))
    from_address: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[dt.datetime | None]
    delivered_at: Mapped[dt.datetime | None]
    read_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    #: The provider's message id (SMTP Message-ID, Twilio SID) for callbacks and threading.
    external_id: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (
        Index("ix_communication_tenant_customer", "tenant_id", "customer_id", "created_at"),
        Index("ix_communication_tenant_lead", "tenant_id", "lead_id", "created_at"),
        Index("ix_communication_tenant_journey", "tenant_id", "journey_id"),
        Index("ix_communication_tenant_location_status", "tenant_id", "location_id", "status"),
        Index("ix_communication_tenant_external", "tenant_id", "external_id"),
    )


class Template(SyncedMixin, Base):
    """Reusable wording for an email, SMS, letter or document, per locale.

    ``body`` uses ``{{ placeholder }}`` syntax; ``variables`` lists the names it
    expects (``["customer.first_name", "journey.move_date"]``) so the editor can
    offer them and rendering can refuse a missing one.
    """

    __tablename__ = "template"

    type: Mapped[TemplateType]
    name: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    variables: Mapped[list[Any]] = mapped_column(default=list)
    #: BCP 47 tag; Quebec customers get ``fr-CA``.
    locale: Mapped[str] = mapped_column(String(10), default="en-CA")
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (live_unique("uq_template_name_live", "tenant_id", "type", "name", "locale"),)


class Notification(SyncedMixin, Base):
    """An in-app alert for one user (stock at reorder point, failed truck check...).

    ``link_table``/``link_id`` name the row to open (wire table name and id).
    ``dedupe_key`` lets the server raise "reorder tape at Ottawa" once, not on
    every sale that keeps it below the point.
    """

    __tablename__ = "notification"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user.id", ondelete="RESTRICT"))
    kind: Mapped[NotificationKind]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    link_table: Mapped[str | None] = mapped_column(String(64))
    link_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    read_at: Mapped[dt.datetime | None]

    __table_args__ = (
        CheckConstraint("(link_table IS NULL) = (link_id IS NULL)", name="link_complete"),
        UniqueConstraint("tenant_id", "user_id", "dedupe_key"),
        Index("ix_notification_tenant_user_created", "tenant_id", "user_id", "created_at"),
    )
