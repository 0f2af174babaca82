"""Payments, refunds and the invoice ledger: pure rules both sides run (issue 4, part 6).

**What a payment may be** (``check_payment``): positive, in cents, in the
invoice's currency, not on a cancelled invoice, and within its method's limit:

* CASH: less than 10,000.00 per payment, and less than 10,000.00 from one
  customer within 24 hours. FINTRAC's large cash transaction rule starts at
  $10,000 (one amount, or several within 24 hours); we do not file LCTRs, so
  the office takes such sums by cheque or transfer instead.
* Card and gateway methods (CREDIT_CARD, DEBIT_CARD, STRIPE, SQUARE, PAYPAL):
  at most 999,999.99, Stripe's largest charge (99,999,999 minor units).
* CHECK, BANK_TRANSFER, OTHER: no limit of ours.

**Refunds** (``check_refund``) are their own Payment rows pointing at the
original (``refund_of_id``): only a received (COMPLETED) payment can be
refunded, never for more than is left of it after its other refunds, in the
same currency and on the same invoice.

**Settlement** (``settle``): only COMPLETED money counts. ``gross_paid`` is the
received payments (a fully refunded one, status REFUNDED, still counts as
received), ``refunded`` the completed refunds, and the invoice stores
``amount_paid = gross_paid - refunded``, so an overpayment shows as
``credit_amount`` and refunding that credit brings it back to zero. A payment
whose refunds reach its amount becomes REFUNDED.

**Ledger sign convention** (``ledger_targets``): the invoice's FinancialTransaction
rows live on the receivable account ``1200-accounts-receivable`` and are signed
as *what the customer owes us*: the invoice charge is ``+total`` (ADJUSTMENT),
a payment ``-amount`` (INCOME), a refund ``+amount`` (EXPENSE). Hence, for every
invoice, ``sum(amount) == total - amount_paid == balance_due - credit_amount``:
the ledger sums to the signed balance (negative while the customer has credit).
Rows are never edited: a changed total or a reversed payment is a new row for
the difference (``ledger_deltas``), so replaying the same facts writes nothing.

**Deposits** (``carried_deposits``): a deposit is taken on the quote, before any
invoice exists (``quote_id`` set, ``invoice_id`` empty). The invoice later made
from that quote, or from the journey converted from it, takes the deposit over
(and any refund of it): the deposit then counts in its amount paid, balance
and ledger like any other payment. Only a deposit of the invoice's customer and
currency is carried, and not one already refunded in full (the invoice is then
owed in full, not "refunded"); the first invoice of the quote takes it, once.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from shared_models.enums import (
    Currency,
    InvoiceStatus,
    PaymentMethod,
    PaymentStatus,
    TransactionType,
)
from shared_models.rules.errors import (
    CURRENCY_MISMATCH,
    INVALID_AMOUNT,
    INVALID_REFUND,
    PAYMENT_LIMIT_EXCEEDED,
    PAYMENT_NOT_ALLOWED,
    REFUND_EXCEEDS_PAID,
    RuleViolation,
)
from shared_models.rules.money import MINOR_UNITS, ZERO, non_negative, parse_currency

M = PaymentMethod
RECEIVABLE_ACCOUNT = "1200-accounts-receivable"
LARGE_CASH = Decimal("10000.00")
GATEWAY_MAX = Decimal("999999.99")
#: Highest amount accepted per payment; a method not listed has no limit of ours.
METHOD_LIMITS: Mapping[PaymentMethod, Decimal] = {
    M.CASH: LARGE_CASH - Decimal("0.01"),
    **{m: GATEWAY_MAX for m in (M.CREDIT_CARD, M.DEBIT_CARD, M.STRIPE, M.SQUARE, M.PAYPAL)},
}
#: Methods whose money only the gateway can confirm: a client records them PENDING.
GATEWAY_METHODS: Mapping[PaymentMethod, str] = {
    M.STRIPE: "stripe",
    M.SQUARE: "square",
    M.PAYPAL: "paypal",
}
#: Statuses a client may give a payment it records; the server moves the others.
CLIENT_STATUSES = frozenset({PaymentStatus.PENDING, PaymentStatus.COMPLETED})
RECEIVED = frozenset({PaymentStatus.COMPLETED, PaymentStatus.REFUNDED})


def check_amount(value: Decimal | int | str, currency: Currency | str) -> Decimal:
    """A payment amount: positive and in whole minor units of its currency."""
    amount = non_negative(value, field="amount")
    places = MINOR_UNITS[parse_currency(currency)]
    if amount == 0:
        raise RuleViolation(
            INVALID_AMOUNT, "a payment amount must be more than zero", field="amount"
        )
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        raise RuleViolation(
            INVALID_AMOUNT, f"{amount} has more decimals than {currency} has cents", field="amount"
        )
    return amount


def initial_status(
    method: PaymentMethod | str, gateway: str | None, requested: PaymentStatus | str | None
) -> PaymentStatus:
    """The status a newly recorded payment gets: gateway money waits for the gateway."""
    if gateway is not None or PaymentMethod(method) in GATEWAY_METHODS:
        return PaymentStatus.PENDING
    wanted = PaymentStatus(requested or PaymentStatus.PENDING)
    if wanted not in CLIENT_STATUSES:
        raise RuleViolation(
            PAYMENT_NOT_ALLOWED, f"a payment cannot be recorded as {wanted}", field="status"
        )
    return wanted


def check_payment(
    *,
    amount: Decimal | int | str,
    method: PaymentMethod | str,
    currency: Currency | str,
    invoice_currency: Currency | str | None = None,
    invoice_status: InvoiceStatus | str | None = None,
    cash_last_24h: Decimal = ZERO,
) -> Decimal:
    """Refuse a received payment its method, invoice or currency does not allow."""
    value = check_amount(amount, currency)
    how = PaymentMethod(method)
    if invoice_currency is not None and parse_currency(currency) != parse_currency(
        invoice_currency
    ):
        raise RuleViolation(
            CURRENCY_MISMATCH,
            f"a {currency} payment cannot settle a {invoice_currency} invoice",
            field="currency",
        )
    if invoice_status is not None and InvoiceStatus(invoice_status) == InvoiceStatus.CANCELLED:
        raise RuleViolation(PAYMENT_NOT_ALLOWED, "the invoice is cancelled: it takes no payments")
    limit = METHOD_LIMITS.get(how)
    if limit is not None and value > limit:
        raise RuleViolation(
            PAYMENT_LIMIT_EXCEEDED,
            f"{how} payments are limited to {limit} {currency} (got {value})"
            + (
                " - large cash transactions are taken by cheque or transfer"
                if how == M.CASH
                else ""
            ),
            field="amount",
        )
    if how == M.CASH and cash_last_24h + value >= LARGE_CASH:
        raise RuleViolation(
            PAYMENT_LIMIT_EXCEEDED,
            f"{value} in cash on top of {cash_last_24h} from this customer within 24 hours "
            f"reaches the {LARGE_CASH} large cash threshold",
            field="amount",
        )
    return value


@dataclass(frozen=True, slots=True)
class PaymentFact:
    """A Payment row as the rules read it (refunds have ``refund_of_id``)."""

    id: uuid.UUID
    amount: Decimal
    status: PaymentStatus
    refund_of_id: uuid.UUID | None = None
    currency: Currency = Currency.CAD
    invoice_id: uuid.UUID | None = None


def check_refund(
    *,
    amount: Decimal | int | str,
    currency: Currency | str,
    original: PaymentFact,
    other_refunds: Iterable[PaymentFact],
    invoice_id: uuid.UUID | None,
) -> Decimal:
    """Refuse a refund of something not received, or of more than is left of it."""
    value = check_amount(amount, currency)
    if original.refund_of_id is not None:
        raise RuleViolation(
            INVALID_REFUND, "a refund cannot itself be refunded", field="refund_of_id"
        )
    if PaymentStatus(original.status) not in RECEIVED:
        raise RuleViolation(
            INVALID_REFUND,
            f"the payment is {original.status}: nothing was received on it to refund",
            field="refund_of_id",
        )
    if parse_currency(currency) != original.currency:
        raise RuleViolation(
            CURRENCY_MISMATCH,
            f"refund in {currency} of a {original.currency} payment",
            field="currency",
        )
    if invoice_id != original.invoice_id:
        raise RuleViolation(
            INVALID_REFUND, "a refund belongs to the invoice of its payment", field="invoice_id"
        )
    taken = sum(
        (r.amount for r in other_refunds if r.status not in _VOID and r.id != original.id), ZERO
    )
    left = original.amount - taken
    if value > left:
        raise RuleViolation(
            REFUND_EXCEEDS_PAID,
            f"refund of {value} is more than the {left} left of the {original.amount} paid",
            field="amount",
        )
    return value


_VOID = frozenset({PaymentStatus.FAILED, PaymentStatus.CANCELLED})


@dataclass(frozen=True, slots=True)
class Settlement:
    """What an invoice's payments add up to; see the module docstring."""

    gross_paid: Decimal
    refunded: Decimal
    amount_paid: Decimal
    balance_due: Decimal
    credit_amount: Decimal
    #: original payment id -> (refunded so far, its status after them)
    originals: Mapping[uuid.UUID, tuple[Decimal, PaymentStatus]]


