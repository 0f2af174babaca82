"""The printed terms of a quote, worded from the quote's own facts.

The tenant has no terms text of its own yet (see the model), so the terms
state only what the quote already commits to: how the price is set by its
estimate type, the rate card's minimum, how long it is valid, the deposit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from client.documents.text import date, money, number
from shared_models.enums import Currency, EstimateType

_PRICING: dict[EstimateType, str] = {
    EstimateType.HOURLY: (
        "Hourly estimate: the final price is the crew's actual time, from arrival at the "
        "origin to the end of unloading, at the hourly rate above, plus materials used."
    ),
    EstimateType.FLAT: "Flat rate: the price above covers the move as described.",
    EstimateType.BINDING: (
        "Binding estimate: the price above is final for the inventory and services listed; "
        "added items or services are quoted separately before they are performed."
    ),
    EstimateType.NON_BINDING: (
        "Non-binding estimate: the final price follows the actual weight, time and "
        "services, and may differ from this estimate."
    ),
    EstimateType.NOT_TO_EXCEED: (
        "Not-to-exceed estimate: you pay the actual charges or the total above, whichever "
        "is lower, for the inventory and services listed."
    ),
}


def quote_terms(
    *,
    estimate_type: EstimateType,
    currency: Currency,
    valid_until: dt.date | None,
    deposit: Decimal,
    minimum_hours: Decimal | None,
) -> tuple[str, ...]:
    terms = [_PRICING[estimate_type]]
    if estimate_type is EstimateType.HOURLY and minimum_hours:
        terms.append(f"A minimum of {number(minimum_hours)} hours is charged.")
    if deposit:
        terms.append(
            f"A deposit of {money(deposit, currency)} confirms the booking and is deducted "
            "from the final invoice."
        )
    if valid_until:
        terms.append(f"This quote is valid until {date(valid_until)}.")
    return tuple(terms)
