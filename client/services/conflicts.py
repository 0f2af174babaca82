"""Flagged schedule conflicts (DESIGN 6.5): list the open ones, resolve one, offline.

The server's detector writes ``schedule_conflict`` rows when a push double
books someone; a dispatcher resolves them here through the write service, so
the resolution syncs to every replica like any edit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select

from client.replica.store import LocalStore
from client.services.errors import InvalidWrite, RowNotFound
from client.services.writes import LocalWriteService
from client.sync.db import table_for
from shared_models.rules.scheduling import local_day


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
    return [_open(r) for r in rows]


def _open(r: Any) -> OpenConflict:
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
    )


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
