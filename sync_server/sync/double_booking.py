"""Double bookings accepted from a push are flagged, never refused (DESIGN 6.5).

The SQL below only narrows candidates (same person or unit, nearby dates);
whether two bookings overlap is decided by the shared pure rules
(``shared_models.rules.scheduling``): half-open UTC intervals, and a journey
holds its crew and truck over ``journey_window`` (start + estimated hours, or
its whole local day when it has no start yet).

A pair is not flagged again while its flag is open, nor while a double
booking a dispatcher accepted (resolved by hand) still lasts. Once the server
sees an accepted pair apart (``double_booking_resolve`` sets
``pair_ended_at``), a later overlap of the same pair is a new double booking,
flagged anew. A journey flag names its other journey in ``other_journey_id``;
its note is for people ("Also booked on J-0000123, 09:00-13:00") and nothing
reads it back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from shared_models.enums import ConflictKind
from shared_models.rules.scheduling import Interval, journey_window
from shared_models.types import utcnow

if TYPE_CHECKING:
    from sync_server.sync.writer import SyncWriter

#: An accepted (hand-resolved) flag ``c`` whose double booking has not been seen to end.
_ACCEPTED = "c.resolved_by IS NOT NULL AND c.pair_ended_at IS NULL"


def _unflagged_journey_pair(kind: str, resource: str) -> str:
    """Journeys a, b on ``resource``: no open flag of either, no accepted one of the pair."""
    return f"""NOT EXISTS (SELECT 1 FROM schedule_conflict c WHERE c.tenant_id = a.tenant_id
      AND c.deleted_at IS NULL AND c.kind = '{kind}' AND {resource}
      AND ((c.resolved_at IS NULL AND c.journey_id IN (a.id, b.id))
        OR ({_ACCEPTED} AND (c.journey_id, c.other_journey_id) IN ((a.id, b.id), (b.id, a.id)))))"""


_SCHEDULE_PAIRS = text(f"""
SELECT a.id AS a, b.id AS b, a.location_id, a.start_at AS a_start, a.end_at AS a_end,
       b.start_at AS b_start, b.end_at AS b_end,
       CASE WHEN a.user_id IS NOT NULL AND a.user_id = b.user_id THEN a.user_id END AS user_id,
       CASE WHEN a.equipment_id IS NOT NULL AND a.equipment_id = b.equipment_id
            THEN a.equipment_id END AS equipment_id
FROM schedule a JOIN schedule b
  ON b.tenant_id = a.tenant_id AND b.id <> a.id AND b.deleted_at IS NULL
 AND b.status <> 'CANCELLED' AND b.start_at < a.end_at AND a.start_at < b.end_at
 AND (b.user_id = a.user_id OR b.equipment_id = a.equipment_id)
WHERE a.tenant_id = :t AND a.id = ANY(:ids) AND a.deleted_at IS NULL AND a.status <> 'CANCELLED'
  AND NOT EXISTS (SELECT 1 FROM schedule_conflict c WHERE c.tenant_id = a.tenant_id
      AND (c.resolved_at IS NULL OR ({_ACCEPTED})) AND c.deleted_at IS NULL
      AND ((c.schedule_id = a.id AND c.other_schedule_id = b.id)
        OR (c.schedule_id = b.id AND c.other_schedule_id = a.id)))
""")

_JOURNEY_TRUCKS = text(
    """
SELECT a.id AS journey_id, b.id AS other_id, a.location_id, a.truck_id AS equipment_id,
       a.scheduled_date AS a_date, a.scheduled_start AS a_start, a.estimated_hours AS a_hours,
       la.timezone AS a_tz, b.scheduled_date AS b_date, b.scheduled_start AS b_start,
       b.estimated_hours AS b_hours, lb.timezone AS b_tz, b.number AS b_number,
       NULL::uuid AS user_id
FROM journey a JOIN journey b
  ON b.tenant_id = a.tenant_id AND b.id <> a.id AND b.truck_id = a.truck_id
 AND b.scheduled_date BETWEEN a.scheduled_date - 1 AND a.scheduled_date + 1
 AND b.deleted_at IS NULL AND b.status <> 'CANCELLED'
JOIN location la ON la.id = a.location_id JOIN location lb ON lb.id = b.location_id
WHERE a.tenant_id = :t AND a.id = ANY(:ids) AND a.deleted_at IS NULL AND a.status <> 'CANCELLED'
  AND """
    + _unflagged_journey_pair("DOUBLE_BOOKED_EQUIPMENT", "c.equipment_id = a.truck_id")
)

_JOURNEY_CREW = text(
    """
SELECT a.id AS journey_id, b.id AS other_id, a.location_id, NULL::uuid AS equipment_id,
       a.scheduled_date AS a_date, a.scheduled_start AS a_start, a.estimated_hours AS a_hours,
       la.timezone AS a_tz, b.scheduled_date AS b_date, b.scheduled_start AS b_start,
       b.estimated_hours AS b_hours, lb.timezone AS b_tz, b.number AS b_number,
       ca.user_id
