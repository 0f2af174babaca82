"""Invoices, payments, ledger, currencies and taxes (spec Phase 2).

Values are the spec's, verbatim; a value is its own name so the wire, the
database and the UI all read the same text.
"""

from __future__ import annotations

import enum


class InvoiceStatus(enum.StrEnum):
    DRAFT = "DRAFT"
    SENT = "SENT"
    VIEWED = "VIEWED"
    PARTIAL_PAID = "PARTIAL_PAID"
    PAID = "PAID"
    OVERDUE = "OVERDUE"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"


class PaymentMethod(enum.StrEnum):
    CASH = "CASH"
    CHECK = "CHECK"
    BANK_TRANSFER = "BANK_TRANSFER"
    CREDIT_CARD = "CREDIT_CARD"
    DEBIT_CARD = "DEBIT_CARD"
    PAYPAL = "PAYPAL"
    STRIPE = "STRIPE"
    SQUARE = "SQUARE"
    OTHER = "OTHER"


class PaymentStatus(enum.StrEnum):
    PENDING = "PENDING"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    REFUNDED = "REFUNDED"


class TransactionType(enum.StrEnum):
    INCOME = "INCOME"
    EXPENSE = "EXPENSE"
    TRANSFER = "TRANSFER"
    ADJUSTMENT = "ADJUSTMENT"


class Currency(enum.StrEnum):
    CAD = "CAD"
    USD = "USD"
    EUR = "EUR"


class TaxKind(enum.StrEnum):
    GST = "GST"
    HST = "HST"
    PST = "PST"
    QST = "QST"
