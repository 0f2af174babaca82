"""The dispatch board of a location and days, from the replica: rows, blocks, problems.

Rows are the branch's field people and trucks; each journey is a block on the
row of every person and truck assigned to it. Problems come from the shared
pure rules (``detect_conflicts``) run per local day, plus the flagged
``schedule_conflict`` rows the server recorded. Assign and unassign live in
``client.services.dispatch_ops``. No Qt here.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from client.replica.store import LocalStore
from client.services.conflicts import OpenConflict, flag_lines, list_open_conflicts
from client.services.dispatch_facts import (
    JourneyRow,
    Person,
    location_zone,
    read_journeys,
    read_people,
    read_schedules,
    read_shifts,
    read_time_off,
    read_trucks,
)
from client.sync.db import table_for
from shared_models.enums import CrewRole, ScheduleType
from shared_models.rules.invoice_workflow import zone_date
from shared_models.rules.scheduling import (
    Conflict,
    ConflictRule,
    CrewMember,
    DayData,
    Interval,
    JourneyPlan,
    PersonInfo,
    ScheduleBlock,
    TimeOff,
    TruckInfo,
    detect_conflicts,
    journey_window,
    local_day,
    out_of_service_reason,
    working_intervals,
)
from shared_models.types import utcnow

PERSON, TRUCK = "person", "truck"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@dataclass(frozen=True)
class Row:
    """One lane of the board: a person or a truck."""

    kind: str
    id: uuid.UUID
    name: str
    detail: str


@dataclass(frozen=True)
class Shade:
    """Time a row cannot be used (time off, out of service), or a non-journey block."""

    kind: str
    resource_id: uuid.UUID
    interval: Interval
    text: str
    blocking: bool = True


@dataclass(frozen=True)
class JourneyCard:
    row: JourneyRow
    interval: Interval
    problems: tuple[str, ...] = ()
    #: The problems beyond "still missing people or a lead" (which ``needs`` says).
    alerts: tuple[str, ...] = ()

    @property
    def id(self) -> uuid.UUID:
        return self.row.id

    def time_label(self, tz: str) -> str:
        return self.interval.label(tz) if self.row.start is not None else "time to be set"

    @property
    def needs(self) -> str:
        """What is still missing, in words ("" when fully assigned)."""
        j = self.row
        missing = []
        short = j.crew_size_required - len(j.crew)
        if short > 0:
            missing.append(f"{short} {'person' if short == 1 else 'people'}")
        if not any(r is CrewRole.LEAD for r in j.crew.values()):
            missing.append("a crew lead")
        trucks = j.truck_count - len(j.truck_ids)
        if trucks > 0:
            missing.append("a truck" if trucks == 1 else f"{trucks} trucks")
        return ", ".join(missing)


@dataclass(frozen=True)
class Block:
    """A journey on one row; ``problems`` make it red, each a sentence for the tooltip."""

    journey_id: uuid.UUID
    kind: str
    resource_id: uuid.UUID
    interval: Interval
    role: CrewRole | None
    problems: tuple[str, ...] = ()


@dataclass
class Board:
    location_id: uuid.UUID
    location_name: str
    tz: str
    days: tuple[dt.date, ...]
    #: Today's date at the branch (a laptop elsewhere may already be on another date).
    today: dt.date
    people: list[Row] = field(default_factory=list)
    trucks: list[Row] = field(default_factory=list)
    journeys: dict[uuid.UUID, JourneyCard] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    shades: list[Shade] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    recorded: list[OpenConflict] = field(default_factory=list)
    #: Facts kept for "who is free" in the assign dialog.
    persons: dict[uuid.UUID, Person] = field(default_factory=dict)
    truck_info: dict[uuid.UUID, TruckInfo] = field(default_factory=dict)
    working: dict[tuple[uuid.UUID, dt.date], tuple[Interval, ...] | None] = field(
        default_factory=dict
    )

    def row_problems(self, kind: str, resource_id: uuid.UUID) -> list[str]:
        """Why a row is marked on the board's days (a truck out of service)."""
        return [s.text for s in self.shades if s.kind == kind and s.resource_id == resource_id]

    def unassigned(self, day: dt.date | None = None) -> list[JourneyCard]:
        """Journeys still missing people, a lead or a truck, in start order."""
        cards = [c for c in self.journeys.values() if c.needs and (day is None or c.row.day == day)]
        return sorted(cards, key=lambda c: (c.interval.start, c.row.label))

    def blocks_of(self, journey_id: uuid.UUID) -> list[Block]:
        return [b for b in self.blocks if b.journey_id == journey_id]

    def readable(self, text: str, titles: dict[str, str] | None = None) -> str:
        """``text`` with ids swapped for names, unit numbers and journey numbers."""
        names = {str(k): v.name for k, v in self.persons.items()}
        names |= {str(k): v.unit_number for k, v in self.truck_info.items()}
        names |= {str(k): v.row.label for k, v in self.journeys.items()}
        names |= titles or {}

        def swap(match: re.Match[str]) -> str:
            return names.get(match.group(0), "a booking")

        for word in ("person ", "unit ", "schedule ", "journey "):
            text = re.sub(rf"\b{word}(?={_UUID.pattern})", "", text)
        text = _UUID.sub(swap, text)
        return text[:1].upper() + text[1:]

    def name_of(self, kind: str, resource_id: uuid.UUID) -> str:
        if kind == PERSON:
            person = self.persons.get(resource_id)
            return person.name if person else "Someone not on this device"
        truck = self.truck_info.get(resource_id)
        return truck.unit_number if truck else "A unit not on this device"


