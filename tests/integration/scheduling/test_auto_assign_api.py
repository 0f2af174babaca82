"""``POST /v1/schedule/auto-assign`` over real HTTP on a migrated PostgreSQL."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select

from shared_models.enums import (
    AvailabilityType,
    CrewRole,
    EquipmentStatus,
    EquipmentType,
    UserRole,
)
from shared_models.models import (
    Availability,
    Customer,
    Equipment,
    Journey,
    JourneyCrew,
    Location,
    User,
    WorkingHours,
)
from shared_models.permissions import default_home_scope
from sync_server.core.db import create_db_engine, session_scope
from tests.utils.auth import Account, World, _password_hash, bearer, login_ok, make_world
from tests.utils.server import live_server

DAY = dt.date(2026, 7, 15)  # a Wednesday; Toronto is UTC-4
UTC = dt.UTC


def _at(hour: float) -> dt.datetime:
    return dt.datetime(2026, 7, 15, tzinfo=UTC) + dt.timedelta(hours=hour + 4)


@dataclass
class Branch:
    world: World
    location: uuid.UUID
    journeys: dict[str, uuid.UUID] = field(default_factory=dict)
    people: dict[str, uuid.UUID] = field(default_factory=dict)
    trucks: dict[str, uuid.UUID] = field(default_factory=dict)
    sales: Account | None = None


def _build(url: str) -> Branch:
    world = make_world(url)
    engine = create_db_engine(url)
    try:
        with session_scope(engine) as s:
            dispatcher = s.get_one(User, world.dispatcher_a.id)
            b = Branch(world, dispatcher.location_id)
            t = world.tenant_a
            for i, (name, role, licence) in enumerate(
                [
                    ("Lena Lead", UserRole.CREW_LEAD, "D"),
                    ("Liam Lead", UserRole.CREW_LEAD, "G"),
                    ("Max Mover", UserRole.CREW_MEMBER, None),
                    ("Mia Mover", UserRole.CREW_MEMBER, None),
                    ("Dan Driver", UserRole.DRIVER, "D"),
                    ("Ola Off", UserRole.CREW_MEMBER, "G"),
                ]
            ):
                u = User(
                    tenant_id=t,
                    location_id=b.location,
                    email=f"crew{i}@maple.example",
                    full_name=name,
                    role=role,
                    has_drivers_license=licence is not None,
                    license_class=licence,
                )
                s.add(u)
                s.flush()
                b.people[name] = u.id
                s.add(
                    WorkingHours(
                        tenant_id=t,
                        user_id=u.id,
                        weekday=DAY.weekday(),
                        start_time=dt.time(7),
                        end_time=dt.time(17),
                    )
                )
            s.add(
                Availability(
                    tenant_id=t,
                    user_id=b.people["Ola Off"],
                    type=AvailabilityType.VACATION,
                    start_at=_at(0),
                    end_at=_at(24),
                )
            )
            for unit, cap, klass, status in [
                ("T-1", 1200, "D", EquipmentStatus.ACTIVE),
                ("T-2", 900, None, EquipmentStatus.ACTIVE),
                ("T-3", 2000, None, EquipmentStatus.REPAIR),
            ]:
                e = Equipment(
                    tenant_id=t,
                    location_id=b.location,
                    unit_number=unit,
                    name=unit,
                    type=EquipmentType.TRUCK,
                    status=status,
                    capacity_cuft=Decimal(cap),
                    requires_license_class=klass,
                )
                s.add(e)
                s.flush()
                b.trucks[unit] = e.id
            cust = Customer(tenant_id=t, location_id=b.location, last_name="Lee")
            s.add(cust)
            s.flush()
            for number, start, hours, size, volume in [
                ("J-0000001", 8, 4, 2, 1100),
                ("J-0000002", 9, 3, 2, 600),
                ("J-0000003", 13, 3, 2, 500),
            ]:
                j = Journey(
                    tenant_id=t,
                    location_id=b.location,
                    number=number,
                    customer_id=cust.id,
                    scheduled_date=DAY,
                    scheduled_start=_at(start),
                    estimated_hours=Decimal(hours),
                    crew_size_required=size,
                    volume_cuft=Decimal(volume),
                    origin_line1="1 Main St",
                    origin_city="Toronto",
                )
                s.add(j)
                s.flush()
                b.journeys[number] = j.id
            # The dispatcher already put Max on the afternoon job: it must stay.
            s.add(
                JourneyCrew(
                    tenant_id=t,
                    journey_id=b.journeys["J-0000003"],
                    user_id=b.people["Max Mover"],
                    crew_role=CrewRole.MOVER,
                )
            )
            loc = s.get_one(Location, b.location)
            sales = User(
                tenant_id=t,
                location_id=loc.id,
                email="sam@maple.example",
                full_name="Sam Sales",
                role=UserRole.SALES,
                scope=default_home_scope(UserRole.SALES),
                password_hash=_password_hash(),
            )
            s.add(sales)
            s.flush()
            b.sales = Account(sales.id, t, sales.email)
    finally:
        engine.dispose()
    return b


@pytest.fixture
def branch(migrated_db_url: str) -> Branch:
    return _build(migrated_db_url)


@pytest.fixture
def base(migrated_db_url: str, branch: Branch) -> Iterator[str]:
    with live_server(migrated_db_url) as url:
        yield url


def _post(base: str, account: Account, body: dict[str, object]) -> httpx.Response:
    token = login_ok(base, account)["access_token"]
    return httpx.post(
        f"{base}/v1/schedule/auto-assign", json=body, headers=bearer(token), timeout=60
    )


def _counts(url: str) -> tuple[int, int]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as c:
            crews = c.scalar(select(func.count()).select_from(JourneyCrew))
            trucks = c.scalar(select(func.count()).where(Journey.truck_id.is_not(None)))
            return int(crews or 0), int(trucks or 0)
    finally:
        engine.dispose()


def test_dispatcher_gets_a_sound_proposal_and_nothing_is_written(
    base: str, branch: Branch, migrated_db_url: str
) -> None:
    body = {"location_id": str(branch.location), "date": DAY.isoformat(), "time_limit_s": 5}
    r = _post(base, branch.world.dispatcher_a, body)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["status"] in ("OPTIMAL", "FEASIBLE") and out["count"] == 3
    plan = {p["journey_number"]: p for p in out["data"]}
    ids = {k: {uuid.UUID(u) for u in v["user_ids"]} for k, v in plan.items()}
    people = branch.people
    assert people["Max Mover"] in ids["J-0000003"]  # kept
    assert all(people["Ola Off"] not in crew for crew in ids.values())  # on vacation
    assert not ids["J-0000001"] & ids["J-0000002"]  # overlapping jobs share nobody
    trucks = {k: [uuid.UUID(t) for t in v["truck_ids"]] for k, v in plan.items()}
    # Only T-1 holds 1,100 cu ft; T-3 is in repair; T-1 needs class D.
    assert trucks["J-0000001"] == [branch.trucks["T-1"]]
    assert trucks["J-0000002"] == [branch.trucks["T-2"]]
    driver = uuid.UUID(plan["J-0000001"]["drivers"][0]["user_id"])
    assert driver in {people["Lena Lead"], people["Dan Driver"]}
    for p in plan.values():
        assert p["crew_lead_id"] in {str(people["Lena Lead"]), str(people["Liam Lead"])}
    assert _counts(migrated_db_url) == (1, 0)


def test_infeasible_day_is_a_422_with_reasons(base: str, branch: Branch) -> None:
    pins = [
        {
            "journey_id": str(branch.journeys["J-0000002"]),
            "user_ids": [str(branch.people["Ola Off"])],
        }
    ]
    body = {"location_id": str(branch.location), "date": DAY.isoformat(), "pins": pins}
    r = _post(base, branch.world.dispatcher_a, body)
    assert r.status_code == 422, r.text
    err = r.json()
    assert err["error"] == "schedule_infeasible"
    reasons = err["details"]["reasons"]
    assert reasons == [
        {
            "code": "pinned_unavailable",
            "message": "J-0000002: Ola Off is pinned but off or booked elsewhere "
            "between 09:00 and 12:00",
            "journey_id": str(branch.journeys["J-0000002"]),
        }
    ]


def test_only_planners_of_the_location_may_ask(base: str, branch: Branch) -> None:
    body = {"location_id": str(branch.location), "date": DAY.isoformat()}
    assert branch.sales is not None
    r = _post(base, branch.sales, body)
    assert (r.status_code, r.json()["error"]) == (403, "permission_denied")
    other = _post(base, branch.world.admin_b, body)
    assert (other.status_code, other.json()["error"]) == (404, "not_found")
    r = httpx.post(f"{base}/v1/schedule/auto-assign", json=body)
    assert r.status_code == 401
