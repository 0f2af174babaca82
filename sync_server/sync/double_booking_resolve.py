"""Double-booking flags kept true at push time (DESIGN 6.5), like ``schedule_rules``.

After a batch, each double-booking flag it may have affected is judged again:
those of the touched journeys (directly or through their crew rows) and
blocks, and those naming a touched journey or block as the *other* side
(``other_journey_id``, ``other_schedule_id``). Only columns are read: a
dispatcher may rewrite a flag's note entirely.
A pair is still double-booked when both bookings are live and not cancelled,
both still hold the flag's person or unit, and their windows overlap by the
shared rules (``Interval.overlaps``, ``journey_window``).

- An open flag whose pair is apart is resolved by the server (``resolved_by``
  NULL) with a note saying why; one still double-booked stays open.
- A flag a dispatcher resolved stays resolved (they accepted the double
  booking); once its pair is apart the server sets ``pair_ended_at`` (and
  adds the why to its note), so a later overlap of the same pair is flagged
  anew.
- The journeys and blocks of a flag that ended are passed to
  ``flag_double_bookings`` again: a third booking the ended flag hid (flags
  are not repeated per journey and resource) gets its own flag.

Every write goes through the batch's ``SyncWriter``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from shared_models.enums import ConflictKind
from shared_models.rules.scheduling import Interval, journey_window, zone
from shared_models.types import utcnow
from sync_server.sync.double_booking import flag_double_bookings

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter

__all__ = ["DoubleBookingsJudged", "resolve_double_bookings"]

#: Open flags, and accepted ones whose double booking has not been seen to end, that
#: concern the touched journeys or blocks on either side.
_CANDIDATES = text("""
SELECT c.* FROM schedule_conflict c
WHERE c.tenant_id = :t AND c.deleted_at IS NULL
  AND c.kind IN ('DOUBLE_BOOKED_PERSON', 'DOUBLE_BOOKED_EQUIPMENT')
  AND (c.resolved_at IS NULL OR (c.resolved_by IS NOT NULL AND c.pair_ended_at IS NULL))
  AND (c.journey_id = ANY(:j) OR c.other_journey_id = ANY(:j)
    OR c.schedule_id = ANY(:s) OR c.other_schedule_id = ANY(:s))
ORDER BY c.detected_at, c.id
""")


_JOURNEYS = text("""
SELECT j.id, j.number, j.status, j.deleted_at, j.scheduled_date, j.scheduled_start,
       j.estimated_hours, j.truck_id, l.timezone AS tz
FROM journey j JOIN location l ON l.id = j.location_id
WHERE j.tenant_id = :t AND j.id = ANY(:ids)
""")
_CREWS = text("""
SELECT journey_id, user_id FROM journey_crew
WHERE tenant_id = :t AND journey_id = ANY(:ids) AND deleted_at IS NULL
""")
_CREW_JOURNEYS = text("SELECT journey_id FROM journey_crew WHERE tenant_id = :t AND id = ANY(:ids)")
_BLOCKS = text("""
SELECT s.id, s.title, s.status, s.deleted_at, s.start_at, s.end_at, s.user_id, s.equipment_id,
       l.timezone AS tz
FROM schedule s JOIN location l ON l.id = s.location_id
WHERE s.tenant_id = :t AND s.id = ANY(:ids)
""")
_NAMES = text("""
SELECT id, full_name AS name FROM "user" WHERE tenant_id = :t AND id = ANY(:users)
UNION ALL SELECT id, unit_number FROM equipment WHERE tenant_id = :t AND id = ANY(:units)
""")
#: Live journeys near ``:day`` holding ``:r`` (truck or crew), for a note without its pair.
_HOLDERS = text("""
SELECT j.id, j.number, j.status, j.deleted_at, j.scheduled_date, j.scheduled_start,
       j.estimated_hours, j.truck_id, l.timezone AS tz
FROM journey j JOIN location l ON l.id = j.location_id
WHERE j.tenant_id = :t AND j.id <> :j AND j.deleted_at IS NULL AND j.status <> 'CANCELLED'
  AND j.scheduled_date BETWEEN CAST(:day AS date) - 1 AND CAST(:day AS date) + 1
  AND (j.truck_id = :r OR EXISTS (SELECT 1 FROM journey_crew c WHERE c.journey_id = j.id
       AND c.user_id = :r AND c.deleted_at IS NULL))
