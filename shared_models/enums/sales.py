"""Customers, leads, sales activities and quotes (spec Phase 1).

Values are the spec's, verbatim; a value is its own name so the wire, the
database and the UI all read the same text.
"""

from __future__ import annotations

import enum


class LeadStatus(enum.StrEnum):
    NEW = "NEW"
    CONTACTED = "CONTACTED"
    QUALIFIED = "QUALIFIED"
    PROPOSAL_SENT = "PROPOSAL_SENT"
    NEGOTIATION = "NEGOTIATION"
    WON = "WON"
    LOST = "LOST"
    ARCHIVED = "ARCHIVED"


class LeadPriority(enum.StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class QuoteStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    VIEWED = "VIEWED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    EXPIRED = "EXPIRED"
    CONVERTED = "CONVERTED"


class QuoteItemCategory(enum.StrEnum):
    MOVING_SERVICES = "MOVING_SERVICES"
    STORAGE_SERVICES = "STORAGE_SERVICES"
    PACKING_SERVICES = "PACKING_SERVICES"
    SPECIALTY_SERVICES = "SPECIALTY_SERVICES"
    EQUIPMENT_RENTAL = "EQUIPMENT_RENTAL"
    INSURANCE = "INSURANCE"
    OTHER = "OTHER"


class SalesActivityType(enum.StrEnum):
    PHONE_CALL = "PHONE_CALL"
    EMAIL = "EMAIL"
    MEETING = "MEETING"
    PROPOSAL_SENT = "PROPOSAL_SENT"
    FOLLOW_UP = "FOLLOW_UP"
    DEMO = "DEMO"
    SITE_VISIT = "SITE_VISIT"
    OTHER = "OTHER"


class EstimateType(enum.StrEnum):
    HOURLY = "HOURLY"
    FLAT = "FLAT"
    BINDING = "BINDING"
    NON_BINDING = "NON_BINDING"
    NOT_TO_EXCEED = "NOT_TO_EXCEED"


class ValuationOption(enum.StrEnum):
    RELEASED_VALUE = "RELEASED_VALUE"
    FULL_VALUE = "FULL_VALUE"


class LeadSource(enum.StrEnum):
    WEBSITE = "WEBSITE"
    PHONE = "PHONE"
    REFERRAL = "REFERRAL"
    REPEAT_CUSTOMER = "REPEAT_CUSTOMER"
    PARTNER = "PARTNER"
    WALK_IN = "WALK_IN"
    ADVERTISING = "ADVERTISING"
    OTHER = "OTHER"


class CustomerType(enum.StrEnum):
    RESIDENTIAL = "RESIDENTIAL"
    COMMERCIAL = "COMMERCIAL"
