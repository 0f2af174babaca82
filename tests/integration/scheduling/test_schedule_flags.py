"""Push-time flags for every conflict kind but double bookings, and their auto-resolution.

Each kind: the push that causes it flags it once (open, versioned), and the
push that takes the cause away resolves it with a note saying why.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from shared_models.enums import EquipmentType
from shared_models.ids import uuid7
from shared_models.models import ScheduleConflict
from shared_models.rules.fleet import blank_items
from sync_server.sync import schedule_rules
from tests.integration.scheduling.conftest import (  # noqa: F401  (fixtures)
    Board,
    board,
    engine,
    pusher,
    world,
    write_db_url,
)

UTC = dt.UTC
TORONTO = ZoneInfo("America/Toronto")
_SOON = dt.date.today() + dt.timedelta(days=14)
#: A Wednesday two or three weeks ahead: unit and people changes re-judge upcoming jobs.
DAY = _SOON + dt.timedelta(days=(2 - _SOON.weekday()) % 7)


def local(hour: float, day: dt.date = DAY) -> dt.datetime:
    """``hour`` o'clock on ``day`` in Toronto, as UTC (hours past 24 run into the next day)."""
    base = dt.datetime.combine(day, dt.time(0), TORONTO) + dt.timedelta(hours=hour)
    return base.astimezone(UTC)


def _resolved_by_server(flag: ScheduleConflict, because: str) -> None:
    assert flag.resolved_at is not None and flag.resolved_by is None
    assert "Resolved automatically: " in (flag.note or "") and because in (flag.note or "")


def test_booking_someone_on_time_off_is_flagged_once_and_cleared_when_it_is_withdrawn(
    board: Board,  # noqa: F811
) -> None:
    off = board.insert(
        "availability",
        user_id=board.people["mo"],
        type="VACATION",
        start_at=local(0),
        end_at=local(24),
        approved_by=board.world.users["dispatcher"],
        approved_at=local(-48),
    )
    journey = board.journey(DAY, local(9), estimated_hours=Decimal(4))
    assert board.flags() == []  # PLANNED with no crew: nothing is wrong yet
    board.crew(journey, "mo")
    [flag] = board.flags("DURING_TIME_OFF")
    assert (flag.journey_id, flag.user_id, flag.availability_id) == (
        journey,
        board.people["mo"],
        off,
    )
    assert flag.location_id == board.world.hq and flag.resolved_at is None
    assert "Mo" in flag.note and "09:00-13:00" in flag.note and "vacation" in flag.note
    # An unrelated edit of the journey, or of the time off, does not flag it again.
    board.update("journey", journey, {"notes": None}, notes="ring twice")
    board.update("availability", off, {"reason": None}, reason="cottage")
    assert len(board.flags("DURING_TIME_OFF")) == 1
    board.delete("availability", off)
    [flag] = board.flags("DURING_TIME_OFF")
    _resolved_by_server(flag, "Mo's time off was withdrawn")


def test_a_training_block_during_time_off_is_flagged_and_cleared_when_cancelled(
    board: Board,  # noqa: F811
) -> None:
    board.insert(
        "availability",
        user_id=board.people["gus"],
        type="SICK",
        start_at=local(0),
        end_at=local(24),
    )
    block = board.insert(
        "schedule",
        location_id=board.world.hq,
        type="TRAINING",
        title="Forklift refresher",
        start_at=local(13),
        end_at=local(15),
        user_id=board.people["gus"],
    )
    [flag] = board.flags("DURING_TIME_OFF")
    assert (flag.schedule_id, flag.journey_id) == (block, None)
    assert "requested sick time off" in flag.note  # not approved yet: still a problem
    board.update("schedule", block, {"status": "SCHEDULED"}, status="CANCELLED")
    [flag] = board.flags("DURING_TIME_OFF")
    _resolved_by_server(flag, "block 'Forklift refresher' was cancelled")


def test_a_truck_sent_to_repair_flags_its_jobs_until_it_is_back_in_service(
    board: Board,  # noqa: F811
) -> None:
    truck = board.trucks["T-14"]
    journey = board.journey(DAY, local(8), estimated_hours=Decimal(5), truck_id=truck)
    assert board.flags() == []
    board.update("equipment", truck, {"status": "ACTIVE"}, status="REPAIR")
    [flag] = board.flags("EQUIPMENT_OUT_OF_SERVICE")
    assert (flag.journey_id, flag.equipment_id) == (journey, truck)
    assert "T-14" in flag.note and "REPAIR" in flag.note
    board.update("equipment", truck, {"status": "REPAIR"}, status="ACTIVE")
    [flag] = board.flags("EQUIPMENT_OUT_OF_SERVICE")
    _resolved_by_server(flag, "unit T-14 is back in service")


