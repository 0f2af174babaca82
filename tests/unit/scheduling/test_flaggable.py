"""``flaggable_conflicts``: what the server records besides double bookings, once each."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from shared_models.enums import AvailabilityType, CrewRole, JourneyStatus, ScheduleType
from shared_models.rules.scheduling import (
    ConflictRule,
    CrewMember,
    DayData,
    Interval,
    JourneyPlan,
    PersonInfo,
    ScheduleBlock,
    TimeOff,
    TruckInfo,
    flaggable_conflicts,
    identity_of,
)

UTC = dt.UTC
DAY = dt.date(2026, 7, 1)
LEAD, MOVER, TRUCK = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
PEOPLE = {
    LEAD: PersonInfo(LEAD, "Lee", True, "D", True),
    MOVER: PersonInfo(MOVER, "Mo", False, None, False),
}
TRUCKS = {TRUCK: TruckInfo(TRUCK, "T-14", capacity_cuft=Decimal(1000), requires_license_class="D")}


def span(a: int, b: int) -> Interval:
    base = dt.datetime(2026, 7, 1, tzinfo=UTC)
    return Interval(base + dt.timedelta(hours=a), base + dt.timedelta(hours=b))


def job(status: JourneyStatus | None, *crew: CrewMember, volume: int | None = None) -> JourneyPlan:
    return JourneyPlan(
        uuid.uuid4(),
        "J-1",
        span(12, 16),
        crew=crew,
        truck_ids=(TRUCK,),
        volume_cuft=Decimal(volume) if volume else None,
        status=status,
    )


def day(*journeys: JourneyPlan, **extra: object) -> DayData:
    return DayData(DAY, "America/Toronto", journeys, people=PEOPLE, trucks=TRUCKS, **extra)  # type: ignore[arg-type]


def test_staffing_of_a_planned_journey_is_not_flagged_but_of_a_confirmed_one_is() -> None:
    mover = CrewMember(MOVER)
    assert flaggable_conflicts(day(job(JourneyStatus.PLANNED, mover, volume=1500))) == []
    rules = {
        c.rule for c in flaggable_conflicts(day(job(JourneyStatus.CONFIRMED, mover, volume=1500)))
    }
    assert rules == {
        ConflictRule.CREW_TOO_SMALL,
        ConflictRule.CREW_LEAD_MISSING,
        ConflictRule.DRIVER_NOT_LICENSED,
        ConflictRule.TRUCK_TOO_SMALL,
    }
    # Unknown status (a plan being built on the client) is judged in full.
    assert len(flaggable_conflicts(day(job(None, mover)))) == 3


def test_double_bookings_are_left_to_their_own_detector() -> None:
    a = job(JourneyStatus.CONFIRMED, CrewMember(LEAD, CrewRole.LEAD), CrewMember(MOVER))
    b = JourneyPlan(uuid.uuid4(), "J-2", span(13, 15), crew=a.crew, status=JourneyStatus.CONFIRMED)
    rules = {c.rule for c in flaggable_conflicts(day(a, b))}
    assert ConflictRule.DOUBLE_BOOKED_PERSON not in rules
    assert ConflictRule.DOUBLE_BOOKED_EQUIPMENT not in rules


def test_time_off_is_flagged_on_a_planned_journey_once_even_with_its_schedule_block() -> None:
    j = job(JourneyStatus.PLANNED, CrewMember(MOVER))
    off = TimeOff(uuid.uuid4(), MOVER, AvailabilityType.SICK, span(0, 24).start, span(0, 24).end)
    block = ScheduleBlock(
        uuid.uuid4(), j.interval, ScheduleType.JOURNEY, user_id=MOVER, journey_id=j.id
    )
    [conflict] = flaggable_conflicts(day(j, schedules=(block,), time_off=(off,)))
    assert conflict.rule is ConflictRule.DURING_TIME_OFF
    assert (conflict.journey_id, conflict.availability_id) == (j.id, off.id)


def test_identity_matches_a_stored_row_and_prefers_the_journey_as_subject() -> None:
    j = job(JourneyStatus.CONFIRMED, CrewMember(MOVER))
    for conflict in flaggable_conflicts(day(j)):
        stored = {"kind": conflict.rule.value, **conflict.to_row(), "schedule_id": uuid.uuid4()}
        assert identity_of(stored) == conflict.identity()  # the journey wins over the block
    lone = {"kind": "DURING_TIME_OFF", "schedule_id": uuid.uuid4(), "user_id": MOVER}
    assert identity_of(lone)[2] == lone["schedule_id"]


def test_volume_is_worded_without_stored_decimals() -> None:
    j = job(
        JourneyStatus.CONFIRMED, CrewMember(LEAD, CrewRole.LEAD), CrewMember(MOVER), volume=1500
    )
    [small] = [c for c in flaggable_conflicts(day(j)) if c.rule is ConflictRule.TRUCK_TOO_SMALL]
    assert small.message == "J-1 moves 1500 cu ft, its trucks hold 1000"
