"""A maintenance job's lifecycle and when its unit may work again (shared_models.rules.maintenance)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared_models.enums import EquipmentStatus, MaintenanceStatus, MaintenanceType
from shared_models.rules import maintenance as rules
from shared_models.rules.errors import RuleViolation
from shared_models.rules.scheduling import MaintenanceState, TruckInfo, out_of_service_reason

M, T = MaintenanceStatus, MaintenanceType
DAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 15, 0, tzinfo=dt.UTC)


def job(status: MaintenanceStatus, kind: MaintenanceType, day: dt.date | None = None):  # type: ignore[no-untyped-def]
    return MaintenanceState(uuid.uuid4(), status, day, None, kind)


@pytest.mark.parametrize(
    ("old", "new"),
    [(M.COMPLETED, M.SCHEDULED), (M.CANCELLED, M.IN_PROGRESS), (M.IN_PROGRESS, M.SCHEDULED)],
)
def test_finished_jobs_and_started_ones_do_not_go_back(old, new) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuleViolation) as refused:
        rules.check_transition(old, new)
    assert refused.value.code == "invalid_transition"


def test_a_scheduled_job_may_be_started_finished_at_once_or_cancelled() -> None:
    for target in (M.IN_PROGRESS, M.COMPLETED, M.CANCELLED, M.SCHEDULED):
        rules.check_transition(M.SCHEDULED, target)
    with pytest.raises(RuleViolation) as unknown:
        rules.check_transition(M.SCHEDULED, "LOST")
    assert unknown.value.code == "unknown_status"


def test_only_a_scheduled_job_gets_a_shop_day() -> None:
    assert rules.refusal(M.SCHEDULED, rules.Action.BOOK) is None
    assert "already in the shop" in (rules.refusal(M.IN_PROGRESS, rules.Action.BOOK) or "")
    assert "open a new job" in (rules.refusal(M.CANCELLED, rules.Action.COMPLETE) or "")


def test_an_unbooked_repair_keeps_its_unit_out_a_booked_job_from_its_shop_day() -> None:
    july = DAY.replace(month=7)
    assert rules.keeps_unit_out(job(M.SCHEDULED, T.CORRECTIVE), DAY)
    assert not rules.keeps_unit_out(job(M.SCHEDULED, T.CORRECTIVE, july), DAY)
    assert rules.keeps_unit_out(job(M.SCHEDULED, T.CORRECTIVE, july), july)
    assert rules.keeps_unit_out(job(M.SCHEDULED, T.EMERGENCY, july), DAY)
    assert rules.keeps_unit_out(job(M.IN_PROGRESS, T.PREVENTIVE), DAY)
    assert not rules.keeps_unit_out(job(M.SCHEDULED, T.PREVENTIVE), DAY)
    assert not rules.keeps_unit_out(job(M.SCHEDULED, T.INSPECTION), DAY)
    assert not rules.keeps_unit_out(job(M.SCHEDULED, T.PREVENTIVE, DAY.replace(day=16)), DAY)
    assert rules.keeps_unit_out(job(M.SCHEDULED, T.PREVENTIVE, DAY), DAY)
    assert not rules.keeps_unit_out(job(M.COMPLETED, T.CORRECTIVE), DAY)


@given(
    status=st.sampled_from(list(M)),
    kind=st.sampled_from([*T, None]),
    booked=st.none() | st.dates(dt.date(2026, 6, 1), dt.date(2026, 7, 1)),
)
def test_the_fleet_screens_and_the_dispatch_board_ground_the_same_units(
    status: MaintenanceStatus,
    kind: MaintenanceType | None,
    booked: dt.date | None,
) -> None:
    """One rule: a unit put back to work by a completion is one the board may dispatch."""
    other = MaintenanceState(uuid.uuid4(), status, booked, None, kind)
    truck = TruckInfo(uuid.uuid4(), "T-1", maintenance=(other,))
    grounded = out_of_service_reason(truck, DAY) is not None
    assert rules.keeps_unit_out(other, DAY) is grounded
    back = rules.status_after_completion(EquipmentStatus.REPAIR, [other], DAY)
    assert (back is EquipmentStatus.ACTIVE) is not grounded


def test_the_last_job_done_puts_a_unit_in_repair_back_to_work() -> None:
    other_repair = job(M.SCHEDULED, T.EMERGENCY)
    assert rules.status_after_completion(EquipmentStatus.REPAIR, [], DAY) is EquipmentStatus.ACTIVE
    assert rules.status_after_completion(EquipmentStatus.REPAIR, [other_repair], DAY) is None
    assert rules.status_after_completion(EquipmentStatus.RETIRED, [], DAY) is None
    assert rules.status_after_completion(EquipmentStatus.ACTIVE, [], DAY) is None


def test_readings_only_ever_raise_the_units_counters() -> None:
    done = rules.check_completion(
        performed_at=NOW, now=NOW, odometer_km="120,500", engine_hours="1500.04", cost="$480"
    )
    assert (done.odometer_km, done.engine_hours, done.cost) == (
        120500,
        Decimal("1500.0"),
        Decimal("480.00"),
    )
    unit = {"odometer_km": 121000, "engine_hours": Decimal(1400)}
    assert rules.raised_readings(unit, done) == {"engine_hours": Decimal("1500.0")}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cost": "-5"}, "cost"),
        ({"cost": "4.005"}, "cost"),
        ({"odometer_km": "12.5"}, "odometer_km"),
        ({"engine_hours": "-1"}, "engine_hours"),
        ({"performed_at": NOW + dt.timedelta(hours=1)}, "performed_at"),
    ],
)
def test_a_bad_completion_names_its_field(fields, field) -> None:  # type: ignore[no-untyped-def]
    values = {"performed_at": NOW, "now": NOW, **fields}
    with pytest.raises(RuleViolation) as bad:
        rules.check_completion(**values)
    assert bad.value.field == field


def test_a_repair_cannot_be_done_before_the_inspection_that_found_it() -> None:
    with pytest.raises(RuleViolation) as early:
        rules.check_completion(
            performed_at=NOW - dt.timedelta(days=1), now=NOW, found_at=NOW - dt.timedelta(hours=2)
        )
    assert early.value.code == "before_defect"
