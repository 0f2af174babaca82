"""The one totals function: the client runs it for live totals offline, the
server runs it again on push and stores its own result (a client total that
disagrees is corrected, never trusted).

Rounding, in this order, all ROUND_HALF_UP to the currency's minor unit:
1. Per line: gross = round(qty * unit_price);
   amount = round(qty * unit_price * (1 - discount_pct/100));
   line_discount = gross - amount.  subtotal = sum(amount), exact.
2. Document discount: round(subtotal * pct/100), or the fixed amount
   (rounded), never more than the subtotal. It is allocated over the lines in
   proportion to their amounts by the largest-remainder method: each share
   is floored to the cent and the left-over cents go one each to the lines
   with the largest fractions (ties: larger amount, then earlier line). The
   shares sum exactly to the discount and no line goes below zero (giving the
   whole remainder to the largest line can push a small line negative).
3. taxable_base = sum of taxable lines' net (amount - share).
4. Taxes: each kind on the rounded taxable base, rounded per tax line.
5. total = subtotal - discount + sum(taxes), exact (no further rounding).

A document is Canadian when country == "CA" and a province is set; it then
needs a TaxRate row in effect on tax_date. Other documents are taxed only by
rows with province=None (none by default: a US move has no tax).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, localcontext

from shared_models.enums import Currency, Province, QuoteItemCategory
from shared_models.rules.errors import (
    CONFLICTING_DISCOUNT,
    DISCOUNT_EXCEEDS_SUBTOTAL,
    DISCOUNT_OUT_OF_RANGE,
    RuleViolation,
)
from shared_models.rules.money import (
    HUNDRED,
    MINOR_UNITS,
    MONEY_CONTEXT,
    ZERO,
    non_negative,
    parse_currency,
    quantize_money,
)
from shared_models.rules.tax import (
    TaxLine,
    TaxRateRow,
    compute_taxes,
    parse_province,
    rates_in_effect,
)

#: The document-level amounts a client claims and the server checks.
SUMMARY_FIELDS = ("subtotal", "discount", "taxable_base", "tax_total", "total")


def _percent(value: object, name: str) -> Decimal:
    pct = non_negative(value, field=name)  # type: ignore[arg-type]
    if pct > HUNDRED:
        raise RuleViolation(
            DISCOUNT_OUT_OF_RANGE, f"{name} must be at most 100 (got {pct})", field=name
        )
    return pct


@dataclass(frozen=True, slots=True)
class LineInput:
    """A priced line; numbers may be given as Decimal, int or str (never float)."""

    quantity: Decimal
    unit_price: Decimal
    discount_pct: Decimal = ZERO
    taxable: bool = True
    category: QuoteItemCategory = QuoteItemCategory.OTHER

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", non_negative(self.quantity, field="quantity"))
        object.__setattr__(self, "unit_price", non_negative(self.unit_price, field="unit_price"))
        object.__setattr__(self, "discount_pct", _percent(self.discount_pct, "discount_pct"))
        object.__setattr__(self, "category", QuoteItemCategory(self.category))


@dataclass(frozen=True, slots=True)
class DocumentInput:
    """Everything a quote or invoice total depends on, and nothing else."""

    currency: Currency
    lines: tuple[LineInput, ...]
    tax_date: dt.date
    province: Province | None = None
    country: str = "CA"
    tax_exempt: bool = False
    tax_rows: tuple[TaxRateRow, ...] = ()
    document_discount_amount: Decimal = ZERO
    document_discount_pct: Decimal = ZERO

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", parse_currency(self.currency))
        object.__setattr__(self, "province", parse_province(self.province))
        object.__setattr__(self, "country", self.country.strip().upper())
        object.__setattr__(self, "lines", tuple(self.lines))
        object.__setattr__(self, "tax_rows", tuple(self.tax_rows))
        amount = non_negative(self.document_discount_amount, field="document_discount_amount")
        pct = _percent(self.document_discount_pct, "document_discount_pct")
        if amount and pct:
            raise RuleViolation(
                CONFLICTING_DISCOUNT,
                "give the document discount as an amount or a percentage, not both",
                field="document_discount_amount",
            )
        object.__setattr__(self, "document_discount_amount", amount)
        object.__setattr__(self, "document_discount_pct", pct)

    @property
    def is_canadian(self) -> bool:
        return self.country == "CA" and self.province is not None


@dataclass(frozen=True, slots=True)
class LineTotal:
    """One line's money, rounded: gross - line_discount = amount; amount - share = net."""

    gross: Decimal
    line_discount: Decimal
    amount: Decimal
    allocated_discount: Decimal
    net: Decimal
    taxable: bool


