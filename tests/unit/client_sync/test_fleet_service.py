"""FleetService on a real SQLCipher replica: inspections recorded offline."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest

from client.replica import LocalStore
from client.services import LocalWriteService, get_row, list_rows
from client.services.fleet import FleetService
from client.sync import outbox
from client.sync.db import replica_tx
from shared_models.enums import CheckKind, EquipmentStatus
from shared_models.ids import uuid7
from shared_models.rules.errors import RuleViolation
from shared_models.rules.fleet import INCOMPLETE_CHECK
from shared_models.rules.fleet_service import DueState
from tests.unit.client_sync.replica_rows import LOCATION, USER, branch, person, put_rows

TRUCK = uuid.UUID("0190a000-0000-7000-8000-0000000000f1")


def _setup(store: LocalStore, role: str) -> None:
    branch(store, LOCATION, "HQ")
    person(store, USER, LOCATION, role)
    put_rows(
        store,
        "equipment",
        [
            {
                "id": TRUCK,
                "location_id": LOCATION,
                "unit_number": "T-14",
                "name": "Box truck",
                "type": "TRUCK",
                "status": "ACTIVE",
                "next_service_odometer_km": 121_000,
            }
        ],
    )


def _filled(fleet: FleetService, **results: str) -> list[dict[str, Any]]:
    items = fleet.checklist(TRUCK)
    for item in items:
        item["result"] = results.get(item["code"], "PASS")
    return items


def _pending(store: LocalStore) -> list[outbox.PendingMutation]:
    with replica_tx(store) as conn:
        return outbox.pending(conn)


def test_failed_brakes_take_the_truck_out_of_service_offline(
    store: LocalStore, service: LocalWriteService
) -> None:
    _setup(store, "CREW_LEAD")
    fleet = FleetService(service)
    recorded = fleet.record_check(
        equipment_id=TRUCK, items=_filled(fleet, service_brakes="FAIL"), odometer_km=120_400
    )
    assert recorded.status == "REPAIR"
    check = get_row(store, "equipment_check", recorded.check_id)
    assert check is not None
    assert check["overall_result"] == "FAIL" and check["performed_by"] == USER
    assert "Service brakes" in check["defects_summary"]
    assert get_row(store, "equipment", TRUCK)["status"] == EquipmentStatus.REPAIR  # type: ignore[index]
    # one batch: the check and the status change queue together, check first
    assert [(p.table, p.op) for p in _pending(store)] == [
        ("equipment_check", "insert"),
        ("equipment", "update"),
    ]


def test_a_role_that_may_not_update_units_leaves_it_to_the_server(
    store: LocalStore, service: LocalWriteService
) -> None:
    _setup(store, "CREW_MEMBER")
    fleet = FleetService(service)
    recorded = fleet.record_check(equipment_id=TRUCK, items=_filled(fleet, steering="FAIL"))
    assert recorded.status is None and recorded.outcome.status is EquipmentStatus.REPAIR
    assert get_row(store, "equipment", TRUCK)["status"] == "ACTIVE"  # type: ignore[index]
    assert [p.table for p in _pending(store)] == ["equipment_check"]


def test_incomplete_check_is_refused_and_writes_nothing(
    store: LocalStore, service: LocalWriteService
) -> None:
    _setup(store, "CREW_LEAD")
    fleet = FleetService(service)
    with pytest.raises(RuleViolation) as err:
        fleet.record_check(equipment_id=TRUCK, items=_filled(fleet)[:3])
    assert err.value.code == INCOMPLETE_CHECK
    assert list_rows(store, "equipment_check") == [] and _pending(store) == []


def test_service_due_from_recorded_readings(store: LocalStore, service: LocalWriteService) -> None:
    _setup(store, "CREW_LEAD")
    fleet = FleetService(service)
    today = dt.date(2026, 5, 1)
    assert fleet.service_due(TRUCK, today=today).state is DueState.OK
    fleet.record_check(
        equipment_id=TRUCK, items=_filled(fleet), odometer_km=120_500, kind=CheckKind.PRE_TRIP
    )
    assert fleet.service_due(TRUCK, today=today).state is DueState.DUE_SOON
    fleet.record_check(
        equipment_id=TRUCK,
        items=_filled(fleet),
        odometer_km=121_050,
        engine_hours=Decimal("10.5"),
        performed_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=1),
    )
    due = fleet.service_due(TRUCK, today=today)
    assert due.state is DueState.OVERDUE and due.odometer_km == 121_050
    assert uuid7()  # ids stay UUIDv7 on the client
