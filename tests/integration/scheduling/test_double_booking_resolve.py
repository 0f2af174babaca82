"""Double-booking flags resolve themselves once the double booking is gone (DESIGN 6.5).

Each test flags a real double booking through the push path, then pushes the
edit that takes it apart (or does not) and reads the flag back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.models import AuditLog, Journey, JourneyCrew, ScheduleConflict
from tests.integration.scheduling.conftest import (  # noqa: F401  (fixtures)
    Board,
    board,
    engine,
    pusher,
    world,
    write_db_url,
)

TORONTO = ZoneInfo("America/Toronto")
DAY = dt.date(2026, 9, 16)  # a Wednesday; double bookings do not depend on today
PERSON, UNIT = "DOUBLE_BOOKED_PERSON", "DOUBLE_BOOKED_EQUIPMENT"


def local(hour: float, day: dt.date = DAY) -> dt.datetime:
    return (dt.datetime.combine(day, dt.time(0), TORONTO) + dt.timedelta(hours=hour)).astimezone(
        dt.UTC
    )


def _job(board: Board, hour: float, day: dt.date = DAY, **extra: object) -> uuid.UUID:  # noqa: F811
    return board.journey(day, local(hour, day), estimated_hours=Decimal(4), **extra)


def _pair(flag: ScheduleConflict) -> tuple[uuid.UUID, uuid.UUID]:
    """The flag's journey and the other one, each in its own column."""
    assert flag.journey_id is not None and flag.other_journey_id is not None
    return flag.journey_id, flag.other_journey_id


def _resolved_by_server(flag: ScheduleConflict, because: str) -> None:
    assert flag.resolved_at is not None and flag.resolved_by is None, flag.note
    assert "Resolved automatically: no longer double-booked: " in (flag.note or "")
    assert because in (flag.note or ""), flag.note


def _mo_double_booked(board: Board) -> tuple[ScheduleConflict, uuid.UUID, uuid.UUID]:  # noqa: F811
    """Mo on a 9-13 and an 11-15 job: one open flag, its journey and the other one."""
    first, second = _job(board, 9), _job(board, 11)
    board.crew(first, "mo")
    board.crew(second, "mo")
    [flag] = board.flags(PERSON)
    assert flag.resolved_at is None and flag.user_id == board.people["mo"]
    own, other = _pair(flag)
    assert {own, other} == {first, second}
    return flag, own, other


def _a_day_later(board: Board, journey: uuid.UUID) -> tuple[dt.datetime, dt.date]:  # noqa: F811
    """Push the journey (on DAY) to the same hour of the next day: its old start, new day."""
    start, later = _start_of(board, journey), DAY + dt.timedelta(days=1)
    board.update(
        "journey",
        journey,
        {"scheduled_date": DAY, "scheduled_start": start},
        scheduled_date=later,
        scheduled_start=start + dt.timedelta(days=1),
    )
    return start, later


def test_moving_the_other_journey_to_another_day_resolves_the_flag(
    board: Board,  # noqa: F811
) -> None:
    flag, _own, other = _mo_double_booked(board)
    start, later = _a_day_later(board, other)
    [after] = board.flags(PERSON)
    assert after.id == flag.id and after.version > flag.version
    hour = f"{start.astimezone(TORONTO):%H:%M}"
    _resolved_by_server(after, f"no longer double-booked: {_label(board, other)}")
    assert f"moved to {later.isoformat()} {hour}" in after.note
    assert after.note.startswith(flag.note)  # the detector's note is kept
    with Session(board.engine) as s:  # audited like any write, so it reaches the replicas
        actions = s.scalars(
            select(AuditLog.action).where(
                AuditLog.table_name == "schedule_conflict", AuditLog.row_id == flag.id
            )
        ).all()
    assert sorted(actions) == ["insert", "update"]
    # Moved back: a new double booking, flagged anew; the resolved flag stays as it was.
    board.update(
        "journey",
        other,
        {"scheduled_date": later, "scheduled_start": start + dt.timedelta(days=1)},
        scheduled_date=DAY,
        scheduled_start=start,
    )
    old, new = board.flags(PERSON)
    assert (old.id, old.note, old.version) == (after.id, after.note, after.version)
    assert new.resolved_at is None and set(_pair(new)) == set(_pair(flag))


def test_swapping_the_truck_on_one_journey_resolves_the_truck_flag(board: Board) -> None:  # noqa: F811
    t14, t20 = board.trucks["T-14"], board.trucks["T-20"]
    _job(board, 8, truck_id=t14)
    _job(board, 10, truck_id=t14)
    [flag] = board.flags(UNIT)
    own, _other = _pair(flag)
    board.update("journey", own, {"truck_id": t14}, truck_id=t20)
    [after] = board.flags(UNIT)
    _resolved_by_server(after, "unit T-14 is no longer booked on journey")