@dataclass(frozen=True, slots=True)
class Totals:
    """The result both sides store; equal inputs always give equal Totals."""

    currency: Currency
    lines: tuple[LineTotal, ...]
    subtotal: Decimal
    discount: Decimal
    taxable_base: Decimal
    taxes: tuple[TaxLine, ...]
    tax_total: Decimal
    total: Decimal

    @property
    def effective_discount_pct(self) -> Decimal:
        """All discounts as a percentage of the gross, for the approval threshold."""
        gross = sum((line.gross for line in self.lines), ZERO)
        given = sum((line.line_discount for line in self.lines), self.discount)
        if not gross:
            return ZERO
        return MONEY_CONTEXT.divide(MONEY_CONTEXT.multiply(given, HUNDRED), gross)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: every amount as a string, never a float."""
        return {
            "currency": self.currency.value,
            **{name: str(getattr(self, name)) for name in SUMMARY_FIELDS},
            "taxes": [
                {
                    "kind": t.kind.value,
                    "label": t.label,
                    "rate": str(t.rate),
                    "base": str(t.base),
                    "amount": str(t.amount),
                }
                for t in self.taxes
            ],
        }


def diff_totals(claimed: Mapping[str, object], computed: Totals) -> dict[str, tuple[str, str]]:
    """Fields where a client's totals disagree with ours: {field: (claimed, ours)}."""
    out: dict[str, tuple[str, str]] = {}
    for name in SUMMARY_FIELDS:
        ours, theirs = getattr(computed, name), claimed.get(name)
        try:
            same = isinstance(theirs, Decimal | str | int) and Decimal(str(theirs)) == ours
        except ArithmeticError:
            same = False
        if not same:
            out[name] = (str(theirs), str(ours))
    return out


def _allocate(discount: Decimal, amounts: list[Decimal], cent: Decimal) -> list[Decimal]:
    """Split `discount` over `amounts` proportionally, to the cent (largest remainder)."""
    subtotal = sum(amounts, ZERO)
    if not discount:
        return [ZERO * cent for _ in amounts]
    exact = [discount * a / subtotal for a in amounts]
    shares = [e.quantize(cent, rounding=ROUND_DOWN) for e in exact]
    left = int((discount - sum(shares, ZERO)) / cent)
    order = sorted(range(len(amounts)), key=lambda i: (-(exact[i] - shares[i]), -amounts[i], i))
    for i in order[:left]:
        shares[i] += cent
    return shares


def compute_totals(doc: DocumentInput) -> Totals:
    """Price a document: lines, discount, taxes and total, rounded as documented above."""
    ccy = doc.currency
    cent = Decimal(1).scaleb(-MINOR_UNITS[ccy])
    with localcontext(MONEY_CONTEXT):
        gross = [quantize_money(ln.quantity * ln.unit_price, ccy) for ln in doc.lines]
        amounts = [
            quantize_money(ln.quantity * ln.unit_price * (HUNDRED - ln.discount_pct) / HUNDRED, ccy)
            for ln in doc.lines
        ]
        subtotal = sum(amounts, ZERO * cent)
        if doc.document_discount_pct:
            discount = quantize_money(subtotal * doc.document_discount_pct / HUNDRED, ccy)
        else:
            discount = quantize_money(doc.document_discount_amount, ccy)
        if discount > subtotal:
            raise RuleViolation(
                DISCOUNT_EXCEEDS_SUBTOTAL,
                f"discount {discount} exceeds the subtotal {subtotal}",
                field="document_discount_amount",
            )
        shares = _allocate(discount, amounts, cent)
        lines = tuple(
            LineTotal(
                gross=g,
                line_discount=g - a,
                amount=a,
                allocated_discount=s,
                net=a - s,
                taxable=ln.taxable,
            )
            for ln, g, a, s in zip(doc.lines, gross, amounts, shares, strict=True)
        )
        taxable_base = sum((ln.net for ln in lines if ln.taxable), ZERO * cent)
        if doc.tax_exempt:
            taxes: list[TaxLine] = []
        else:
            where = doc.province if doc.is_canadian else None
            rows = rates_in_effect(doc.tax_rows, where, doc.tax_date)
            taxes = compute_taxes(taxable_base, rows, currency=ccy)
        tax_total = sum((t.amount for t in taxes), ZERO * cent)
        return Totals(
            currency=ccy,
            lines=lines,
            subtotal=subtotal,
            discount=discount,
            taxable_base=taxable_base,
            taxes=tuple(taxes),
            tax_total=tax_total,
            total=subtotal - discount + tax_total,
        )
