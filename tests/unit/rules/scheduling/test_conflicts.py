"""Every conflict rule on a small day: one broken thing at a time, then a clean day."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from decimal import Decimal

import pytest

from shared_models.enums import (
    AvailabilityType,
    CheckResult,
    ConflictKind,
    CrewRole,
    EquipmentStatus,
    MaintenanceStatus,
    MaintenanceType,
    ScheduleStatus,
    ScheduleType,
)
from shared_models.rules.scheduling import (
    CheckState,
    ConflictRule,
    CrewMember,
    DayData,
    Interval,
    JourneyPlan,
    MaintenanceState,
    PersonInfo,
    ScheduleBlock,
    Severity,
    TimeOff,
    TruckInfo,
    detect_conflicts,
    licence_covers,
    out_of_service_reason,
)

UTC = dt.UTC
DAY = dt.date(2026, 7, 1)


def at(h: float) -> dt.datetime:
    return dt.datetime(2026, 7, 1, tzinfo=UTC) + dt.timedelta(hours=h)


def span(a: float, b: float) -> Interval:
    return Interval(at(a), at(b))


LEAD, MOVER, DRIVER_G = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TRUCK = uuid.uuid4()
WORK = (span(11, 21),)  # 07:00-17:00 Toronto
PEOPLE = {
    LEAD: PersonInfo(LEAD, "Lee", True, "D", True, working=WORK),
    MOVER: PersonInfo(MOVER, "Mo", False, None, False, working=WORK),
    DRIVER_G: PersonInfo(DRIVER_G, "Gus", True, "G", False, working=WORK),
}
TRUCKS = {TRUCK: TruckInfo(TRUCK, "T-14", capacity_cuft=Decimal(1200), requires_license_class="D")}


def journey(**kw: object) -> JourneyPlan:
    base = JourneyPlan(
        uuid.uuid4(),
        "J-0000001",
        span(12, 16),
        crew_size_required=2,
        crew=(CrewMember(LEAD, CrewRole.LEAD), CrewMember(MOVER)),
        truck_ids=(TRUCK,),
        volume_cuft=Decimal(900),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def day(*journeys: JourneyPlan, **kw: object) -> DayData:
    values: dict[str, object] = {
        "day": DAY,
        "tz": "America/Toronto",
        "journeys": journeys,
        "people": PEOPLE,
        "trucks": TRUCKS,
    }
    values.update(kw)
    return DayData(**values)  # type: ignore[arg-type]


def rules(data: DayData) -> list[ConflictRule]:
    return [c.rule for c in detect_conflicts(data)]


def test_a_sound_day_has_no_conflicts() -> None:
    assert detect_conflicts(day(journey())) == []


def test_person_double_booked_on_overlapping_journeys() -> None:
    a = journey()
    b = journey(label="J-0000002", interval=span(15, 18), crew=(CrewMember(MOVER),), truck_ids=())
    found = [c for c in detect_conflicts(day(a, b)) if c.rule is ConflictRule.DOUBLE_BOOKED_PERSON]
    assert len(found) == 1
    c = found[0]
    assert c.user_id == MOVER and {c.journey_id, c.other_journey_id} == {a.id, b.id}
    assert c.kind is ConflictKind.DOUBLE_BOOKED_PERSON and c.severity is Severity.ERROR
    row = c.to_row()
    assert row["kind"] == ConflictKind.DOUBLE_BOOKED_PERSON and row["journey_id"] in (a.id, b.id)
    # Back to back is not a double booking.
    b2 = replace(b, interval=span(16, 18))
    assert ConflictRule.DOUBLE_BOOKED_PERSON not in rules(day(a, b2))


def test_truck_double_booked_by_a_journey_and_a_schedule_block() -> None:
    a = journey()
    block = ScheduleBlock(uuid.uuid4(), span(14, 15), ScheduleType.OTHER, equipment_id=TRUCK)
    found = [c for c in detect_conflicts(day(a, schedules=(block,)))]
    assert [c.rule for c in found] == [ConflictRule.DOUBLE_BOOKED_EQUIPMENT]
    assert found[0].schedule_id == block.id and found[0].journey_id == a.id
    assert found[0].equipment_id == TRUCK
    # A schedule block *for this journey* is the same booking, not a second one.
    own = replace(block, journey_id=a.id)
    assert detect_conflicts(day(a, schedules=(own,))) == []


def test_two_schedule_blocks_are_paired_by_schedule_ids() -> None:
    x = ScheduleBlock(uuid.uuid4(), span(12, 14), user_id=MOVER)
    y = ScheduleBlock(uuid.uuid4(), span(13, 15), user_id=MOVER)
    found = detect_conflicts(day(schedules=(x, y)))
    assert [(c.rule, {c.schedule_id, c.other_schedule_id}) for c in found] == [
        (ConflictRule.DOUBLE_BOOKED_PERSON, {x.id, y.id})
    ]
    cancelled = replace(y, status=ScheduleStatus.CANCELLED)
    assert detect_conflicts(day(schedules=(x, cancelled))) == []


@pytest.mark.parametrize(
    ("approved", "severity"), [(True, Severity.ERROR), (False, Severity.WARNING)]
)
def test_person_scheduled_during_time_off(approved: bool, severity: Severity) -> None:
    off = TimeOff(uuid.uuid4(), MOVER, AvailabilityType.SICK, at(0), at(24), approved)
    j = journey()
    found = detect_conflicts(day(j, time_off=(off,)))
    assert [(c.rule, c.severity, c.availability_id, c.user_id) for c in found] == [
        (ConflictRule.DURING_TIME_OFF, severity, off.id, MOVER)
    ]
    assert found[0].to_row()["availability_id"] == off.id


def test_outside_working_hours_is_a_warning_stored_under_its_own_kind() -> None:
    found = detect_conflicts(day(journey(interval=span(18, 23))))
    assert {(c.rule, c.severity) for c in found} == {
        (ConflictRule.OUTSIDE_WORKING_HOURS, Severity.WARNING)
    }
    assert len(found) == 2  # lead and mover
    assert "120 min" in found[0].message
    assert found[0].to_row()["kind"] == ConflictKind.OUTSIDE_WORKING_HOURS


@pytest.mark.parametrize(
    ("truck", "reason"),
    [
        (TruckInfo(TRUCK, "T-14", EquipmentStatus.MAINTENANCE), "MAINTENANCE"),
        (TruckInfo(TRUCK, "T-14", EquipmentStatus.REPAIR), "REPAIR"),
        (TruckInfo(TRUCK, "T-14", EquipmentStatus.RETIRED), "RETIRED"),
        (
            TruckInfo(TRUCK, "T-14", checks=(CheckState(at(-30), CheckResult.FAIL),)),
            "inspection",
        ),
        (
            TruckInfo(
                TRUCK,
                "T-14",
                maintenance=(MaintenanceState(uuid.uuid4(), MaintenanceStatus.IN_PROGRESS),),
            ),
            "in progress",
        ),
    ],
)
def test_truck_out_of_service(truck: TruckInfo, reason: str) -> None:
    full = replace(truck, capacity_cuft=Decimal(1200), requires_license_class="D")
    found = detect_conflicts(day(journey(), trucks={TRUCK: full}))
    assert [c.rule for c in found] == [ConflictRule.EQUIPMENT_OUT_OF_SERVICE]
    assert reason in found[0].message and found[0].equipment_id == TRUCK


def test_out_of_service_edges() -> None:
    failed = CheckState(at(-30), CheckResult.FAIL)
    fixed = MaintenanceState(uuid.uuid4(), MaintenanceStatus.COMPLETED, performed_at=at(-10))
    assert (
        out_of_service_reason(TruckInfo(TRUCK, "T", checks=(failed,), maintenance=(fixed,)), DAY)
        is None
    )
    passed_later = CheckState(at(-5), CheckResult.PASS)
    assert out_of_service_reason(TruckInfo(TRUCK, "T", checks=(failed, passed_later)), DAY) is None
    future = MaintenanceState(uuid.uuid4(), MaintenanceStatus.SCHEDULED, dt.date(2026, 7, 20))
    due = MaintenanceState(uuid.uuid4(), MaintenanceStatus.SCHEDULED, DAY)
    assert out_of_service_reason(TruckInfo(TRUCK, "T", maintenance=(future,)), DAY) is None
    assert "open" in (out_of_service_reason(TruckInfo(TRUCK, "T", maintenance=(due,)), DAY) or "")


def test_an_undated_repair_grounds_the_unit_an_undated_routine_service_does_not() -> None:
    def undated(kind: MaintenanceType) -> MaintenanceState:
        return MaintenanceState(uuid.uuid4(), MaintenanceStatus.SCHEDULED, type=kind)

    repair = TruckInfo(TRUCK, "T", maintenance=(undated(MaintenanceType.CORRECTIVE),))
    assert "without a date" in (out_of_service_reason(repair, DAY) or "")
    unknown = TruckInfo(
        TRUCK, "T", maintenance=(MaintenanceState(uuid.uuid4(), MaintenanceStatus.SCHEDULED),)
    )
    assert out_of_service_reason(unknown, DAY) is not None  # when in doubt, grounded
    routine = TruckInfo(TRUCK, "T", maintenance=(undated(MaintenanceType.PREVENTIVE),))
    assert out_of_service_reason(routine, DAY) is None
    booked = MaintenanceState(
        uuid.uuid4(), MaintenanceStatus.SCHEDULED, DAY, type=MaintenanceType.PREVENTIVE
    )
    assert out_of_service_reason(TruckInfo(TRUCK, "T", maintenance=(booked,)), DAY) is not None
    # A maintenance block booking the truck is not a use of an unserviceable truck.
    block = ScheduleBlock(uuid.uuid4(), span(12, 14), ScheduleType.MAINTENANCE, equipment_id=TRUCK)
    broken = {TRUCK: TruckInfo(TRUCK, "T-14", EquipmentStatus.REPAIR)}
    assert detect_conflicts(day(schedules=(block,), trucks=broken)) == []


def test_crew_smaller_than_the_journey_needs() -> None:
    found = detect_conflicts(day(journey(crew_size_required=3)))
    assert [(c.rule, c.kind) for c in found] == [
        (ConflictRule.CREW_TOO_SMALL, ConflictKind.CREW_TOO_SMALL)
    ]
    assert "needs 3 people, 2 assigned" in found[0].message


def test_no_crew_lead() -> None:
    crew = (CrewMember(LEAD, CrewRole.DRIVER), CrewMember(MOVER))
    assert rules(day(journey(crew=crew))) == [ConflictRule.CREW_LEAD_MISSING]
    # The journey's own crew_lead_id counts as a lead.
    assert rules(day(journey(crew=crew, crew_lead_id=LEAD))) == []


def test_driver_without_the_licence_class_the_truck_needs() -> None:
    crew = (CrewMember(DRIVER_G, CrewRole.LEAD), CrewMember(MOVER))
    found = detect_conflicts(day(journey(crew=crew)))
    assert [c.rule for c in found] == [ConflictRule.DRIVER_NOT_LICENSED]
    assert "class D" in found[0].message
    assert found[0].kind == ConflictKind.DRIVER_NOT_LICENSED
    crew = (CrewMember(LEAD, CrewRole.LEAD), CrewMember(DRIVER_G, CrewRole.DRIVER))
    named = [c for c in detect_conflicts(day(journey(crew=crew))) if c.user_id == DRIVER_G]
    assert [c.rule for c in named] == [ConflictRule.DRIVER_NOT_LICENSED]


def test_two_trucks_need_two_distinct_drivers() -> None:
    second = uuid.uuid4()
    trucks = {**TRUCKS, second: TruckInfo(second, "T-15", capacity_cuft=Decimal(800))}
    crew = (CrewMember(LEAD, CrewRole.LEAD), CrewMember(MOVER))
    j = journey(crew=crew, truck_ids=(TRUCK, second))
    assert rules(day(j, trucks=trucks)) == [ConflictRule.DRIVER_NOT_LICENSED]
    crew3 = (*crew, CrewMember(DRIVER_G))
    assert rules(day(replace(j, crew=crew3), trucks=trucks)) == []


def test_truck_too_small_for_the_volume() -> None:
    found = detect_conflicts(day(journey(volume_cuft=Decimal(1500))))
    assert [(c.rule, c.severity) for c in found] == [
        (ConflictRule.TRUCK_TOO_SMALL, Severity.WARNING)
    ]


def test_licence_classes() -> None:
    assert licence_covers("A", "D") and licence_covers("d", "G") and licence_covers(None, None)
    assert not licence_covers("G", "D") and not licence_covers(None, "G")
    assert licence_covers("Z", "Z") and not licence_covers("Z", "G")
