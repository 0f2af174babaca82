"""Pure business rules shared by client and server: money, tax, totals, workflows.

No I/O here: callers pass in the TaxRate rows, the exchange rate and today's
date, so the client offline and the server on push compute the same result.
"""

from __future__ import annotations

from shared_models.rules.errors import RuleViolation
from shared_models.rules.money import (
    ExchangeRateRow,
    Money,
    convert,
    parse_currency,
    quantize_money,
    rate_on,
    to_decimal,
)
from shared_models.rules.tax import (
    CANADIAN_TAX_RATES_2026,
    TaxLine,
    TaxRateRow,
    compute_taxes,
    rates_in_effect,
)
from shared_models.rules.totals import (
    DocumentInput,
    LineInput,
    LineTotal,
    Totals,
    compute_totals,
    diff_totals,
)

__all__ = [
    "CANADIAN_TAX_RATES_2026",
    "DocumentInput",
    "ExchangeRateRow",
    "LineInput",
    "LineTotal",
    "Money",
    "RuleViolation",
    "TaxLine",
    "TaxRateRow",
    "Totals",
    "compute_taxes",
    "compute_totals",
    "convert",
    "diff_totals",
    "parse_currency",
    "quantize_money",
    "rate_on",
    "rates_in_effect",
    "to_decimal",
]
