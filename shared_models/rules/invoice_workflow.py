"""Invoice status: mostly derived from money and dates, a few manual steps.

Derived (derive_invoice_status), first rule that matches wins:
1. CANCELLED is sticky: payments or dates never revive a cancelled invoice.
2. Something was paid and all of it refunded -> REFUNDED.
3. Net paid (paid - refunded) covers the total -> PAID (an overpayment too).
4. A DRAFT with nothing paid stays DRAFT: an unsent invoice is never overdue.
5. Past the due date (today > due_date) with a balance -> OVERDUE, even when
   partly paid: the balance being late is what the accountant must see.
6. Partly paid -> PARTIAL_PAID.
7. Otherwise SENT or VIEWED as it was (an issued invoice whose payment was
   reversed falls back to SENT).

Manual: DRAFT -> SENT, SENT -> VIEWED, and cancelling an invoice nothing has
been paid on. PAID, REFUNDED and CANCELLED invoices are locked for edits.

Overdue by the calendar (``becomes_overdue``): the server's daily sweep moves
SENT, VIEWED and PARTIAL_PAID invoices with a balance to OVERDUE once their due
date is before *today where the invoice's branch is* (``local_date``): an
invoice due on the 9th is not late in Vancouver at 20:00 on the 9th, although
it is already the 10th in UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from shared_models.enums import InvoiceStatus
from shared_models.rules.errors import (
    INVALID_TRANSITION,
    INVOICE_LOCKED,
    REFUND_EXCEEDS_PAID,
    UNKNOWN_STATUS,
    RuleViolation,
)
from shared_models.rules.money import ZERO, non_negative

I = InvoiceStatus

#: (from, to) -> label of the manual action in the UI.
MANUAL_ACTIONS: dict[tuple[InvoiceStatus, InvoiceStatus], str] = {
    (I.DRAFT, I.SENT): "Send to customer",
    (I.DRAFT, I.CANCELLED): "Cancel invoice",
    (I.SENT, I.VIEWED): "Mark viewed",
    (I.SENT, I.CANCELLED): "Cancel invoice",
    (I.VIEWED, I.CANCELLED): "Cancel invoice",
    (I.OVERDUE, I.CANCELLED): "Cancel invoice",
}
MANUAL_TRANSITIONS: dict[InvoiceStatus, frozenset[InvoiceStatus]] = {
    status: frozenset(to for (frm, to) in MANUAL_ACTIONS if frm == status)
    for status in InvoiceStatus
}
LOCKED: frozenset[InvoiceStatus] = frozenset({I.PAID, I.REFUNDED, I.CANCELLED})
#: Statuses the calendar may turn OVERDUE (a DRAFT was never sent; the rest are settled).
OVERDUE_FROM: frozenset[InvoiceStatus] = frozenset({I.SENT, I.VIEWED, I.PARTIAL_PAID})


def parse_invoice_status(value: InvoiceStatus | str) -> InvoiceStatus:
    try:
        return InvoiceStatus(value)
    except ValueError:
        raise RuleViolation(
            UNKNOWN_STATUS, f"unknown invoice status {value!r}", field="status"
        ) from None


def derive_invoice_status(
    *,
    total: Decimal | int | str,
    amount_paid: Decimal | int | str,
    due_date: dt.date | None,
    today: dt.date,
    current: InvoiceStatus | str,
    refunded: Decimal | int | str = ZERO,
) -> InvoiceStatus:
    """The status the payments and the calendar imply (rules in the module docstring)."""
    status = parse_invoice_status(current)
    owed = non_negative(total, field="total")
    paid = non_negative(amount_paid, field="amount_paid")
    back = non_negative(refunded, field="refunded")
    if back > paid:
        raise RuleViolation(
            REFUND_EXCEEDS_PAID, f"refunded {back} is more than the {paid} paid", field="refunded"
        )
    if status == I.CANCELLED:
        return I.CANCELLED
    if paid > 0 and back == paid:
        return I.REFUNDED
    net = paid - back
    if net >= owed and (net > 0 or status != I.DRAFT):
        return I.PAID
    if status == I.DRAFT and net == 0:
        return I.DRAFT
    if due_date is not None and today > due_date:
        return I.OVERDUE
    if net > 0:
        return I.PARTIAL_PAID
    return status if status in (I.SENT, I.VIEWED) else I.SENT


def invoice_balance(
    total: Decimal | int | str, amount_paid: Decimal | int | str
) -> tuple[Decimal, Decimal]:
    """(balance_due, credit_amount): what is still owed, or what an overpayment left."""
    owed = non_negative(total, field="total") - non_negative(amount_paid, field="amount_paid")
    zero = abs(ZERO * owed)
    return (owed, zero) if owed >= 0 else (zero, -owed)


def allowed_manual_transitions(status: InvoiceStatus | str) -> frozenset[InvoiceStatus]:
    return MANUAL_TRANSITIONS[parse_invoice_status(status)]


def check_invoice_transition(
    current: InvoiceStatus | str,
    target: InvoiceStatus | str,
    *,
    net_paid: Decimal | int | str = ZERO,
) -> None:
    """Refuse a manual change the table forbids, or cancelling a paid-on invoice."""
    current, target = parse_invoice_status(current), parse_invoice_status(target)
    if target not in MANUAL_TRANSITIONS[current]:
        allowed = ", ".join(sorted(MANUAL_TRANSITIONS[current])) or "none"
        raise RuleViolation(
            INVALID_TRANSITION,
            f"an invoice cannot be set from {current} to {target} by hand (allowed: {allowed})",
            field="status",
        )
    if target == I.CANCELLED and non_negative(net_paid, field="net_paid") > 0:
        raise RuleViolation(
            INVALID_TRANSITION,
            "payments were received on this invoice: refund them before cancelling it",
            field="status",
        )


def is_locked(status: InvoiceStatus | str) -> bool:
    """PAID, REFUNDED and CANCELLED invoices are records: their content never changes."""
    return parse_invoice_status(status) in LOCKED


def check_invoice_editable(status: InvoiceStatus | str) -> None:
    if is_locked(status):
        raise RuleViolation(
            INVOICE_LOCKED,
            f"the invoice is {parse_invoice_status(status)} and locked: it can no longer be edited",
        )


def local_date(timezone: str, now: dt.datetime) -> dt.date:
    """The calendar date at ``now`` (aware) in the IANA zone ``timezone``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {timezone!r}") from None
    return now.astimezone(zone).date()


#: The zone of a location without a known one: its dates are then UTC's (both sides).
FALLBACK_ZONE = "UTC"


def zone_date(timezone: str | None, now: dt.datetime) -> dt.date:
    """``local_date`` that falls back to UTC for a missing or unknown zone."""
    try:
        return local_date(timezone or FALLBACK_ZONE, now)
    except ValueError:
        return local_date(FALLBACK_ZONE, now)


def becomes_overdue(
    status: InvoiceStatus | str,
    due_date: dt.date | None,
    today: dt.date,
    balance_due: Decimal | int | str,
) -> bool:
    """Whether the sweep turns this invoice OVERDUE on ``today`` (the branch's local date)."""
    current = parse_invoice_status(status)
    owed = non_negative(balance_due, field="balance_due")
    return current in OVERDUE_FROM and due_date is not None and today > due_date and owed > 0