def test_a_failed_inspection_in_the_same_push_flags_the_trucks_jobs(
    board: Board,  # noqa: F811
) -> None:
    truck = board.trucks["T-20"]
    board.journey(DAY, local(8), estimated_hours=Decimal(5), truck_id=truck)
    items = blank_items(EquipmentType.TRUCK)
    for item in items:
        item["result"] = "FAIL" if item["code"] == "service_brakes" else "PASS"
    board.insert(
        "equipment_check",
        equipment_id=truck,
        performed_by=board.world.users["dispatcher"],
        performed_at=local(6),
        items=items,
        overall_result="FAIL",
    )
    [flag] = board.flags("EQUIPMENT_OUT_OF_SERVICE")
    assert flag.equipment_id == truck and "T-20" in flag.note


def test_a_confirmed_job_short_of_people_and_without_a_lead_is_flagged_until_staffed(
    board: Board,  # noqa: F811
) -> None:
    journey = board.journey(DAY, local(9), estimated_hours=Decimal(4))
    board.crew(journey, "mo")
    assert board.flags() == []  # still being planned: the board shows the gaps, no flags
    board.confirm(journey)
    assert sorted(f.kind for f in board.flags()) == ["CREW_LEAD_MISSING", "CREW_TOO_SMALL"]
    [small] = board.flags("CREW_TOO_SMALL")
    assert small.journey_id == journey and "needs 2 people, 1 assigned" in small.note
    board.crew(journey, "lee", "LEAD")
    assert board.flags(open_only=True) == []
    _resolved_by_server(board.flags("CREW_TOO_SMALL")[0], "the crew is complete (2 of 2 people)")
    _resolved_by_server(board.flags("CREW_LEAD_MISSING")[0], "a crew lead is assigned")


def test_work_outside_someones_hours_is_flagged_and_cleared_when_the_job_moves(
    board: Board,  # noqa: F811
) -> None:
    board.shift("mo", DAY.weekday(), dt.time(8), dt.time(16))
    journey = board.journey(DAY, local(15), estimated_hours=Decimal(3))
    board.crew(journey, "mo")
    [flag] = board.flags("OUTSIDE_WORKING_HOURS")
    assert flag.user_id == board.people["mo"] and "120 min outside" in flag.note
    board.update("journey", journey, {"scheduled_start": local(15)}, scheduled_start=local(12))
    [flag] = board.flags("OUTSIDE_WORKING_HOURS")
    _resolved_by_server(flag, "the booking now fits Mo's working hours")


def test_new_working_hours_flag_the_upcoming_jobs_they_do_not_cover(
    board: Board,  # noqa: F811
) -> None:
    journey = board.journey(DAY, local(7), estimated_hours=Decimal(3))
    board.crew(journey, "mo")
    assert board.flags() == []  # hours not known: nothing to compare with
    with board.writer("admin") as w:  # rosters are written on the server (no push grant)
        shift = w.insert(
            "working_hours",
            {
                "user_id": board.people["mo"],
                "weekday": DAY.weekday(),
                "start_time": dt.time(8),
                "end_time": dt.time(16),
            },
        )
        schedule_rules.react(w, {"working_hours": {shift["id"]}})
    [flag] = board.flags("OUTSIDE_WORKING_HOURS")
    assert "60 min outside" in flag.note and flag.journey_id == journey
    with board.writer("admin") as w:
        w.update("working_hours", shift["id"], {"start_time": dt.time(7)})
        done = schedule_rules.react(w, {"working_hours": {shift["id"]}})
    assert done.resolved == [flag.id] and done.flagged == []
    _resolved_by_server(board.flags("OUTSIDE_WORKING_HOURS")[0], "fits Mo's working hours")