def load_board(store: LocalStore, location_id: uuid.UUID, first: dt.date, days: int = 1) -> Board:
    """The board of ``days`` local days from ``first`` at the location (blocking: off the UI)."""
    last = first + dt.timedelta(days=days - 1)
    with store.engine.connect() as conn:
        name, tz = location_zone(conn, location_id)
        window = Interval(local_day(first, tz).start, local_day(last, tz).end)
        journeys = read_journeys(conn, location_id, first, last)
        on_crews = {u for j in journeys for u in j.crew}
        people = read_people(conn, location_id, on_crews)
        trucks = read_trucks(
            conn, location_id, {t for j in journeys for t in j.truck_ids}, window.end
        )
        user_ids = [p.id for p in people]
        time_off = read_time_off(conn, user_ids, window)
        shifts = read_shifts(conn, user_ids)
        ids = user_ids + [t.id for t in trucks]
        own = {j.id for j in journeys}
        # A block tied to one of these journeys is the journey itself: its crew rows rule.
        schedules = [
            (s, t) for s, t in read_schedules(conn, ids, window) if s.journey_id not in own
        ]
    board = Board(
        location_id,
        name,
        tz,
        tuple(first + dt.timedelta(d) for d in range(days)),
        zone_date(tz, utcnow()),
    )
    board.persons = {p.id: p for p in people}
    board.truck_info = {t.id: t for t in trucks}
    board.people = [Row(PERSON, p.id, p.name, _person_detail(p)) for p in people]
    board.trucks = [Row(TRUCK, t.id, t.unit_number, _truck_detail(t)) for t in trucks]
    for j in journeys:
        interval = journey_window(j.day, j.start, j.hours, tz)
        board.journeys[j.id] = JourneyCard(j, interval)
    for day in board.days:
        _plan_day(board, day, shifts, time_off, schedules)
    board.recorded = [
        c
        for day in board.days
        for c in list_open_conflicts(store, location_id, day)
        if c.journey_id is None or c.journey_id in board.journeys
    ]
    board.recorded = list({c.id: c for c in board.recorded}.values())
    _attach_problems(board)
    return board


def _person_detail(p: Person) -> str:
    role = {"CREW_LEAD": "Crew lead", "CREW_MEMBER": "Mover", "DRIVER": "Driver"}.get(
        p.role.value, p.role.value.replace("_", " ").capitalize()
    )
    return f"{role} · licence {p.license_class}" if p.has_drivers_license else role


def _truck_detail(t: TruckInfo) -> str:
    parts = [f"{t.capacity_cuft:,.0f} cu ft" if t.capacity_cuft else "size unknown"]
    if t.requires_license_class:
        parts.append(f"class {t.requires_license_class}")
    return " · ".join(parts)


