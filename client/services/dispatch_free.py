"""Who is free for a journey: what the assign dialog shows beside each person and truck.

Pure over a loaded ``Board``: other journeys' blocks, time off, schedule blocks,
working hours and service state, all in the journey's window.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from client.services.dispatch import PERSON, Board
from client.services.dispatch_facts import Person
from shared_models.rules.scheduling import DriverInfo, Interval, may_drive


@dataclass(frozen=True)
class Candidate:
    kind: str
    id: uuid.UUID
    name: str
    detail: str
    #: "Free", or why not ("Busy on J-1042 08:00-12:00", "Time off: vacation").
    status: str
    free: bool
    can_lead: bool = False
    licensed: bool = False


def candidates(board: Board, journey_id: uuid.UUID) -> tuple[list[Candidate], list[Candidate]]:
    """(people, trucks) for the journey, free ones first, then by name."""
    card = board.journeys[journey_id]
    window = card.interval
    people = [
        _candidate(board, row.kind, row.id, row.name, row.detail, journey_id, window)
        for row in board.people
    ]
    trucks = [
        _candidate(board, row.kind, row.id, row.name, row.detail, journey_id, window)
        for row in board.trucks
    ]
    key = lambda c: (not c.free, c.name.lower())
    return sorted(people, key=key), sorted(trucks, key=key)


def _candidate(
    board: Board,
    kind: str,
    rid: uuid.UUID,
    name: str,
    detail: str,
    journey_id: uuid.UUID,
    window: Interval,
) -> Candidate:
    reasons = _busy(board, kind, rid, journey_id, window)
    if kind == PERSON:
        person = board.persons[rid]
        working = board.working.get((rid, board.journeys[journey_id].row.day))
        if working is not None and window.minutes_outside(working) > 0:
            reasons.append("Outside working hours")
        licensed = person.has_drivers_license
        return Candidate(
            kind, rid, name, detail, _status(reasons), not reasons, person.can_lead, licensed
        )
    truck = board.truck_info[rid]
    if truck.requires_license_class:
        crew = board.journeys[journey_id].row.crew
        drivers = [board.persons[u] for u in crew if u in board.persons]
        info = [_driver(p) for p in drivers]
        if crew and not any(may_drive(d, truck) for d in info):
            reasons.append(f"Nobody on the crew holds class {truck.requires_license_class}")
    return Candidate(kind, rid, name, detail, _status(reasons), not reasons)


def _driver(p: Person) -> DriverInfo:
    return DriverInfo(p.id, p.name, p.has_drivers_license, p.license_class, p.can_lead)


def _busy(
    board: Board, kind: str, rid: uuid.UUID, journey_id: uuid.UUID, window: Interval
) -> list[str]:
    reasons: list[str] = []
    for block in board.blocks:
        if (
            block.kind == kind
            and block.resource_id == rid
            and block.journey_id != journey_id
            and block.interval.overlaps(window)
        ):
            other = board.journeys[block.journey_id].row.label
            reasons.append(f"Busy on {other} {block.interval.label(board.tz)}")
    for shade in board.shades:
        if shade.kind == kind and shade.resource_id == rid and shade.interval.overlaps(window):
            reasons.append(shade.text if shade.blocking else f"Booked: {shade.text}")
    return reasons


def _status(reasons: list[str]) -> str:
    return "; ".join(dict.fromkeys(reasons)) if reasons else "Free"
