"""What a printed quote or invoice says, as plain typed values (no database, no PDF).

The service layer fills these from the replica; the renderers only lay them
out, so a layout test needs no replica and a data test needs no PDF.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from shared_models.enums import Currency, EstimateType, QuoteItemCategory, ValuationOption


@dataclass(frozen=True, slots=True)
class Registration:
    """One tax registration printed under the letterhead ("GST/HST No.", "QST No.")."""

    label: str
    number: str


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The tenant and the branch issuing the document."""

    name: str
    address_lines: tuple[str, ...]
    legal_name: str | None = None
    phone: str | None = None
    email: str | None = None
    website: str | None = None
    registrations: tuple[Registration, ...] = ()


@dataclass(frozen=True, slots=True)
class Party:
    """Who is billed: a name and the address lines as printed."""

    name: str
    address_lines: tuple[str, ...] = ()
    email: str | None = None
    phone: str | None = None
    #: Shown when the customer is tax exempt (the law requires the number on the document).
    tax_exemption_number: str | None = None


@dataclass(frozen=True, slots=True)
class MoveDetails:
    """Where and when the move happens, and how big it is."""

    origin: str | None = None
    destination: str | None = None
    move_date: dt.date | None = None
    arrival_window: str | None = None
    crew_size: int | None = None
    hours: Decimal | None = None
    #: "Estimated hours" on a quote, "Billable hours" on an invoice.
    hours_label: str = "Estimated hours"
    truck_count: int | None = None
    volume_cuft: Decimal | None = None
    weight_lb: Decimal | None = None
    estimate_type: EstimateType | None = None
    #: The job or quote this document belongs to ("Job J-0000042").
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentLine:
    """One priced line; ``amount`` is after the line's own discount."""

    category: QuoteItemCategory
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_pct: Decimal
    amount: Decimal
    taxable: bool = True


@dataclass(frozen=True, slots=True)
class TaxAmount:
    """One tax line as stored in ``tax_breakdown`` ("QST 9.975%", 14.96)."""

    label: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DocumentTotals:
    """Subtotal, discount, taxes and total in the document's currency."""

    currency: Currency
    subtotal: Decimal
    discount: Decimal
    taxes: tuple[TaxAmount, ...]
    total: Decimal


@dataclass(frozen=True, slots=True)
class Valuation:
    """The customer's protection choice; full value carries a declared value and deductible."""

    option: ValuationOption
    charge: Decimal
    declared_value: Decimal | None = None
    deductible: Decimal | None = None
    #: The rate card's released-value liability ($0.60/lb by default), when known.
    released_rate_per_lb: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Acceptance:
    """Who signed the quote and when (shown in the branch's time zone)."""

    signer_name: str
    signed_at: dt.datetime | None
    #: The captured signature image, when it was signed on a device.
    signature_png: bytes | None = None


@dataclass(frozen=True, slots=True)
class PaymentLine:
    """A payment received against an invoice (refunds carry a negative amount)."""

    received_on: dt.date
    method: str
    reference: str | None
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DocumentHeading:
    """Number, dates and state shared by quotes and invoices."""

    #: The server's number, or ``Draft <provisional> (provisional)`` before first sync.
    number: str
    provisional: bool
    issued_on: dt.date
    status: str


@dataclass(frozen=True, slots=True)
class QuoteDocument:
    """Everything printed on a quote."""

    heading: DocumentHeading
    letterhead: Letterhead
    bill_to: Party
    move: MoveDetails
    lines: tuple[DocumentLine, ...]
    totals: DocumentTotals
    deposit: Decimal
    valid_until: dt.date | None = None
    valuation: Valuation | None = None
    acceptance: Acceptance | None = None
    notes: str | None = None
    terms: tuple[str, ...] = ()
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """Everything printed on an invoice."""

    heading: DocumentHeading
    letterhead: Letterhead
    bill_to: Party
    move: MoveDetails
    lines: tuple[DocumentLine, ...]
    totals: DocumentTotals
    amount_paid: Decimal
    balance_due: Decimal
    credit: Decimal = Decimal(0)
    due_date: dt.date | None = None
    payments: tuple[PaymentLine, ...] = field(default=())
    notes: str | None = None
