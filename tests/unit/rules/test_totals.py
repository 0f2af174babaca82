"""Hand-checked totals: every expected Decimal is worked out in the comments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shared_models.enums import Currency, Province, QuoteItemCategory, TaxKind
from shared_models.rules.errors import RuleViolation
from shared_models.rules.tax import CANADIAN_TAX_RATES_2026, TaxRateRow
from shared_models.rules.totals import DocumentInput, LineInput, compute_totals, diff_totals

D = dt.date.fromisoformat
TODAY = D("2026-03-02")


def doc(lines: list[LineInput], province: str | None = "ON", **kw: object) -> DocumentInput:
    kw.setdefault("tax_rows", CANADIAN_TAX_RATES_2026)
    kw.setdefault("tax_date", TODAY)
    kw.setdefault("currency", "CAD")
    return DocumentInput(lines=tuple(lines), province=province, **kw)  # type: ignore[arg-type]


def taxes(totals: object) -> dict[str, Decimal]:
    return {t.kind.value: t.amount for t in totals.taxes}  # type: ignore[attr-defined]


def test_ontario_hst() -> None:
    t = compute_totals(
        doc(
            [
                LineInput("4.5", "149.00", category=QuoteItemCategory.MOVING_SERVICES),  # 670.50
                LineInput(12, "3.49", category=QuoteItemCategory.PACKING_SERVICES),  # 41.88
                LineInput(1, "45.00", taxable=False, category=QuoteItemCategory.INSURANCE),
            ]
        )
    )
    assert [ln.amount for ln in t.lines] == [Decimal("670.50"), Decimal("41.88"), Decimal("45.00")]
    assert t.subtotal == Decimal("757.38")  # 670.50 + 41.88 + 45.00
    assert t.taxable_base == Decimal("712.38")  # insurance line not taxable
    assert taxes(t) == {"HST": Decimal("92.61")}  # 712.38 * 0.13 = 92.6094
    assert t.total == Decimal("849.99")  # 757.38 + 92.61


def test_ontario_line_discount() -> None:
    t = compute_totals(doc([LineInput("4.5", "149.00", discount_pct="10")]))
    line = t.lines[0]
    assert line.gross == Decimal("670.50")  # 4.5 * 149.00
    assert line.amount == Decimal("603.45")  # 670.50 * 0.90
    assert line.line_discount == Decimal("67.05")
    assert taxes(t) == {"HST": Decimal("78.45")}  # 603.45 * 0.13 = 78.4485
    assert t.total == Decimal("681.90")  # 603.45 + 78.45
    assert t.effective_discount_pct == Decimal(10)


def test_quebec_gst_plus_qst() -> None:
    t = compute_totals(doc([LineInput(8, "135.00"), LineInput(1, "85.50")], "QC"))
    assert t.subtotal == Decimal("1165.50")  # 1080.00 + 85.50
    # GST 1165.50 * 0.05 = 58.275 -> 58.28; QST 1165.50 * 0.09975 = 116.258625 -> 116.26
    assert taxes(t) == {"GST": Decimal("58.28"), "QST": Decimal("116.26")}
    assert [x.kind for x in t.taxes] == [TaxKind.GST, TaxKind.QST]
    assert t.tax_total == Decimal("174.54")
    assert t.total == Decimal("1340.04")  # 1165.50 + 58.28 + 116.26


def test_bc_gst_plus_pst_with_document_discount() -> None:
    t = compute_totals(
        doc([LineInput(6, "120.00"), LineInput(4, "12.99")], "BC", document_discount_amount="50.00")
    )
    assert t.subtotal == Decimal("771.96")  # 720.00 + 51.96
    assert t.discount == Decimal("50.00")
    # allocation: 50*720/771.96 = 46.6345.. and 50*51.96/771.96 = 3.3654..; floors
    # 46.63 + 3.36 = 49.99; the spare cent goes to the larger fraction (.0054 > .0045)
    assert [ln.allocated_discount for ln in t.lines] == [Decimal("46.63"), Decimal("3.37")]
    assert t.taxable_base == Decimal("721.96")  # 771.96 - 50.00
    # GST 721.96 * 0.05 = 36.098 -> 36.10; PST 721.96 * 0.07 = 50.5372 -> 50.54
    assert taxes(t) == {"GST": Decimal("36.10"), "PST": Decimal("50.54")}
    assert t.total == Decimal("808.60")  # 771.96 - 50.00 + 36.10 + 50.54


def test_alberta_gst_only() -> None:
    t = compute_totals(doc([LineInput(3, "99.99")], "AB"))
    assert t.subtotal == Decimal("299.97")
    assert taxes(t) == {"GST": Decimal("15.00")}  # 299.97 * 0.05 = 14.9985 -> 15.00
    assert t.total == Decimal("314.97")


def test_usd_us_move_has_no_tax() -> None:
    t = compute_totals(
        doc([LineInput(10, "175.00"), LineInput(2, "19.995")], None, currency="USD", country="US")
    )
    assert t.currency is Currency.USD
    assert t.lines[1].amount == Decimal("39.99")  # 2 * 19.995 = 39.990
    assert t.subtotal == Decimal("1789.99")
    assert t.taxes == () and t.tax_total == Decimal("0.00")
    assert t.total == Decimal("1789.99")


def test_usd_with_given_foreign_rows() -> None:
    state_tax = TaxRateRow(
        None, TaxKind.PST, Decimal("0.06"), D("2020-01-01"), label="Sales tax 6%"
    )
    t = compute_totals(
        doc(
            [LineInput(1, "1789.99")],
            None,
            currency="USD",
            country="US",
            tax_rows=(*CANADIAN_TAX_RATES_2026, state_tax),
        )
    )
    assert taxes(t) == {"PST": Decimal("107.40")}  # 1789.99 * 0.06 = 107.3994
    assert t.total == Decimal("1897.39")


def test_province_ignored_outside_canada() -> None:
    t = compute_totals(doc([LineInput(1, "100")], "ON", country="us"))
    assert t.taxes == ()


@pytest.mark.parametrize(
    ("on", "hst", "total"),
    [
        ("2025-03-31", "150.00", "1150.00"),  # 1000.00 * 0.15
        ("2025-04-01", "140.00", "1140.00"),  # 1000.00 * 0.14
    ],
)
def test_nova_scotia_rate_change(on: str, hst: str, total: str) -> None:
    t = compute_totals(doc([LineInput(1, "1000.00")], "NS", tax_date=D(on)))
    assert taxes(t) == {"HST": Decimal(hst)}
    assert t.total == Decimal(total)


def test_new_rate_does_not_touch_older_documents() -> None:
    # A hypothetical future Ontario cut: the 13 % row gets an end date, a 12 % row starts.
    rows = tuple(r for r in CANADIAN_TAX_RATES_2026 if r.province is not Province.ON) + (
        TaxRateRow(Province.ON, TaxKind.HST, Decimal("0.13"), D("2010-07-01"), D("2026-12-31")),
        TaxRateRow(Province.ON, TaxKind.HST, Decimal("0.12"), D("2027-01-01")),
    )
    old = compute_totals(doc([LineInput(1, "200.00")], tax_rows=rows, tax_date=D("2026-06-01")))
    new = compute_totals(doc([LineInput(1, "200.00")], tax_rows=rows, tax_date=D("2027-01-01")))
    assert taxes(old) == {"HST": Decimal("26.00")}  # 200 * 0.13
    assert taxes(new) == {"HST": Decimal("24.00")}  # 200 * 0.12
    assert old == compute_totals(doc([LineInput(1, "200.00")], tax_date=D("2026-06-01")))


def test_exempt_customer() -> None:
    t = compute_totals(doc([LineInput(8, "135.00")], "QC", tax_exempt=True))
    assert t.taxes == () and t.total == Decimal("1080.00")
    # exempt needs no rate at all: not refused even with no rows
    assert compute_totals(doc([LineInput(1, "5")], "ON", tax_exempt=True, tax_rows=())).total == 5


def test_document_discount_pct_and_rounding() -> None:
    # 1 * 0.005 -> 0.01; 3 * 0.335 = 1.005 -> 1.01
    t = compute_totals(
        doc([LineInput(1, "0.005"), LineInput(3, "0.335")], "AB", document_discount_pct="50")
    )
    assert [ln.amount for ln in t.lines] == [Decimal("0.01"), Decimal("1.01")]
    assert t.subtotal == Decimal("1.02")
    assert t.discount == Decimal("0.51")  # 1.02 * 0.5
    # 0.51*0.01/1.02 = 0.005, 0.51*1.01/1.02 = 0.505: floors 0.00 + 0.50, tie on
    # fraction -> larger line gets the cent
    assert [ln.allocated_discount for ln in t.lines] == [Decimal("0.00"), Decimal("0.51")]
    assert t.taxable_base == Decimal("0.51")
    assert taxes(t) == {"GST": Decimal("0.03")}  # 0.51 * 0.05 = 0.0255 -> 0.03
    assert t.total == Decimal("0.54")


def test_discount_never_makes_a_line_negative() -> None:
    # 100 lines of 0.01 and a 0.40 discount: every exact share is 0.004
    t = compute_totals(doc([LineInput(1, "0.01")] * 100, "AB", document_discount_amount="0.40"))
    assert sum(ln.allocated_discount for ln in t.lines) == Decimal("0.40")
    assert min(ln.net for ln in t.lines) == Decimal("0.00")


def test_empty_document() -> None:
    t = compute_totals(doc([], "ON"))
    assert (t.subtotal, t.total, t.taxes[0].amount) == (0, 0, 0)


@pytest.mark.parametrize(
    ("make", "code"),
    [
        (lambda: LineInput("-1", "10"), "negative_amount"),
        (lambda: LineInput("1", "-0.01"), "negative_amount"),
        (lambda: LineInput("1", "10", discount_pct="-5"), "negative_amount"),
        (lambda: LineInput("1", "10", discount_pct="100.01"), "discount_out_of_range"),
        (lambda: doc([], currency="GBP"), "unknown_currency"),
        (lambda: doc([], province="XX"), "unknown_province"),
        (lambda: doc([], document_discount_amount="-1"), "negative_amount"),
        (lambda: doc([], document_discount_pct="101"), "discount_out_of_range"),
        (
            lambda: doc([], document_discount_amount="1", document_discount_pct="1"),
            "conflicting_discount",
        ),
        (
            lambda: compute_totals(doc([LineInput(1, "10")], document_discount_amount="10.01")),
            "discount_exceeds_subtotal",
        ),
        (lambda: compute_totals(doc([LineInput(1, "10")], tax_rows=())), "no_tax_rate"),
        (
            lambda: compute_totals(doc([LineInput(1, "10")], tax_date=D("2009-01-01"))),
            "no_tax_rate",
        ),
    ],
)
def test_bad_input_refused(make: object, code: str) -> None:
    with pytest.raises(RuleViolation) as err:
        make()  # type: ignore[operator]
    assert err.value.code == code
    assert err.value.message


def test_float_refused_in_lines() -> None:
    with pytest.raises(TypeError):
        LineInput(1.5, "10")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        LineInput(1, 9.99)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        doc([], document_discount_amount=5.0)


def test_diff_totals_reports_a_wrong_client_total() -> None:
    t = compute_totals(doc([LineInput("4.5", "149.00")]))
    claimed = {**t.to_dict(), "total": "757.66"}  # off by one cent
    assert diff_totals(claimed, t) == {"total": ("757.66", "757.67")}
    assert diff_totals(t.to_dict(), t) == {}
    assert set(diff_totals({"total": 757.67}, t)) == set(t.to_dict()) - {"currency", "taxes"}
