"""Quote and invoice PDFs, rendered on the device from typed documents (works offline)."""

from __future__ import annotations

from client.documents.invoice_pdf import render_invoice_pdf
from client.documents.model import (
    Acceptance,
    DocumentHeading,
    DocumentLine,
    DocumentTotals,
    InvoiceDocument,
    Letterhead,
    MoveDetails,
    Party,
    PaymentLine,
    QuoteDocument,
    Registration,
    TaxAmount,
    Valuation,
)
from client.documents.quote_pdf import render_quote_pdf

__all__ = [
    "Acceptance",
    "DocumentHeading",
    "DocumentLine",
    "DocumentTotals",
    "InvoiceDocument",
    "Letterhead",
    "MoveDetails",
    "Party",
    "PaymentLine",
    "QuoteDocument",
    "Registration",
    "TaxAmount",
    "Valuation",
    "render_invoice_pdf",
    "render_quote_pdf",
]
