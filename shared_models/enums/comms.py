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
