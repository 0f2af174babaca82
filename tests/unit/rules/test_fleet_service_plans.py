"""Preventive plans by engine hours and odometer, and the point after a service."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from shared_models.rules.fleet_service import (
    DueState,
    LastService,
    Reading,
    ServicePlan,
    preventive_description,
    preventive_due,
    reading_overdue,
)

TODAY = dt.date(2026, 5, 1)
AT = dt.datetime(2026, 4, 30, 7, tzinfo=dt.UTC)


def test_an_engine_hour_plan_falls_due_from_a_checks_reading() -> None:
    plan = ServicePlan(next_service_engine_hours=D(1500), service_interval_engine_hours=D(250))
    due = preventive_due(plan, today=TODAY, readings=[Reading(AT, engine_hours=D(1502))])
    assert due.state is DueState.OVERDUE and due.reasons == ("engine_hours",)
    assert reading_overdue(due)
    assert preventive_description("FL-01", due) == (
        "Preventive service due on FL-01: engine hours 1502 reached the 1500 h service point"
    )


def test_a_completed_service_moves_an_explicit_point_on_by_the_interval() -> None:
    plan = ServicePlan(
        next_service_engine_hours=D(1500),
        service_interval_engine_hours=D(250),
        next_service_odometer_km=120_000,
        service_interval_km=15_000,
        next_service_date=dt.date(2026, 4, 1),
        service_interval_days=180,
    )
    last = LastService(dt.date(2026, 4, 20), odometer_km=120_300, engine_hours=D(1505))
    due = preventive_due(
        plan,
        today=TODAY,
        last_service=last,
        readings=[Reading(AT, odometer_km=121_000, engine_hours=D(1600))],
    )
    assert (due.due_engine_hours, due.due_odometer_km) == (D(1755), 135_300)
    assert due.due_date == dt.date(2026, 10, 17) and due.state is DueState.OK
    # An older service (before the explicit point) does not move it.
    early = LastService(dt.date(2026, 1, 5), odometer_km=100_000, engine_hours=D(1200))
    still = preventive_due(plan, today=TODAY, last_service=early)
    assert (still.due_engine_hours, still.due_odometer_km) == (D(1500), 120_000)


def test_a_point_reached_by_service_without_an_interval_is_no_longer_due() -> None:
    plan = ServicePlan(next_service_engine_hours=D(1500))
    last = LastService(dt.date(2026, 4, 20), engine_hours=D(1500))
    due = preventive_due(
        plan, today=TODAY, last_service=last, readings=[Reading(AT, engine_hours=D(1600))]
    )
    assert due.due_engine_hours is None and due.state is DueState.OK


def test_only_readings_open_a_job_not_a_passed_date() -> None:
    plan = ServicePlan(next_service_date=dt.date(2026, 4, 1), next_service_odometer_km=200_000)
    due = preventive_due(plan, today=TODAY, readings=[Reading(AT, odometer_km=150_000)])
    assert due.state is DueState.OVERDUE and due.reasons == ("date",)
    assert not reading_overdue(due)


def test_the_plan_is_read_from_an_equipment_row() -> None:
    row = {
        "unit_number": "R-2",
        "next_service_engine_hours": D(900),
        "service_interval_engine_hours": D(300),
        "service_interval_km": None,
    }
    plan = ServicePlan.of(row)
    assert plan.next_service_engine_hours == D(900) and plan.service_interval_km is None
    assert plan.next_service_date is None
