"""Invoice status derived from payments and dates, and its manual transitions."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from shared_models.enums import InvoiceStatus as I
from shared_models.rules.errors import RuleViolation
from shared_models.rules.invoice_workflow import (
    allowed_manual_transitions,
    check_invoice_editable,
    check_invoice_transition,
    derive_invoice_status,
    invoice_balance,
    is_locked,
)

DUE = dt.date(2026, 3, 31)


def derive(
    current: I,
    paid: str = "0",
    refunded: str = "0",
    today: str = "2026-03-15",
    total: str = "1000.00",
    due: dt.date | None = DUE,
) -> I:
    return derive_invoice_status(
        total=total,
        amount_paid=paid,
        refunded=refunded,
        due_date=due,
        today=dt.date.fromisoformat(today),
        current=current,
    )


@pytest.mark.parametrize(
    ("current", "kwargs", "expected"),
    [
        (I.SENT, {"paid": "1000.00"}, I.PAID),
        (I.SENT, {"paid": "1200.00"}, I.PAID),  # overpaid: credit
        (I.VIEWED, {"paid": "400.00"}, I.PARTIAL_PAID),
        (I.SENT, {"today": "2026-03-31"}, I.SENT),  # due today: not late
        (I.SENT, {"today": "2026-04-01"}, I.OVERDUE),
        (I.VIEWED, {"paid": "400.00", "today": "2026-04-01"}, I.OVERDUE),
        (I.OVERDUE, {"paid": "1000.00", "today": "2026-04-20"}, I.PAID),
        (I.PAID, {"paid": "1000.00", "refunded": "1000.00"}, I.REFUNDED),
        (I.PAID, {"paid": "1000.00", "refunded": "300.00"}, I.PARTIAL_PAID),
        (I.CANCELLED, {"today": "2026-05-01"}, I.CANCELLED),  # sticky
        (I.CANCELLED, {"paid": "1000.00"}, I.CANCELLED),
        (I.DRAFT, {"today": "2026-05-01"}, I.DRAFT),  # unsent: never overdue
        (I.DRAFT, {"paid": "200.00"}, I.PARTIAL_PAID),  # deposit on a draft
        (I.PAID, {}, I.SENT),  # payment reversed
        (I.SENT, {"today": "2030-01-01", "due": None}, I.SENT),  # no due date
        (I.SENT, {"total": "0"}, I.PAID),
        (I.DRAFT, {"total": "0"}, I.DRAFT),
    ],
)
def test_derive(current: I, kwargs: dict[str, object], expected: I) -> None:
    assert derive(current, **kwargs) is expected  # type: ignore[arg-type]


def test_derive_refuses_bad_amounts() -> None:
    with pytest.raises(RuleViolation) as err:
        derive(I.SENT, paid="-1")
    assert err.value.code == "negative_amount"
    with pytest.raises(RuleViolation) as err:
        derive(I.SENT, paid="10", refunded="20")
    assert err.value.code == "refund_exceeds_paid"
    with pytest.raises(TypeError):
        derive_invoice_status(
            total=10.0,
            amount_paid="0",
            due_date=None,  # type: ignore[arg-type]
            today=DUE,
            current=I.SENT,
        )


MANUAL = {
    I.DRAFT: {I.SENT, I.CANCELLED},
    I.SENT: {I.VIEWED, I.CANCELLED},
    I.VIEWED: {I.CANCELLED},
    I.OVERDUE: {I.CANCELLED},
    I.PARTIAL_PAID: set(),
    I.PAID: set(),
    I.CANCELLED: set(),
    I.REFUNDED: set(),
}


@pytest.mark.parametrize(("current", "target"), list(itertools.product(I, I)))
def test_every_manual_pair(current: I, target: I) -> None:
    allowed = target in MANUAL[current]
    assert (target in allowed_manual_transitions(current)) is allowed
    if allowed:
        check_invoice_transition(current, target)
    else:
        with pytest.raises(RuleViolation) as err:
            check_invoice_transition(current, target)
        assert err.value.code == "invalid_transition"


def test_cannot_cancel_with_payments() -> None:
    with pytest.raises(RuleViolation) as err:
        check_invoice_transition(I.OVERDUE, I.CANCELLED, net_paid="50.00")
    assert err.value.code == "invalid_transition"
    assert "refund" in err.value.message


@pytest.mark.parametrize("status", list(I))
def test_locked(status: I) -> None:
    locked = status in (I.PAID, I.REFUNDED, I.CANCELLED)
    assert is_locked(status) is locked
    if locked:
        with pytest.raises(RuleViolation) as err:
            check_invoice_editable(status)
        assert err.value.code == "invoice_locked"
    else:
        check_invoice_editable(status)


@pytest.mark.parametrize(
    ("total", "paid", "balance", "credit"),
    [
        ("100.00", "30.00", "70.00", "0.00"),
        ("100.00", "100.00", "0.00", "0.00"),
        ("100.00", "130.50", "0.00", "30.50"),
    ],
)
def test_balance(total: str, paid: str, balance: str, credit: str) -> None:
    got = invoice_balance(total, paid)
    assert got == (Decimal(balance), Decimal(credit))
    assert all(not v.is_signed() for v in got)
