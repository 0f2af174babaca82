"""The demo seed's suppliers are rated from their deliveries; hour-metered gear has a plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shared_models.enums import EquipmentType, InventoryTransactionType
from shared_models.models import Equipment, Inventory, InventoryTransaction, Location, Supplier
from shared_models.rules.fleet_service import ServicePlan
from shared_models.rules.stock import Delivery, supplier_performance
from sync_server.core.db import create_db_engine, session_scope
from sync_server.db import versioning  # noqa: F401  (registers sync_version_seq on the metadata)
from sync_server.seed import seed_demo
from tests.utils.pg import DatabaseFactory

TODAY = dt.date(2026, 6, 15)


@pytest.fixture(scope="module")
def seeded(database_factory: DatabaseFactory, migrated_template: str) -> Iterator[Engine]:
    engine = create_db_engine(database_factory.create(template=migrated_template))
    with session_scope(engine) as session:
        seed_demo(session, seed=42, today=TODAY, hq_customers=8, branch_customers=2)
    yield engine
    engine.dispose()


def test_every_seeded_purchase_is_a_dated_delivery_of_the_items_supplier(seeded: Engine) -> None:
    with Session(seeded) as s:
        rows = s.execute(
            select(InventoryTransaction, Inventory.supplier_id)
            .join(Inventory, Inventory.id == InventoryTransaction.inventory_id)
            .where(InventoryTransaction.type == InventoryTransactionType.PURCHASE)
        ).all()
    assert rows
    for tx, item_supplier in rows:
        assert tx.supplier_id == item_supplier and tx.ordered_on and tx.expected_on
        assert tx.ordered_on <= tx.occurred_at.date() + dt.timedelta(days=1)
    late = [tx for tx, _ in rows if tx.occurred_at.date() > tx.expected_on + dt.timedelta(days=1)]
    assert 0 < len(late) < len(rows)  # some late, most on time


def test_on_time_rate_is_the_shared_rule_over_the_suppliers_purchases(seeded: Engine) -> None:
    with Session(seeded) as s:
        suppliers = s.scalars(select(Supplier)).all()
        rated = [sup for sup in suppliers if sup.on_time_rate is not None]
        assert {sup.name for sup in rated} == {
            "Northern Packaging Supply",
            "Great Lakes Poly & Wrap",
        }  # repair shops deliver no stock: not rated
        for sup in rated:
            deliveries = [
                Delivery(
                    r.ordered_on,
                    r.occurred_at.astimezone(ZoneInfo(r.timezone)).date(),
                    r.expected_on,
                )
                for r in s.execute(
                    select(
                        InventoryTransaction.ordered_on,
                        InventoryTransaction.expected_on,
                        InventoryTransaction.occurred_at,
                        Location.timezone,
                    )
                    .join(Inventory, Inventory.id == InventoryTransaction.inventory_id)
                    .join(Location, Location.id == Inventory.location_id)
                    .where(InventoryTransaction.supplier_id == sup.id)
                )
            ]
            expected = supplier_performance(deliveries).on_time_rate
            assert sup.on_time_rate == expected and 0 < expected < 1


def test_forklifts_have_an_engine_hour_plan_near_their_meter_reading(seeded: Engine) -> None:
    with Session(seeded) as s:
        lifts = s.scalars(select(Equipment).where(Equipment.type == EquipmentType.FORKLIFT)).all()
        trucks = s.scalars(select(Equipment).where(Equipment.type == EquipmentType.TRUCK)).all()
    assert lifts
    for unit in lifts:
        assert unit.service_interval_engine_hours and unit.next_service_engine_hours
        plan = ServicePlan.of(unit.__dict__)
        assert plan.next_service_engine_hours == unit.next_service_engine_hours
        assert abs(unit.next_service_engine_hours - unit.engine_hours) <= 250
    assert all(t.service_interval_engine_hours is None for t in trucks)  # trucks go by km
