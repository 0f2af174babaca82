"""Card charges and refunds through the gateway, and deposits carried onto invoices."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from shared_models.enums import Currency, PaymentStatus
from shared_models.rules.errors import RuleViolation
from shared_models.rules.ledger import (
    DepositCandidate,
    PaymentFact,
    carried_deposits,
    check_card_charge,
    check_card_refund,
)

S = PaymentStatus
QUOTE, OTHER_QUOTE = uuid.uuid4(), uuid.uuid4()
ANN, BOB = uuid.uuid4(), uuid.uuid4()
INVOICE = uuid.uuid4()


def _code(call) -> str:
    with pytest.raises(RuleViolation) as exc:
        call()
    return exc.value.code


def test_only_a_waiting_stripe_payment_is_charged() -> None:
    check_card_charge(status=S.PENDING, gateway="stripe", refund_of_id=None)
    check_card_charge(status=S.PROCESSING, gateway="stripe", refund_of_id=None)


@pytest.mark.parametrize(
    ("status", "gateway", "refund_of"),
    [
        (S.PENDING, None, None),
        (S.PENDING, "square", None),
        (S.COMPLETED, "stripe", None),
        (S.FAILED, "stripe", None),
        (S.PENDING, "stripe", uuid.uuid4()),
    ],
)
def test_other_payments_are_not_charged_by_card(
    status: S, gateway: str | None, refund_of: uuid.UUID | None
) -> None:
    with pytest.raises(RuleViolation) as exc:
        check_card_charge(status=status, gateway=gateway, refund_of_id=refund_of)
    assert exc.value.code == "payment_not_allowed"


def _paid(amount: str = "452.00") -> PaymentFact:
    return PaymentFact(uuid.uuid4(), Decimal(amount), S.COMPLETED, None, Currency.CAD, INVOICE)


def _refund(original: PaymentFact, amount: str, status: S = S.PENDING) -> PaymentFact:
    return PaymentFact(uuid.uuid4(), Decimal(amount), status, original.id, Currency.CAD, INVOICE)


def test_a_card_refund_within_what_is_left_is_allowed() -> None:
    original = _paid()
    earlier = _refund(original, "400.00", S.COMPLETED)
    refund = _refund(original, "52.00")
    assert check_card_refund(
        original=original,
        original_gateway="stripe",
        original_gateway_id="pi_1",
        refund=refund,
        other_refunds=[earlier, refund],  # the row itself is not counted twice
    ) == Decimal("52.00")


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("too_much", "refund_exceeds_paid"),
        ("not_stripe", "payment_not_allowed"),
        ("never_charged", "payment_not_allowed"),
        ("not_its_refund", "invalid_refund"),
        ("already_done", "payment_not_allowed"),
        ("not_received", "invalid_refund"),
    ],
)
def test_card_refunds_the_rules_forbid(case: str, code: str) -> None:
    original = _paid()
    refund = _refund(original, "100.00")
    kwargs = {
        "original": original,
        "original_gateway": "stripe",
        "original_gateway_id": "pi_1",
        "refund": refund,
        "other_refunds": [_refund(original, "400.00")],
    }
    if case == "too_much":
        pass  # 400.00 pending + 100.00 > 452.00
    elif case == "not_stripe":
        kwargs["original_gateway"] = None
    elif case == "never_charged":
        kwargs["original_gateway_id"] = None
    elif case == "not_its_refund":
        kwargs["refund"] = _refund(_paid(), "1.00")
    elif case == "already_done":
        kwargs["refund"] = _refund(original, "1.00", S.COMPLETED)
    else:
        kwargs["original"] = PaymentFact(original.id, original.amount, S.PENDING)
        kwargs["other_refunds"] = []
    assert _code(lambda: check_card_refund(**kwargs)) == code


def _dep(amount: str = "100.00", **kw: object) -> DepositCandidate:
    values = {
        "id": uuid.uuid4(),
        "quote_id": QUOTE,
        "customer_id": ANN,
        "currency": Currency.CAD,
        "amount": Decimal(amount),
    }
    values.update(kw)
    return DepositCandidate(**values)  # type: ignore[arg-type]


def _carry(*payments: DepositCandidate, quotes=(QUOTE,)) -> list[uuid.UUID]:
    return carried_deposits(quote_ids=quotes, customer_id=ANN, currency="CAD", payments=payments)


def test_deposits_of_the_invoices_quotes_are_carried_with_their_refunds() -> None:
    deposit = _dep()
    refund = _dep("30.00", quote_id=None, refund_of_id=deposit.id, status=S.COMPLETED)
    pending = _dep("20.00", quote_id=None, refund_of_id=deposit.id, status=S.PENDING)
    assert set(_carry(deposit, refund, pending)) == {deposit.id, refund.id, pending.id}
    assert _carry(_dep(quote_id=OTHER_QUOTE)) == []
    assert len(_carry(_dep(quote_id=OTHER_QUOTE), quotes=(QUOTE, OTHER_QUOTE, None))) == 1


def test_deposits_that_do_not_belong_stay_on_the_quote() -> None:
    assert _carry(_dep(customer_id=BOB)) == []
    assert _carry(_dep(currency=Currency.USD)) == []
    assert _carry(_dep(invoice_id=INVOICE)) == []  # already on an invoice
    deposit = _dep()
    full = _dep("100.00", quote_id=None, refund_of_id=deposit.id, status=S.COMPLETED)
    assert _carry(deposit, full) == []  # refunded in full: the invoice is owed in full
