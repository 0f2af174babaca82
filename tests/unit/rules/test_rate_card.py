"""Rate cards: stored PriceList documents parsed, validated and looked up."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from shared_models.enums import Currency
from shared_models.models import PriceList
from shared_models.rules.errors import RuleViolation
from shared_models.rules.rate_card import (
    OptionKind,
    TravelMode,
    parse_rate_card,
    select_rate_card,
)
from tests.unit.rules.rate_cards import cad_card, port_to_port_card

D = Decimal


def test_parses_the_stored_document_shapes() -> None:
    card = parse_rate_card(cad_card())
    assert card.currency is Currency.CAD
    assert card.hourly_rates == {2: D("159.00"), 3: D("209.00"), 4: D("259.00")}
    assert card.travel_mode is TravelMode.TRIP_FEE  # it charges a travel fee
    box = card.option(OptionKind.PACKING, "BOX-M")
    assert (box.label, box.price, box.unit) == ("Medium box (3 cu ft)", D("4.25"), "box")
    vault = card.option(OptionKind.STORAGE, "vault")  # bare price: per month
    assert (vault.label, vault.price, vault.unit) == ("Storage: vault", D("129.00"), "month")
    assert card.full_value_rates == {D(0): D("12.00"), D(250): D("9.50"), D(500): D("7.50")}
    assert [t.max_km for t in card.long_distance_rates] == [500, 1500, 5000]  # sorted


def test_parses_an_orm_row_with_column_defaults_for_unset_fields() -> None:
    # An unflushed ORM row has None for unset columns: the PriceList defaults apply.
    row = PriceList(
        id=uuid.UUID(int=7),
        name="Ottawa",
        currency=Currency.CAD,
        hourly_rates={"2": "139.00"},
        effective_from=dt.date(2026, 1, 1),
    )
    card = parse_rate_card(row)
    assert card.id == uuid.UUID(int=7)
    assert card.minimum_hours == 3 and card.density_lb_per_cuft == 7
    assert card.released_value_rate_per_lb == D("0.60")
    assert (card.full_value_rate_per_lb_min, card.full_value_min_amount) == (6, 6000)
    assert card.travel_mode is TravelMode.PORT_TO_PORT  # no travel fee on this card
    assert card.hourly_rate(2) == D("139.00")


def test_port_to_port_when_no_travel_fee_and_explicit_mode_wins() -> None:
    assert parse_rate_card(port_to_port_card()).travel_mode is TravelMode.PORT_TO_PORT
    forced = parse_rate_card(cad_card(travel_mode="PORT_TO_PORT"))
    assert forced.travel_mode is TravelMode.PORT_TO_PORT


def test_hourly_rate_beyond_the_largest_crew_adds_movers() -> None:
    card = parse_rate_card(cad_card())
    assert card.hourly_rate(5) == D("309.00")  # 259.00 + 1 x 50.00
    assert card.hourly_rate(7) == D("409.00")  # 259.00 + 3 x 50.00
    with pytest.raises(RuleViolation) as err:
        card.hourly_rate(1)
    assert err.value.code == "no_hourly_rate" and err.value.field == "crew_size"
    no_extra = parse_rate_card(cad_card(additional_mover_rate=None))
    with pytest.raises(RuleViolation, match="crew of 5"):
        no_extra.hourly_rate(5)


def test_long_distance_tiers() -> None:
    card = parse_rate_card(cad_card())
    assert card.long_distance_rate(D(300)) == D("0.95")
    assert card.long_distance_rate(D(500)) == D("0.95")  # max_km is inclusive
    assert card.long_distance_rate(D("500.1")) == D("1.35")
    assert card.is_long_distance(D(161)) and not card.is_long_distance(D(160))
    with pytest.raises(RuleViolation) as err:
        card.long_distance_rate(D(5001))
    assert err.value.code == "no_long_distance_rate"


def test_unknown_option_names_the_list() -> None:
    card = parse_rate_card(cad_card())
    with pytest.raises(RuleViolation) as err:
        card.option(OptionKind.SPECIALTY, "HOT-TUB")
    assert err.value.code == "unknown_option" and err.value.field == "specialty_services"
    assert "PIANO-UP" in err.value.message


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"truck_fee": D("-1")}, "negative_amount", "truck_fee"),
        ({"hourly_rates": {"3": "-209.00"}}, "negative_amount", "hourly_rates.3"),
        (
            {"packing_materials": {"BOX-M": {"label": "Box", "price": "-4.25", "unit": "box"}}},
            "negative_amount",
            "packing_materials.BOX-M.price",
        ),
        ({"storage_rates": {"vault": "-1"}}, "negative_amount", "storage_rates.vault"),
        (
            {"long_distance_rates": [{"max_km": 500, "rate_per_lb": "-0.95"}]},
            "negative_amount",
            "long_distance_rates[0].rate_per_lb",
        ),
        ({"full_value_rates": {"250": "-9.50"}}, "negative_amount", "full_value_rates.250"),
        ({"hourly_rates": {"3": "209.005"}}, "invalid_number", "hourly_rates.3"),  # sub-cent
        ({"hourly_rates": {"3": 209.0}}, "invalid_number", "hourly_rates.3"),  # a float
        ({"hourly_rates": {"3": "lots"}}, "invalid_number", "hourly_rates.3"),
        ({"hourly_rates": {"two": "159.00"}}, "invalid_rate_card", "hourly_rates.two"),
        ({"hourly_rates": {"0": "159.00"}}, "invalid_rate_card", "hourly_rates.0"),
        ({"currency": "GBP"}, "unknown_currency", "currency"),
        ({"fuel_surcharge_pct": D(101)}, "invalid_rate_card", "fuel_surcharge_pct"),
        ({"density_lb_per_cuft": D(0)}, "invalid_rate_card", "density_lb_per_cuft"),
        ({"long_distance_rates": ["500"]}, "invalid_rate_card", "long_distance_rates[0]"),
        (
            {"long_distance_rates": [{"rate_per_lb": "0.95"}]},
            "invalid_rate_card",
            "long_distance_rates[0].max_km",
        ),
    ],
)
def test_bad_cards_are_refused_with_the_field(changes: dict, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as err:
        parse_rate_card(cad_card(**changes))
    assert (err.value.code, err.value.field) == (code, field)


def _row(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "id": uuid.uuid4(),
        "location_id": None,
        "effective_from": dt.date(2026, 1, 1),
        "effective_to": None,
        "is_default": False,
        "is_active": True,
        "deleted_at": None,
    }
    return {**base, **kw}


def test_select_prefers_the_branch_card_then_the_default_then_the_latest() -> None:
    branch, other = uuid.uuid4(), uuid.uuid4()
    on = dt.date(2026, 3, 2)
    tenant_old = _row(effective_from=dt.date(2025, 1, 1))
    tenant_default = _row(is_default=True, effective_from=dt.date(2024, 1, 1))
    mine = _row(location_id=branch, effective_from=dt.date(2025, 6, 1))
    theirs = _row(location_id=other, effective_from=dt.date(2026, 2, 1))
    rows = [tenant_old, tenant_default, mine, theirs]
    assert select_rate_card(rows, location_id=branch, on_date=on) is mine
    assert select_rate_card(rows, location_id=uuid.uuid4(), on_date=on) is tenant_default
    assert select_rate_card([tenant_old, _row()], location_id=None, on_date=on)[
        "effective_from"
    ] == (
        dt.date(2026, 1, 1)  # the later of two non-default tenant cards
    )


@pytest.mark.parametrize(
    "row",
    [
        _row(effective_from=dt.date(2026, 4, 1)),  # not yet in force
        _row(effective_to=dt.date(2026, 3, 1)),  # ended the day before
        _row(is_active=False),
        _row(deleted_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC)),
        _row(location_id=uuid.uuid4()),  # another branch's card
    ],
)
def test_select_skips_cards_not_in_force(row: dict[str, object]) -> None:
    with pytest.raises(RuleViolation) as err:
        select_rate_card([row], location_id=uuid.uuid4(), on_date=dt.date(2026, 3, 2))
    assert err.value.code == "no_rate_card"
