"""Payment rules and the invoice ledger: hand-checked cases and a property that it always balances."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_models.enums import PaymentStatus as PS
from shared_models.rules import ledger as L
from shared_models.rules.errors import RuleViolation

D = Decimal


def fact(amount: str, status: PS = PS.COMPLETED, refund_of=None, **kw) -> L.PaymentFact:
    return L.PaymentFact(uuid.uuid4(), D(amount), status, refund_of, **kw)


def code(fn, **kw) -> str:
    with pytest.raises(RuleViolation) as err:
        fn(**kw)
    return err.value.code


@pytest.mark.parametrize(
    ("amount", "method", "expected"),
    [
        ("9999.99", "CASH", None),
        ("10000.00", "CASH", "payment_limit_exceeded"),
        ("999999.99", "CREDIT_CARD", None),
        ("1000000.00", "STRIPE", "payment_limit_exceeded"),
        ("1000000.00", "DEBIT_CARD", "payment_limit_exceeded"),
        ("2500000.00", "BANK_TRANSFER", None),
        ("2500000.00", "CHECK", None),
        ("2500000.00", "OTHER", None),
        ("-1.00", "CHECK", "negative_amount"),
        ("0", "CHECK", "invalid_amount"),
        ("1.001", "CHECK", "invalid_amount"),
        ("abc", "CHECK", "invalid_number"),
    ],
)
def test_every_method_and_its_limit(amount: str, method: str, expected: str | None) -> None:
    kw = {"amount": amount, "method": method, "currency": "CAD"}
    if expected is None:
        assert L.check_payment(**kw) == D(amount)
    else:
        assert code(L.check_payment, **kw) == expected


def test_every_payment_method_is_covered() -> None:
    from shared_models.enums import PaymentMethod

    for method in PaymentMethod:  # none raises for an ordinary amount
        assert L.check_payment(amount="100.00", method=method, currency="CAD") == D("100.00")


def test_cash_within_24_hours_adds_up_and_invoice_checks() -> None:
    assert L.check_payment(amount="4000", method="CASH", currency="CAD", cash_last_24h=D(5999))
    assert (
        code(L.check_payment, amount="4000", method="CASH", currency="CAD", cash_last_24h=D(6000))
        == "payment_limit_exceeded"
    )
    assert (
        code(L.check_payment, amount="10", method="CHECK", currency="USD", invoice_currency="CAD")
        == "currency_mismatch"
    )
    assert (
        code(
            L.check_payment, amount="10", method="CHECK", currency="CAD", invoice_status="CANCELLED"
        )
        == "payment_not_allowed"
    )


def test_initial_status_gateway_money_waits() -> None:
    assert L.initial_status("STRIPE", None, "COMPLETED") == PS.PENDING
    assert L.initial_status("CREDIT_CARD", "stripe", "COMPLETED") == PS.PENDING
    assert L.initial_status("CASH", None, "COMPLETED") == PS.COMPLETED
    assert L.initial_status("CHECK", None, None) == PS.PENDING
    assert code(L.initial_status, method="CASH", gateway=None, requested="REFUNDED") == (
        "payment_not_allowed"
    )


def test_refund_rules() -> None:
    paid = fact("100.00")
    ok = {"currency": "CAD", "original": paid, "invoice_id": None}
    assert L.check_refund(amount="60", other_refunds=[], **ok) == D(60)
    earlier = fact("60.00", refund_of=paid.id)
    failed = fact("90.00", PS.FAILED, refund_of=paid.id)
    assert L.check_refund(amount="40", other_refunds=[earlier, failed], **ok) == D(40)
    assert code(L.check_refund, amount="40.01", other_refunds=[earlier], **ok) == (
        "refund_exceeds_paid"
    )
    assert code(L.check_refund, amount="-1", other_refunds=[], **ok) == "negative_amount"
    pending = {**ok, "original": fact("100.00", PS.PENDING)}
    assert code(L.check_refund, amount="1", other_refunds=[], **pending) == "invalid_refund"
    of_refund = {**ok, "original": earlier}
    assert code(L.check_refund, amount="1", other_refunds=[], **of_refund) == "invalid_refund"
    assert (
        code(
            L.check_refund,
            amount="1",
            other_refunds=[],
            currency="USD",
            original=paid,
            invoice_id=None,
        )
        == "currency_mismatch"
    )
    assert (
        code(
            L.check_refund,
            amount="1",
            other_refunds=[],
            currency="CAD",
            original=paid,
            invoice_id=uuid.uuid4(),
        )
        == "invalid_refund"
    )


def test_settlement_hand_checked() -> None:
    cash, card = fact("500.00"), fact("800.00")
    pending = fact("50.00", PS.PENDING)
    back = fact("110.39", refund_of=card.id)
    s = L.settle(D("1189.61"), [cash, card, pending])
    assert (s.amount_paid, s.balance_due, s.credit_amount) == (D(1300), D(0), D("110.39"))
    s = L.settle(D("1189.61"), [cash, card, pending, back])
    assert (s.amount_paid, s.balance_due, s.credit_amount) == (D("1189.61"), D(0), D(0))
    assert s.originals == {card.id: (D("110.39"), PS.COMPLETED)}
    full = fact("500.00", refund_of=cash.id)
    s = L.settle(D("1189.61"), [cash, full])
    assert s.originals[cash.id] == (D("500.00"), PS.REFUNDED)
    assert (s.gross_paid, s.refunded, s.balance_due) == (D(500), D(500), D("1189.61"))


def test_ledger_rows_and_sign_convention() -> None:
    cash = fact("500.00")
    back = fact("100.00", refund_of=cash.id)
    targets = L.ledger_targets(D("1000.00"), [cash, back])
    rows = L.ledger_deltas(targets, [], refunds=[back.id])
    assert [(r.payment_id, r.type, r.amount) for r in rows] == [
        (None, "ADJUSTMENT", D("1000.00")),
        *sorted(
            [(cash.id, "INCOME", D("-500.00")), (back.id, "EXPENSE", D("100.00"))],
            key=lambda x: str(x[0]),
        ),
    ]
    existing = [(r.payment_id, r.amount) for r in rows]
    assert L.ledger_deltas(targets, existing, refunds=[back.id]) == []  # replay: nothing
    grown = L.ledger_targets(D("1200.00"), [cash, back])
    assert [(r.payment_id, r.amount) for r in L.ledger_deltas(grown, existing)] == [
        (None, D("200.00"))
    ]


OPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("pay"),
            st.sampled_from(["CASH", "CHECK", "CREDIT_CARD", "STRIPE"]),
            st.integers(1, 400_000),
            st.sampled_from(list(PS)),
        ),
        st.tuples(st.just("refund"), st.integers(0, 30), st.integers(1, 400_000)),
        st.tuples(st.just("total"), st.integers(0, 500_000)),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(total=st.integers(0, 500_000), ops=OPS)
def test_the_ledger_always_balances(total: int, ops) -> None:
    """Any sequence of payments, refunds, overpayments and total changes: sum == balance."""
    owed = D(total) / 100
    facts: list[L.PaymentFact] = []
    ledger: list[tuple[uuid.UUID | None, Decimal]] = []
    for op in ops:
        try:
            if op[0] == "pay":
                _, method, cents, status = op
                amount = L.check_payment(amount=D(cents) / 100, method=method, currency="CAD")
                facts.append(L.PaymentFact(uuid.uuid4(), amount, status))
            elif op[0] == "refund":
                originals = [f for f in facts if f.refund_of_id is None]
                if not originals:
                    continue
                original = originals[op[1] % len(originals)]
                amount = L.check_refund(
                    amount=D(op[2]) / 100,
                    currency="CAD",
                    original=original,
                    other_refunds=[f for f in facts if f.refund_of_id == original.id],
                    invoice_id=None,
                )
                facts.append(L.PaymentFact(uuid.uuid4(), amount, PS.COMPLETED, original.id))
            else:
                owed = D(op[1]) / 100
        except RuleViolation:
            continue  # refused: nothing recorded
        refunds = [f.id for f in facts if f.refund_of_id]
        deltas = L.ledger_deltas(L.ledger_targets(owed, facts), ledger, refunds)
        assert all(d.amount != 0 for d in deltas)
        ledger += [(d.payment_id, d.amount) for d in deltas]
        s = L.settle(owed, facts)
        assert sum((a for _, a in ledger), D(0)) == s.balance_due - s.credit_amount
        assert s.balance_due == 0 or s.credit_amount == 0
        assert s.amount_paid == s.gross_paid - s.refunded >= 0
        assert L.ledger_deltas(L.ledger_targets(owed, facts), ledger, refunds) == []
        for pid, (back, _status) in s.originals.items():
            assert back <= next(f.amount for f in facts if f.id == pid)