def test_removing_the_crew_member_from_the_other_journey_resolves_the_flag(
    board: Board,  # noqa: F811
) -> None:
    _flag, _own, other = _mo_double_booked(board)
    with Session(board.engine) as s:
        crew_row = s.scalars(
            select(JourneyCrew.id).where(
                JourneyCrew.journey_id == other, JourneyCrew.user_id == board.people["mo"]
            )
        ).one()
    board.delete("journey_crew", crew_row)
    [after] = board.flags(PERSON)
    _resolved_by_server(after, "Mo is no longer booked on journey")


def test_cancelling_the_flagged_journey_resolves_the_flag(board: Board) -> None:  # noqa: F811
    _flag, own, _other = _mo_double_booked(board)
    board.update("journey", own, {"status": "PLANNED"}, status="CANCELLED")
    [after] = board.flags(PERSON)
    _resolved_by_server(after, f"{_label(board, own)} was cancelled")


def test_deleting_the_other_journey_resolves_the_flag(board: Board) -> None:  # noqa: F811
    _flag, _own, other = _mo_double_booked(board)
    board.delete("journey", other)
    [after] = board.flags(PERSON)
    _resolved_by_server(after, f"{_label(board, other)} was deleted")


def _blocks(board: Board, person: str = "gus") -> tuple[uuid.UUID, uuid.UUID]:  # noqa: F811
    ids = tuple(
        board.insert(
            "schedule",
            location_id=board.world.hq,
            type="TRAINING",
            title=title,
            start_at=local(start),
            end_at=local(start + 2),
            user_id=board.people[person],
        )
        for title, start in (("Forklift refresher", 13), ("First aid", 14))
    )
    [flag] = board.flags(PERSON)
    assert {flag.schedule_id, flag.other_schedule_id} == set(ids) and flag.resolved_at is None
    return ids  # type: ignore[return-value]


def test_cancelling_a_schedule_block_resolves_its_double_booking(board: Board) -> None:  # noqa: F811
    forklift, _aid = _blocks(board)
    board.update("schedule", forklift, {"status": "SCHEDULED"}, status="CANCELLED")
    [after] = board.flags(PERSON)
    _resolved_by_server(after, "block 'Forklift refresher' was cancelled")


def test_deleting_a_schedule_block_resolves_its_double_booking(board: Board) -> None:  # noqa: F811
    _forklift, aid = _blocks(board)
    board.delete("schedule", aid)
    [after] = board.flags(PERSON)
    _resolved_by_server(after, "block 'First aid' was deleted")


def test_moving_a_schedule_block_past_the_other_resolves_it(board: Board) -> None:  # noqa: F811
    _forklift, aid = _blocks(board)
    board.update(
        "schedule",
        aid,
        {"start_at": local(14), "end_at": local(16)},
        start_at=local(15),
        end_at=local(17),
    )
    [after] = board.flags(PERSON)
    _resolved_by_server(after, f"block 'First aid' moved to {DAY.isoformat()} 15:00")


def test_a_double_booking_that_still_overlaps_stays_open_and_is_not_duplicated(
    board: Board,  # noqa: F811
) -> None:
    flag, own, other = _mo_double_booked(board)
    board.update("journey", own, {"notes": None}, notes="ring twice")
    board.update("journey", other, {"notes": None}, notes="elevator booked")
    # Moved by an hour, still overlapping: the same double booking.
    start = _start_of(board, other)
    shifted = start + dt.timedelta(hours=1)
    board.update("journey", other, {"scheduled_start": start}, scheduled_start=shifted)
    [after] = board.flags(PERSON)
    assert after.id == flag.id and after.resolved_at is None and after.note == flag.note


def _label(board: Board, journey: uuid.UUID) -> str:  # noqa: F811
    with Session(board.engine) as s:
        number = s.get_one(Journey, journey).number
    assert number  # the server numbers every journey
    return f"journey {number}"


def _start_of(board: Board, journey: uuid.UUID) -> dt.datetime:  # noqa: F811
    with Session(board.engine) as s:
        start = s.get_one(Journey, journey).scheduled_start
    assert start is not None
    return start


def test_an_accepted_double_booking_stays_resolved_and_is_flagged_anew_once_it_ends_and_recurs(
    board: Board,  # noqa: F811
) -> None:
    flag, own, other = _mo_double_booked(board)
    dispatcher = board.world.users["dispatcher"]
    resolved_at = dt.datetime.now(dt.UTC)
    board.update(
        "schedule_conflict",
        flag.id,
        {"resolved_at": None, "resolved_by": None, "note": flag.note},
        resolved_at=resolved_at,
        resolved_by=dispatcher,
        note=f"{flag.note}\nResolved: Mo does both, the second one late",
    )
    # Accepted: an unrelated edit of either journey does not flag the pair again.
    board.update("journey", own, {"notes": None}, notes="ring twice")
    assert [f.id for f in board.flags(PERSON)] == [flag.id]
    # The pair comes apart: the accepted flag stays the dispatcher's, with the end noted.
    start = _start_of(board, other)
    later = DAY + dt.timedelta(days=2)
    board.update(
        "journey",
        other,
        {"scheduled_date": DAY, "scheduled_start": start},
        scheduled_date=later,
        scheduled_start=start + dt.timedelta(days=2),
    )
    [accepted] = board.flags(PERSON)
    assert (accepted.resolved_by, accepted.resolved_at) == (dispatcher, resolved_at)
    assert accepted.pair_ended_at is not None and accepted.pair_ended_at > resolved_at
    assert "Resolved: Mo does both, the second one late\nDouble booking over: " in accepted.note
    assert "moved to" in accepted.note
    # Moved back: a new double booking of the same pair, flagged anew.
    board.update(
        "journey",
        other,
        {"scheduled_date": later, "scheduled_start": start + dt.timedelta(days=2)},
        scheduled_date=DAY,
        scheduled_start=start,
    )
    old, new = board.flags(PERSON)
    assert old.id == flag.id and old.resolved_by == dispatcher
    assert new.resolved_at is None and set(_pair(new)) == {own, other}


