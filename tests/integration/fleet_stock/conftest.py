"""A branch pair with people, a truck and stock, on a migrated PostgreSQL, for the reactions."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from shared_models.enums import EquipmentType, Province, UserRole, UserStatus
from shared_models.models import Equipment, Inventory, Location, User
from sync_server.admin.accounts import create_tenant
from sync_server.core.db import create_db_engine, session_scope
from sync_server.sync.writer import Actor, SyncWriter
from tests.utils.seeded import SeededClones


@dataclass
class Fleet:
    tenant: uuid.UUID
    hq: uuid.UUID
    east: uuid.UUID
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    truck: uuid.UUID | None = None
    items: dict[str, uuid.UUID] = field(default_factory=dict)


def _location(s: Session, tenant: uuid.UUID, code: str) -> Location:
    loc = Location(
        tenant_id=tenant,
        name=f"{code} branch",
        code=code,
        address_line1="1 Front St W",
        city="Toronto",
        province=Province.ON,
        postal_code="M5J 2X5",
        timezone="America/Toronto",
    )
    s.add(loc)
    s.flush()
    return loc


def _user(
    s: Session, tenant: uuid.UUID, loc: uuid.UUID, name: str, role: UserRole, **extra: object
) -> uuid.UUID:
    u = User(
        tenant_id=tenant,
        location_id=loc,
        email=f"{name}@maple.example",
        full_name=name.title(),
        role=role,
        **extra,
    )
    s.add(u)
    s.flush()
    return u.id


@pytest.fixture
def fleet_db_url(request: pytest.FixtureRequest, seeded_db: SeededClones) -> str:
    """The migrated schema, with the fleet below (cloned) when the test uses ``fleet``."""
    return seeded_db.clone(build_fleet if "fleet" in request.fixturenames else None)


@pytest.fixture
def engine(fleet_db_url: str) -> Iterator[Engine]:
    eng = create_db_engine(fleet_db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def fleet(fleet_db_url: str, seeded_db: SeededClones) -> Fleet:
    return seeded_db.seed(fleet_db_url)


def build_fleet(db_url: str) -> Fleet:
    engine = create_db_engine(db_url)
    try:
        return _build_fleet(engine)
    finally:
        engine.dispose()


def _build_fleet(engine: Engine) -> Fleet:
    with session_scope(engine) as s:
        tenant = create_tenant(s, name="Maple Movers", slug="maple")
        other = create_tenant(s, name="Birch Haulage", slug="birch")
        hq, east = _location(s, tenant.id, "HQ"), _location(s, tenant.id, "EAST")
        f = Fleet(tenant.id, hq.id, east.id)
        f.users["crew"] = _user(s, tenant.id, hq.id, "crew", UserRole.CREW_LEAD)
        f.users["manager"] = _user(s, tenant.id, hq.id, "manager", UserRole.MANAGER)
        f.users["boss"] = _user(s, tenant.id, hq.id, "boss", UserRole.DISPATCHER)
        f.users["gone"] = _user(
            s, tenant.id, hq.id, "gone", UserRole.MANAGER, status=UserStatus.INACTIVE
        )
        f.users["east_manager"] = _user(s, tenant.id, east.id, "eastman", UserRole.MANAGER)
        f.users["admin"] = _user(s, tenant.id, hq.id, "admin", UserRole.ADMIN)
        other_hq = _location(s, other.id, "HQ")
        f.users["other_manager"] = _user(s, other.id, other_hq.id, "birchman", UserRole.MANAGER)
        hq.manager_id = f.users["boss"]
        truck = Equipment(
            tenant_id=tenant.id,
            location_id=hq.id,
            unit_number="T-14",
            name="26 ft box truck",
            type=EquipmentType.TRUCK,
            odometer_km=120_000,
        )
        s.add(truck)
        for code, loc, point in [
            ("BLANKET", hq.id, Decimal(20)),
            ("TAPE", hq.id, Decimal(0)),
            ("BLANKET-E", east.id, Decimal(5)),
        ]:
            item = Inventory(
                tenant_id=tenant.id,
                location_id=loc,
                sku=code.split("-")[0],
                name=f"{code.title()} stock",
                unit="each",
                reorder_point=point,
                reorder_quantity=Decimal(50),
            )
            s.add(item)
            s.flush()
            f.items[code] = item.id
        s.flush()
        f.truck = truck.id
    return f


@pytest.fixture
def writing(engine: Engine, fleet: Fleet) -> Callable[..., object]:
    """``with writing("crew", defer=False) as writer:`` one transaction, finished and committed."""

    @contextmanager
    def scope(who: str = "crew", *, defer: bool = False) -> Iterator[SyncWriter]:
        with session_scope(engine) as s:
            actor = Actor(fleet.tenant, fleet.users[who], None, "CREW_LEAD")
            writer = SyncWriter(s, actor, defer_writes=defer)
            try:
                yield writer
                writer.finish()
            finally:
                writer.close()

    return scope
