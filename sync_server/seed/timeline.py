"""The field timeline of one journey, as a crew lead's laptop records it.

Depot, origin, loading, the drive, unloading, an occasional break, the
customer's signature and completion: times follow the quoted hours and the
distance, and stop at "now" for a job still under way.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from shared_models.enums import JourneyEventType
from sync_server.seed.context import SeedContext

E = JourneyEventType
#: A 1x1 transparent PNG: the shape of a signature payload without its weight.
SIGNATURE_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
SIX = Decimal("0.000001")


@dataclass
class Timeline:
    events: list[dict[str, Any]]
    actual_start: dt.datetime | None
    actual_end: dt.datetime | None
    billable_hours: Decimal | None
    signed_at: dt.datetime | None


def quarter_hours(delta: dt.timedelta) -> Decimal:
    hours = Decimal(int(delta.total_seconds())) / 3600
    return (hours * 4).to_integral_value(rounding=ROUND_CEILING) / 4


def _point(rng: random.Random, lat: Decimal, lng: Decimal) -> tuple[Decimal, Decimal]:
    return (
        (lat + Decimal(rng.uniform(-0.08, 0.08))).quantize(SIX),
        (lng + Decimal(rng.uniform(-0.12, 0.12))).quantize(SIX),
    )


def build_timeline(
    ctx: SeedContext,
    rng: random.Random,
    *,
    journey_id: uuid.UUID,
    recorded_by: uuid.UUID,
    start: dt.datetime,
    hours: Decimal,
    distance_km: Decimal,
    lat: Decimal,
    lng: Decimal,
    signer: str,
    until: dt.datetime | None,
    minimum_hours: Decimal,
) -> Timeline:
    """Events from leaving the depot on; ``until`` cuts off a job still in progress."""
    work = float(hours) * rng.uniform(0.8, 1.25) * 60
    drive = max(15.0, float(min(distance_km, Decimal(400))) / 55 * 60)
    load, unload = work * 0.55, work * 0.45 - min(drive, work * 0.2)
    unload = max(unload, 30.0)
    origin, dest = _point(rng, lat, lng), _point(rng, lat, lng)
    plan: list[tuple[E, float, tuple[Decimal, Decimal] | None, str | None]] = [
        (E.DEPARTED_DEPOT, -35, (lat, lng), None),
        (E.ARRIVED_ORIGIN, rng.uniform(-10, 15), origin, None),
        (E.LOADING_STARTED, 10, origin, "Walkthrough done, floors protected"),
        (E.LOADING_FINISHED, load, origin, None),
        (E.DEPARTED_ORIGIN, 12, origin, None),
        (E.ARRIVED_DESTINATION, drive, dest, None),
        (E.UNLOADING_STARTED, 8, dest, None),
    ]
    breaks = work > 300
    if breaks:
        plan += [(E.BREAK_START, unload / 2, dest, None), (E.BREAK_END, 30, dest, None)]
        unload /= 2
    if rng.random() < 0.04:
        plan.append((E.DAMAGE, unload / 3, dest, "Scuff on dresser corner; customer notified"))
        plan.append((E.PHOTO, 2, dest, None))
    plan += [
        (E.UNLOADING_FINISHED, unload, dest, None),
        (E.SIGNATURE, 6, dest, None),
        (E.COMPLETED, 2, dest, None),
    ]
    events, at = [], start
    stamps: dict[E, dt.datetime] = {}
    for kind, minutes, point, note in plan:
        at = at + dt.timedelta(minutes=minutes)
        if until is not None and at > until:
            break
        stamps[kind] = at
        payload: dict[str, Any] = {}
        if kind == E.SIGNATURE:
            payload = {"png_base64": SIGNATURE_PNG, "signer_name": signer}
        elif kind == E.DAMAGE:
            payload = {
                "item": "Dresser",
                "description": note,
                "photo_ids": [],
                "customer_acknowledged": True,
            }
        elif kind == E.PHOTO:
            payload = {"photo_id": str(ctx.new_id(at)), "caption": "Damage close-up"}
        events.append(
            {
                "id": ctx.new_id(at),
                "created_at": at,
                "journey_id": journey_id,
                "event_type": kind,
                "occurred_at": at,
                "recorded_by": recorded_by,
                "device_id": None,
                "note": note,
                "payload": payload,
                "latitude": point[0] if point else None,
                "longitude": point[1] if point else None,
            }
        )
    begin, end = stamps.get(E.ARRIVED_ORIGIN), stamps.get(E.UNLOADING_FINISHED)
    billable = None
    if begin and end:
        paid = end - begin - (dt.timedelta(minutes=30) if breaks else dt.timedelta())
        billable = max(minimum_hours, quarter_hours(paid))
    return Timeline(events, begin, end, billable, stamps.get(E.SIGNATURE))
