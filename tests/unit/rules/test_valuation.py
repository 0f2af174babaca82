"""Valuation: released value and full-value protection, hand-checked."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_models.enums import ValuationOption
from shared_models.rules.errors import RuleViolation
from shared_models.rules.rate_card import parse_rate_card
from shared_models.rules.valuation import (
    ValuationChoice,
    full_value_charge,
    minimum_declared_value,
    price_valuation,
)
from tests.unit.rules.rate_cards import cad_card

D = Decimal
CARD = parse_rate_card(cad_card())
FULL = ValuationOption.FULL_VALUE


def test_released_value_is_free_and_states_the_liability() -> None:
    v = price_valuation(CARD, D(3615), ValuationChoice())
    assert v.option is ValuationOption.RELEASED_VALUE
    assert v.charge == 0
    assert v.liability == D("2169.00")  # 3615 lb * $0.60
    assert v.declared_value is None and v.deductible is None


def test_minimum_declared_value_is_the_greater_of_weight_and_floor() -> None:
    assert minimum_declared_value(CARD, D(3615)) == D("21690.00")  # 3615 * 6.00 > 6000
    assert minimum_declared_value(CARD, D(500)) == D(6000)  # 500 * 6.00 = 3000 < floor
    assert minimum_declared_value(CARD, D(1000)) == D(6000)  # exactly the floor


@pytest.mark.parametrize(
    ("deductible", "charge"),
    [
        (D(0), D("300.00")),  # 25,000 / 1,000 * 12.00
        (D(250), D("237.50")),  # 25 * 9.50
        (D(500), D("187.50")),  # 25 * 7.50
    ],
)
def test_full_value_charge_by_deductible(deductible: Decimal, charge: Decimal) -> None:
    v = price_valuation(CARD, D(3615), ValuationChoice(FULL, D(25000), deductible))
    assert (v.charge, v.liability, v.deductible) == (charge, D(25000), deductible)
    assert v.minimum_declared_value == D("21690.00")


def test_full_value_defaults_to_the_minimum_and_rounds_half_up() -> None:
    v = price_valuation(CARD, D(3615), ValuationChoice(FULL, deductible=D(250)))
    assert v.declared_value == D("21690.00")
    assert v.charge == D("206.06")  # 21.69 * 9.50 = 206.055 -> half-up 206.06


def test_charge_rounds_half_up_at_the_cent() -> None:
    assert full_value_charge(CARD, D("6001.00"), D(250)) == D("57.01")  # 57.0095
    assert full_value_charge(CARD, D("6000.50"), D(500)) == D("45.00")  # 45.00375


@pytest.mark.parametrize(
    ("choice", "code", "field"),
    [
        (ValuationChoice(FULL, D("21689.99"), D(250)), "declared_value_too_low", "declared_value"),
        (ValuationChoice(FULL, D(25000), D(100)), "unknown_deductible", "valuation_deductible"),
    ],
)
def test_refusals(choice: ValuationChoice, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as err:
        price_valuation(CARD, D(3615), choice)
    assert (err.value.code, err.value.field) == (code, field)
    if code == "declared_value_too_low":
        assert "21690.00" in err.value.message  # tells the customer the minimum


@pytest.mark.parametrize(
    ("kwargs", "code", "field"),
    [
        ({"option": "GOLD"}, "unknown_valuation_option", "valuation_option"),
        ({"option": FULL, "declared_value": D(-1)}, "negative_amount", "declared_value"),
        ({"option": FULL, "declared_value": D("25000.001")}, "invalid_number", "declared_value"),
        ({"option": FULL, "deductible": D(-250)}, "negative_amount", "deductible"),
    ],
)
def test_bad_choices(kwargs: dict, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as err:
        ValuationChoice(**kwargs)
    assert (err.value.code, err.value.field) == (code, field)


def test_negative_weight_is_refused() -> None:
    with pytest.raises(RuleViolation) as err:
        price_valuation(CARD, D(-1), ValuationChoice())
    assert err.value.code == "negative_amount"


money = st.decimals(min_value=6000, max_value=2_000_000, places=2)


@settings(max_examples=200, deadline=None)
@given(money, money, st.sampled_from([D(0), D(250), D(500)]))
def test_charge_is_monotone_in_declared_value(a: Decimal, b: Decimal, deductible: Decimal) -> None:
    low, high = sorted((a, b))
    assert full_value_charge(CARD, low, deductible) <= full_value_charge(CARD, high, deductible)


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=40000, places=0), st.decimals(0, 100, places=0))
def test_minimum_grows_with_weight_and_is_never_below_the_floor(
    weight: Decimal, more: Decimal
) -> None:
    lower = minimum_declared_value(CARD, weight)
    assert CARD.full_value_min_amount <= lower <= minimum_declared_value(CARD, weight + more)
