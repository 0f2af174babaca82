"""Money in Decimal: parsing, rounding to the minor unit, currency conversion.

Rules, identical on client and server:
- Floats never enter money math: every parser raises TypeError on a float
  (0.1 + 0.2 != 0.3 is how a cent goes missing between two machines).
- Rounding is ROUND_HALF_UP to the currency's minor unit (2 decimals for CAD,
  USD and EUR): 0.005 -> 0.01, 0.004999 -> 0.00, -0.005 -> -0.01.
- Arithmetic runs in MONEY_CONTEXT (34 digits, traps on), never in the
  thread's ambient decimal context, so a caller's context cannot change a
  total.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
    localcontext,
)
from typing import TypeAlias

from shared_models.enums import Currency
from shared_models.rules.errors import (
    CURRENCY_MISMATCH,
    INVALID_NUMBER,
    INVALID_RATE,
    NEGATIVE_AMOUNT,
    NO_EXCHANGE_RATE,
    UNKNOWN_CURRENCY,
    RuleViolation,
)

MONEY_CONTEXT = Context(
    prec=34, rounding=ROUND_HALF_UP, traps=[InvalidOperation, DivisionByZero, Overflow]
)
#: Decimal places of each currency's minor unit (ISO 4217).
MINOR_UNITS: dict[Currency, int] = {Currency.CAD: 2, Currency.USD: 2, Currency.EUR: 2}

ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: Exchange and tax rates are stored with 6 decimals (types.Rate).
RATE_STEP = Decimal("0.000001")

Number: TypeAlias = "Decimal | int | str"


def to_decimal(value: Number, *, field: str = "amount") -> Decimal:
    """Parse a Decimal, int or numeric string; a float raises TypeError."""
    if isinstance(value, float):
        raise TypeError(f"{field}: float {value!r} refused; pass a str or Decimal")
    if isinstance(value, bool):
        raise TypeError(f"{field}: bool {value!r} is not a number")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise RuleViolation(
                INVALID_NUMBER, f"{field}: {value!r} is not a number", field=field
            ) from None
    else:
        raise TypeError(f"{field}: {type(value).__name__} is not a money number")
    if not result.is_finite():
        raise RuleViolation(
            INVALID_NUMBER, f"{field}: {value!r} is not a finite number", field=field
        )
    return result


def non_negative(value: Number, *, field: str) -> Decimal:
    """Parse and refuse a negative value (quantities, prices, discounts, payments)."""
    result = to_decimal(value, field=field)
    if result < 0:
        raise RuleViolation(
            NEGATIVE_AMOUNT, f"{field} must not be negative (got {result})", field=field
        )
    return result


def parse_currency(value: Currency | str) -> Currency:
    """The Currency for a code; anything we do not price in is refused."""
    try:
        return Currency(value.strip().upper() if isinstance(value, str) else value)
    except ValueError:
        known = ", ".join(c.value for c in Currency)
        raise RuleViolation(
            UNKNOWN_CURRENCY, f"unknown currency {value!r} (known: {known})", field="currency"
        ) from None


def quantize_money(amount: Decimal, currency: Currency | str) -> Decimal:
    """Round half-up to the currency's minor unit: 2.675 -> 2.68, 0.005 -> 0.01."""
    places = MINOR_UNITS[parse_currency(currency)]
    return amount.quantize(Decimal(1).scaleb(-places), context=MONEY_CONTEXT)


def convert(
    amount: Number, rate: Number, from_ccy: Currency | str, to_ccy: Currency | str
) -> Decimal:
    """Convert with `rate` = units of to_ccy per 1 from_ccy, rounded once, half-up.

    The rate is the one stored on the quote/invoice, so re-converting later
    gives the same result whatever today's ExchangeRate row says.
    """
    source, target = parse_currency(from_ccy), parse_currency(to_ccy)
    value = to_decimal(amount)
    factor = to_decimal(rate, field="rate")
    if factor <= 0:
        raise RuleViolation(
            INVALID_RATE, f"exchange rate must be positive (got {factor})", field="rate"
        )
    if source == target and factor != 1:
        raise RuleViolation(INVALID_RATE, f"rate from {source} to itself must be 1", field="rate")
    with localcontext(MONEY_CONTEXT):
        return quantize_money(value * factor, target)


@dataclass(frozen=True, slots=True)
class ExchangeRateRow:
    """One ExchangeRate row: 1 `base` costs `rate` `quote`, from `effective_date` on."""

    base: Currency
    quote: Currency
    rate: Decimal
    effective_date: dt.date

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", parse_currency(self.base))
        object.__setattr__(self, "quote", parse_currency(self.quote))
        rate = to_decimal(self.rate, field="rate")
        if rate <= 0:
            raise RuleViolation(
                INVALID_RATE, f"exchange rate must be positive (got {rate})", field="rate"
            )
        object.__setattr__(self, "rate", rate)


def rate_on(
    rows: Iterable[ExchangeRateRow],
    from_ccy: Currency | str,
    to_ccy: Currency | str,
    on_date: dt.date,
) -> Decimal:
    """The rate to store on a document: the latest row on or before `on_date`.

    A missing direction is derived from the opposite row as 1/rate, rounded
    half-up to 6 decimals (the precision of the rate column).
    """
    source, target = parse_currency(from_ccy), parse_currency(to_ccy)
    if source == target:
        return Decimal(1)
    best: tuple[dt.date, bool, Decimal] | None = None
    for row in rows:
        if row.effective_date > on_date:
            continue
        if (row.base, row.quote) == (source, target):
            candidate = (row.effective_date, True, row.rate)
        elif (row.base, row.quote) == (target, source):
            inverse = MONEY_CONTEXT.divide(Decimal(1), row.rate)
            inverse = inverse.quantize(RATE_STEP, context=MONEY_CONTEXT)
            candidate = (row.effective_date, False, inverse)
        else:
            continue
        if best is None or candidate[:2] > best[:2]:
            best = candidate
    if best is None:
        raise RuleViolation(
            NO_EXCHANGE_RATE,
            f"no exchange rate from {source} to {target} on {on_date}",
            field="exchange_rate",
        )
    return best[2]


def document_rate(
    rows: Iterable[ExchangeRateRow],
    currency: Currency | str,
    home_currency: Currency | str,
    on_date: dt.date,
) -> Decimal | None:
    """The rate a quote/invoice in ``currency`` stores: home units per 1 ``currency``.

    None for a document in the tenant's own currency (nothing to convert).
    """
    if parse_currency(currency) == parse_currency(home_currency):
        return None
    return rate_on(rows, currency, home_currency, on_date)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount that carries its currency; adding two currencies is refused."""

    amount: Decimal
    currency: Currency

    @classmethod
    def of(cls, amount: Number, currency: Currency | str) -> Money:
        ccy = parse_currency(currency)
        return cls(quantize_money(to_decimal(amount), ccy), ccy)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise RuleViolation(
                CURRENCY_MISMATCH, f"cannot combine {self.currency} and {other.currency}"
            )

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(MONEY_CONTEXT.add(self.amount, other.amount), self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(MONEY_CONTEXT.subtract(self.amount, other.amount), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
