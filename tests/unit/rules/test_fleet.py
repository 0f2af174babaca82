"""Inspection checklists, failed items, preventive service and unit usage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from shared_models.enums import (
    AssignmentStatus,
    CheckKind,
    CheckResult,
    Currency,
    EquipmentStatus,
    EquipmentType,
)
from shared_models.rules.errors import CURRENCY_MISMATCH, RuleViolation
from shared_models.rules.fleet import (
    CHECKLISTS,
    INCOMPLETE_CHECK,
    INVALID_CHECK,
    blank_items,
    checklist_for,
    corrective_description,
    evaluate_check,
    status_after,
)
from shared_models.rules.fleet_service import (
    INVALID_PERIOD,
    Booking,
    DueState,
    LastService,
    Reading,
    ServiceCost,
    ServicePlan,
    preventive_due,
    unit_usage,
)

D = Decimal
S = EquipmentStatus
UTC = dt.UTC


def answers(kind: EquipmentType, **results: str) -> list[dict[str, Any]]:
    items = blank_items(kind)
    for item in items:
        item["result"] = results.get(item["code"], "PASS")
    return items


def test_every_type_has_a_checklist_with_unique_codes() -> None:
    assert set(CHECKLISTS) == set(EquipmentType)
    for kind, items in CHECKLISTS.items():
        codes = [i.code for i in items]
        assert len(codes) == len(set(codes)), kind


def test_truck_checklist_is_the_trip_inspection() -> None:
    codes = {i.code: i for i in checklist_for(EquipmentType.TRUCK)}
    for needed in (
        "service_brakes",
        "parking_brake",
        "steering",
        "lights_reflectors",
        "tires_wheels",
        "horn",
        "mirrors",
        "windshield_wipers",
        "coupling_devices",
        "emergency_equipment",
        "fluid_leaks",
        "cargo_securement",
        "dashboard_warnings",
    ):
        assert needed in codes
    assert codes["service_brakes"].safety_critical
    assert codes["service_brakes"].on_fail is S.REPAIR
    assert codes["emergency_equipment"].on_fail is S.MAINTENANCE
    assert not codes["dashboard_warnings"].safety_critical


def test_a_clean_check_passes_and_changes_nothing() -> None:
    outcome = evaluate_check(EquipmentType.TRUCK, answers(EquipmentType.TRUCK))
    assert outcome.overall_result is CheckResult.PASS
    assert outcome.status is None and not outcome.opens_maintenance
    assert outcome.defects_summary is None


def test_failed_brakes_send_the_truck_to_repair() -> None:
    items = answers(EquipmentType.TRUCK, service_brakes="FAIL", mirrors="FAIL")
    items[0]["note"] = "pedal goes to the floor"
    outcome = evaluate_check(EquipmentType.TRUCK, items)
    assert outcome.overall_result is CheckResult.FAIL
    assert outcome.status is S.REPAIR  # the worst of REPAIR and MAINTENANCE
    assert {i.code for i in outcome.safety_failures} == {"service_brakes", "mirrors"}
    assert "pedal goes to the floor" in (outcome.defects_summary or "")
    assert "T-14" in corrective_description("T-14", outcome)


def test_missing_extinguisher_is_maintenance_not_repair() -> None:
    outcome = evaluate_check(
        EquipmentType.TRUCK, answers(EquipmentType.TRUCK, emergency_equipment="FAIL")
    )
    assert outcome.status is S.MAINTENANCE and outcome.opens_maintenance


def test_a_non_safety_failure_opens_a_job_but_keeps_the_unit_in_use() -> None:
    outcome = evaluate_check(EquipmentType.TRUCK, answers(EquipmentType.TRUCK, body_doors="FAIL"))
    assert outcome.opens_maintenance and outcome.status is None
    assert outcome.overall_result is CheckResult.PASS


def test_client_cannot_declare_brakes_not_safety_critical() -> None:
    items = answers(EquipmentType.TRUCK, service_brakes="FAIL")
    for item in items:
        item["safety_critical"] = False
    assert evaluate_check(EquipmentType.TRUCK, items).status is S.REPAIR


def test_extra_items_keep_their_own_flag() -> None:
    items = answers(EquipmentType.STRAPS) + [
        {"code": "tag", "label": "Load tag legible", "result": "FAIL", "safety_critical": True}
    ]
    assert evaluate_check(EquipmentType.STRAPS, items).status is S.MAINTENANCE


def test_inspector_may_fail_a_unit_outside_the_list() -> None:
    outcome = evaluate_check(EquipmentType.TRUCK, answers(EquipmentType.TRUCK), declared="FAIL")
    assert outcome.status is S.REPAIR and outcome.opens_maintenance


def test_coupling_may_be_not_applicable_but_brakes_may_not() -> None:
    ok = evaluate_check(
        EquipmentType.TRUCK, answers(EquipmentType.TRUCK, coupling_devices="NOT_APPLICABLE")
    )
    assert ok.overall_result is CheckResult.PASS
    with pytest.raises(RuleViolation) as err:
        evaluate_check(
            EquipmentType.TRUCK, answers(EquipmentType.TRUCK, service_brakes="NOT_APPLICABLE")
        )
    assert err.value.code == INVALID_CHECK


@pytest.mark.parametrize(
    "mangle",
    [
        lambda items: items.append(dict(items[0])),  # answered twice
        lambda items: items[0].update(result="MAYBE"),
        lambda items: items[0].update(code=""),
        lambda items: items.__setitem__(0, "brakes ok"),
    ],
)
def test_malformed_items_are_refused(mangle: Any) -> None:
    items = answers(EquipmentType.TRUCK)
    mangle(items)
    with pytest.raises(RuleViolation) as err:
        evaluate_check(EquipmentType.TRUCK, items)
    assert err.value.code == INVALID_CHECK


def test_a_trip_inspection_must_cover_every_item() -> None:
    items = answers(EquipmentType.TRUCK)[:-2]
    with pytest.raises(RuleViolation) as err:
        evaluate_check(EquipmentType.TRUCK, items)
    assert err.value.code == INCOMPLETE_CHECK
    # a periodic spot check may cover part of the list
    partial = evaluate_check(EquipmentType.TRUCK, items, check_kind=CheckKind.PERIODIC)
    assert partial.overall_result is CheckResult.PASS


def test_status_after_never_downgrades_or_revives() -> None:
    assert status_after(S.ACTIVE, S.REPAIR) is S.REPAIR
    assert status_after(S.ACTIVE, S.MAINTENANCE) is S.MAINTENANCE
    assert status_after(S.MAINTENANCE, S.REPAIR) is S.REPAIR
    assert status_after(S.REPAIR, S.MAINTENANCE) is None
    assert status_after(S.REPAIR, S.REPAIR) is None
    assert status_after(S.RETIRED, S.REPAIR) is None
    assert status_after(S.SOLD, S.REPAIR) is None
    assert status_after(S.ACTIVE, None) is None


# -- preventive service ------------------------------------------------------------

TODAY = dt.date(2026, 5, 1)


def _at(day: int) -> dt.datetime:
    return dt.datetime(2026, 4, day, 7, tzinfo=UTC)


def test_due_by_explicit_date() -> None:
    assert (
        preventive_due(ServicePlan(next_service_date=TODAY), today=TODAY).state is DueState.OVERDUE
    )
    soon = preventive_due(ServicePlan(next_service_date=TODAY + dt.timedelta(days=10)), today=TODAY)
    assert soon.state is DueState.DUE_SOON and soon.reasons == ("date",)
    later = preventive_due(
        ServicePlan(next_service_date=TODAY + dt.timedelta(days=60)), today=TODAY
    )
    assert later.state is DueState.OK


def test_due_by_interval_from_the_last_service() -> None:
    plan = ServicePlan(service_interval_days=90, service_interval_km=15_000)
    last = LastService(on=dt.date(2026, 3, 1), odometer_km=100_000)
    due = preventive_due(plan, today=TODAY, last_service=last)
    assert due.due_date == dt.date(2026, 5, 30) and due.due_odometer_km == 115_000
    assert due.state is DueState.OK


def test_due_by_odometer_uses_the_latest_reading_not_the_largest() -> None:
    plan = ServicePlan(next_service_odometer_km=120_000)
    readings = [
        Reading(_at(1), odometer_km=119_500),
        Reading(_at(20), odometer_km=120_100),
        Reading(_at(10), engine_hours=D(900)),
    ]
    due = preventive_due(plan, today=TODAY, readings=readings)
    assert due.state is DueState.OVERDUE and due.reasons == ("odometer",)
    assert due.odometer_km == 120_100 and due.engine_hours == D(900)
    # a replaced odometer: the latest reading is what the unit shows now
    swapped = preventive_due(
        plan, today=TODAY, readings=[*readings, Reading(_at(25), odometer_km=300)]
    )
    assert swapped.state is DueState.OK and swapped.odometer_km == 300


def test_due_by_engine_hours() -> None:
    plan = ServicePlan(service_interval_engine_hours=D(250))
    last = LastService(on=dt.date(2026, 1, 5), engine_hours=D(1000))
    soon = preventive_due(
        plan, today=TODAY, last_service=last, readings=[Reading(_at(3), engine_hours=D(1230))]
    )
    assert soon.state is DueState.DUE_SOON and soon.reasons == ("engine_hours",)
    over = preventive_due(
        plan, today=TODAY, last_service=last, readings=[Reading(_at(3), engine_hours=D(1250))]
    )
    assert over.state is DueState.OVERDUE


def test_no_plan_is_never_due() -> None:
    due = preventive_due(ServicePlan(), today=TODAY, readings=[Reading(_at(1), odometer_km=9)])
    assert due.state is DueState.OK and due.reasons == ()


# -- usage -------------------------------------------------------------------------

START = dt.datetime(2026, 4, 1, tzinfo=UTC)
END = dt.datetime(2026, 4, 11, tzinfo=UTC)  # 240 hours


def _h(hours: float) -> dt.datetime:
    return START + dt.timedelta(hours=hours)


def test_utilisation_counts_overlaps_once_and_clips_to_the_period() -> None:
    usage = unit_usage(
        start=START,
        end=END,
        bookings=[
            Booking(_h(8), _h(18)),
            Booking(_h(12), _h(20)),  # overlaps the first: 8..20 = 12 h
            Booking(_h(-5), _h(2)),  # clipped: 2 h
            Booking(_h(230), None),  # still out: 10 h
            Booking(_h(30), _h(40), AssignmentStatus.CANCELLED),
        ],
        services=[],
    )
    assert usage.assigned_hours == D("24.00")
    assert usage.available_hours == D("240.00")
    assert usage.utilisation == D("0.1000")


def test_utilisation_from_purchase_and_maintenance_cost() -> None:
    usage = unit_usage(
        start=START,
        end=END,
        in_service_from=_h(120),
        bookings=[Booking(_h(120), _h(180))],
        services=[
            ServiceCost(_h(130), D("412.50")),
            ServiceCost(_h(131), D("87.50")),
            ServiceCost(END, D("999")),  # next period
            ServiceCost(None, D("50")),  # not done yet
            ServiceCost(_h(1), None),
        ],
    )
    assert usage.utilisation == D("0.5000")
    assert usage.maintenance_cost == D("500.00") and usage.jobs == 2
    assert usage.currency is Currency.CAD


def test_usage_bad_input() -> None:
    with pytest.raises(RuleViolation) as err:
        unit_usage(start=END, end=START, bookings=[], services=[])
    assert err.value.code == INVALID_PERIOD
    with pytest.raises(RuleViolation) as err:
        unit_usage(
            start=START, end=END, bookings=[], services=[ServiceCost(_h(1), D(5), Currency.USD)]
        )
    assert err.value.code == CURRENCY_MISMATCH
