"""Valuation (the mover's liability for the goods), priced from the rate card.

- Released value: the carrier is liable for at most ``released_value_rate_per_lb``
  (default $0.60) per pound per article lost or damaged, at no charge. The
  shipment-wide figure shown here (rate x shipment weight) is the ceiling.
- Full-value protection: the carrier repairs, replaces or pays the declared
  value. The declared value must be at least
  ``max(full_value_rate_per_lb_min x weight, full_value_min_amount)``
  (defaults $6.00/lb and $6,000); with none given, the minimum is declared,
  with no deductible given, $0. The charge is ``full_value_rates[deductible]``
  per $1,000 of declared value. Amounts round half-up to the cent like every
  other amount (money.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Final

from shared_models.enums import ValuationOption
from shared_models.rules.errors import INVALID_NUMBER, RuleViolation
from shared_models.rules.money import MONEY_CONTEXT, ZERO, non_negative, quantize_money
from shared_models.rules.rate_card import CENT, RateCard

DECLARED_VALUE_TOO_LOW: Final = "declared_value_too_low"
UNKNOWN_DEDUCTIBLE: Final = "unknown_deductible"
UNKNOWN_VALUATION: Final = "unknown_valuation_option"

THOUSAND = Decimal(1000)


@dataclass(frozen=True, slots=True)
class ValuationChoice:
    """What the customer picked; declared value and deductible only for full value."""

    option: ValuationOption = ValuationOption.RELEASED_VALUE
    declared_value: Decimal | None = None
    deductible: Decimal | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "option", ValuationOption(self.option))
        except ValueError:
            raise RuleViolation(
                UNKNOWN_VALUATION,
                f"unknown valuation option {self.option!r}",
                field="valuation_option",
            ) from None
        for name in ("declared_value", "deductible"):
            value = getattr(self, name)
            if value is None:
                continue
            amount = non_negative(value, field=name)
            if amount != amount.quantize(CENT):
                raise RuleViolation(
                    INVALID_NUMBER, f"{name} must be in whole cents (got {amount})", field=name
                )
            object.__setattr__(self, name, amount)


@dataclass(frozen=True, slots=True)
class Valuation:
    """The priced choice, as the quote stores and prints it."""

    option: ValuationOption
    #: Most the carrier pays: rate x weight (released) or the declared value (full).
    liability: Decimal
    charge: Decimal
    declared_value: Decimal | None = None
    deductible: Decimal | None = None
    minimum_declared_value: Decimal | None = None
    rate_per_thousand: Decimal | None = None


def minimum_declared_value(card: RateCard, weight_lb: Decimal) -> Decimal:
    """The greater of the per-lb minimum on the shipment's weight and the floor."""
    by_weight = quantize_money(
        MONEY_CONTEXT.multiply(card.full_value_rate_per_lb_min, weight_lb), card.currency
    )
    return max(by_weight, card.full_value_min_amount)


def full_value_charge(card: RateCard, declared_value: Decimal, deductible: Decimal) -> Decimal:
    """Charge per $1,000 of declared value at the deductible's rate (no minimum check)."""
    try:
        rate = card.full_value_rates[deductible]
    except KeyError:
        offered = ", ".join(f"${d}" for d in sorted(card.full_value_rates)) or "none"
        raise RuleViolation(
            UNKNOWN_DEDUCTIBLE,
            f"no full-value rate for a ${deductible} deductible (offered: {offered})",
            field="valuation_deductible",
        ) from None
    with localcontext(MONEY_CONTEXT):
        return quantize_money(declared_value * rate / THOUSAND, card.currency)


def price_valuation(card: RateCard, weight_lb: Decimal, choice: ValuationChoice) -> Valuation:
    """Price the customer's choice; refuses a declared value under the minimum."""
    weight = non_negative(weight_lb, field="weight_lb")
    if choice.option is ValuationOption.RELEASED_VALUE:
        liability = quantize_money(
            MONEY_CONTEXT.multiply(card.released_value_rate_per_lb, weight), card.currency
        )
        return Valuation(ValuationOption.RELEASED_VALUE, liability, ZERO * CENT)
    minimum = minimum_declared_value(card, weight)
    declared = choice.declared_value if choice.declared_value is not None else minimum
    if declared < minimum:
        raise RuleViolation(
            DECLARED_VALUE_TOO_LOW,
            f"declared value {declared} is below the minimum {minimum} "
            f"(the greater of {card.full_value_rate_per_lb_min}/lb x {weight} lb "
            f"and {card.full_value_min_amount})",
            field="declared_value",
        )
    deductible = choice.deductible if choice.deductible is not None else ZERO
    charge = full_value_charge(card, declared, deductible)
    return Valuation(
        option=ValuationOption.FULL_VALUE,
        liability=declared,
        charge=charge,
        declared_value=declared,
        deductible=deductible,
        minimum_declared_value=minimum,
        rate_per_thousand=card.full_value_rates[deductible],
    )
