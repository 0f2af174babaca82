"""Every flagged conflict but double bookings, kept true at push time (DESIGN 6.5).

After a batch the journeys and schedule blocks it may have affected
(``schedule_scope``) are judged on their location-days (``schedule_day``) by
the shared rules (``flaggable_conflicts``): someone booked during time off or
outside their hours, a unit out of service, a crew too small or without a
lead, nobody licensed for the truck, trucks too small for the volume.

- A problem found and not flagged yet becomes an open ``schedule_conflict``.
- A problem already open is left alone; one a dispatcher resolved stays
  resolved (they accepted it; a new time off or a new unit is a new problem).
- An open flag of a judged subject whose problem is gone is resolved by the
  server (``resolved_by`` NULL) with a note saying why.

Every write goes through the batch's ``SyncWriter``, so flags are versioned
and reach the dispatchers' replicas like any other row.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from shared_models.rules.scheduling import Conflict, flaggable_conflicts, identity_of
from shared_models.types import utcnow
from sync_server.sync.schedule_day import Loaded, load_days
from sync_server.sync.schedule_scope import FLAGGED_KINDS, SC, TRIGGERS, affected
from sync_server.sync.schedule_why import why_resolved

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter

__all__ = ["ScheduleFlags", "react"]


@dataclass
class ScheduleFlags:
    """What one call changed (for tests and logs)."""

    flagged: list[uuid.UUID] = field(default_factory=list)
    resolved: list[uuid.UUID] = field(default_factory=list)


def react(writer: SyncWriter, touched: Mapping[str, AbstractSet[uuid.UUID]]) -> ScheduleFlags:
    """Flag new problems and resolve vanished ones among what ``touched`` affects."""
    done = ScheduleFlags()
    if not TRIGGERS & {t for t, ids in touched.items() if ids}:
        return done
    session, tenant = writer.session, writer.actor.tenant_id
    writer.flush()
    now = utcnow()
    subjects = affected(session, tenant, touched, now.date())
    if not subjects:
        return done
    stored = _stored(writer, subjects.journeys, subjects.schedules)
    loaded = load_days(session, tenant, subjects, named=stored)
    found: dict[Any, tuple[Conflict, uuid.UUID]] = {}
    for group in loaded.groups:
        for conflict in flaggable_conflicts(group.data):
            found.setdefault(conflict.identity(), (conflict, group.location_id))
    open_rows = {identity_of(r): r for r in stored if r["resolved_at"] is None}
    accepted = {identity_of(r) for r in stored if r["resolved_by"] is not None}
    for key, (conflict, location_id) in found.items():
        if key in open_rows or key in accepted:
            continue
        row = writer.insert(
            "schedule_conflict",
            {**conflict.to_row(), "location_id": location_id, "detected_at": now},
        )
        done.flagged.append(row["id"])
    for key, row in open_rows.items():
        if key in found:
            continue
        why = _why(loaded, row)
        if why is None:
            continue
        note = f"{row['note']}\nResolved automatically: {why}" if row["note"] else why
        writer.update(
            "schedule_conflict", row["id"], {"resolved_at": now, "note": note}, before=row
        )
        done.resolved.append(row["id"])
    return done


def _stored(
    writer: SyncWriter, journeys: AbstractSet[uuid.UUID], schedules: AbstractSet[uuid.UUID]
) -> list[dict[str, Any]]:
    """Live flags of our kinds on these subjects: open ones, and those a person resolved."""
    subject = []
    if journeys:
        subject.append(SC.c.journey_id.in_(list(journeys)))
    if schedules:
        subject.append(SC.c.schedule_id.in_(list(schedules)))
    rows = writer.session.execute(
        select(SC)
        .where(
            SC.c.tenant_id == writer.actor.tenant_id,
            SC.c.deleted_at.is_(None),
            SC.c.kind.in_(FLAGGED_KINDS),
            or_(SC.c.resolved_at.is_(None), SC.c.resolved_by.is_not(None)),
            or_(*subject),
        )
        .order_by(SC.c.detected_at, SC.c.id)
    ).mappings()
    return [dict(r) for r in rows]


def _why(loaded: Loaded, row: Mapping[str, Any]) -> str | None:
    """Why an open flag no longer holds; None when its subject was not judged this time."""
    subject = row["journey_id"] or row["schedule_id"]
    if subject in loaded.gone:
        return str(loaded.gone[subject])
    day = loaded.judged.get(subject)
    return None if day is None else why_resolved(day, subject, row)
