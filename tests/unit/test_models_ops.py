"""Fleet, inventory, scheduling, reporting, comms and integration models.

The schema is built on in-memory SQLite from the real tables of these modules
plus tenancy; FK targets owned by other domains (journey, customer, ...) are
replaced by id-only stubs so these tests do not depend on those models.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Column, MetaData, Table, Uuid, create_engine, event, func, inspect, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.schema import CreateIndex, CreateTable

from shared_models.base import Base
from shared_models.enums import (
    AvailabilityType,
    CheckResult,
    EquipmentType,
    InventoryTransactionType,
    Province,
    ScheduleType,
    UserRole,
)
from shared_models.ids import uuid7
from shared_models.models import (
    Availability,
    Equipment,
    EquipmentCheck,
    Inventory,
    InventoryTransaction,
    Location,
    Schedule,
    Supplier,
    Tenant,
    User,
    WorkingHours,
    model_for_table,
)

OPS_TABLES = [
    "equipment",
    "equipment_maintenance",
    "equipment_assignment",
    "equipment_check",
    "inventory",
    "inventory_transaction",
    "supplier",
    "schedule",
    "availability",
    "working_hours",
    "schedule_conflict",
    "report",
    "dashboard",
    "communication",
    "template",
    "notification",
    "integration",
    "integration_sync_log",
    "webhook",
    "webhook_delivery",
    "calendar_feed",
]
SERVER_ONLY = {
    "report",
    "integration",
    "integration_sync_log",
    "webhook",
    "webhook_delivery",
    "calendar_feed",
}
APPEND_ONLY = {"equipment_check", "inventory_transaction"}
NOW = dt.datetime(2025, 6, 2, 12, 0, tzinfo=dt.timezone.utc)


def ops_metadata() -> MetaData:
    """Our tables and tenancy copied into a fresh MetaData, foreign targets stubbed."""
    md = MetaData(naming_convention=Base.metadata.naming_convention)
    for name in ["tenant", "location", "user", *OPS_TABLES]:
        Base.metadata.tables[name].to_metadata(md)
    missing = {
        fk.target_fullname.split(".")[0]
        for table in list(md.tables.values())
        for fk in table.foreign_keys
    } - set(md.tables)
    for name in sorted(missing):
        Table(name, md, Column("id", Uuid(), primary_key=True))
    return md


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = create_engine("sqlite://")

    @event.listens_for(eng, "connect")
    def _fk_on(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA foreign_keys=ON")

    ops_metadata().create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def org(session: Session) -> dict[str, uuid.UUID]:
    tenant = Tenant(name="Let's Get Moving", slug="lgm")
    session.add(tenant)
    session.flush()
    loc = Location(
        tenant_id=tenant.id,
        name="Ottawa",
        code="OTT",
        address_line1="1 Bank St",
        city="Ottawa",
        province=Province.ON,
        postal_code="K1P 1A1",
        timezone="America/Toronto",
    )
    session.add(loc)
    session.flush()
    user = User(
        tenant_id=tenant.id,
        email="lead@lgm.test",
        full_name="Sam Lead",
        role=UserRole.CREW_LEAD,
        location_id=loc.id,
    )
    session.add(user)
    session.flush()
    truck = Equipment(
        tenant_id=tenant.id,
        location_id=loc.id,
        unit_number="T-14",
        name="26 ft box truck",
        type=EquipmentType.TRUCK,
        capacity_cuft=Decimal("1700.000"),
        odometer_km=182_340,
    )
    session.add(truck)
    session.commit()
    return {"tenant": tenant.id, "location": loc.id, "user": user.id, "truck": truck.id}


def test_schema_creates_every_ops_table(engine: Engine) -> None:
    assert set(OPS_TABLES) <= set(inspect(engine).get_table_names())


def test_sync_flags_match_the_design() -> None:
    for name in OPS_TABLES:
        cls = model_for_table(name)
        assert cls.__synced__ is (name not in SERVER_ONLY), name
        assert cls.__append_only__ is (name in APPEND_ONLY), name
        assert "tenant_id" in cls.__table__.c, name


def test_equipment_check_round_trips(session: Session, org: dict[str, uuid.UUID]) -> None:
    items = [
        {
            "code": "BRAKES",
            "label": "Service brakes",
            "result": "PASS",
            "safety_critical": True,
            "note": None,
        },
        {
            "code": "LIGHTS",
            "label": "Marker lights",
            "result": "FAIL",
            "safety_critical": False,
            "note": "rear left out",
        },
    ]
    check = EquipmentCheck(
        tenant_id=org["tenant"],
        equipment_id=org["truck"],
        performed_by=org["user"],
        performed_at=NOW,
        odometer_km=182_400,
        engine_hours=Decimal("5120.5"),
        items=items,
        overall_result=CheckResult.PASS,
        defects_summary="rear marker light out",
    )
    session.add(check)
    session.commit()
    session.expire_all()

    got = session.get(EquipmentCheck, check.id)
    assert got is not None
    assert got.items == items
    assert got.overall_result is CheckResult.PASS
    assert got.performed_at == NOW and got.performed_at.tzinfo is not None
    assert got.engine_hours == Decimal("5120.500")
    assert session.get(Equipment, org["truck"]).capacity_cuft == Decimal("1700.000")


def test_stock_is_the_exact_sum_of_signed_transactions(
    session: Session, org: dict[str, uuid.UUID]
) -> None:
    supplier = Supplier(tenant_id=org["tenant"], name="Uline Canada", on_time_rate=Decimal("0.95"))
    session.add(supplier)
    session.flush()
    tape = Inventory(
        tenant_id=org["tenant"],
        location_id=org["location"],
        sku="TAPE-48",
        name="Packing tape",
        unit="roll",
        unit_cost=Decimal("2.35"),
        reorder_point=Decimal("24"),
        supplier_id=supplier.id,
    )
    session.add(tape)
    session.flush()
    moves = [
        (InventoryTransactionType.PURCHASE, Decimal("144.000")),
        (InventoryTransactionType.SALE, Decimal("-12.250")),
        (InventoryTransactionType.DAMAGE, Decimal("-0.125")),
        (InventoryTransactionType.ADJUSTMENT, Decimal("0.001")),
        (InventoryTransactionType.SALE, Decimal("0.100")),  # customer returned part of a roll
    ]
    for kind, qty in moves:
        session.add(
            InventoryTransaction(
                tenant_id=org["tenant"],
                inventory_id=tape.id,
                type=kind,
                quantity=qty,
                occurred_at=NOW,
                performed_by=org["user"],
            )
        )
    session.commit()
    session.expire_all()

    stored = session.scalars(
        select(InventoryTransaction.quantity)
        .where(InventoryTransaction.inventory_id == tape.id)
        .order_by(InventoryTransaction.id)
    ).all()
    assert stored == [qty for _, qty in moves]
    assert all(isinstance(q, Decimal) for q in stored)
    on_hand = session.scalar(
        select(func.sum(InventoryTransaction.quantity)).where(
            InventoryTransaction.inventory_id == tape.id
        )
    )
    assert Decimal(on_hand).quantize(Decimal("0.001")) == Decimal("131.726")
    assert session.get(Supplier, supplier.id).on_time_rate == Decimal("0.950000")


def _schedule(org: dict[str, uuid.UUID], start: dt.datetime, end: dt.datetime) -> Schedule:
    return Schedule(
        tenant_id=org["tenant"],
        location_id=org["location"],
        type=ScheduleType.JOURNEY,
        title="Move: Smith",
        start_at=start,
        end_at=end,
        user_id=org["user"],
        equipment_id=org["truck"],
    )


def test_schedule_in_order_is_accepted(session: Session, org: dict[str, uuid.UUID]) -> None:
    session.add(_schedule(org, NOW, NOW + dt.timedelta(hours=6)))
    session.commit()


REFUSED: dict[str, Callable[[dict[str, uuid.UUID]], Base]] = {
    "schedule_end_before_start": lambda o: _schedule(o, NOW, NOW - dt.timedelta(hours=1)),
    "equipment_negative_odometer": lambda o: Equipment(
        tenant_id=o["tenant"],
        location_id=o["location"],
        unit_number="T-15",
        name="Cube van",
        type=EquipmentType.TRUCK,
        odometer_km=-1,
    ),
    "check_negative_odometer": lambda o: EquipmentCheck(
        tenant_id=o["tenant"],
        equipment_id=o["truck"],
        performed_by=o["user"],
        performed_at=NOW,
        odometer_km=-5,
        overall_result=CheckResult.PASS,
    ),
    "duplicate_live_unit_number": lambda o: Equipment(
        tenant_id=o["tenant"],
        location_id=o["location"],
        unit_number="T-14",
        name="Twin",
        type=EquipmentType.TRUCK,
    ),
    "availability_end_before_start": lambda o: Availability(
        tenant_id=o["tenant"],
        user_id=o["user"],
        type=AvailabilityType.VACATION,
        start_at=NOW,
        end_at=NOW,
    ),
    "working_hours_end_before_start": lambda o: WorkingHours(
        tenant_id=o["tenant"],
        user_id=o["user"],
        weekday=0,
        start_time=dt.time(17, 0),
        end_time=dt.time(7, 0),
    ),
    "working_hours_bad_weekday": lambda o: WorkingHours(
        tenant_id=o["tenant"],
        user_id=o["user"],
        weekday=7,
        start_time=dt.time(7, 0),
        end_time=dt.time(15, 0),
    ),
    "supplier_rate_above_one": lambda o: Supplier(
        tenant_id=o["tenant"],
        name="Late Co",
        on_time_rate=Decimal("1.2"),
    ),
    "negative_reorder_point": lambda o: Inventory(
        tenant_id=o["tenant"],
        location_id=o["location"],
        sku="BOX-S",
        name="Small box",
        reorder_point=Decimal("-1"),
    ),
}


#: The constraint each case must trip (so a test cannot pass for the wrong reason).
REFUSED_BY = {
    "schedule_end_before_start": "ck_schedule_end_after_start",
    "equipment_negative_odometer": "ck_equipment_odometer_nonneg",
    "check_negative_odometer": "ck_equipment_check_odometer_nonneg",
    "duplicate_live_unit_number": "equipment.tenant_id, equipment.unit_number",
    "availability_end_before_start": "ck_availability_end_after_start",
    "working_hours_end_before_start": "ck_working_hours_end_after_start",
    "working_hours_bad_weekday": "ck_working_hours_weekday_range",
    "supplier_rate_above_one": "ck_supplier_on_time_rate_range",
    "negative_reorder_point": "ck_inventory_reorder_point_nonneg",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_database_refuses_invalid_rows(
    session: Session, org: dict[str, uuid.UUID], case: str
) -> None:
    session.add(REFUSED[case](org))
    with pytest.raises(IntegrityError, match=REFUSED_BY[case]):
        session.commit()


@pytest.mark.parametrize(
    ("kind", "qty", "transfer", "constraint"),
    [
        (InventoryTransactionType.PURCHASE, Decimal("-1"), False, "purchase_positive"),
        (InventoryTransactionType.DAMAGE, Decimal("2"), False, "writeoff_negative"),
        (InventoryTransactionType.SALE, Decimal("0"), False, "quantity_nonzero"),
        (InventoryTransactionType.TRANSFER, Decimal("-5"), False, "transfer_fields"),
        (InventoryTransactionType.ADJUSTMENT, Decimal("1"), True, "transfer_fields"),
    ],
)
def test_transaction_sign_and_transfer_rules(
    session: Session,
    org: dict[str, uuid.UUID],
    kind: InventoryTransactionType,
    qty: Decimal,
    transfer: bool,
    constraint: str,
) -> None:
    item = Inventory(
        tenant_id=org["tenant"],
        location_id=org["location"],
        sku="BLANKET",
        name="Pad",
    )
    session.add(item)
    session.commit()
    session.add(
        InventoryTransaction(
            tenant_id=org["tenant"],
            inventory_id=item.id,
            type=kind,
            quantity=qty,
            occurred_at=NOW,
            performed_by=org["user"],
            transfer_group_id=uuid7() if transfer else None,
            counterpart_location_id=org["location"] if transfer else None,
        )
    )
    with pytest.raises(IntegrityError, match=f"ck_inventory_transaction_{constraint}"):
        session.commit()


def test_tombstoned_unit_number_can_be_reused(session: Session, org: dict[str, uuid.UUID]) -> None:
    old = session.get(Equipment, org["truck"])
    old.deleted_at = NOW
    session.commit()
    session.add(
        Equipment(
            tenant_id=org["tenant"],
            location_id=org["location"],
            unit_number="T-14",
            name="Replacement 26 ft",
            type=EquipmentType.TRUCK,
        )
    )
    session.commit()


def test_postgresql_ddl_compiles() -> None:
    md = ops_metadata()
    dialect = postgresql.dialect()
    for name in OPS_TABLES:
        table = md.tables[name]
        ddl = str(CreateTable(table).compile(dialect=dialect))
        assert f"CREATE TABLE {dialect.identifier_preparer.quote(name)}" in ddl
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=dialect))
    equipment = str(CreateTable(md.tables["equipment"]).compile(dialect=dialect))
    assert "ck_equipment_odometer_nonneg" in equipment
    assert "NUMERIC(14, 3)" in equipment
    check = str(CreateTable(md.tables["equipment_check"]).compile(dialect=dialect))
    assert "JSONB" in check and "TIMESTAMP WITH TIME ZONE" in check
    unit_index = next(i for i in md.tables["equipment"].indexes if i.name.endswith("_live"))
    assert "WHERE deleted_at IS NULL" in str(CreateIndex(unit_index).compile(dialect=dialect))
