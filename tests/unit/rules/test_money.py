"""Money parsing, half-up rounding and currency conversion."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_FLOOR, Decimal, localcontext

import pytest

from shared_models.enums import Currency
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


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0.005", "0.01"),  # half-up, not banker's rounding (which gives 0.00)
        ("0.015", "0.02"),
        ("0.025", "0.03"),  # banker's would give 0.02
        ("2.675", "2.68"),  # float(2.675) is 2.67499999... and would round down
        ("0.004999", "0.00"),
        ("-0.005", "-0.01"),  # half away from zero, symmetric
        ("10", "10.00"),
    ],
)
def test_quantize_half_up_to_cent(raw: str, expected: str) -> None:
    for ccy in Currency:
        result = quantize_money(Decimal(raw), ccy)
        assert result == Decimal(expected)
        assert str(result) == expected


def test_quantize_ignores_ambient_decimal_context() -> None:
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, ROUND_FLOOR
        assert quantize_money(Decimal("12345.675"), Currency.CAD) == Decimal("12345.68")


@pytest.mark.parametrize("value", [0.1, 1.0, float("nan")])
def test_float_refused(value: float) -> None:
    with pytest.raises(TypeError):
        to_decimal(value)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        convert(value, "1.3", "USD", "CAD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        convert("1", value, "USD", "CAD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money.of(value, "CAD")  # type: ignore[arg-type]


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "1,5"])
def test_bad_number_refused(value: str) -> None:
    with pytest.raises(RuleViolation) as err:
        to_decimal(value)
    assert err.value.code == "invalid_number"


def test_parse_number_forms() -> None:
    assert to_decimal(" 12.50 ") == Decimal("12.50")
    assert to_decimal(3) == Decimal(3)
    with pytest.raises(TypeError):
        to_decimal(True)  # type: ignore[arg-type]


@pytest.mark.parametrize("code", ["GBP", "cadx", "", "XBT"])
def test_unknown_currency(code: str) -> None:
    with pytest.raises(RuleViolation) as err:
        parse_currency(code)
    assert err.value.code == "unknown_currency"
    assert "CAD, USD, EUR" in err.value.message


def test_parse_currency_case_insensitive() -> None:
    assert parse_currency("usd") is Currency.USD


@pytest.mark.parametrize(
    ("amount", "rate", "src", "dst", "expected"),
    [
        ("100.00", "0.7350", "CAD", "USD", "73.50"),
        ("19.99", "1.3625", "USD", "CAD", "27.24"),  # 27.236375 -> 27.24
        ("1.00", "0.125", "EUR", "CAD", "0.13"),  # 0.125 -> 0.13, half-up
        ("250.00", "1", "CAD", "CAD", "250.00"),
    ],
)
def test_convert(amount: str, rate: str, src: str, dst: str, expected: str) -> None:
    assert convert(amount, rate, src, dst) == Decimal(expected)


@pytest.mark.parametrize(
    ("rate", "src", "dst"),
    [
        ("0", "CAD", "USD"),
        ("-1.2", "CAD", "USD"),
        ("1.1", "CAD", "CAD"),
    ],
)
def test_convert_bad_rate(rate: str, src: str, dst: str) -> None:
    with pytest.raises(RuleViolation) as err:
        convert("10", rate, src, dst)
    assert err.value.code == "invalid_rate"


def test_money_refuses_mixing_currencies() -> None:
    assert Money.of("1.005", "CAD") + Money.of("2", "CAD") == Money(Decimal("3.01"), Currency.CAD)
    with pytest.raises(RuleViolation) as err:
        Money.of("1", "CAD") - Money.of("1", "USD")
    assert err.value.code == "currency_mismatch"


def test_violation_to_dict() -> None:
    err = RuleViolation("no_tax_rate", "no tax rate for ON", field="province")
    assert err.to_dict() == {
        "code": "no_tax_rate",
        "message": "no tax rate for ON",
        "field": "province",
    }
    assert isinstance(err, ValueError)


def test_rate_on_picks_latest_row_and_derives_inverse() -> None:
    d = dt.date.fromisoformat
    rows = [
        ExchangeRateRow(Currency.USD, Currency.CAD, Decimal("1.3500"), d("2026-01-02")),
        ExchangeRateRow(Currency.USD, Currency.CAD, Decimal("1.3625"), d("2026-02-02")),
        ExchangeRateRow(Currency.EUR, Currency.CAD, Decimal("1.4800"), d("2026-02-02")),
    ]
    assert rate_on(rows, "USD", "CAD", d("2026-02-01")) == Decimal("1.3500")
    assert rate_on(rows, "USD", "CAD", d("2026-03-01")) == Decimal("1.3625")
    # 1 / 1.3625 = 0.73394495... -> 0.733945
    assert rate_on(rows, "CAD", "USD", d("2026-03-01")) == Decimal("0.733945")
    assert rate_on(rows, "EUR", "EUR", d("2026-03-01")) == 1
    with pytest.raises(RuleViolation) as err:
        rate_on(rows, "USD", "EUR", d("2026-03-01"))
    assert err.value.code == "no_exchange_rate"
    with pytest.raises(RuleViolation):
        rate_on(rows, "USD", "CAD", d("2025-12-31"))
