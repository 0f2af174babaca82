"""Property tests: client and server never drift by a cent.

The client computes totals offline, sends its inputs as JSON (decimals as
strings), and the server recomputes from the parsed JSON, possibly with a
different ambient decimal context. Both must get the very same Totals.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_FLOOR, Decimal, localcontext

from hypothesis import given, settings
from hypothesis import strategies as st

from shared_models.enums import Currency, Province, QuoteItemCategory
from shared_models.rules.tax import CANADIAN_TAX_RATES_2026
from shared_models.rules.totals import (
    DocumentInput,
    LineInput,
    Totals,
    compute_totals,
    diff_totals,
)


def decimals(max_value: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(
        min_value=0,
        max_value=Decimal(max_value),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )


lines = st.builds(
    LineInput,
    quantity=decimals("1000", 3),
    unit_price=decimals("100000", 4),
    discount_pct=st.one_of(st.just(Decimal(0)), decimals("100", 2)),
    taxable=st.booleans(),
    category=st.sampled_from(QuoteItemCategory),
)


@st.composite
def documents(draw: st.DrawFn) -> DocumentInput:
    items = draw(st.lists(lines, max_size=12))
    canadian = draw(st.booleans())
    base = {
        "currency": draw(st.sampled_from(Currency)),
        "lines": tuple(items),
        "tax_date": draw(st.dates(dt.date(2013, 4, 1), dt.date(2030, 12, 31))),
        "province": draw(st.sampled_from(Province)) if canadian else None,
        "country": "CA" if canadian else draw(st.sampled_from(["US", "FR"])),
        "tax_exempt": draw(st.booleans()),
        "tax_rows": CANADIAN_TAX_RATES_2026,
    }
    probe = compute_totals(DocumentInput(**base))  # type: ignore[arg-type]
    kind = draw(st.sampled_from(["none", "pct", "amount"]))
    if kind == "pct":
        base["document_discount_pct"] = draw(decimals("100", 2))
    elif kind == "amount":
        base["document_discount_amount"] = draw(decimals(str(probe.subtotal), 2))
    return DocumentInput(**base)  # type: ignore[arg-type]


def to_json(doc: DocumentInput) -> str:
    """What the client would send: decimals and dates as strings, never floats."""
    return json.dumps(
        {
            "currency": doc.currency.value,
            "tax_date": doc.tax_date.isoformat(),
            "province": doc.province.value if doc.province else None,
            "country": doc.country,
            "tax_exempt": doc.tax_exempt,
            "document_discount_amount": str(doc.document_discount_amount),
            "document_discount_pct": str(doc.document_discount_pct),
            "lines": [
                {
                    "quantity": str(ln.quantity),
                    "unit_price": str(ln.unit_price),
                    "discount_pct": str(ln.discount_pct),
                    "taxable": ln.taxable,
                    "category": ln.category.value,
                }
                for ln in doc.lines
            ],
        }
    )


def from_json(text: str) -> DocumentInput:
    """What the server would parse; it uses its own tax rows, not the client's."""
    data = json.loads(text)
    return DocumentInput(
        currency=data["currency"],
        tax_date=dt.date.fromisoformat(data["tax_date"]),
        province=data["province"],
        country=data["country"],
        tax_exempt=data["tax_exempt"],
        document_discount_amount=data["document_discount_amount"],
        document_discount_pct=data["document_discount_pct"],
        lines=tuple(LineInput(**ln) for ln in data["lines"]),
        tax_rows=CANADIAN_TAX_RATES_2026,
    )


@settings(max_examples=300, deadline=None)
@given(documents())
def test_server_recomputes_the_same_totals(doc: DocumentInput) -> None:
    client = compute_totals(doc)
    with localcontext() as ctx:  # the server's ambient context must not matter
        ctx.prec, ctx.rounding = 6, ROUND_FLOOR
        server = compute_totals(from_json(to_json(doc)))
    assert server == client
    assert compute_totals(doc) == client  # deterministic
    claimed = json.loads(json.dumps(client.to_dict()))
    assert diff_totals(claimed, server) == {}


@settings(max_examples=300, deadline=None)
@given(documents())
def test_totals_add_up_exactly(doc: DocumentInput) -> None:
    t = compute_totals(doc)
    assert sum((ln.amount for ln in t.lines), Decimal(0)) == t.subtotal
    assert sum((ln.allocated_discount for ln in t.lines), Decimal(0)) == t.discount
    assert all(ln.net >= 0 and ln.net == ln.amount - ln.allocated_discount for ln in t.lines)
    assert all(ln.gross - ln.line_discount == ln.amount for ln in t.lines)
    assert t.taxable_base == sum((ln.net for ln in t.lines if ln.taxable), Decimal(0))
    assert t.tax_total == sum((x.amount for x in t.taxes), Decimal(0))
    assert t.total == t.subtotal - t.discount + sum((x.amount for x in t.taxes), Decimal(0))
    assert 0 <= t.discount <= t.subtotal
    _assert_cents(t)


def _assert_cents(t: Totals) -> None:
    amounts = [t.subtotal, t.discount, t.taxable_base, t.tax_total, t.total]
    amounts += [x.amount for x in t.taxes]
    amounts += [v for ln in t.lines for v in (ln.gross, ln.amount, ln.net, ln.allocated_discount)]
    assert all(a.as_tuple().exponent == -2 for a in amounts)


@settings(max_examples=200, deadline=None)
@given(documents())
def test_each_tax_within_half_a_cent(doc: DocumentInput) -> None:
    t = compute_totals(doc)
    for tax in t.taxes:
        assert tax.base == t.taxable_base
        assert abs(tax.amount - tax.base * tax.rate) <= Decimal("0.005")
    if doc.tax_exempt:
        assert t.taxes == ()