def settle(total: Decimal, payments: Iterable[PaymentFact]) -> Settlement:
    """Sum COMPLETED money into amount paid, balance or credit, and refund state per payment."""
    owed = non_negative(total, field="total")
    rows = list(payments)
    by_id = {p.id: p for p in rows}
    gross = sum((p.amount for p in rows if p.refund_of_id is None and p.status in RECEIVED), ZERO)
    refunds: dict[uuid.UUID, Decimal] = {}
    for p in rows:
        if p.refund_of_id is not None and p.status == PaymentStatus.COMPLETED:
            refunds[p.refund_of_id] = refunds.get(p.refund_of_id, ZERO) + p.amount
    refunded = sum(refunds.values(), ZERO)
    if refunded > gross:
        raise RuleViolation(REFUND_EXCEEDS_PAID, f"refunds of {refunded} exceed {gross} received")
    originals: dict[uuid.UUID, tuple[Decimal, PaymentStatus]] = {}
    for pid, back in refunds.items():
        original = by_id.get(pid)
        if original is None:
            continue
        status = PaymentStatus.REFUNDED if back >= original.amount else original.status
        originals[pid] = (back, status)
    net = gross - refunded
    left = owed - net
    return Settlement(
        gross_paid=gross,
        refunded=refunded,
        amount_paid=net,
        balance_due=max(left, ZERO),
        credit_amount=max(-left, ZERO),
        originals=originals,
    )


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One receivable row (``payment_id`` None for the invoice charge)."""

    payment_id: uuid.UUID | None
    type: TransactionType
    amount: Decimal
    category: str


def ledger_targets(
    total: Decimal, payments: Iterable[PaymentFact]
) -> dict[uuid.UUID | None, Decimal]:
    """What the receivable rows of an invoice must sum to, per payment (None: the charge)."""
    out: dict[uuid.UUID | None, Decimal] = {None: non_negative(total, field="total")}
    for p in payments:
        if p.refund_of_id is None:
            out[p.id] = -p.amount if p.status in RECEIVED else ZERO
        else:
            out[p.id] = p.amount if p.status == PaymentStatus.COMPLETED else ZERO
    return out


def ledger_deltas(
    targets: Mapping[uuid.UUID | None, Decimal],
    existing: Iterable[tuple[uuid.UUID | None, Decimal]],
    refunds: Iterable[uuid.UUID] = (),
) -> list[LedgerEntry]:
    """New rows that bring the existing ones to ``targets``; none when they already agree."""
    have: dict[uuid.UUID | None, Decimal] = {}
    for key, amount in existing:
        have[key] = have.get(key, ZERO) + amount
    refund_ids = set(refunds)
    out = []
    for key in sorted(set(targets) | set(have), key=lambda k: (k is not None, str(k))):
        delta = targets.get(key, ZERO) - have.get(key, ZERO)
        if not delta:
            continue
        if key is None:
            out.append(LedgerEntry(None, TransactionType.ADJUSTMENT, delta, "invoice-charge"))
        elif key in refund_ids:
            out.append(LedgerEntry(key, TransactionType.EXPENSE, delta, "refund"))
        else:
            out.append(LedgerEntry(key, TransactionType.INCOME, delta, "customer-payment"))
    return out


@dataclass(frozen=True, slots=True)
class DepositCandidate:
    """A payment not yet on an invoice, as the deposit rule reads it."""

    id: uuid.UUID
    quote_id: uuid.UUID | None
    customer_id: uuid.UUID
    currency: Currency
    amount: Decimal
    status: PaymentStatus = PaymentStatus.COMPLETED
    refund_of_id: uuid.UUID | None = None
    invoice_id: uuid.UUID | None = None


def carried_deposits(
    *,
    quote_ids: Iterable[uuid.UUID | None],
    customer_id: uuid.UUID,
    currency: Currency | str,
    payments: Iterable[DepositCandidate],
) -> list[uuid.UUID]:
    """Ids of the deposits (and their refunds) an invoice of these quotes takes over."""
    quotes = {q for q in quote_ids if q is not None}
    money = parse_currency(currency)
    rows = [p for p in payments if p.invoice_id is None]
    deposits = {
        p.id
        for p in rows
        if p.refund_of_id is None
        and p.quote_id in quotes
        and p.customer_id == customer_id
        and parse_currency(p.currency) == money
    }
    back: dict[uuid.UUID, Decimal] = {}
    for p in rows:
        if p.refund_of_id in deposits and PaymentStatus(p.status) == PaymentStatus.COMPLETED:
            back[p.refund_of_id] = back.get(p.refund_of_id, ZERO) + p.amount
    amounts = {p.id: p.amount for p in rows}
    deposits = {d for d in deposits if back.get(d, ZERO) < amounts[d]}
    refunds = {p.id for p in rows if p.refund_of_id in deposits}
    return sorted(deposits | refunds)


#: Statuses of a card payment still waiting to be charged through its gateway.
AWAITING_GATEWAY = frozenset({PaymentStatus.PENDING, PaymentStatus.PROCESSING})


def check_card_charge(
    *, status: PaymentStatus | str, gateway: str | None, refund_of_id: uuid.UUID | None
) -> None:
    """Refuse asking the gateway to charge a payment that is not a waiting card payment."""
    if refund_of_id is not None:
        raise RuleViolation(
            PAYMENT_NOT_ALLOWED, "this is a refund: it is paid back, not charged", field="id"
        )
    if gateway != "stripe":
        raise RuleViolation(
            PAYMENT_NOT_ALLOWED,
            "not a card payment: only payments recorded with gateway 'stripe' are charged by card",
            field="gateway",
        )
    if PaymentStatus(status) not in AWAITING_GATEWAY:
        raise RuleViolation(
            PAYMENT_NOT_ALLOWED,
            f"the payment is {PaymentStatus(status)}: there is nothing left to charge",
            field="status",
        )


def check_card_refund(
    *,
    original: PaymentFact,
    original_gateway: str | None,
    original_gateway_id: str | None,
    refund: PaymentFact,
    other_refunds: Iterable[PaymentFact],
) -> Decimal:
    """Refuse a gateway refund the refund row, its original or their amounts do not allow."""
    if refund.refund_of_id != original.id:
        raise RuleViolation(
            INVALID_REFUND, "the refund row is not a refund of this payment", field="refund_of_id"
        )
    if original_gateway != "stripe" or not original_gateway_id:
        raise RuleViolation(
            PAYMENT_NOT_ALLOWED,
            "the payment was not charged through Stripe: refund it the way it was paid",
            field="refund_of_id",
        )
    if PaymentStatus(refund.status) not in AWAITING_GATEWAY:
        raise RuleViolation(
            PAYMENT_NOT_ALLOWED,
            f"the refund is {PaymentStatus(refund.status)}: it is no longer waiting for the gateway",
            field="status",
        )
    return check_refund(
        amount=refund.amount,
        currency=refund.currency,
        original=original,
        other_refunds=[r for r in other_refunds if r.id != refund.id],
        invoice_id=refund.invoice_id,
    )