def _plan_day(
    board: Board,
    day: dt.date,
    shifts: list,  # type: ignore[type-arg]
    time_off: list[TimeOff],
    schedules: list[tuple[ScheduleBlock, str]],
) -> None:
    tz, whole = board.tz, local_day(day, board.tz)
    infos: dict[uuid.UUID, PersonInfo] = {}
    has_shifts = {s.user_id for s in shifts}
    for p in board.persons.values():
        working = working_intervals(shifts, p.id, day, tz) if p.id in has_shifts else None
        board.working[(p.id, day)] = working
        infos[p.id] = PersonInfo(
            p.id, p.name, p.has_drivers_license, p.license_class, p.can_lead, working=working
        )
    for t in board.truck_info.values():
        reason = out_of_service_reason(t, day)
        if reason:
            board.shades.append(
                Shade(TRUCK, t.id, whole, f"Out of service on {day:%a %b %d}: {reason}")
            )
    for off in time_off:
        if off.interval.overlaps(whole):
            state = "" if off.approved else " (requested)"
            text = f"Time off{state}: {off.type.value.lower()}"
            shade = Shade(PERSON, off.user_id, off.interval, text)
            if shade not in board.shades:
                board.shades.append(shade)
    todays = [s for s, _ in schedules if s.interval.overlaps(whole)]
    for s, title in schedules:
        if s.interval.overlaps(whole) and s.type is not ScheduleType.JOURNEY:
            for kind, rid in ((PERSON, s.user_id), (TRUCK, s.equipment_id)):
                shade = Shade(kind, rid, s.interval, title, blocking=False) if rid else None
                if shade is not None and shade not in board.shades:
                    board.shades.append(shade)
    plans = [
        JourneyPlan(
            c.id,
            c.row.label,
            c.interval,
            c.row.crew_size_required,
            tuple(CrewMember(u, r) for u, r in c.row.crew.items()),
            c.row.crew_lead_id,
            c.row.truck_ids,
            c.row.volume_cuft,
        )
        for c in board.journeys.values()
        if c.row.day == day
    ]
    data = DayData(day, tz, tuple(plans), tuple(todays), infos, board.truck_info, tuple(time_off))
    titles = {str(s.id): t for s, t in schedules}
    for conflict in detect_conflicts(data):
        board.conflicts.append(_readable(board, conflict, titles))


def _readable(board: Board, c: Conflict, titles: dict[str, str]) -> Conflict:
    """The rule's message with ids replaced by names, units and journey numbers."""
    text = board.readable(c.message, titles)
    return Conflict(**{**c.__dict__, "message": text})


def _attach_problems(board: Board) -> None:
    """Give each block the problems that concern it; journey-wide ones go on every block."""
    per_journey: dict[uuid.UUID, list[str]] = defaultdict(list)
    per_slot: dict[tuple[uuid.UUID, str, uuid.UUID], list[str]] = defaultdict(list)
    for c in board.conflicts:
        for journey_id in (c.journey_id, c.other_journey_id):
            if journey_id is None:
                continue
            if c.user_id is not None:
                per_slot[(journey_id, PERSON, c.user_id)].append(c.message)
            elif c.equipment_id is not None:
                per_slot[(journey_id, TRUCK, c.equipment_id)].append(c.message)
            else:
                per_journey[journey_id].append(c.message)
    for r in board.recorded:
        if r.journey_id is None:
            continue
        said = "; ".join(flag_lines(r)) or r.kind.replace("_", " ").lower()
        text = f"Flagged by the server: {said}"
        if r.user_id is not None:
            per_slot[(r.journey_id, PERSON, r.user_id)].append(text)
        elif r.equipment_id is not None:
            per_slot[(r.journey_id, TRUCK, r.equipment_id)].append(text)
        else:
            per_journey[r.journey_id].append(text)
    staffing = {
        c.message
        for c in board.conflicts
        if c.rule in (ConflictRule.CREW_TOO_SMALL, ConflictRule.CREW_LEAD_MISSING)
    }
    for jid, card in list(board.journeys.items()):
        own = per_journey.get(jid, [])
        everything = own + [m for (j, _, _), ms in per_slot.items() if j == jid for m in ms]
        problems = tuple(dict.fromkeys(everything))
        alerts = tuple(m for m in problems if m not in staffing)
        board.journeys[jid] = JourneyCard(card.row, card.interval, problems, alerts)
        for user_id, role in card.row.crew.items():
            problems = tuple(dict.fromkeys(per_slot.get((jid, PERSON, user_id), []) + own))
            board.blocks.append(Block(jid, PERSON, user_id, card.interval, role, problems))
        for truck_id in card.row.truck_ids:
            problems = tuple(dict.fromkeys(per_slot.get((jid, TRUCK, truck_id), []) + own))
            board.blocks.append(Block(jid, TRUCK, truck_id, card.interval, None, problems))


def branches(store: LocalStore) -> list[tuple[uuid.UUID, str]]:
    """The live locations of the replica, by name: what the board can show."""
    loc = table_for("location")
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(loc.c.id, loc.c.name).where(loc.c.deleted_at.is_(None)).order_by(loc.c.name)
        ).all()
    return [(r.id, str(r.name)) for r in rows]