def test_an_unlicensed_driver_is_flagged_and_cleared_when_taken_off_the_crew(
    board: Board,  # noqa: F811
) -> None:
    journey = board.journey(
        DAY, local(8), estimated_hours=Decimal(4), truck_id=board.trucks["T-14"]
    )
    board.confirm(journey)
    board.crew(journey, "lee", "LEAD")
    driver_row = board.crew(journey, "mo", "DRIVER")
    [flag] = board.flags("DRIVER_NOT_LICENSED", open_only=True)
    assert flag.user_id == board.people["mo"] and "Mo drives" in flag.note
    board.delete("journey_crew", driver_row)
    assert board.flags("DRIVER_NOT_LICENSED", open_only=True) == []
    [gone] = [f for f in board.flags("DRIVER_NOT_LICENSED") if f.id == flag.id]
    _resolved_by_server(gone, "Mo is no longer booked on it")


def test_a_truck_nobody_on_the_crew_may_drive_is_flagged(board: Board) -> None:  # noqa: F811
    journey = board.journey(
        DAY, local(8), estimated_hours=Decimal(4), truck_id=board.trucks["T-14"]
    )
    board.confirm(journey)
    board.crew(journey, "gus", "LEAD")  # class G, the truck needs D
    board.crew(journey, "mo")
    [flag] = board.flags("DRIVER_NOT_LICENSED")
    assert flag.equipment_id == board.trucks["T-14"] and "needs class D" in flag.note
    board.crew(journey, "lee")
    _resolved_by_server(board.flags("DRIVER_NOT_LICENSED")[0], "licensed for its trucks")


def test_trucks_too_small_for_the_volume_until_a_second_unit_is_assigned(
    board: Board,  # noqa: F811
) -> None:
    journey = board.journey(
        DAY,
        local(8),
        estimated_hours=Decimal(4),
        truck_id=board.trucks["T-14"],
        volume_cuft=Decimal(1500),
    )
    board.confirm(journey)
    board.crew(journey, "lee", "LEAD")
    board.crew(journey, "gus", "DRIVER")
    [flag] = board.flags("TRUCK_TOO_SMALL")
    assert "1500 cu ft" in flag.note and "hold 1000" in flag.note
    board.insert(
        "equipment_assignment",
        equipment_id=board.trucks["T-20"],
        journey_id=journey,
        start_at=local(8),
        end_at=local(12),
    )
    assert board.flags(open_only=True) == []
    _resolved_by_server(board.flags("TRUCK_TOO_SMALL")[0], "its trucks now hold the volume")


def test_a_cancelled_job_resolves_all_its_flags_with_the_reason(board: Board) -> None:  # noqa: F811
    journey = board.journey(DAY, local(9), estimated_hours=Decimal(4))
    board.crew(journey, "mo")
    board.confirm(journey)
    assert len(board.flags(open_only=True)) == 2
    board.update("journey", journey, {"status": "CONFIRMED"}, status="CANCELLED")
    flags = board.flags()
    assert len(flags) == 2
    for flag in flags:
        _resolved_by_server(flag, "was cancelled")


def test_a_flag_a_dispatcher_resolved_is_not_raised_again(board: Board) -> None:  # noqa: F811
    journey = board.journey(DAY, local(9), estimated_hours=Decimal(4))
    board.crew(journey, "lee", "LEAD")
    board.confirm(journey)
    [flag] = board.flags("CREW_TOO_SMALL")
    board.update(
        "schedule_conflict",
        flag.id,
        {"resolved_at": None, "resolved_by": None},
        resolved_at=local(-1),
        resolved_by=board.world.users["dispatcher"],
    )
    board.update("journey", journey, {"notes": None}, notes="customer packs herself")
    flags = board.flags("CREW_TOO_SMALL")
    assert len(flags) == 1 and flags[0].resolved_by == board.world.users["dispatcher"]


def test_a_replayed_push_flags_nothing_new(board: Board) -> None:  # noqa: F811
    journey = board.journey(DAY, local(9), estimated_hours=Decimal(4))
    board.confirm(journey)
    p = board.pushers["dispatcher"]
    m = p.mutation(
        "journey_crew",
        "insert",
        uuid7(),
        changes={"journey_id": str(journey), "user_id": str(board.people["mo"])},
    )
    assert p.push(m).results[0].status == "applied"
    first = {f.id for f in board.flags()}
    assert len(first) == 2  # crew too small, no lead
    assert p.push(m).results[0].status == "applied"  # answered from its receipt
    assert {f.id for f in board.flags()} == first
