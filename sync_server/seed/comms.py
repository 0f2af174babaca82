"""The contact history: quote and invoice emails, move reminders, calls taken.

Builders only return rows; the step that owns the subject (quote, journey,
invoice) inserts them with its batch.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from shared_models.enums import CommunicationDirection, CommunicationStatus, CommunicationType
from sync_server.seed.context import SeedContext

MAIL_DOMAIN = "mail.demo.cnc-crm.ca"


def message(
    ctx: SeedContext,
    *,
    location_id: uuid.UUID,
    kind: CommunicationType,
    sent_at: dt.datetime,
    status: CommunicationStatus,
    customer_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    to_address: str | None,
    from_address: str | None,
    subject: str | None,
    body: str,
    template_id: uuid.UUID | None = None,
    read_at: dt.datetime | None = None,
    direction: CommunicationDirection = CommunicationDirection.OUTBOUND,
    **links: Any,
) -> dict[str, Any]:
    """One communication row; ``links`` names the quote, invoice, journey or lead."""
    row_id = ctx.new_id(sent_at)
    delivered = (
        sent_at + dt.timedelta(seconds=4)
        if status in (CommunicationStatus.DELIVERED, CommunicationStatus.READ)
        else None
    )
    return {
        "id": row_id,
        "created_at": sent_at,
        "updated_at": read_at or delivered or sent_at,
        "location_id": location_id,
        "type": kind,
        "status": status,
        "direction": direction,
        "customer_id": customer_id,
        "user_id": user_id,
        "template_id": template_id,
        "to_address": to_address,
        "from_address": from_address,
        "subject": subject,
        "body": body,
        "sent_at": sent_at if status != CommunicationStatus.DRAFT else None,
        "delivered_at": delivered,
        "read_at": read_at,
        "external_id": f"<{row_id.hex[:20]}@{MAIL_DOMAIN}>"
        if kind == CommunicationType.EMAIL
        else (f"SM{row_id.hex}" if kind == CommunicationType.SMS else None),
        "error": None,
        "lead_id": links.get("lead_id"),
        "quote_id": links.get("quote_id"),
        "invoice_id": links.get("invoice_id"),
        "journey_id": links.get("journey_id"),
    }
