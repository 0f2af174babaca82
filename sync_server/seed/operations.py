"""Journeys for converted quotes: crew, truck, field timeline, dispatch blocks, checks.

A job is only crewed by people of its own branch who are free that half-day
and not on leave, with a free truck of the same branch; when nobody is free
the job goes to a contract crew (no crew rows), as busy branches do.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shared_models.enums import (
    AssignmentStatus,
    CheckKind,
    CheckResult,
    CommunicationStatus,
    CommunicationType,
    CrewRole,
    JourneyStatus,
    QuoteStatus,
    ScheduleStatus,
    ScheduleType,
    UserRole,
)
from shared_models.models import (
    Communication,
    EquipmentAssignment,
    EquipmentCheck,
    Journey,
    JourneyCrew,
    JourneyEvent,
    Quote,
    Schedule,
)
from sync_server.seed.catalogue import PACKING_MATERIALS
from sync_server.seed.comms import message
from sync_server.seed.company import BRAND, Person, Site
from sync_server.seed.fleet import check_items
from sync_server.seed.quotes import SoldQuote
from sync_server.seed.staffing import schedule_block
from sync_server.seed.timeline import build_timeline
from sync_server.seed.world import SiteState, StockDraw, Truck, World

J = JourneyStatus
#: Dispatch-board window: schedule blocks and pre-trip checks exist around today.
BOARD_DAYS = (-14, 14)
CHECK_DAYS = 45
DRAW_DAYS = 60


@dataclass
class Job:
    """A journey finance may bill."""

    id: uuid.UUID
    number: str
    quote: SoldQuote
    status: JourneyStatus
    completed_at: dt.datetime | None
    billable_hours: Decimal | None


@dataclass
class Crew:
    lead: Person | None
    others: list[tuple[Person, CrewRole]]
    truck: Truck | None
    slot: int


def _assign(state: SiteState, day: dt.date, size: int, volume: Decimal, staffed: bool) -> Crew:
    site = state.site
    lead, slot = None, 0
    if staffed:
        leads = sorted(site.with_role(UserRole.CREW_LEAD), key=lambda p: state.load(p.id, day))
        for candidate in leads:
            free = [s for s in (0, 1) if state.free(candidate.id, day, s)]
            if free:
                lead, slot = candidate, free[0]
                break
    others: list[tuple[Person, CrewRole]] = []
    if lead:
        state.book(lead.id, day, slot)
        for person in site.with_role(UserRole.DRIVER, UserRole.CREW_MEMBER):
            if len(others) >= size - 1:
                break
            if state.free(person.id, day, slot):
                state.book(person.id, day, slot)
                role = CrewRole.DRIVER if person.role == UserRole.DRIVER else CrewRole.MOVER
                others.append((person, role))
    truck = None
    if staffed or lead:
        fits = sorted(state.trucks, key=lambda t: (t.capacity_cuft < volume, t.capacity_cuft))
        truck = next((t for t in fits if state.free(t.id, day, slot)), None)
        if truck:
            state.book(truck.id, day, slot)
    return Crew(lead, others, truck, slot)


def _status(day: dt.date, today: dt.date, slot: int, rng: random.Random) -> JourneyStatus:
    if day < today:
        return J.CANCELLED if rng.random() < 0.04 else J.COMPLETED
    if day == today:
        return J.IN_PROGRESS if slot == 0 else J.DISPATCHED
    return J.CONFIRMED if (day - today).days <= 7 else J.PLANNED


def seed_journeys(world: World, site: Site, sold: list[SoldQuote]) -> list[Job]:
    ctx, state = world.ctx, world.state(site)
    rng = ctx.rng("journeys", site.code, sold[0].number if sold else "-")
    today, now = ctx.today, world.site_now(site)
    dispatcher = world.dispatcher(site)
    minimum = Decimal(str(world.ref.rate_card["minimum_hours"]))
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("journey", "crew", "event", "block", "assign", "check", "sms")
    }
    quote_links: dict[uuid.UUID, dict[str, Any]] = {}
    jobs = []
    for quote in sold:
        if quote.status != QuoteStatus.CONVERTED:
            continue
        day = quote.move_date
        staffed = state.crewed and (day - today).days <= 7
        crew = _assign(state, day, quote.size.crew, quote.volume, staffed)
        status = _status(day, today, crew.slot, rng)
        if status in (J.IN_PROGRESS, J.DISPATCHED) and not crew.lead:
            status = J.CONFIRMED
        created = min(quote.accepted_at + dt.timedelta(minutes=rng.randint(10, 180)), now)
        journey_id = ctx.new_id(created)
        number = world.next_number("J", 7)
        start = ctx.local(day, 8 if crew.slot == 0 else 13, 0, site.tz)
        assigned_at = min(created + dt.timedelta(hours=2), now)
        completed_at: dt.datetime | None = None
        billable: Decimal | None = None
        actual: tuple[dt.datetime | None, dt.datetime | None] = (None, None)
        signed: dt.datetime | None = None
        updated = created
        if status in (J.COMPLETED, J.IN_PROGRESS) and crew.lead:
            tl = build_timeline(
                ctx,
                rng,
                journey_id=journey_id,
                recorded_by=crew.lead.id,
                start=start,
                hours=quote.hours,
                distance_km=quote.distance_km,
                lat=site.branch.lat,
                lng=site.branch.lng,
                signer=quote.customer.name,
                until=now if status == J.IN_PROGRESS else None,
                minimum_hours=minimum,
            )
            rows["event"] += tl.events
            actual, billable, signed = (
                (tl.actual_start, tl.actual_end),
                tl.billable_hours,
                tl.signed_at,
            )
            updated = tl.events[-1]["occurred_at"] if tl.events else created
            if status == J.COMPLETED:
                completed_at = updated
        elif status == J.COMPLETED:  # contract crew: times from their timesheet
            hours = max(
                minimum,
                (quote.hours * Decimal(str(round(rng.uniform(0.85, 1.2), 2)))).quantize(
                    Decimal("0.25")
                ),
            )
            began, ended = (
                start + dt.timedelta(minutes=20),
                start + dt.timedelta(minutes=20 + int(hours * 60)),
            )
            actual = (began, ended)
            billable, completed_at = hours, ended + dt.timedelta(minutes=10)
            signed, updated = completed_at, completed_at
        cancelled = status == J.CANCELLED
        if cancelled:
            updated = min(start - dt.timedelta(days=rng.randint(1, 3)), now)
            updated = max(updated, created)
        rows["journey"].append(
            {
                "id": journey_id,
                "created_at": created,
                "updated_at": updated,
                "location_id": site.id,
                "number": number,
                "customer_id": quote.customer.id,
                "quote_id": quote.id,
                "status": status,
                "scheduled_date": day,
                "scheduled_start": start,
                "estimated_hours": quote.hours,
                "crew_size_required": quote.size.crew,
                "truck_id": crew.truck.id if crew.truck else None,
                "truck_count": 1,
                "origin_line1": quote.origin.line1,
                "origin_line2": quote.origin.line2,
                "origin_city": quote.origin.city,
                "origin_province": quote.origin.province,
                "origin_postal_code": quote.origin.postal_code,
                "origin_site": quote.origin_site,
                "destination_line1": quote.destination.line1,
                "destination_line2": quote.destination.line2,
                "destination_city": quote.destination.city,
                "destination_province": quote.destination.province,
                "destination_postal_code": quote.destination.postal_code,
                "destination_site": quote.destination_site,
                "extra_stops": [],
                "volume_cuft": quote.volume,
                "weight_lb": quote.weight,
                "notes": None,
                "crew_instructions": _instructions(quote, crew),
                "dispatcher_id": dispatcher.id if (crew.lead or status != J.PLANNED) else None,
                "crew_lead_id": crew.lead.id if crew.lead else None,
                "actual_start": actual[0],
                "actual_end": actual[1],
                "billable_hours": billable,
                "completed_at": completed_at,
                "cancelled_at": updated if cancelled else None,
                "cancellation_reason": "Customer's closing date moved" if cancelled else None,
                "signer_name": quote.customer.name if signed else None,
                "signed_at": signed,
            }
        )
        quote_links[quote.id] = {"journey_id": journey_id, "updated_at": created}
        members = ([(crew.lead, CrewRole.LEAD)] if crew.lead else []) + crew.others
        for person, role in members:
            rows["crew"].append(
                {
                    "id": ctx.new_id(assigned_at),
                    "created_at": assigned_at,
                    "journey_id": journey_id,
                    "user_id": person.id,
                    "crew_role": role,
                }
            )
        _extras(world, site, rng, rows, quote, crew, status, journey_id, start, actual, dispatcher)
        jobs.append(Job(journey_id, number, quote, status, completed_at, billable))
    ctx.insert(Journey, rows["journey"])
    ctx.update(Quote, quote_links)
    ctx.insert(JourneyCrew, rows["crew"])
    ctx.insert(JourneyEvent, rows["event"])
    ctx.insert(Schedule, rows["block"])
    ctx.insert(EquipmentAssignment, rows["assign"])
    ctx.insert(EquipmentCheck, rows["check"])
    ctx.insert(Communication, rows["sms"])
    return jobs


def _instructions(quote: SoldQuote, crew: Crew) -> str:
    parts = []
    if quote.origin_site.get("elevator_booking"):
        parts.append("Elevator booked at origin; protect lobby and elevator walls.")
    if quote.origin_site.get("stairs_flights"):
        parts.append(f"{quote.origin_site['stairs_flights']} flight(s) of stairs at origin.")
    if any(line.code and line.code.startswith("PIANO") for line in quote.lines):
        parts.append("Piano: bring the piano board and 4 straps.")
    if crew.lead is None:
        parts.append("Contract crew; truck per dispatch.")
    return " ".join(parts) or "Standard local move."


def _extras(
    world: World,
    site: Site,
    rng: random.Random,
    rows: dict[str, list[dict[str, Any]]],
    quote: SoldQuote,
    crew: Crew,
    status: JourneyStatus,
    journey_id: uuid.UUID,
    start: dt.datetime,
    actual: tuple[dt.datetime | None, dt.datetime | None],
    dispatcher: Person,
) -> None:
    """Board blocks, truck booking, pre-trip check, stock drawn and the reminder text."""
    ctx, state = world.ctx, world.state(site)
    days = (quote.move_date - ctx.today).days
    now = world.site_now(site)
    end = actual[1] or start + dt.timedelta(hours=float(quote.hours) + 1)
    done = status == J.COMPLETED
    people = ([crew.lead] if crew.lead else []) + [p for p, _ in crew.others]
    if BOARD_DAYS[0] <= days <= BOARD_DAYS[1]:
        block_status = {
            J.COMPLETED: ScheduleStatus.COMPLETED,
            J.IN_PROGRESS: ScheduleStatus.IN_PROGRESS,
            J.CANCELLED: ScheduleStatus.CANCELLED,
        }.get(status, ScheduleStatus.SCHEDULED)
        title = f"{quote.size.label}: {quote.origin.city} to {quote.destination.city}"
        for person in people:
            rows["block"].append(
                schedule_block(
                    world,
                    site,
                    ScheduleType.JOURNEY,
                    title,
                    start,
                    end,
                    person.id,
                    dispatcher.id,
                    block_status,
                    journey_id=journey_id,
                )
            )
        if crew.truck:
            rows["block"].append(
                schedule_block(
                    world,
                    site,
                    ScheduleType.JOURNEY,
                    title,
                    start,
                    end,
                    None,
                    dispatcher.id,
                    block_status,
                    journey_id=journey_id,
                    equipment_id=crew.truck.id,
                )
            )
    driver = next((p for p, r in crew.others if r == CrewRole.DRIVER), crew.lead)
    if crew.truck:
        state_ = {
            J.COMPLETED: AssignmentStatus.COMPLETED,
            J.CANCELLED: AssignmentStatus.CANCELLED,
        }.get(status, AssignmentStatus.ACTIVE)
        booked = min(start - dt.timedelta(days=1), now)
        rows["assign"].append(
            {
                "id": ctx.new_id(booked),
                "created_at": booked,
                "equipment_id": crew.truck.id,
                "journey_id": journey_id,
                "assigned_to": driver.id if driver else None,
                "status": state_,
                "start_at": start - dt.timedelta(minutes=45),
                "end_at": end + dt.timedelta(minutes=45),
                "assigned_by": dispatcher.id,
                "notes": None,
            }
        )
        check_at = start - dt.timedelta(minutes=50)
        if (
            driver
            and -CHECK_DAYS <= days <= 0
            and status in (J.COMPLETED, J.IN_PROGRESS)
            and check_at <= now
        ):
            minor = "WIPERS" if rng.random() < 0.03 else None
            crew.truck.odometer_km += int(quote.distance_km) * 2 + 20
            rows["check"].append(
                {
                    "id": ctx.new_id(check_at),
                    "created_at": check_at,
                    "equipment_id": crew.truck.id,
                    "journey_id": journey_id,
                    "kind": CheckKind.PRE_TRIP,
                    "performed_by": driver.id,
                    "device_id": None,
                    "performed_at": check_at,
                    "odometer_km": crew.truck.odometer_km,
                    "engine_hours": None,
                    "items": check_items(rng, minor=minor),
                    "overall_result": CheckResult.PASS,
                    "defects_summary": "Wiper blades streaking; replace at next service"
                    if minor
                    else None,
                    "signature": "M 12 30 C 30 5, 60 5, 80 30",
                }
            )
    taker = crew.lead or dispatcher
    if -DRAW_DAYS <= days <= 0 and status in (J.COMPLETED, J.IN_PROGRESS):
        for line in quote.lines:
            if line.code in PACKING_MATERIALS:
                at = start - dt.timedelta(minutes=60)
                state.draws.append(StockDraw(line.code, -line.quantity, journey_id, at, taker.id))
                if (
                    done
                    and line.code.startswith("BOX")
                    and line.quantity >= 10
                    and rng.random() < 0.15
                ):
                    back = min(now, end + dt.timedelta(days=1))
                    state.draws.append(
                        StockDraw(
                            line.code,
                            (line.quantity / 5).to_integral_value(),
                            journey_id,
                            back,
                            taker.id,
                        )
                    )
    if -30 <= days <= 1 and status != J.CANCELLED and quote.customer.phone:
        sent = ctx.local(quote.move_date - dt.timedelta(days=1), 18, 0, site.tz)
        if sent <= now:
            french = quote.customer.language == "fr"
            rows["sms"].append(
                message(
                    ctx,
                    location_id=site.id,
                    kind=CommunicationType.SMS,
                    sent_at=sent,
                    status=CommunicationStatus.DELIVERED,
                    customer_id=quote.customer.id,
                    user_id=None,
                    to_address=quote.customer.phone,
                    from_address=site.phone,
                    subject=None,
                    body=(
                        f"{BRAND} : votre équipe arrive le {quote.move_date} entre {quote.arrival_window}."
                        if french
                        else f"{BRAND}: your crew arrives {quote.move_date} between {quote.arrival_window}."
                    ),
                    template_id=world.ref.templates[
                        "move_reminder_sms_fr" if french else "move_reminder_sms"
                    ],
                    journey_id=journey_id,
                )
            )
