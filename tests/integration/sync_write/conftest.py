"""A small two-tenant world for the write path: people, devices, a quote, stock."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shared_models.enums import Province, UserRole
from shared_models.ids import uuid7
from shared_models.models import (
    Customer,
    Device,
    Inventory,
    Location,
    Quote,
    QuoteItem,
    TaxRate,
    User,
)
from shared_models.rules import CANADIAN_TAX_RATES_2026
from shared_models.sync.hlc import Hlc
from shared_models.sync.wire import Mutation, PushRequest, PushResponse
from sync_server.admin.accounts import create_tenant, create_user
from sync_server.core.db import create_db_engine, session_scope
from sync_server.sync.push import push_mutations
from tests.utils.seeded import SeededClones


@pytest.fixture
def write_db_url(request: pytest.FixtureRequest, seeded_db: SeededClones) -> str:
    """The migrated schema (field clocks and lease keys come from migration 0007), with the
    world below (cloned from a template built once) when the test uses ``world``."""
    return seeded_db.clone(build_world if "world" in request.fixturenames else None)


@pytest.fixture
def engine(write_db_url: str) -> Iterator[Engine]:
    eng = create_db_engine(write_db_url)
    yield eng
    eng.dispose()


@dataclass
class World:
    tenant: uuid.UUID
    other_tenant: uuid.UUID
    hq: uuid.UUID
    east: uuid.UUID
    users: dict[str, uuid.UUID] = field(default_factory=dict)
    devices: dict[str, uuid.UUID] = field(default_factory=dict)
    customer: uuid.UUID | None = None
    quote: uuid.UUID | None = None
    item: uuid.UUID | None = None
    inventory: uuid.UUID | None = None
    east_customer: uuid.UUID | None = None
    other_customer: uuid.UUID | None = None


def _location(session: Session, tenant_id: uuid.UUID, code: str) -> Location:
    loc = Location(
        tenant_id=tenant_id,
        name=code,
        code=code,
        address_line1="1 Front St W",
        city="Toronto",
        province=Province.ON,
        postal_code="M5J 2X5",
        timezone="America/Toronto",
    )
    session.add(loc)
    session.flush()
    return loc


@pytest.fixture
def world(write_db_url: str, seeded_db: SeededClones) -> World:
    return seeded_db.seed(write_db_url)


def build_world(db_url: str) -> World:
    engine = create_db_engine(db_url)
    try:
        return _build_world(engine)
    finally:
        engine.dispose()


def _build_world(engine: Engine) -> World:
    with session_scope(engine) as s:
        a = create_tenant(s, name="Maple Movers", slug="maple")
        b = create_tenant(s, name="Birch Haulage", slug="birch")
        hq, east, b_hq = (
            _location(s, a.id, "HQ"),
            _location(s, a.id, "EAST"),
            _location(s, b.id, "HQ"),
        )
        w = World(a.id, b.id, hq.id, east.id)
        people = {
            "admin": UserRole.ADMIN,
            "dispatcher": UserRole.DISPATCHER,
            "sales": UserRole.SALES,
            "crew": UserRole.CREW_LEAD,
        }
        for name, role in people.items():
            u = create_user(
                s,
                tenant=a,
                location=hq,
                email=f"{name}@maple.example",
                full_name=name.title(),
                role=role,
                password="Blue-Heron-Maple-42",
            )
            w.users[name] = u.id
        u = create_user(
            s,
            tenant=a,
            location=east,
            email="crew2@maple.example",
            full_name="Crew Two",
            role=UserRole.CREW_LEAD,
            password="Blue-Heron-Maple-42",
        )
        w.users["crew2"] = u.id
        ub = create_user(
            s,
            tenant=b,
            location=b_hq,
            email="admin@birch.example",
            full_name="Bea",
            role=UserRole.ADMIN,
            password="Blue-Heron-Maple-42",
        )
        w.users["other"] = ub.id
        s.flush()
        for name, uid in w.users.items():
            tenant = b.id if name == "other" else a.id
            dev = Device(tenant_id=tenant, user_id=uid, name=f"{name} laptop")
            s.add(dev)
            s.flush()
            w.devices[name] = dev.id
        for row in CANADIAN_TAX_RATES_2026:
            s.add(
                TaxRate(
                    tenant_id=a.id,
                    province=row.province,
                    kind=row.kind,
                    rate=row.rate,
                    effective_from=row.effective_from,
                    effective_to=row.effective_to,
                    label=row.label,
                )
            )
        cust = Customer(
            tenant_id=a.id,
            location_id=hq.id,
            first_name="Ann",
            last_name="Lee",
            email="ann@example.com",
            sales_rep_id=w.users["sales"],
        )
        east_cust = Customer(tenant_id=a.id, location_id=east.id, last_name="East")
        other = Customer(tenant_id=b.id, location_id=b_hq.id, last_name="Other")
        s.add_all([cust, east_cust, other])
        s.flush()
        quote = Quote(
            tenant_id=a.id,
            location_id=hq.id,
            customer_id=cust.id,
            created_by=w.users["sales"],
            move_date=dt.date(2026, 6, 1),
            notes="orig",
        )
        s.add(quote)
        s.flush()
        item = QuoteItem(
            tenant_id=a.id,
            quote_id=quote.id,
            category="OTHER",
            description="Truck",
            quantity=Decimal(2),
            unit_price=Decimal("100.00"),
            line_total=Decimal("200.00"),
        )
        inv = Inventory(tenant_id=a.id, location_id=hq.id, sku="BOX-M", name="Medium box")
        s.add_all([item, inv])
        s.flush()
        w.customer, w.quote, w.item, w.inventory = cust.id, quote.id, item.id, inv.id
        w.east_customer, w.other_customer = east_cust.id, other.id
    return w


class Pusher:
    """Pushes as one user's device through the service layer, one transaction per call."""

    def __init__(self, engine: Engine, world: World, who: str, node: str | None = None) -> None:
        self.engine, self.world, self.who = engine, world, who
        self.device = world.devices[who]
        self.node = node or who
        self.next_id = 1
        # An hour ago: stamps must not be in the future (the server re-dates those).
        self.ms = time.time_ns() // 1_000_000 - 3_600_000

    def mutation(
        self,
        table: str,
        op: str,
        row_id: uuid.UUID,
        *,
        changes: dict[str, Any] | None = None,
        base: dict[str, Any] | None = None,
        base_version: int | None = None,
        hlc: str | None = None,
    ) -> Mutation:
        self.ms += 1000
        m = Mutation(
            mutation_id=self.next_id,
            table=table,
            op=op,
            id=row_id,
            base_version=base_version,
            base=base or {},
            changes=changes or {},
            hlc=hlc or str(Hlc(self.ms, 0, self.node)),
        )
        self.next_id += 1
        return m

    def push(self, *mutations: Mutation) -> PushResponse:
        with session_scope(self.engine) as s:
            user = s.get(User, self.world.users[self.who])
            return push_mutations(
                session=s,
                user=user,
                device_id=self.device,
                request=PushRequest(device_id=self.device, mutations=list(mutations)),
            )


@pytest.fixture
def pusher(engine: Engine, world: World) -> Any:
    return lambda who, node=None: Pusher(engine, world, who, node)


def fetch(engine: Engine, model: Any, row_id: uuid.UUID) -> Any:
    with Session(engine) as s:
        return s.execute(select(model).where(model.id == row_id)).scalar_one()


def new_id() -> uuid.UUID:
    return uuid7()
