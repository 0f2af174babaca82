"""Cube sheet: volume, weight, labour, crew and billed hours, worked out by hand."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_models.rules.cube_sheet import (
    CrewTable,
    LabourStandards,
    Site,
    SurveyItem,
    TravelInput,
    bill_hours,
    plan_from_hours,
    plan_move,
    site_minutes,
    survey_totals,
)
from shared_models.rules.errors import RuleViolation
from shared_models.rules.rate_card import parse_rate_card
from tests.unit.rules.rate_cards import cad_card, port_to_port_card

D = Decimal
CARD = parse_rate_card(cad_card())
P2P = parse_rate_card(port_to_port_card())

# A two-bedroom apartment, with seed catalogue figures (cu ft, own weight, handling min).
TWO_BEDROOM = (
    SurveyItem("Sofa, 3-seat", D(35), 1, None, 10),
    SurveyItem("Bed, queen", D(60), 2, None, 15),
    SurveyItem("Dresser, large", D(40), 2, None, 5),
    SurveyItem("Refrigerator", D(45), 1, D(250), 20),
    SurveyItem("Washer", D(25), 1, D(170), 20),
    SurveyItem("Box, medium", D(3), 40, D(30), 0),
    SurveyItem("Dining table", D(30), 1, None, 15),
    SurveyItem("Dining chair", D(5), 4, None, 1),
)
# volume  = 35 + 2*60 + 2*40 + 45 + 25 + 40*3 + 30 + 4*5 = 475 cu ft
# weight  = furniture (35+120+80+30+20 = 285 cu ft) * 7 = 1995, + 250 + 170 + 40*30 = 3615 lb
# minutes = 475 cu ft * 1 min + handling (10 + 30 + 10 + 20 + 20 + 0 + 15 + 4 = 109) = 584
ORIGIN = Site(stairs_flights=1)  # 8 min/100 cu ft * 4.75 = 38
DESTINATION = Site(elevator=True, long_carry_ft=D(60), parking_distance_ft=D(65))
# destination: elevator 5 + (60 + 65 - 75 free = 50 ft -> 1 x 4) = 9 min/100 cu ft * 4.75 = 42.75
# labour = 584 + 38 + 42.75 = 664.75 mover-minutes -> crew 3 (600 < 664.75 <= 1200)
TRAVEL = TravelInput(D(20), D(25), D(30), D(18))


def test_survey_totals_use_own_weight_before_density() -> None:
    volume, weight, minutes = survey_totals(TWO_BEDROOM, D(7), LabourStandards())
    assert (volume, weight, minutes) == (D(475), D(3615), D(584))


def test_tenant_density_changes_only_items_without_their_own_weight() -> None:
    _, weight, _ = survey_totals(TWO_BEDROOM, D("6.5"), LabourStandards())
    assert weight == D("3472.500")  # 285 * 6.5 = 1852.5, + 250 + 170 + 1200


def test_site_minutes() -> None:
    standards = LabourStandards()
    assert site_minutes(ORIGIN, D(475), standards) == D(38)
    assert site_minutes(DESTINATION, D(475), standards) == D("42.75")
    assert site_minutes(Site(long_carry_ft=D(75)), D(475), standards) == 0  # within the free 75 ft
    assert site_minutes(Site.from_json({"stairs_flights": 3, "floor": 3}), D(100), standards) == 24


def test_plan_trip_fee_card_bills_only_origin_to_destination_driving() -> None:
    plan = plan_move(TWO_BEDROOM, card=CARD, sites=[ORIGIN, DESTINATION], travel=TRAVEL)
    assert (plan.volume_cuft, plan.weight_lb, plan.labour_minutes) == (D(475), D(3615), D("664.75"))
    assert plan.crew_size == 3
    assert plan.drive_minutes == 25
    # (664.75 / 3 + 25) / 60 = 246.5833 / 60 = 4.1097 h -> up to the quarter hour: 4.25
    assert plan.billed_hours == D("4.25")
    assert not plan.long_distance


def test_plan_port_to_port_card_bills_depot_to_depot() -> None:
    plan = plan_move(TWO_BEDROOM, card=P2P, sites=[ORIGIN, DESTINATION], travel=TRAVEL)
    assert plan.drive_minutes == 75  # 20 + 25 + 30
    # (221.5833 + 75) / 60 = 4.9431 h -> 5.00
    assert plan.billed_hours == D("5.00")


def test_estimator_can_pick_the_crew() -> None:
    plan = plan_move(
        TWO_BEDROOM, card=CARD, sites=[ORIGIN, DESTINATION], travel=TRAVEL, crew_size=2
    )
    # (664.75 / 2 + 25) / 60 = 357.375 / 60 = 5.9563 h -> 6.00
    assert (plan.crew_size, plan.billed_hours) == (2, D("6.00"))


def test_long_distance_bills_no_driving() -> None:
    far = TravelInput(D(20), D(420), D(400), D(650))
    plan = plan_move(TWO_BEDROOM, card=CARD, sites=[ORIGIN, DESTINATION], travel=far)
    assert plan.long_distance and plan.drive_minutes == 0
    # 664.75 / 3 / 60 = 3.693 h -> 3.75
    assert plan.billed_hours == D("3.75")


def test_minimum_hours_and_rounding() -> None:
    assert bill_hours(D("4.01"), D(3), D("0.25")) == D("4.25")
    assert bill_hours(D("4.25"), D(3), D("0.25")) == D("4.25")  # already on the quarter
    assert bill_hours(D("1.2"), D(3), D("0.25")) == D("3.00")  # card minimum
    assert bill_hours(D("4.01"), D(3), D("0.5")) == D("4.50")  # a half-hour tenant
    plan = plan_move([SurveyItem("Box", D(3), 5)], card=CARD)
    assert plan.billed_hours == D("3.00")  # 15 min of work still bills the minimum


def test_crew_table_thresholds_and_override() -> None:
    table = CrewTable()
    assert [table.crew_for(D(m)) for m in (0, 600, 601, 1200, 2000, 2001)] == [2, 2, 3, 3, 4, 5]
    custom = CrewTable(thresholds=((D(300), 2), (D(900), 3)), above=4)
    plan = plan_move(TWO_BEDROOM, card=CARD, sites=[ORIGIN, DESTINATION], crew_table=custom)
    assert plan.crew_size == 3  # 664.75 <= 900
    with pytest.raises(RuleViolation):
        CrewTable(thresholds=((D(900), 3), (D(300), 2)))


def test_plan_from_hours_without_survey() -> None:
    plan = plan_from_hours(
        card=CARD, crew_size=3, hours="4", volume_cuft=D(650), travel=TravelInput(D(20), D(30))
    )
    assert plan.weight_lb == D(4550)  # 650 * 7
    assert plan.billed_hours == D("4.50")  # 4 h on site + 30 min origin -> destination


def test_from_catalogue_with_per_survey_edits() -> None:
    row = {
        "id": str(uuid.UUID(int=5)),
        "name": "Sofa, 3-seat",
        "cubic_feet": D(35),
        "weight_lb": None,
        "handling_minutes": 10,
        "is_specialty": False,
    }
    item = SurveyItem.from_catalogue(row, 2, cubic_feet=D(45))  # an oversized sofa
    assert (item.cubic_feet, item.quantity, item.weight_lb) == (D(45), D(2), None)
    assert item.catalogue_item_id == uuid.UUID(int=5)


@pytest.mark.parametrize(
    ("build", "code", "field"),
    [
        (lambda: SurveyItem("Sofa", D(35), -1), "negative_amount", "quantity"),
        (lambda: SurveyItem("Sofa", D(-35)), "negative_amount", "cubic_feet"),
        (lambda: SurveyItem("Sofa", D(35), 1, D(-1)), "negative_amount", "weight_lb"),
        (lambda: Site(stairs_flights=-1), "invalid_survey", "stairs_flights"),
        (lambda: Site.from_json({"stairs_flights": "two"}), "invalid_survey", "stairs_flights"),
        (lambda: Site(long_carry_ft=D(-5)), "negative_amount", "long_carry_ft"),
        (lambda: TravelInput(distance_km=D(-1)), "negative_amount", "distance_km"),
        (lambda: plan_move(TWO_BEDROOM, card=CARD, crew_size=0), "invalid_crew_size", "crew_size"),
        (
            lambda: plan_from_hours(card=CARD, crew_size=True, hours=4),  # type: ignore[arg-type]
            "invalid_crew_size",
            "crew_size",
        ),
    ],
)
def test_bad_survey_input(build: object, code: str, field: str) -> None:
    with pytest.raises(RuleViolation) as err:
        build()  # type: ignore[operator]
    assert (err.value.code, err.value.field) == (code, field)


survey_items = st.builds(
    SurveyItem,
    name=st.just("item"),
    cubic_feet=st.decimals(0, 200, places=1),
    quantity=st.integers(0, 40).map(D),
    weight_lb=st.one_of(st.none(), st.decimals(0, 900, places=0)),
    handling_minutes=st.integers(0, 120).map(D),
)
sites = st.builds(
    Site,
    stairs_flights=st.integers(0, 6),
    elevator=st.booleans(),
    long_carry_ft=st.decimals(0, 400, places=0),
    parking_distance_ft=st.decimals(0, 400, places=0),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(survey_items, max_size=15), survey_items, st.lists(sites, max_size=3))
def test_more_items_never_lower_volume_weight_labour_or_crew(
    items: list[SurveyItem], extra: SurveyItem, stops: list[Site]
) -> None:
    before = plan_move(items, card=CARD, sites=stops, travel=TRAVEL)
    after = plan_move([*items, extra], card=CARD, sites=stops, travel=TRAVEL)
    assert after.volume_cuft >= before.volume_cuft
    assert after.weight_lb >= before.weight_lb
    assert after.labour_minutes >= before.labour_minutes
    assert after.crew_size >= before.crew_size


@settings(max_examples=150, deadline=None)
@given(st.lists(survey_items, max_size=15), survey_items, st.integers(1, 8))
def test_with_a_fixed_crew_more_items_never_lower_the_hours(
    items: list[SurveyItem], extra: SurveyItem, crew: int
) -> None:
    # With the crew table a bigger crew can finish sooner (that is the point of it),
    # so hours are only monotone for a fixed crew.
    before = plan_move(items, card=CARD, travel=TRAVEL, crew_size=crew)
    after = plan_move([*items, extra], card=CARD, travel=TRAVEL, crew_size=crew)
    assert after.billed_hours >= before.billed_hours >= CARD.minimum_hours


@settings(max_examples=100, deadline=None)
@given(st.lists(survey_items, max_size=10), sites, sites)
def test_harder_access_never_lowers_labour(
    items: list[SurveyItem], easy: Site, extra_stop: Site
) -> None:
    base = plan_move(items, card=CARD, sites=[easy])
    harder = plan_move(items, card=CARD, sites=[easy, extra_stop])
    assert harder.labour_minutes >= base.labour_minutes
