"""Each branch's trucks and gear, their service history, and the shops that do it.

Crewed branches run a mixed fleet of 16', 20' and 26' trucks; a few units are
off the road (a failed inspection, a breakdown) so dispatch sees real gaps.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal
from typing import Any

from shared_models.enums import (
    AssignmentStatus,
    CheckKind,
    CheckResult,
    EquipmentStatus,
    EquipmentType,
    MaintenanceStatus,
    MaintenanceType,
    UserRole,
)
from shared_models.models import (
    Equipment,
    EquipmentAssignment,
    EquipmentCheck,
    EquipmentMaintenance,
)
from sync_server.seed.branches import car_licence, truck_licence
from sync_server.seed.company import Site
from sync_server.seed.world import Truck, World

#: length -> (name, make, model, capacity cu ft, payload lb, needs a heavy licence)
TRUCKS = {
    16: ("16' cube van", "Ford", "E-450 Cutaway", 800, 4500, False),
    20: ("20' box truck", "Isuzu", "NPR-HD", 1000, 7000, False),
    26: ("26' moving truck", "International", "MV607", 1700, 10000, True),
}
HQ_FLEET = (26, 26, 26, 20, 20, 16, 16, 26, 20)
HUB_FLEET = (26, 20, 16)
CHECK_ITEMS = (
    ("BRAKES", "Service and parking brakes", True),
    ("LIGHTS", "Lamps and reflectors", True),
    ("TIRES", "Tires and wheels", True),
    ("STEERING", "Steering", True),
    ("MIRRORS", "Mirrors and windows", False),
    ("WIPERS", "Windshield wipers", False),
    ("HORN", "Horn", False),
    ("LEAKS", "Fluid leaks", True),
    ("CARGO", "Cargo securement: straps and E-track", True),
    ("EMERGENCY", "Emergency kit and extinguisher", False),
)
_VIN = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"


def check_items(
    rng: random.Random, fail: str | None = None, minor: str | None = None
) -> list[dict[str, Any]]:
    items = []
    for code, label, critical in CHECK_ITEMS:
        result = CheckResult.FAIL if code in (fail, minor) else CheckResult.PASS
        note = (
            {
                "BRAKES": "Brake pedal soft; air leak at rear chamber",
                "WIPERS": "Blades streaking",
                "MIRRORS": "Crack in passenger mirror",
            }.get(code)
            if result == CheckResult.FAIL
            else None
        )
        items.append(
            {
                "code": code,
                "label": label,
                "result": result.value,
                "safety_critical": critical,
                "note": note,
            }
        )
    return items


def seed_fleet(world: World, site: Site) -> None:
    ctx, state = world.ctx, world.state(site)
    rng = ctx.rng("fleet", site.code)
    crewed = state.crewed
    trucks: tuple[int, ...]
    if site.code == world.company.hq.code:
        trucks = HQ_FLEET
    elif crewed:
        trucks = HUB_FLEET + ((26,) if site.code == "MIS1" else ())
    else:
        trucks = (20,)
    bought0 = ctx.epoch - dt.timedelta(days=900)
    units: list[dict[str, Any]] = []
    maintenance: list[dict[str, Any]] = []
    checks: list[dict[str, Any]] = []
    for n, length in enumerate(trucks, start=1):
        name, make, model, cuft, payload, heavy = TRUCKS[length]
        bought = bought0 + dt.timedelta(days=rng.randint(0, 1200))
        odometer = rng.randint(40_000, 260_000)
        status = EquipmentStatus.ACTIVE
        if site.code == world.company.hq.code and n == 8 or site.code == "MIS1" and n == 4:
            status = EquipmentStatus.MAINTENANCE if n == 8 else EquipmentStatus.REPAIR
        elif site.code == world.company.hq.code and n == 9:
            status = EquipmentStatus.RETIRED
        unit_id = ctx.new_id(bought)
        units.append(
            {
                "id": unit_id,
                "created_at": ctx.epoch,
                "location_id": site.id,
                "unit_number": f"{site.code}-T{n:02d}",
                "name": name,
                "type": EquipmentType.TRUCK,
                "status": status,
                "make": make,
                "model": model,
                "year": bought.year,
                "vin": "".join(rng.choice(_VIN) for _ in range(17)),
                "serial_number": None,
                "licence_plate": f"{rng.choice('ABKMPRTW')}{rng.choice('ABCDEFGHJK')} {rng.randint(10000, 99999)}",
                "plate_province": site.branch.province,
                "capacity_cuft": Decimal(cuft),
                "payload_lb": Decimal(payload),
                "odometer_km": odometer,
                "engine_hours": None,
                "purchase_date": bought.date(),
                "purchase_cost": Decimal(rng.randint(68, 145) * 1000),
                "currency": "CAD",
                "next_service_date": ctx.today + dt.timedelta(days=rng.randint(5, 90)),
                "next_service_odometer_km": odometer + rng.randint(1000, 14000),
                "service_interval_km": 15000,
                "service_interval_days": 180,
                "requires_license_class": (truck_licence if heavy else car_licence)(
                    site.branch.province
                ),
                "notes": "Retired: frame rust" if status == EquipmentStatus.RETIRED else None,
            }
        )
        if status == EquipmentStatus.ACTIVE:
            state.trucks.append(
                Truck(unit_id, str(units[-1]["unit_number"]), Decimal(cuft), odometer)
            )
        maintenance += _history(world, site, rng, unit_id, odometer, status, checks)
    units += _gear(world, site, rng, crewed)
    ctx.insert(Equipment, units)
    ctx.insert(EquipmentCheck, checks)
    ctx.insert(EquipmentMaintenance, maintenance)
    _handouts(world, site, rng, [u for u in units if u["type"] == EquipmentType.DOLLY])


#: Gear serviced by engine hours (a forklift's hour meter, a reefer unit's), and how often.
ENGINE_HOUR_TYPES = frozenset({EquipmentType.FORKLIFT})
ENGINE_HOUR_INTERVAL = Decimal(250)


def _next_point(hours: Decimal, rng: random.Random) -> Decimal:
    """The next multiple of the interval after ``hours``, sometimes already passed (overdue)."""
    step = ENGINE_HOUR_INTERVAL
    point = (hours // step + 1) * step
    return point - step if rng.random() < 0.25 else point


def _gear(world: World, site: Site, rng: random.Random, crewed: bool) -> list[dict[str, Any]]:
    ctx = world.ctx
    kit = [
        (EquipmentType.DOLLY, "Appliance dolly", "Magliner"),
        (EquipmentType.DOLLY, "Furniture dolly", "Harper"),
        (EquipmentType.BLANKETS, "Moving blankets (bundle of 72)", None),
        (EquipmentType.STRAPS, "Ratchet strap kit", None),
        (EquipmentType.TOOLS, "Disassembly tool kit", "DeWalt"),
    ]
    if not crewed:
        kit = kit[:1] + kit[2:3]
    if site.code in ("CAL1", "EDM1", world.company.hq.code):
        kit.append((EquipmentType.TRAILER, "Enclosed trailer 6x12", "Haulmark"))
    if site.code == world.company.hq.code:
        kit += [
            (EquipmentType.FORKLIFT, "Warehouse forklift", "Toyota"),
            (EquipmentType.TRAILER, "Enclosed trailer 7x16", "Haulmark"),
            (EquipmentType.OTHER, "Piano board and skid", None),
        ]
    rows = []
    for n, (kind, name, make) in enumerate(kit, start=1):
        hours = Decimal(rng.randint(800, 4000)) if kind in ENGINE_HOUR_TYPES else None
        rows.append(
            {
                "id": ctx.new_id(ctx.epoch),
                "created_at": ctx.epoch,
                "location_id": site.id,
                "unit_number": f"{site.code}-{kind.value[:2]}{n:02d}",
                "name": name,
                "type": kind,
                "status": EquipmentStatus.ACTIVE,
                "make": make,
                "model": None,
                "year": None,
                "vin": None,
                "serial_number": f"SN{rng.randint(10**7, 10**8 - 1)}" if make else None,
                "licence_plate": f"TR {rng.randint(10000, 99999)}"
                if kind == EquipmentType.TRAILER
                else None,
                "plate_province": site.branch.province if kind == EquipmentType.TRAILER else None,
                "capacity_cuft": Decimal(380 if "6x12" in name else 560)
                if kind == EquipmentType.TRAILER
                else None,
                "payload_lb": None,
                "odometer_km": None,
                "engine_hours": hours,
                "purchase_date": ctx.today - dt.timedelta(days=rng.randint(200, 1500)),
                "purchase_cost": Decimal(rng.randint(2, 60) * 50),
                "currency": "CAD",
                "next_service_date": None,
                "next_service_odometer_km": None,
                "service_interval_km": None,
                "service_interval_days": 365
                if kind in (EquipmentType.FORKLIFT, EquipmentType.TRAILER)
                else None,
                # Units whose wear is counted in engine hours are serviced by them too.
                "service_interval_engine_hours": ENGINE_HOUR_INTERVAL if hours else None,
                "next_service_engine_hours": _next_point(hours, rng) if hours else None,
                "requires_license_class": None,
                "notes": None,
            }
        )
    return rows


def _history(
    world: World,
    site: Site,
    rng: random.Random,
    unit_id: uuid.UUID,
    odometer: int,
    status: EquipmentStatus,
    checks: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Past services and inspections, and the open job of a unit that is off the road."""
    ctx = world.ctx
    shop = world.suppliers.get(f"repair:{site.code}") or world.suppliers["repair"]
    mechanic = site.with_role(UserRole.CREW_LEAD, UserRole.MANAGER)
    rows = []

    def job(
        kind: MaintenanceType,
        state: MaintenanceStatus,
        days_ago: int,
        text: str,
        cost: int | None,
        opened_by: uuid.UUID | None = None,
    ) -> None:
        when = ctx.local(ctx.today - dt.timedelta(days=days_ago), 9, rng.randint(0, 59), site.tz)
        done = state == MaintenanceStatus.COMPLETED
        # A job booked for later was entered a week ago, never in the future.
        created = (
            when if days_ago > 0 else ctx.local(ctx.today - dt.timedelta(days=7), 9, 0, site.tz)
        )
        rows.append(
            {
                "id": ctx.new_id(created),
                "created_at": created,
                "updated_at": created,
                "equipment_id": unit_id,
                "type": kind,
                "status": state,
                "scheduled_date": when.date(),
                "performed_at": when + dt.timedelta(hours=3) if done else None,
                "odometer_km": odometer - days_ago * 60 if days_ago > 0 else None,
                "engine_hours": None,
                "description": text,
                "supplier_id": shop,
                "vendor_name": None,
                "vendor_reference": f"WO-{rng.randint(10000, 99999)}" if done else None,
                "cost": Decimal(cost) if cost is not None else None,
                "currency": "CAD",
                "performed_by": None,
                "opened_by_check_id": opened_by,
                "notes": None,
            }
        )
        if done and cost:
            world.expenses.append(
                {
                    "site": site,
                    "amount": -Decimal(cost),
                    "at": when + dt.timedelta(hours=3),
                    "description": f"Fleet: {text}",
                    "account": "5200-fleet-maintenance",
                    "category": "maintenance",
                }
            )

    job(
        MaintenanceType.PREVENTIVE,
        MaintenanceStatus.COMPLETED,
        rng.randint(150, 300),
        "Oil, filters and grease; 15,000 km service",
        rng.randint(380, 620),
    )
    job(
        MaintenanceType.INSPECTION,
        MaintenanceStatus.COMPLETED,
        rng.randint(60, 200),
        "Annual commercial vehicle safety inspection",
        rng.randint(250, 450),
    )
    job(
        MaintenanceType.PREVENTIVE,
        MaintenanceStatus.COMPLETED,
        rng.randint(10, 55),
        "Brake pads and rotors, front axle",
        rng.randint(900, 1600),
    )
    if status == EquipmentStatus.MAINTENANCE:
        when = ctx.local(ctx.today - dt.timedelta(days=1), 17, 40, site.tz)
        check_id = ctx.new_id(when)
        checks.append(
            {
                "id": check_id,
                "created_at": when,
                "equipment_id": unit_id,
                "journey_id": None,
                "kind": CheckKind.POST_TRIP,
                "performed_by": mechanic[0].id if mechanic else world.dispatcher(site).id,
                "device_id": None,
                "performed_at": when,
                "odometer_km": odometer,
                "engine_hours": None,
                "items": check_items(rng, fail="BRAKES"),
                "overall_result": CheckResult.FAIL,
                "defects_summary": "Brakes: soft pedal, air leak at rear chamber. Unit out of service.",
                "signature": "M 10 10 L 40 25 L 70 12",
            }
        )
        job(
            MaintenanceType.CORRECTIVE,
            MaintenanceStatus.IN_PROGRESS,
            0,
            "Brake air leak found on post-trip inspection",
            None,
            opened_by=check_id,
        )
    elif status == EquipmentStatus.REPAIR:
        job(
            MaintenanceType.EMERGENCY,
            MaintenanceStatus.IN_PROGRESS,
            3,
            "Transmission failure on Highway 401; towed to shop",
            None,
        )
    elif status == EquipmentStatus.ACTIVE and rng.random() < 0.5:
        job(
            MaintenanceType.PREVENTIVE,
            MaintenanceStatus.SCHEDULED,
            -rng.randint(3, 30),
            "Scheduled 15,000 km service",
            None,
        )
    return rows


def _handouts(world: World, site: Site, rng: random.Random, dollies: list[dict[str, Any]]) -> None:
    """Long-term hand-outs: a crew lead keeps a dolly on their truck."""
    ctx = world.ctx
    leads = site.with_role(UserRole.CREW_LEAD)
    rows = []
    for dolly, lead in zip(dollies, leads):
        at = ctx.local(ctx.today - dt.timedelta(days=rng.randint(20, 120)), 7, 30, site.tz)
        rows.append(
            {
                "id": ctx.new_id(at),
                "created_at": at,
                "equipment_id": dolly["id"],
                "journey_id": None,
                "assigned_to": lead.id,
                "status": AssignmentStatus.ACTIVE,
                "start_at": at,
                "end_at": None,
                "assigned_by": world.dispatcher(site).id,
                "notes": "Kept on the lead's truck",
            }
        )
    ctx.insert(EquipmentAssignment, rows)
