"""Engine-hour and odometer service plans: a check past the point opens one PREVENTIVE job."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from shared_models.enums import (
    CheckKind,
    CheckResult,
    EquipmentType,
    MaintenanceStatus,
    MaintenanceType,
)
from shared_models.models import Equipment, EquipmentMaintenance
from shared_models.rules.fleet import blank_items
from shared_models.rules.scheduling import out_of_service_reason
from sync_server.core.db import session_scope
from sync_server.sync import fleet_rules
from sync_server.sync.schedule_facts import trucks_of
from tests.integration.fleet_stock.conftest import Fleet

AT = dt.datetime(2026, 5, 4, 11, 30, tzinfo=dt.UTC)


def _forklift(engine: Engine, fleet: Fleet) -> uuid.UUID:
    with session_scope(engine) as s:
        unit = Equipment(
            tenant_id=fleet.tenant,
            location_id=fleet.hq,
            unit_number="FL-01",
            name="Warehouse forklift",
            type=EquipmentType.FORKLIFT,
            engine_hours=Decimal(1400),
            service_interval_engine_hours=Decimal(250),
            next_service_engine_hours=Decimal(1500),
        )
        s.add(unit)
        s.flush()
        return unit.id


def _check(unit: uuid.UUID, fleet: Fleet, hours: int | None, at: dt.datetime = AT, **extra: Any):
    items = blank_items(EquipmentType.FORKLIFT)
    for item in items:
        item["result"] = "PASS"
    return {
        "equipment_id": unit,
        "performed_by": fleet.users["crew"],
        "performed_at": at,
        "kind": CheckKind.PERIODIC,
        "items": items,
        "overall_result": CheckResult.PASS,
        "engine_hours": None if hours is None else Decimal(hours),
        **extra,
    }


def _inspect(writing: Callable[..., Any], check: dict[str, Any], defer: bool = False):
    with writing(defer=defer) as w:
        row = w.insert("equipment_check", check)
        return row["id"], fleet_rules.react(w, {"equipment_check": {row["id"]}})


def _preventive(engine: Engine, unit: uuid.UUID) -> list[EquipmentMaintenance]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(EquipmentMaintenance)
                .where(
                    EquipmentMaintenance.equipment_id == unit,
                    EquipmentMaintenance.type == MaintenanceType.PREVENTIVE,
                )
                .order_by(EquipmentMaintenance.created_at)
            )
        )


@pytest.mark.parametrize("defer", [False, True], ids=["careful", "deferred"])
def test_engine_hours_past_the_plan_open_one_preventive_job(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any], defer: bool
) -> None:
    unit = _forklift(engine, fleet)
    _, below = _inspect(writing, _check(unit, fleet, 1490), defer=defer)
    assert below.preventive == {} and _preventive(engine, unit) == []
    check_id, done = _inspect(writing, _check(unit, fleet, 1502), defer=defer)
    [job] = _preventive(engine, unit)
    assert done.preventive == {unit: job.id}
    assert (job.status, job.scheduled_date, job.engine_hours) == (
        MaintenanceStatus.SCHEDULED,
        None,  # due, not booked: dispatch picks the shop day
        Decimal(1502),
    )
    assert "FL-01" in job.description and "1502" in job.description
    assert "1500 h" in job.description
    assert job.opened_by_check_id is None and job.version is not None
    # Reacting to the same check again, or to a later one while the job is open: nothing new.
    with writing(defer=defer) as w:
        assert fleet_rules.react(w, {"equipment_check": {check_id}}).preventive == {}
    _inspect(writing, _check(unit, fleet, 1510, AT + dt.timedelta(days=1)), defer=defer)
    assert len(_preventive(engine, unit)) == 1


def test_a_unit_due_for_service_keeps_working_until_the_shop_day_is_booked(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    unit = _forklift(engine, fleet)
    _inspect(writing, _check(unit, fleet, 1502))
    [job] = _preventive(engine, unit)
    later = AT + dt.timedelta(days=3)

    def reason(day: dt.date) -> str | None:
        with Session(engine) as s:
            truck = trucks_of(s, {unit}, later + dt.timedelta(days=30))[unit]
        return out_of_service_reason(truck, day)

    assert reason(AT.date()) is None and reason(later.date()) is None
    with session_scope(engine) as s:  # the fleet manager books the service for "later"
        s.execute(
            update(EquipmentMaintenance)
            .where(EquipmentMaintenance.id == job.id)
            .values(scheduled_date=later.date())
        )
    assert reason(AT.date()) is None
    assert f"open (for {later.date()})" in (reason(later.date()) or "")


def test_after_the_service_the_next_point_is_the_reading_plus_the_interval(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    unit = _forklift(engine, fleet)
    _inspect(writing, _check(unit, fleet, 1502))
    [job] = _preventive(engine, unit)
    with session_scope(engine) as s:  # the mechanic closes the job at 1505 h
        s.execute(
            update(EquipmentMaintenance)
            .where(EquipmentMaintenance.id == job.id)
            .values(
                status=MaintenanceStatus.COMPLETED,
                performed_at=AT + dt.timedelta(days=2),
                engine_hours=Decimal(1505),
            )
        )
    _inspect(writing, _check(unit, fleet, 1600, AT + dt.timedelta(days=5)))
    assert len(_preventive(engine, unit)) == 1  # next point is 1755 h, not the stale 1500
    _, done = _inspect(writing, _check(unit, fleet, 1756, AT + dt.timedelta(days=30)))
    jobs = _preventive(engine, unit)
    assert len(jobs) == 2 and done.preventive == {unit: jobs[1].id}
    assert "1755 h" in jobs[1].description


def test_odometer_plan_of_a_truck_and_a_failed_check_open_both_jobs(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    with session_scope(engine) as s:
        s.execute(
            update(Equipment)
            .where(Equipment.id == fleet.truck)
            .values(next_service_odometer_km=125_000, service_interval_km=15_000)
        )
    items = blank_items(EquipmentType.TRUCK)
    for item in items:
        item["result"] = "FAIL" if item["code"] == "service_brakes" else "PASS"
    check = {
        "equipment_id": fleet.truck,
        "performed_by": fleet.users["crew"],
        "performed_at": AT,
        "items": items,
        "overall_result": CheckResult.FAIL,
        "odometer_km": 125_004,
    }
    _, done = _inspect(writing, check)
    assert set(done.opened) and done.preventive.keys() == {fleet.truck}
    with Session(engine) as s:
        kinds = sorted(
            s.scalars(
                select(EquipmentMaintenance.type).where(
                    EquipmentMaintenance.equipment_id == fleet.truck
                )
            )
        )
    assert kinds == [MaintenanceType.CORRECTIVE, MaintenanceType.PREVENTIVE]


def test_a_unit_without_a_plan_or_readings_opens_nothing(
    engine: Engine, fleet: Fleet, writing: Callable[..., Any]
) -> None:
    unit = _forklift(engine, fleet)
    _, done = _inspect(writing, _check(unit, fleet, None))  # no reading recorded
    assert done.preventive == {}
    _, plain = _inspect(
        writing,
        {**_check(unit, fleet, None), "equipment_id": fleet.truck, "items": [], "kind": "PERIODIC"},
    )
    assert plain.preventive == {}
