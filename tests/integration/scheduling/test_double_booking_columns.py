"""A journey double-booking flag keeps what it is about in columns, its note for people.

``other_journey_id`` and ``pair_ended_at`` are the server's (DESIGN 6.2): a
pushed edit of either is answered ``server_owned`` and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from shared_models.models import Journey, ScheduleConflict
from tests.integration.scheduling.conftest import (  # noqa: F401  (fixtures)
    Board,
    board,
    engine,
    pusher,
    world,
    write_db_url,
)
from tests.integration.scheduling.test_double_booking_resolve import (
    DAY,
    PERSON,
    UNIT,
    _job,
    _mo_double_booked,
)

_UUID_CHARS = set("0123456789abcdef-")


def _number(board: Board, journey: uuid.UUID) -> str:  # noqa: F811
    with Session(board.engine) as s:
        number = s.get_one(Journey, journey).number
    assert number and number.startswith("J-")
    return number


def _has_uuid(text: str) -> bool:
    return any(len(w) == 36 and set(w) <= _UUID_CHARS for w in text.replace(",", " ").split())


def test_a_journey_double_booking_names_the_other_job_by_number_and_time(
    board: Board,  # noqa: F811
) -> None:
    flag, own, other = _mo_double_booked(board)
    assert (flag.journey_id, flag.other_journey_id) == (own, other)
    hours = {"09:00-13:00", "11:00-15:00"}
    [other_hours] = [h for h in hours if flag.note and h in flag.note]
    assert flag.note == f"Also booked on {_number(board, other)}, {other_hours}"
    assert not _has_uuid(flag.note) and flag.pair_ended_at is None


def test_the_note_names_the_other_day_or_a_job_without_a_start_time(
    board: Board,  # noqa: F811
) -> None:
    t14 = board.trucks["T-14"]
    late = _job(board, 22, truck_id=t14)  # 22:00 to 02:00 the next morning
    next_morning = _job(board, 1, DAY + dt.timedelta(days=1), truck_id=t14)
    [flag] = board.flags(UNIT)
    assert (flag.journey_id, flag.other_journey_id) == (next_morning, late)
    assert flag.note == f"Also booked on {_number(board, late)}, Wed Sep 16 22:00-02:00"
    t20 = board.trucks["T-20"]
    unscheduled = board.journey(DAY, None, truck_id=t20)
    _job(board, 9, truck_id=t20)
    [_, no_start] = board.flags(UNIT)
    assert no_start.other_journey_id == unscheduled
    assert (
        no_start.note
        == f"Also booked on {_number(board, unscheduled)}, all day (no start time yet)"
    )


def test_a_client_push_cannot_set_the_other_journey_or_the_end_of_the_pair(
    board: Board,  # noqa: F811
) -> None:
    flag, own, other = _mo_double_booked(board)
    third = _job(board, 18)
    now, note = dt.datetime.now(dt.UTC), flag.note
    for who in ("dispatcher", "admin"):
        p = board.pushers[who]
        response = p.push(
            p.mutation(
                "schedule_conflict",
                "update",
                flag.id,
                changes={
                    "other_journey_id": str(third),
                    "pair_ended_at": now.isoformat(),
                    "note": f"{who} was here",
                },
                base={"other_journey_id": str(other), "pair_ended_at": None, "note": note},
            )
        )
        [result] = response.results
        assert (result.status, result.reason) == ("conflict_resolved", "server_owned")
        assert "other_journey_id" in (result.message or "")
        assert "pair_ended_at" in (result.message or "")
        [after] = board.flags(PERSON)
        assert (after.other_journey_id, after.pair_ended_at) == (other, None)
        assert after.note == f"{who} was here"  # the rest of the edit applies
        note = after.note
    # The flag still judges its real pair: the other job shortened apart resolves it.
    board.update("journey", other, {"estimated_hours": Decimal(4)}, estimated_hours=Decimal(1))
    [after] = board.flags(PERSON)
    assert after.resolved_at is not None and after.resolved_by is None
    assert (after.journey_id, after.other_journey_id) == (own, other)


def test_a_client_insert_of_a_flag_cannot_claim_a_pair_either(
    board: Board,  # noqa: F811
) -> None:
    _flag, own, other = _mo_double_booked(board)
    now = dt.datetime.now(dt.UTC)
    flag_id = board.insert(
        "schedule_conflict",
        who="admin",
        kind="DOUBLE_BOOKED_PERSON",
        location_id=board.world.hq,
        journey_id=own,
        other_journey_id=other,
        pair_ended_at=now,
        detected_at=now,
        note="typed by hand",
    )
    with Session(board.engine) as s:
        stored = s.get_one(ScheduleConflict, flag_id)
    assert (stored.journey_id, stored.note) == (own, "typed by hand")
    assert (stored.other_journey_id, stored.pair_ended_at) == (None, None)


def test_an_accepted_flag_records_when_its_pair_came_apart_in_a_column(
    board: Board,  # noqa: F811
) -> None:
    flag, _own, other = _mo_double_booked(board)
    dispatcher = board.world.users["dispatcher"]
    board.update(
        "schedule_conflict",
        flag.id,
        {"resolved_at": None, "resolved_by": None, "note": flag.note},
        resolved_at=dt.datetime.now(dt.UTC),
        resolved_by=dispatcher,
        note="we know",  # the dispatcher's own words replace the detector's entirely
    )
    board.update("journey", other, {"estimated_hours": Decimal(4)}, estimated_hours=Decimal(1))
    [accepted] = board.flags(PERSON)
    assert accepted.pair_ended_at is not None and accepted.resolved_by == dispatcher
    assert accepted.note is not None and accepted.note.startswith("we know\nDouble booking over: ")
    with Session(board.engine) as s:  # a second change of the pair leaves the record alone
        before = s.get_one(ScheduleConflict, flag.id).version
    board.update("journey", other, {"notes": None}, notes="ring twice")
    [again] = board.flags(PERSON)
    assert (again.version, again.pair_ended_at) == (before, accepted.pair_ended_at)
