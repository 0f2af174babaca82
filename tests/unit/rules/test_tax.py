"""Tax rows by province and date, and the default Canadian table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shared_models.enums import Province, TaxKind
from shared_models.rules.errors import RuleViolation
from shared_models.rules.tax import (
    CANADIAN_TAX_RATES_2026,
    TaxRateRow,
    compute_taxes,
    rates_in_effect,
    validate_tax_table,
)

TABLE = CANADIAN_TAX_RATES_2026
D = dt.date.fromisoformat


def rates(province: str, on: str) -> dict[str, Decimal]:
    return {r.kind.value: r.rate for r in rates_in_effect(TABLE, province, D(on))}


def test_default_table_is_consistent() -> None:
    validate_tax_table(TABLE)


@pytest.mark.parametrize(
    ("province", "expected"),
    [
        ("AB", {"GST": "0.05"}),
        ("NT", {"GST": "0.05"}),
        ("NU", {"GST": "0.05"}),
        ("YT", {"GST": "0.05"}),
        ("BC", {"GST": "0.05", "PST": "0.07"}),
        ("SK", {"GST": "0.05", "PST": "0.06"}),
        ("MB", {"GST": "0.05", "PST": "0.07"}),
        ("QC", {"GST": "0.05", "QST": "0.09975"}),
        ("ON", {"HST": "0.13"}),
        ("NB", {"HST": "0.15"}),
        ("NL", {"HST": "0.15"}),
        ("PE", {"HST": "0.15"}),
        ("NS", {"HST": "0.14"}),
    ],
)
def test_current_rates_every_province(province: str, expected: dict[str, str]) -> None:
    assert set(Province) == {Province(p) for p in (r.province for r in TABLE)}
    assert rates(province, "2026-03-01") == {k: Decimal(v) for k, v in expected.items()}


@pytest.mark.parametrize(
    ("province", "before", "after", "old", "new"),
    [
        ("NS", "2025-03-31", "2025-04-01", "0.15", "0.14"),
        ("NB", "2016-06-30", "2016-07-01", "0.13", "0.15"),
        ("NL", "2016-06-30", "2016-07-01", "0.13", "0.15"),
        ("PE", "2016-09-30", "2016-10-01", "0.14", "0.15"),
    ],
)
def test_hst_history(province: str, before: str, after: str, old: str, new: str) -> None:
    assert rates(province, before) == {"HST": Decimal(old)}
    assert rates(province, after) == {"HST": Decimal(new)}


def test_pst_history() -> None:
    assert rates("MB", "2013-06-30")["PST"] == Decimal("0.07")
    assert rates("MB", "2013-07-01")["PST"] == Decimal("0.08")  # raised 7 -> 8 %
    assert rates("MB", "2019-06-30")["PST"] == Decimal("0.08")
    assert rates("MB", "2019-07-01")["PST"] == Decimal("0.07")  # cut 8 -> 7 %
    assert rates("SK", "2017-03-22")["PST"] == Decimal("0.05")
    assert rates("SK", "2017-03-23")["PST"] == Decimal("0.06")
    assert rates("BC", "2013-03-31") == {"HST": Decimal("0.12")}
    assert rates("BC", "2013-04-01") == {"GST": Decimal("0.05"), "PST": Decimal("0.07")}


def test_labels() -> None:
    labels = {r.label for r in rates_in_effect(TABLE, "MB", D("2026-01-01"))}
    assert labels == {"GST 5%", "RST 7%"}
    assert [r.label for r in rates_in_effect(TABLE, "QC", D("2026-01-01"))] == [
        "GST 5%",
        "QST 9.975%",
    ]


@pytest.mark.parametrize(
    ("province", "on"),
    [
        ("ON", "2010-06-30"),  # before the table starts
        ("QC", "2012-12-31"),  # compounded QST era: not modelled, refused
        ("PE", "2013-03-31"),
    ],
)
def test_no_tax_rate(province: str, on: str) -> None:
    with pytest.raises(RuleViolation) as err:
        rates_in_effect(TABLE, province, D(on))
    assert err.value.code == "no_tax_rate"
    assert province in err.value.message


def test_unknown_province() -> None:
    with pytest.raises(RuleViolation) as err:
        rates_in_effect(TABLE, "ZZ", D("2026-01-01"))
    assert err.value.code == "unknown_province"


def test_no_province_means_no_canadian_tax() -> None:
    assert rates_in_effect(TABLE, None, D("2026-01-01")) == []


def test_overlapping_rows_refused() -> None:
    rows = (
        TaxRateRow(Province.ON, TaxKind.HST, Decimal("0.13"), D("2010-07-01")),
        TaxRateRow(Province.ON, TaxKind.HST, Decimal("0.12"), D("2026-01-01")),
    )
    with pytest.raises(RuleViolation) as err:
        rates_in_effect(rows, "ON", D("2026-02-01"))
    assert err.value.code == "ambiguous_tax_rate"
    with pytest.raises(RuleViolation):
        validate_tax_table(rows)


def test_hst_with_gst_refused() -> None:
    rows = (
        TaxRateRow(Province.NS, TaxKind.HST, Decimal("0.14"), D("2025-04-01")),
        TaxRateRow(Province.NS, TaxKind.GST, Decimal("0.05"), D("2025-04-01")),
    )
    with pytest.raises(RuleViolation) as err:
        rates_in_effect(rows, "NS", D("2025-05-01"))
    assert err.value.code == "ambiguous_tax_rate"


def test_bad_rows_refused() -> None:
    with pytest.raises(TypeError):
        TaxRateRow(Province.ON, TaxKind.HST, 0.13, D("2010-07-01"))  # type: ignore[arg-type]
    with pytest.raises(RuleViolation):
        TaxRateRow(Province.ON, TaxKind.HST, Decimal(13), D("2010-07-01"))  # percent, not fraction
    with pytest.raises(RuleViolation):
        TaxRateRow(Province.ON, TaxKind.HST, Decimal("0.13"), D("2020-01-02"), D("2020-01-01"))


def test_qst_not_compounded_on_gst() -> None:
    rows = rates_in_effect(TABLE, "QC", D("2026-01-01"))
    gst, qst = compute_taxes(Decimal("1165.50"), rows)
    # GST: 1165.50 * 0.05 = 58.275 -> 58.28 (half-up)
    assert gst.amount == Decimal("58.28")
    # QST on the same base: 1165.50 * 0.09975 = 116.258625 -> 116.26
    # (compounded it would be 1223.78 * 0.09975 = 122.07)
    assert qst.amount == Decimal("116.26")
    assert qst.base == gst.base == Decimal("1165.50")


def test_tax_line_rounding_edge() -> None:
    rows = rates_in_effect(TABLE, "AB", D("2026-01-01"))
    # 0.10 * 0.05 = 0.005 -> 0.01 half-up
    assert compute_taxes(Decimal("0.10"), rows)[0].amount == Decimal("0.01")
    # 0.09 * 0.05 = 0.0045 -> 0.00
    assert compute_taxes(Decimal("0.09"), rows)[0].amount == Decimal("0.00")


def test_exempt_and_negative_base() -> None:
    rows = rates_in_effect(TABLE, "ON", D("2026-01-01"))
    assert compute_taxes(Decimal(100), rows, exempt=True) == []
    with pytest.raises(RuleViolation) as err:
        compute_taxes(Decimal(-1), rows)
    assert err.value.code == "negative_amount"


def test_row_from_record_matches_table() -> None:
    # a pull record carries decimals and dates as strings; the DB pads the rate
    record = {
        "province": "NS",
        "kind": "HST",
        "rate": "0.140000",
        "effective_from": "2025-04-01",
        "effective_to": None,
        "label": "HST 14%",
    }
    row = TaxRateRow.from_record(record)
    assert row in TABLE
    assert str(row.rate) == "0.14"
    with pytest.raises(TypeError):
        TaxRateRow.from_record({**record, "rate": 0.14})
