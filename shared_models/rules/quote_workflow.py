"""The quote state machine: the UI offers only these actions, the server
accepts only these transitions.

    DRAFT -> SENT -> VIEWED -> ACCEPTED -> CONVERTED
                 \\-> ACCEPTED | REJECTED | EXPIRED (from SENT or VIEWED)
    SENT | VIEWED -> DRAFT       "revise": a price change sends it back for approval
    REJECTED | EXPIRED -> DRAFT  "reopen"

ACCEPTED and CONVERTED are locked: no edits, ACCEPTED only converts, nothing
leaves CONVERTED. A status "change" to the same status is not a transition;
sync merges treat an unchanged value as nothing to do before asking here.
Sending a quote whose discount is above the tenant's threshold needs a
manager's approval first. A SENT or VIEWED quote past its ``valid_until`` date
is shown as EXPIRED and can only be marked expired or revised.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from shared_models.enums import QuoteStatus
from shared_models.rules.errors import (
    APPROVAL_NOT_NEEDED,
    APPROVAL_REQUIRED,
    INVALID_TRANSITION,
    NOT_APPROVER,
    QUOTE_EXPIRED,
    QUOTE_LOCKED,
    UNKNOWN_STATUS,
    RuleViolation,
)
from shared_models.rules.money import ZERO, to_decimal

Q = QuoteStatus

#: (from, to) -> the label the UI shows for that action.
_ACTIONS: dict[tuple[QuoteStatus, QuoteStatus], str] = {
    (Q.DRAFT, Q.SENT): "Send to customer",
    (Q.SENT, Q.VIEWED): "Mark viewed",
    (Q.SENT, Q.ACCEPTED): "Accept",
    (Q.SENT, Q.REJECTED): "Reject",
    (Q.SENT, Q.EXPIRED): "Mark expired",
    (Q.SENT, Q.DRAFT): "Revise",
    (Q.VIEWED, Q.ACCEPTED): "Accept",
    (Q.VIEWED, Q.REJECTED): "Reject",
    (Q.VIEWED, Q.EXPIRED): "Mark expired",
    (Q.VIEWED, Q.DRAFT): "Revise",
    (Q.REJECTED, Q.DRAFT): "Reopen",
    (Q.EXPIRED, Q.DRAFT): "Reopen",
    (Q.ACCEPTED, Q.CONVERTED): "Convert to job",
}

TRANSITIONS: dict[QuoteStatus, frozenset[QuoteStatus]] = {
    status: frozenset(to for (frm, to) in _ACTIONS if frm == status) for status in QuoteStatus
}
LOCKED: frozenset[QuoteStatus] = frozenset({Q.ACCEPTED, Q.CONVERTED})
#: Statuses that lapse on their ``valid_until`` date, and what is left to do then.
EXPIRING: frozenset[QuoteStatus] = frozenset({Q.SENT, Q.VIEWED})
_AFTER_EXPIRY: frozenset[QuoteStatus] = frozenset({Q.EXPIRED, Q.DRAFT})


def parse_quote_status(value: QuoteStatus | str) -> QuoteStatus:
    try:
        return QuoteStatus(value)
    except ValueError:
        raise RuleViolation(
            UNKNOWN_STATUS, f"unknown quote status {value!r}", field="status"
        ) from None


@dataclass(frozen=True, slots=True)
class QuoteAction:
    """One button the UI may offer: the target status and its label."""

    target: QuoteStatus
    label: str
    needs_approval: bool = False


def allowed_transitions(status: QuoteStatus | str) -> frozenset[QuoteStatus]:
    return TRANSITIONS[parse_quote_status(status)]


def is_locked(status: QuoteStatus | str) -> bool:
    """ACCEPTED and CONVERTED quotes refuse every edit of their content."""
    return parse_quote_status(status) in LOCKED


def needs_approval(
    discount_pct: Decimal | int | str,
    approval_threshold_pct: Decimal | int | str | None,
    approved: bool,
) -> bool:
    """True when the discount is above the threshold and no manager approved it."""
    if approval_threshold_pct is None or approved:
        return False
    return to_decimal(discount_pct, field="discount_pct") > to_decimal(
        approval_threshold_pct, field="approval_threshold_pct"
    )


def check_transition(
    current: QuoteStatus | str,
    target: QuoteStatus | str,
    *,
    discount_pct: Decimal | int | str = ZERO,
    approval_threshold_pct: Decimal | int | str | None = None,
    approved: bool = False,
) -> None:
    """Refuse a transition the table forbids, or a send that lacks approval."""
    current, target = parse_quote_status(current), parse_quote_status(target)
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise RuleViolation(
            INVALID_TRANSITION,
            f"a quote in status {current} cannot move to {target} (allowed: {allowed})",
            field="status",
        )
    if target == Q.SENT and needs_approval(discount_pct, approval_threshold_pct, approved):
        raise RuleViolation(
            APPROVAL_REQUIRED,
            f"a discount of {discount_pct}% is above the "
            f"{approval_threshold_pct}% threshold: a manager must approve it "
            "before the quote is sent",
            field="status",
        )


def check_editable(status: QuoteStatus | str) -> None:
    """Refuse an edit of a locked quote's content (lines, prices, customer)."""
    if is_locked(status):
        raise RuleViolation(
            QUOTE_LOCKED,
            f"the quote is {parse_quote_status(status)} and locked: it can no longer be edited",
        )


