"""``fleet_rules.react``: a failed inspection takes the truck out of service, once."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from shared_models.enums import (
    CheckResult,
    EquipmentStatus,
    EquipmentType,
    MaintenanceStatus,
    MaintenanceType,
)
from shared_models.models import AuditLog, Equipment, EquipmentMaintenance
from shared_models.rules.fleet import blank_items
from sync_server.sync import fleet_rules
from tests.integration.fleet_stock.conftest import Fleet

AT = dt.datetime(2026, 5, 4, 11, 30, tzinfo=dt.UTC)


def _items(**results: str) -> list[dict[str, Any]]:
    items = blank_items(EquipmentType.TRUCK)
    for item in items:
        item["result"] = results.get(item["code"], "PASS")
    return items


def _check(fleet: Fleet, items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "equipment_id": fleet.truck,
        "performed_by": fleet.users["crew"],
        "performed_at": extra.pop("performed_at", AT),
        "items": items,
        "overall_result": extra.pop("overall_result", CheckResult.PASS),
        **extra,
    }


def _truck(engine: Engine, fleet: Fleet) -> Equipment:
    with Session(engine) as s:
        return s.execute(select(Equipment).where(Equipment.id == fleet.truck)).scalar_one()


def _jobs(engine: Engine, fleet: Fleet) -> list[EquipmentMaintenance]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(EquipmentMaintenance).where(EquipmentMaintenance.equipment_id == fleet.truck)
            )
        )


@pytest.mark.parametrize("defer", [False, True], ids=["careful", "deferred"])
def test_failed_brakes_open_repair_once(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any], defer: bool
) -> None:
    before = _truck(engine, fleet)
    items = _items(service_brakes="FAIL")
    items[0]["note"] = "soft pedal"
    with writing(defer=defer) as w:
        check = w.insert(
            "equipment_check",
            _check(fleet, items, overall_result=CheckResult.FAIL, odometer_km=120_480),
        )
        done = fleet_rules.react(w, {"equipment_check": {check["id"]}})
    assert done.status == {fleet.truck: "REPAIR"}
    truck = _truck(engine, fleet)
    assert truck.status is EquipmentStatus.REPAIR
    assert truck.odometer_km == 120_480
    assert truck.version > before.version  # server-authored and versioned
    [job] = _jobs(engine, fleet)
    assert job.id == done.opened[check["id"]]
    assert job.type is MaintenanceType.CORRECTIVE and job.status is MaintenanceStatus.SCHEDULED
    assert job.opened_by_check_id == check["id"]
    assert "T-14" in job.description and "soft pedal" in job.description
    assert job.scheduled_date == AT.date() and job.odometer_km == 120_480
    assert job.version > 0
    with Session(engine) as s:
        audited = s.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.row_id.in_([job.id, truck.id]))
        )
    assert audited == 2

    # replayed (or reacted to twice): nothing new, nothing changed
    with writing(defer=defer) as w:
        again = fleet_rules.react(w, {"equipment_check": {check["id"]}})
    assert not again.opened and not again.status and not again.readings
    assert len(_jobs(engine, fleet)) == 1
    assert _truck(engine, fleet).version == truck.version


def test_client_pass_verdict_does_not_hide_a_failed_safety_item(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    with writing() as w:
        check = w.insert("equipment_check", _check(fleet, _items(emergency_equipment="FAIL")))
        fleet_rules.react(w, {"equipment_check": {check["id"]}})
    assert _truck(engine, fleet).status is EquipmentStatus.MAINTENANCE
    assert len(_jobs(engine, fleet)) == 1


def test_passing_check_only_raises_readings(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    with writing() as w:
        low = w.insert("equipment_check", _check(fleet, _items(), odometer_km=1))
        high = w.insert(
            "equipment_check",
            _check(fleet, _items(), odometer_km=121_000, engine_hours=Decimal("4410.5")),
        )
        done = fleet_rules.react(w, {"equipment_check": {low["id"], high["id"]}})
    truck = _truck(engine, fleet)
    assert (truck.status, truck.odometer_km, truck.engine_hours) == (
        EquipmentStatus.ACTIVE,
        121_000,
        Decimal("4410.5"),
    )
    assert done.readings == {fleet.truck} and not done.opened
    assert _jobs(engine, fleet) == []


def test_late_failed_check_after_a_newer_pass_opens_the_job_but_keeps_the_unit(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    with writing() as w:
        w.insert(
            "equipment_check", _check(fleet, _items(), performed_at=AT + dt.timedelta(hours=8))
        )
    with writing() as w:  # the morning's failed check syncs in the evening
        check = w.insert(
            "equipment_check",
            _check(fleet, _items(lights_reflectors="FAIL"), overall_result=CheckResult.FAIL),
        )
        done = fleet_rules.react(w, {"equipment_check": {check["id"]}})
    assert _truck(engine, fleet).status is EquipmentStatus.ACTIVE
    assert list(done.opened) == [check["id"]] and not done.status


@pytest.mark.parametrize("status", [EquipmentStatus.RETIRED, EquipmentStatus.REPAIR])
def test_status_is_not_downgraded_or_revived(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any], status: EquipmentStatus
) -> None:
    with writing("manager") as w:
        w.update("equipment", fleet.truck, {"status": status})
    with writing() as w:
        check = w.insert("equipment_check", _check(fleet, _items(horn="FAIL")))
        fleet_rules.react(w, {"equipment_check": {check["id"]}})
    assert _truck(engine, fleet).status is status
    assert len(_jobs(engine, fleet)) == 1


def test_unreadable_items_fall_back_to_the_inspectors_verdict(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    with writing() as w:
        check = w.insert(
            "equipment_check",
            _check(
                fleet,
                [{"code": "brakes", "result": "MAYBE"}],
                overall_result=CheckResult.FAIL,
                defects_summary="brakes squeal",
            ),
        )
        ok = w.insert(
            "equipment_check",
            _check(fleet, [{"code": "x", "result": "??"}], performed_at=AT - dt.timedelta(days=1)),
        )
        done = fleet_rules.react(w, {"equipment_check": {check["id"], ok["id"]}})
    assert list(done.opened) == [check["id"]]
    assert _truck(engine, fleet).status is EquipmentStatus.REPAIR


def test_other_tables_and_unknown_ids_are_ignored(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    with writing() as w:
        done = fleet_rules.react(
            w, {"equipment": {uuid.uuid4()}, "equipment_check": {uuid.uuid4()}}
        )
    assert not done.opened and not done.status
