"""One refusal type for every business rule, with a stable machine code.

The code travels on the wire (sync rejections, API errors) and is what the UI
and the tests match on; the message is for people and may be reworded.
"""

from __future__ import annotations

from typing import Final

NEGATIVE_AMOUNT: Final = "negative_amount"
INVALID_NUMBER: Final = "invalid_number"
UNKNOWN_CURRENCY: Final = "unknown_currency"
CURRENCY_MISMATCH: Final = "currency_mismatch"
INVALID_RATE: Final = "invalid_rate"
NO_EXCHANGE_RATE: Final = "no_exchange_rate"
UNKNOWN_PROVINCE: Final = "unknown_province"
NO_TAX_RATE: Final = "no_tax_rate"
AMBIGUOUS_TAX_RATE: Final = "ambiguous_tax_rate"
DISCOUNT_OUT_OF_RANGE: Final = "discount_out_of_range"
DISCOUNT_EXCEEDS_SUBTOTAL: Final = "discount_exceeds_subtotal"
CONFLICTING_DISCOUNT: Final = "conflicting_discount"
UNKNOWN_STATUS: Final = "unknown_status"
INVALID_TRANSITION: Final = "invalid_transition"
QUOTE_LOCKED: Final = "quote_locked"
APPROVAL_REQUIRED: Final = "approval_required"
INVOICE_LOCKED: Final = "invoice_locked"
REFUND_EXCEEDS_PAID: Final = "refund_exceeds_paid"
INVALID_AMOUNT: Final = "invalid_amount"
PAYMENT_LIMIT_EXCEEDED: Final = "payment_limit_exceeded"
PAYMENT_NOT_ALLOWED: Final = "payment_not_allowed"
INVALID_REFUND: Final = "invalid_refund"
INVALID_TIMELINE: Final = "invalid_timeline"
NOT_BILLABLE: Final = "not_billable"
INVALID_PAYMENT_TERMS: Final = "invalid_payment_terms"
QUOTE_EXPIRED: Final = "quote_expired"
NOT_APPROVER: Final = "not_approver"
APPROVAL_NOT_NEEDED: Final = "approval_not_needed"
SIGNATURE_REQUIRED: Final = "signature_required"
VALUATION_CHANGED: Final = "valuation_changed"
JOURNEY_REQUIRED: Final = "journey_required"
JOURNEY_MISMATCH: Final = "journey_mismatch"
CONVERSION_INCOMPLETE: Final = "conversion_incomplete"
REASON_REQUIRED: Final = "reason_required"
PERMISSION_DENIED: Final = "permission_denied"


class RuleViolation(ValueError):
    """A business rule refused the input; `code` is stable, `message` is human."""

    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def to_dict(self) -> dict[str, str | None]:
        """The shape sent to the other side (sync rejection, API error body)."""
        return {"code": self.code, "message": self.message, "field": self.field}

    def __repr__(self) -> str:
        return f"RuleViolation({self.code!r}, {self.message!r}, field={self.field!r})"