def test_a_third_booking_hidden_by_a_resolved_flag_gets_its_own_flag(
    board: Board,  # noqa: F811
) -> None:
    first, second, third = _job(board, 9), _job(board, 10), _job(board, 11)
    for journey in (first, second, third):
        board.crew(journey, "mo")
    # One open flag per journey and person: second-third rides on the flags of the first.
    flags = board.flags(PERSON, open_only=True)
    assert sorted(sorted(map(str, _pair(f))) for f in flags) == sorted(
        [sorted(map(str, (first, second))), sorted(map(str, (first, third)))]
    )
    later = DAY + dt.timedelta(days=3)
    board.update(
        "journey",
        first,
        {"scheduled_date": DAY, "scheduled_start": local(9)},
        scheduled_date=later,
        scheduled_start=local(9, later),
    )
    [still] = board.flags(PERSON, open_only=True)
    assert set(_pair(still)) == {second, third}
    assert all(f.resolved_at is not None for f in board.flags(PERSON) if f.id != still.id)


def test_a_flag_whose_note_a_dispatcher_rewrote_entirely_still_resolves_when_its_pair_moves_apart(
    board: Board,  # noqa: F811
) -> None:
    flag, own, other = _mo_double_booked(board)
    for note in (f"also booked on journey {own}", "call Mo about this", ""):
        board.update("schedule_conflict", flag.id, {"note": flag.note}, note=note)
        board.update("journey", own, {"notes": None}, notes=note or "x")  # the push still applies
        [after] = board.flags(PERSON)
        assert after.resolved_at is None and after.note == note
        assert _pair(after) == (own, other)  # what the flag is about is not in its note
        flag = after
    _, later = _a_day_later(board, other)
    [after] = board.flags(PERSON)
    _resolved_by_server(after, f"{_label(board, other)} moved to {later.isoformat()}")
    assert after.note.startswith("Resolved automatically")  # the blank note, then the why


def test_a_flag_without_its_other_journey_is_judged_against_every_journey(
    board: Board,  # noqa: F811
) -> None:
    """A flag from before 0012 whose note named no journey the backfill could find."""
    flag, own, _other = _mo_double_booked(board)
    with board.writer("admin") as w:
        w.update("schedule_conflict", flag.id, {"other_journey_id": None, "note": "call Mo"})
    board.update("journey", own, {"notes": None}, notes="ring twice")
    [after] = board.flags(PERSON)
    assert after.resolved_at is None and after.other_journey_id is None  # still double-booked
    later = DAY + dt.timedelta(days=1)
    board.update(
        "journey",
        own,
        {"scheduled_date": DAY, "scheduled_start": _start_of(board, own)},
        scheduled_date=later,
        scheduled_start=_start_of(board, own) + dt.timedelta(days=1),
    )
    flags = board.flags(PERSON)
    assert [f.id for f in flags] == [flag.id]
    _resolved_by_server(flags[0], "no other journey holds Mo at that time")


def test_a_refused_mutation_in_the_same_push_does_not_keep_the_flag_open(
    board: Board,  # noqa: F811
) -> None:
    """The careful rerun (one savepoint per mutation) still resolves what the rest took apart."""
    _flag, _own, other = _mo_double_booked(board)
    with Session(board.engine) as s:
        crew_row = s.scalars(
            select(JourneyCrew.id).where(
                JourneyCrew.journey_id == other, JourneyCrew.user_id == board.people["mo"]
            )
        ).one()
    p = board.pushers["admin"]
    response = p.push(
        p.mutation("journey_crew", "delete", crew_row),
        # A CHECK only the database enforces: the whole batch reruns in careful mode.
        p.mutation(
            "quote", "update", board.world.quote, changes={"crew_size": 0}, base={"crew_size": None}
        ),
    )
    assert [r.status for r in response.results] == ["applied", "rejected"]
    assert response.results[1].reason == "constraint_violation"
    assert "ck_quote_crew_size_positive" in (response.results[1].message or "")
    [after] = board.flags(PERSON)
    _resolved_by_server(after, "Mo is no longer booked on journey")