FROM journey a
JOIN journey_crew ca ON ca.journey_id = a.id AND ca.deleted_at IS NULL
JOIN journey_crew cb ON cb.user_id = ca.user_id AND cb.journey_id <> a.id AND cb.deleted_at IS NULL
JOIN journey b ON b.id = cb.journey_id
 AND b.scheduled_date BETWEEN a.scheduled_date - 1 AND a.scheduled_date + 1
 AND b.deleted_at IS NULL AND b.status <> 'CANCELLED'
JOIN location la ON la.id = a.location_id JOIN location lb ON lb.id = b.location_id
WHERE a.tenant_id = :t AND a.id = ANY(:ids) AND a.deleted_at IS NULL AND a.status <> 'CANCELLED'
  AND """
    + _unflagged_journey_pair("DOUBLE_BOOKED_PERSON", "c.user_id = ca.user_id")
)


def flag_double_bookings(
    writer: SyncWriter,
    touched: Mapping[str, AbstractSet[uuid.UUID]],
    rows: Mapping[tuple[str, uuid.UUID], Mapping[str, Any]],
) -> int:
    """Insert a ScheduleConflict per new double booking among the touched rows; returns how many."""
    session, tenant = writer.session, writer.actor.tenant_id
    flagged = 0
    seen: set[frozenset[Any]] = set()
    schedules = list(touched.get("schedule", ()))
    if schedules:
        for r in session.execute(_SCHEDULE_PAIRS, {"t": tenant, "ids": schedules}).mappings():
            if not Interval(r["a_start"], r["a_end"]).overlaps(Interval(r["b_start"], r["b_end"])):
                continue
            key = frozenset((r["a"], r["b"], r["user_id"], r["equipment_id"]))
            if key in seen:
                continue
            seen.add(key)
            kind = (
                ConflictKind.DOUBLE_BOOKED_PERSON
                if r["user_id"]
                else ConflictKind.DOUBLE_BOOKED_EQUIPMENT
            )
            _flag(
                writer,
                kind,
                r["location_id"],
                schedule_id=r["a"],
                other_schedule_id=r["b"],
                user_id=r["user_id"],
                equipment_id=r["equipment_id"],
            )
            flagged += 1
    journeys = set(touched.get("journey", ()))
    journeys |= {
        rows[("journey_crew", i)]["journey_id"]
        for i in touched.get("journey_crew", ())
        if ("journey_crew", i) in rows
    }
    if journeys:
        for query, kind in (
            (_JOURNEY_TRUCKS, ConflictKind.DOUBLE_BOOKED_EQUIPMENT),
            (_JOURNEY_CREW, ConflictKind.DOUBLE_BOOKED_PERSON),
        ):
            for r in session.execute(query, {"t": tenant, "ids": list(journeys)}).mappings():
                if not _journeys_overlap(r):
                    continue
                key = frozenset(
                    (kind, r["journey_id"], r["other_id"], r["user_id"], r["equipment_id"])
                )
                if key in seen:
                    continue
                seen.add(key)
                _flag(
                    writer,
                    kind,
                    r["location_id"],
                    journey_id=r["journey_id"],
                    user_id=r["user_id"],
                    equipment_id=r["equipment_id"],
                    other_journey_id=r["other_id"],
                    note=_also_booked(r),
                )
                flagged += 1
    return flagged


def _journeys_overlap(r: Mapping[str, Any]) -> bool:
    """The shared rule: each journey's window in its own location's zone, half-open overlap."""
    a = journey_window(r["a_date"], r["a_start"], r["a_hours"], r["a_tz"])
    b = journey_window(r["b_date"], r["b_start"], r["b_hours"], r["b_tz"])
    return a.overlaps(b)


def _also_booked(r: Mapping[str, Any]) -> str:
    """The other job as its people know it: "Also booked on J-0000123, 09:00-13:00".

    The time is the other job's window in its own location's zone; its day is
    named when it differs from the flagged job's, and a job with no start yet
    is "all day".
    """
    number = r["b_number"] or f"job {str(r['other_id'])[:8]}"
    day = f"{r['b_date']:%a %b} {r['b_date'].day} " if r["b_date"] != r["a_date"] else ""
    if r["b_start"] is None:
        return f"Also booked on {number}, {day}all day (no start time yet)"
    window = journey_window(r["b_date"], r["b_start"], r["b_hours"], r["b_tz"])
    return f"Also booked on {number}, {day}{window.label(r['b_tz'])}"


def _flag(writer: SyncWriter, kind: ConflictKind, location_id: uuid.UUID, **values: Any) -> None:
    writer.insert(
        "schedule_conflict",
        {"kind": kind, "location_id": location_id, "detected_at": utcnow(), **values},
    )
