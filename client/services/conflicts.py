"""Flagged schedule conflicts (DESIGN 6.5): list the open ones, resolve one, offline.

The server's detector writes ``schedule_conflict`` rows when a push double
books someone; a dispatcher resolves them here through the write service, so
the resolution syncs to every replica like any edit. A journey double booking
names its other job in ``other_journey_id``: the board shows that job by its
number and current time from the replica (``flag_lines``), never by its id.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, or_, select

from client.replica.store import LocalStore
from client.services.errors import InvalidWrite, RowNotFound
from client.services.writes import LocalWriteService
from client.sync.db import table_for
from shared_models.rules.scheduling import journey_window, local_day


@dataclass(frozen=True)
class OpenConflict:
    id: uuid.UUID
    kind: str
    location_id: uuid.UUID
    journey_id: uuid.UUID | None
    schedule_id: uuid.UUID | None
    other_schedule_id: uuid.UUID | None
    user_id: uuid.UUID | None
    equipment_id: uuid.UUID | None
    detected_at: dt.datetime
    note: str | None
    other_journey_id: uuid.UUID | None = None
    #: The other job as the replica knows it ("J-0000123, 09:00-13:00"); None when this
    #: device does not hold it (another branch's job).
    other_journey: str | None = None
    #: Its number alone, when known (the server may not have numbered a new job yet).
    other_journey_number: str | None = None


def list_open_conflicts(
    store: LocalStore, location_id: uuid.UUID, day: dt.date | None = None
) -> list[OpenConflict]:
    """Unresolved conflicts of a location (of ``day``'s journeys and bookings when given)."""
    c = table_for("schedule_conflict")
    stmt = select(c).where(
        c.c.location_id == location_id, c.c.resolved_at.is_(None), c.c.deleted_at.is_(None)
    )
    if day is not None:
        j, s, loc = table_for("journey"), table_for("schedule"), table_for("location")
        with store.engine.connect() as conn:
            tz = conn.execute(select(loc.c.timezone).where(loc.c.id == location_id)).scalar()
        window = local_day(day, tz or "UTC")
        of_day_journey = select(j.c.id).where(j.c.scheduled_date == day)
        of_day_schedule = select(s.c.id).where(s.c.start_at < window.end, s.c.end_at > window.start)
        stmt = stmt.where(
            or_(c.c.journey_id.in_(of_day_journey), c.c.schedule_id.in_(of_day_schedule))
        )
    with store.engine.connect() as conn:
        rows = conn.execute(stmt.order_by(c.c.detected_at, c.c.id)).mappings().all()
        jobs = _jobs(conn, {i for r in rows for i in (r["journey_id"], r["other_journey_id"])})
    return [_open(r, jobs) for r in rows]


@dataclass(frozen=True)
class _Job:
    number: str | None
    day: dt.date
    when: str


def _jobs(conn: Connection, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, _Job]:
    """Number, day and local time of these journeys, those the replica holds."""
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    j, loc = table_for("journey"), table_for("location")
    stmt = select(
        j.c.id,
        j.c.number,
        j.c.scheduled_date,
        j.c.scheduled_start,
        j.c.estimated_hours,
        loc.c.timezone,
    ).join(loc, loc.c.id == j.c.location_id)
    rows = conn.execute(stmt.where(j.c.id.in_(wanted), j.c.deleted_at.is_(None)))
    return {r.id: _Job(r.number, r.scheduled_date, _when(r)) for r in rows}


def _when(r: Any) -> str:
    """The job's window in its location's zone, as the server's flag notes word it."""
    if r.scheduled_start is None:
        return "all day (no start time yet)"
    tz = r.timezone or "UTC"
    return journey_window(r.scheduled_date, r.scheduled_start, r.estimated_hours, tz).label(tz)


def _other_job(r: Any, jobs: dict[uuid.UUID, _Job]) -> str | None:
    other = jobs.get(r["other_journey_id"])
    if other is None:
        return None
    own = jobs.get(r["journey_id"])
    day = f"{other.day:%a %b} {other.day.day} " if own is None or own.day != other.day else ""
    return f"{other.number or 'a new job'}, {day}{other.when}"


def _open(r: Any, jobs: dict[uuid.UUID, _Job]) -> OpenConflict:
    other = jobs.get(r["other_journey_id"])
    return OpenConflict(
        id=r["id"],
        kind=str(r["kind"]),
        location_id=r["location_id"],
        journey_id=r["journey_id"],
        schedule_id=r["schedule_id"],
        other_schedule_id=r["other_schedule_id"],
        user_id=r["user_id"],
        equipment_id=r["equipment_id"],
        detected_at=r["detected_at"],
        note=r["note"],
        other_journey_id=r["other_journey_id"],
        other_journey=_other_job(r, jobs),
        other_journey_number=other.number if other else None,
    )


def flag_lines(conflict: OpenConflict) -> list[str]:
    """What the board says about a flag, line by line: the other job first, then the note.

    The other job is named from the replica by its number; a note that already
    names it (the server's own sentence) is not repeated, and a note written
    before the column existed has the job's id swapped for its number.
    """
    note = conflict.note or ""
    lines: list[str] = []
    other_id = conflict.other_journey_id
    if other_id is not None:
        number = conflict.other_journey_number
        shown = number or ("a new job" if conflict.other_journey else "a job at another branch")
        note = note.replace(f"journey {other_id}", shown).replace(str(other_id), shown)
        if number is None or number not in note:
            lines.append(f"Also booked on {conflict.other_journey or shown}")
    lines += [line.strip() for line in note.splitlines() if line.strip()]
    return lines


def resolve_conflict(writes: LocalWriteService, conflict_id: uuid.UUID, note: str) -> None:
    """Mark a conflict resolved by the signed-in user, now, with why (kept with the detector's note)."""
    note = note.strip()
    if not note:
        raise InvalidWrite("say how the conflict was resolved", field="note")
    with writes.batch() as batch:
        row = batch.read("schedule_conflict", conflict_id)
        if row is None or row.get("deleted_at") is not None:
            raise RowNotFound(f"no schedule conflict {conflict_id} in this replica")
        if row["resolved_at"] is not None:
            raise InvalidWrite("this conflict is already resolved")
        detected = row.get("note")
        batch.update(
            "schedule_conflict",
            conflict_id,
            {
                "resolved_at": dt.datetime.now(dt.UTC),
                "resolved_by": writes.user_id,
                "note": f"{detected}\nResolved: {note}" if detected else note,
            },
        )