def status_after_price_change(status: QuoteStatus | str) -> QuoteStatus:
    """A price change on a SENT/VIEWED quote sends it back to DRAFT for approval."""
    check_editable(status)
    status = parse_quote_status(status)
    return Q.DRAFT if status in (Q.SENT, Q.VIEWED) else status


def available_actions(
    status: QuoteStatus | str,
    *,
    discount_pct: Decimal | int | str = ZERO,
    approval_threshold_pct: Decimal | int | str | None = None,
    approved: bool = False,
    expired: bool = False,
) -> tuple[QuoteAction, ...]:
    """The actions the UI offers for a quote, in table order (an expired one: expire, revise)."""
    status = parse_quote_status(status)
    blocked = needs_approval(discount_pct, approval_threshold_pct, approved)
    return tuple(
        QuoteAction(to, label, needs_approval=blocked and to == Q.SENT)
        for (frm, to), label in _ACTIONS.items()
        if frm == status and (not expired or to in _AFTER_EXPIRY)
    )


# -- expiry -------------------------------------------------------------------


def is_expired(status: QuoteStatus | str, valid_until: dt.date | None, today: dt.date) -> bool:
    """A SENT/VIEWED quote lapses the day after ``valid_until`` (the last valid day)."""
    return (
        parse_quote_status(status) in EXPIRING and valid_until is not None and today > valid_until
    )


def effective_status(
    status: QuoteStatus | str, valid_until: dt.date | None, today: dt.date
) -> QuoteStatus:
    """The status to display: EXPIRED once a sent quote is past its date, else the stored one."""
    return Q.EXPIRED if is_expired(status, valid_until, today) else parse_quote_status(status)


def check_not_expired(
    status: QuoteStatus | str, valid_until: dt.date | None, today: dt.date
) -> None:
    """Refuse viewing or accepting a quote whose offer has lapsed."""
    if is_expired(status, valid_until, today):
        raise RuleViolation(
            QUOTE_EXPIRED,
            f"the quote was valid until {valid_until}: mark it expired or revise it",
            field="valid_until",
        )


# -- manager approval of a large discount -------------------------------------


def check_approval(
    status: QuoteStatus | str,
    *,
    discount_pct: Decimal | int | str,
    approval_threshold_pct: Decimal | int | str | None,
    may_approve: bool,
) -> None:
    """Refuse an approval by a user without the APPROVE grant, or one nothing needs."""
    if not may_approve:
        raise RuleViolation(
            NOT_APPROVER, "only a manager or an admin may approve a discount", field="approved_by"
        )
    status = parse_quote_status(status)
    if status != Q.DRAFT:
        raise RuleViolation(
            INVALID_TRANSITION,
            f"a discount is approved before the quote is sent (it is {status})",
            field="approved_by",
        )
    if not needs_approval(discount_pct, approval_threshold_pct, approved=False):
        raise RuleViolation(
            APPROVAL_NOT_NEEDED,
            f"a discount of {discount_pct}% is within the {approval_threshold_pct}% threshold",
            field="approved_by",
        )


def check_approver(
    approver_id: uuid.UUID | None, actor_id: uuid.UUID, *, may_approve: bool
) -> None:
    """An approval names the user who gives it, and that user holds the APPROVE grant.

    Clearing an approval (a price change) needs no grant.
    """
    if approver_id is None:
        return
    if not may_approve:
        raise RuleViolation(
            NOT_APPROVER, "only a manager or an admin may approve a discount", field="approved_by"
        )
    if approver_id != actor_id:
        raise RuleViolation(
            NOT_APPROVER, "an approval is given in the approver's own name", field="approved_by"
        )
