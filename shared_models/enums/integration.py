"""Integrations and webhooks (spec Phase 7).

Values are the spec's, verbatim; a value is its own name so the wire, the
database and the UI all read the same text.
"""

from __future__ import annotations

import enum


class IntegrationType(enum.StrEnum):
    ACCOUNTING = "ACCOUNTING"
    CRM = "CRM"
    EMAIL = "EMAIL"
    SMS = "SMS"
    PAYMENT = "PAYMENT"
    SHIPPING = "SHIPPING"
    CUSTOM = "CUSTOM"


class IntegrationStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    ERROR = "ERROR"
    SYNCING = "SYNCING"


class SyncType(enum.StrEnum):
    FULL = "FULL"
    INCREMENTAL = "INCREMENTAL"
    MANUAL = "MANUAL"


class SyncStatus(enum.StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"
    RETRY = "RETRY"