""")


@dataclass(frozen=True)
class _Journey:
    id: uuid.UUID
    label: str
    deleted: bool
    cancelled: bool
    truck_id: uuid.UUID | None
    when: tuple[dt.date, dt.datetime | None, Decimal | None, str]

    @classmethod
    def of(cls, r: Mapping[str, Any]) -> _Journey:
        label = f"journey {r['number'] or str(r['id'])[:8]}"
        when = (r["scheduled_date"], r["scheduled_start"], r["estimated_hours"], r["tz"])
        deleted = r["deleted_at"] is not None
        return cls(r["id"], label, deleted, r["status"] == "CANCELLED", r["truck_id"], when)

    @property
    def shown_time(self) -> str:
        day, start, _, tz = self.when
        return f"{start.astimezone(zone(tz)):%Y-%m-%d %H:%M}" if start else f"{day} (all day)"


@dataclass(frozen=True)
class _Block:
    id: uuid.UUID
    label: str
    deleted: bool
    cancelled: bool
    start: dt.datetime
    end: dt.datetime
    user_id: uuid.UUID | None
    equipment_id: uuid.UUID | None
    tz: str


@dataclass
class Facts:
    """The bookings and names the candidate flags point at, loaded in a few queries."""

    session: Session
    tenant: uuid.UUID
    journeys: dict[uuid.UUID, _Journey] = field(default_factory=dict)
    crews: dict[uuid.UUID, set[uuid.UUID]] = field(default_factory=dict)
    blocks: dict[uuid.UUID, _Block] = field(default_factory=dict)
    people: dict[uuid.UUID, str] = field(default_factory=dict)
    units: dict[uuid.UUID, str] = field(default_factory=dict)

    def holders(self, journey_id: uuid.UUID, resource: uuid.UUID) -> Iterable[_Journey]:
        day = self.journeys[journey_id].when[0]
        params = {"t": self.tenant, "j": journey_id, "day": day, "r": resource}
        return [_Journey.of(r) for r in self.session.execute(_HOLDERS, params).mappings()]


def load_facts(session: Session, tenant: uuid.UUID, flags: list[dict[str, Any]]) -> Facts:
    facts = Facts(session, tenant)
    journeys = _ids(flags, "journey_id", "other_journey_id")
    for r in session.execute(_JOURNEYS, {"t": tenant, "ids": journeys}).mappings():
        facts.journeys[r["id"]] = _Journey.of(r)
    for r in session.execute(_CREWS, {"t": tenant, "ids": journeys}).mappings():
        facts.crews.setdefault(r["journey_id"], set()).add(r["user_id"])
    blocks = _ids(flags, "schedule_id", "other_schedule_id")
    for r in session.execute(_BLOCKS, {"t": tenant, "ids": blocks}).mappings():
        facts.blocks[r["id"]] = _Block(
            r["id"],
            f"block '{r['title']}'",
            r["deleted_at"] is not None,
            r["status"] == "CANCELLED",
            r["start_at"],
            r["end_at"],
            r["user_id"],
            r["equipment_id"],
            r["tz"],
        )
    users, units = _ids(flags, "user_id"), _ids(flags, "equipment_id")
    for r in session.execute(_NAMES, {"t": tenant, "users": users, "units": units}).mappings():
        if r["id"] in users:
            facts.people[r["id"]] = r["name"]
        else:
            facts.units[r["id"]] = r["name"]
    return facts


def _ids(flags: list[dict[str, Any]], *columns: str) -> list[uuid.UUID]:
    return list({f[c] for f in flags for c in columns if f[c] is not None})


@dataclass
class DoubleBookingsJudged:
    """What one call changed (for tests and logs)."""

    resolved: list[uuid.UUID] = field(default_factory=list)
    ended: list[uuid.UUID] = field(default_factory=list)


def resolve_double_bookings(
    writer: SyncWriter,
    touched: Mapping[str, AbstractSet[uuid.UUID]],
    rows: Mapping[tuple[str, uuid.UUID], Mapping[str, Any] | None],
) -> DoubleBookingsJudged:
    """Resolve the open double-booking flags of ``touched`` whose pair is apart."""
    done = DoubleBookingsJudged()
    session, tenant = writer.session, writer.actor.tenant_id
    journeys = set(touched.get("journey", ()))
    unknown = []  # crew rows a careful rerun dropped from ``rows``: read their journey
    for crew_id in touched.get("journey_crew", ()):
        crew = rows.get(("journey_crew", crew_id))
        if crew is None:
            unknown.append(crew_id)
        else:
            journeys.add(crew["journey_id"])
    schedules = set(touched.get("schedule", ()))
    if not journeys and not schedules and not unknown:
        return done
    writer.flush()
    if unknown:
        journeys.update(session.scalars(_CREW_JOURNEYS, {"t": tenant, "ids": unknown}))
    params = {"t": tenant, "j": list(journeys), "s": list(schedules)}
    flags = [dict(r) for r in session.execute(_CANDIDATES, params).mappings()]
    if not flags:
        return done
    facts = load_facts(session, tenant, flags)
    now = utcnow()
    again: dict[str, set[uuid.UUID]] = {"journey": set(), "schedule": set()}
    for flag in flags:
        if flag["journey_id"] is not None:
            why = _journey_pair_apart(facts, flag, journeys)
        else:
            why = _block_pair_apart(facts, flag, schedules)
        if why is None:
            continue
        note = flag["note"]
        if flag["resolved_at"] is None:
            line = f"Resolved automatically: no longer double-booked: {why}"
            changes = {"resolved_at": now, "note": f"{note}\n{line}" if note else line}
            done.resolved.append(flag["id"])
        else:
            line = f"Double booking over: {why}"
            changes = {"pair_ended_at": now, "note": f"{note}\n{line}" if note else line}
            done.ended.append(flag["id"])
        writer.update("schedule_conflict", flag["id"], changes, before=flag)
        for subject in (flag["journey_id"], flag["other_journey_id"]):
            if subject is not None:
                again["journey"].add(subject)
        for subject in (flag["schedule_id"], flag["other_schedule_id"]):
            if subject is not None:
                again["schedule"].add(subject)
    if done.resolved or done.ended:
        flag_double_bookings(writer, again, {})
    return done


@dataclass(frozen=True)
class _Resource:
    """The contested person or unit of a flag, and its name for a note."""

    id: uuid.UUID
    person: bool
    name: str

    @classmethod
    def of(cls, facts: Facts, flag: Mapping[str, Any]) -> _Resource:
        if flag["kind"] == ConflictKind.DOUBLE_BOOKED_PERSON:
            return cls(flag["user_id"], True, facts.people.get(flag["user_id"], "the person"))
        unit = facts.units.get(flag["equipment_id"])
        return cls(flag["equipment_id"], False, f"unit {unit}" if unit else "the unit")


def _journey_pair_apart(
    facts: Facts, flag: Mapping[str, Any], moved: AbstractSet[uuid.UUID]
) -> str | None:
    """Why journey ``flag`` and its other journey are no longer double-booked, or None."""
    resource = _Resource.of(facts, flag)
    pair = [flag["journey_id"], flag["other_journey_id"]]
    if pair[1] is None:  # a flag from before 0012 whose note named no journey we know
        return _journey_alone(facts, flag["journey_id"], resource)
    for journey_id in pair:
        if why := _journey_gone(facts, journey_id, resource):
            return why
    a, b = (facts.journeys[j] for j in pair)
    if journey_window(*a.when).overlaps(journey_window(*b.when)):
        return None
    # Name the side this batch changed (the other one first: it is the less obvious).
    for j in (b, a):
        if j.id in moved:
            return f"{j.label} moved to {j.shown_time}"
    return f"{a.label} and {b.label} no longer overlap"


def _journey_gone(facts: Facts, journey_id: uuid.UUID, resource: _Resource) -> str:
    """Why this journey no longer holds ``resource`` at all ('' if it still does)."""
    j = facts.journeys.get(journey_id)
    if j is None or j.deleted:
        return f"{j.label if j else 'a journey'} was deleted"
    if j.cancelled:
        return f"{j.label} was cancelled"
    crew = facts.crews.get(journey_id, set())
    if not (resource.id in crew if resource.person else resource.id == j.truck_id):
        return f"{resource.name} is no longer booked on {j.label}"
    return ""


def _journey_alone(facts: Facts, journey_id: uuid.UUID, resource: _Resource) -> str | None:
    if why := _journey_gone(facts, journey_id, resource):
        return why
    window = journey_window(*facts.journeys[journey_id].when)
    for other in facts.holders(journey_id, resource.id):
        if window.overlaps(journey_window(*other.when)):
            return None
    return f"no other journey holds {resource.name} at that time"


def _block_pair_apart(
    facts: Facts, flag: Mapping[str, Any], moved: AbstractSet[uuid.UUID]
) -> str | None:
    """Why block ``flag`` and its other block are no longer double-booked, or None."""
    resource = _Resource.of(facts, flag)
    pair = [i for i in (flag["schedule_id"], flag["other_schedule_id"]) if i is not None]
    for block_id in pair:
        s = facts.blocks.get(block_id)
        if s is None or s.deleted:
            return f"{s.label if s else 'a schedule block'} was deleted"
        if s.cancelled:
            return f"{s.label} was cancelled"
        if resource.id != (s.user_id if resource.person else s.equipment_id):
            return f"{resource.name} is no longer booked on {s.label}"
    if len(pair) < 2:
        return None
    a, b = (facts.blocks[i] for i in pair)
    if Interval(a.start, a.end).overlaps(Interval(b.start, b.end)):
        return None
    for s in (b, a):
        if s.id in moved:
            return f"{s.label} moved to {s.start.astimezone(zone(s.tz)):%Y-%m-%d %H:%M}"
    return f"{a.label} and {b.label} no longer overlap"
