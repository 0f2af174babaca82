"""Push-time double-booking flags use the shared journey windows (DESIGN 6.5)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared_models.models import ScheduleConflict
from tests.integration.sync_write.conftest import (  # noqa: F401  (fixtures)
    engine,
    new_id,
    pusher,
    world,
    write_db_url,
)


def _push_two_jobs(pusher, world, starts: tuple[str, str]) -> None:  # noqa: F811
    p = pusher("dispatcher")
    crew = world.users["crew"]
    muts = []
    for start in starts:
        j = new_id()
        muts.append(
            p.mutation(
                "journey",
                "insert",
                j,
                changes={
                    "location_id": str(world.hq),
                    "customer_id": str(world.customer),
                    "scheduled_date": "2026-07-01",
                    "scheduled_start": start,
                    "estimated_hours": "3",
                    "origin_line1": "1 Main St",
                    "origin_city": "Toronto",
                },
            )
        )
        muts.append(
            p.mutation(
                "journey_crew",
                "insert",
                new_id(),
                changes={"journey_id": str(j), "user_id": str(crew)},
            )
        )
    assert all(r.status == "applied" for r in p.push(*muts).results)


def test_same_day_back_to_back_jobs_are_not_a_double_booking(pusher, world, engine) -> None:  # noqa: F811
    _push_two_jobs(pusher, world, ("2026-07-01T12:00:00+00:00", "2026-07-01T15:00:00+00:00"))
    with Session(engine) as s:
        assert s.scalars(select(ScheduleConflict)).all() == []


def test_overlapping_jobs_are_flagged_once(pusher, world, engine) -> None:  # noqa: F811
    _push_two_jobs(pusher, world, ("2026-07-01T12:00:00+00:00", "2026-07-01T14:00:00+00:00"))
    with Session(engine) as s:
        flags = s.scalars(select(ScheduleConflict)).all()
        assert [(f.kind, f.user_id) for f in flags] == [
            ("DOUBLE_BOOKED_PERSON", world.users["crew"])
        ]
