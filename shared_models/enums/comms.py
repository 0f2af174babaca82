"""Communications and templates (spec Phase 6).

Values are the spec's, verbatim; a value is its own name so the wire, the
database and the UI all read the same text.
"""

from __future__ import annotations

import enum


class CommunicationType(enum.StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    PUSH_NOTIFICATION = "PUSH_NOTIFICATION"
    IN_APP = "IN_APP"
    LETTER = "LETTER"
    PHONE_CALL = "PHONE_CALL"


class CommunicationStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    READ = "READ"
    FAILED = "FAILED"


class TemplateType(enum.StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    LETTER = "LETTER"
    INVOICE = "INVOICE"
    QUOTE = "QUOTE"
    REPORT = "REPORT"


class CommunicationDirection(enum.StrEnum):
    INBOUND = "INBOUND"
    OUTBOUND = "OUTBOUND"


class NotificationKind(enum.StrEnum):
    """What an in-app notification is about; the client picks icon and wording from it."""

    REORDER_POINT_REACHED = "REORDER_POINT_REACHED"
    EQUIPMENT_CHECK_FAILED = "EQUIPMENT_CHECK_FAILED"
    MAINTENANCE_DUE = "MAINTENANCE_DUE"
    SCHEDULE_CONFLICT = "SCHEDULE_CONFLICT"
    JOURNEY_ASSIGNED = "JOURNEY_ASSIGNED"
    JOURNEY_CHANGED = "JOURNEY_CHANGED"
    TIME_OFF_REQUESTED = "TIME_OFF_REQUESTED"
    TIME_OFF_APPROVED = "TIME_OFF_APPROVED"
    QUOTE_APPROVAL_REQUIRED = "QUOTE_APPROVAL_REQUIRED"
    QUOTE_ACCEPTED = "QUOTE_ACCEPTED"
    INVOICE_OVERDUE = "INVOICE_OVERDUE"
    PAYMENT_RECEIVED = "PAYMENT_RECEIVED"
    SYNC_REJECTED = "SYNC_REJECTED"
    INTEGRATION_FAILED = "INTEGRATION_FAILED"
    REPORT_READY = "REPORT_READY"
    SYSTEM = "SYSTEM"
