"""Supplier on-time rate from real purchases (``stock.react`` -> ``supplier_rating``)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from shared_models.enums import InventoryTransactionType
from shared_models.models import AuditLog, InventoryTransaction, Supplier
from sync_server.core.db import session_scope
from sync_server.sync import stock
from tests.integration.fleet_stock.conftest import Fleet

T = InventoryTransactionType
D = dt.date


def _supplier(engine: Engine, fleet: Fleet, lead: int | None = 5) -> uuid.UUID:
    with session_scope(engine) as s:
        row = Supplier(tenant_id=fleet.tenant, name="Northern Packaging", lead_time_days=lead)
        s.add(row)
        s.flush()
        return row.id


def _purchase(
    fleet: Fleet, supplier: uuid.UUID, ordered: D, received: dt.datetime, expected: D | None
) -> dict[str, Any]:
    return {
        "inventory_id": fleet.items["BLANKET"],
        "type": T.PURCHASE,
        "quantity": Decimal(10),
        "occurred_at": received,
        "performed_by": fleet.users["crew"],
        "supplier_id": supplier,
        "ordered_on": ordered,
        "expected_on": expected,
    }


def _receive(writing: Callable[..., Any], *moves: dict[str, Any], defer: bool = False) -> None:
    with writing(defer=defer) as w:
        ids = {w.insert("inventory_transaction", m)["id"] for m in moves}
        stock.react(w, {"inventory_transaction": ids})


def _rated(engine: Engine, supplier: uuid.UUID) -> Supplier:
    with Session(engine) as s:
        return s.execute(select(Supplier).where(Supplier.id == supplier)).scalar_one()


def _toronto(day: D, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), dt.UTC) + dt.timedelta(hours=4)


@pytest.mark.parametrize("defer", [False, True], ids=["careful", "deferred"])
def test_two_on_time_and_one_late_purchase_rate_the_supplier_two_thirds(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any], defer: bool
) -> None:
    supplier = _supplier(engine, fleet)
    before = _rated(engine, supplier)
    assert before.on_time_rate is None
    _receive(
        writing,
        _purchase(fleet, supplier, D(2026, 5, 1), _toronto(D(2026, 5, 5), 10), D(2026, 5, 6)),
        _purchase(fleet, supplier, D(2026, 5, 8), _toronto(D(2026, 5, 13), 9), D(2026, 5, 13)),
        defer=defer,
    )
    assert _rated(engine, supplier).on_time_rate == Decimal(1)
    _receive(
        writing,
        _purchase(fleet, supplier, D(2026, 5, 15), _toronto(D(2026, 5, 22), 9), D(2026, 5, 20)),
        defer=defer,
    )
    after = _rated(engine, supplier)
    assert after.on_time_rate == Decimal("0.6667")
    assert after.version > before.version  # server-written, versioned, pulled by replicas
    with Session(engine) as s:
        audited = s.scalars(select(AuditLog.table_name).where(AuditLog.row_id == supplier)).all()
    assert audited == ["supplier", "supplier"]  # 1.0 then 0.6667: one write per change


def test_the_receipt_day_is_the_branchs_local_day_and_lead_time_judges_undated_orders(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    supplier = _supplier(engine, fleet, lead=3)
    # 2026-05-04 23:30 in Toronto is already the 5th in UTC: still on time for the 4th.
    late_evening = dt.datetime(2026, 5, 5, 3, 30, tzinfo=dt.UTC)
    _receive(writing, _purchase(fleet, supplier, D(2026, 5, 1), late_evening, D(2026, 5, 4)))
    assert _rated(engine, supplier).on_time_rate == Decimal(1)
    # No expected day: due three days (the agreed lead time) after the order, and it took five.
    _receive(writing, _purchase(fleet, supplier, D(2026, 5, 10), _toronto(D(2026, 5, 15), 9), None))
    assert _rated(engine, supplier).on_time_rate == Decimal("0.5")
    assert _rated(engine, supplier).lead_time_days == 3  # the agreed lead time is kept


def test_a_purchase_recorded_before_its_order_day_is_kept_but_not_judged(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    supplier = _supplier(engine, fleet)
    _receive(
        writing,
        _purchase(fleet, supplier, D(2026, 5, 1), _toronto(D(2026, 5, 2), 9), D(2026, 5, 3)),
        _purchase(fleet, supplier, D(2026, 6, 9), _toronto(D(2026, 6, 1), 9), D(2026, 6, 12)),
    )
    assert _rated(engine, supplier).on_time_rate == Decimal(1)
    with Session(engine) as s:
        kept = s.scalars(
            select(InventoryTransaction.id).where(InventoryTransaction.supplier_id == supplier)
        ).all()
    assert len(kept) == 2  # the stock movement itself is not lost


def test_purchases_without_supplier_or_order_day_leave_suppliers_alone(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    supplier = _supplier(engine, fleet)
    plain = _purchase(fleet, supplier, D(2026, 5, 1), _toronto(D(2026, 5, 2), 9), None)
    plain.update(supplier_id=None, ordered_on=None)
    _receive(writing, plain)
    assert _rated(engine, supplier).on_time_rate is None
