"""MaintenanceService on a dispatcher's real replica, synced from the real server.

Branch L0's truck T1 failed its brake inspection three hours ago: it is in
REPAIR with the CORRECTIVE job the check opened. T2 has a PREVENTIVE service
due without a shop day and a completed inspection from last month. Each test
books, starts, completes or cancels on the laptop, and the refused ones leave
the replica and the outbox exactly as they were.
"""

# The e2e suite's fixtures are imported by name, and so shadowed by the test parameters.
# ruff: noqa: F811

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from client.services.maintenance import MaintenanceService
from client.services.queries import get_row
from client.sync import outbox
from shared_models.rules import maintenance as rules
from shared_models.rules.contact import DATE_IN_PAST
from shared_models.rules.errors import (
    INVALID_TRANSITION,
    NEGATIVE_AMOUNT,
    PERMISSION_DENIED,
    REASON_REQUIRED,
    RuleViolation,
)
from tests.e2e.conftest import (  # noqa: F401 - the e2e suite's real server and laptops
    Client,
    base_url,
    headless_keyring,
    make_client,
    scene,
    server_db,
    server_secrets,
    world_db,
)
from tests.utils.e2e import Scene, ServerDb
from tests.utils.maintenance import FOUND, LATER, NOW, build_shop


@dataclass
class Shop:
    laptop: Client
    service: MaintenanceService
    t1: uuid.UUID
    t2: uuid.UUID
    brakes: uuid.UUID  # T1's CORRECTIVE job, opened by the failed check
    service_due: uuid.UUID  # T2's PREVENTIVE job, no shop day yet
    history: uuid.UUID  # T2's completed inspection of last month


@pytest.fixture
def shop(scene: Scene, server_db: ServerDb, make_client) -> Shop:  # type: ignore[no-untyped-def]
    ids = build_shop(scene, server_db)
    laptop = make_client(scene.accounts["disp"], "dispatch-pc")
    laptop.sync()
    return Shop(
        laptop,
        MaintenanceService(laptop.writes),
        scene.rows["t1"],
        scene.rows["t2"],
        ids["brakes"],
        ids["service_due"],
        ids["history"],
    )


def _outbox(laptop: Client) -> list[tuple[str, str, str]]:
    with laptop.store.engine.connect() as conn:
        return [(p.table, p.op, p.row_id) for p in outbox.pending(conn)]


def _row(laptop: Client, table: str, row_id: uuid.UUID) -> dict[str, Any]:
    row = get_row(laptop.store, table, row_id)
    assert row is not None
    return row


def _complete(shop: Shop, job: uuid.UUID, **extra: Any) -> Any:
    values: dict[str, Any] = {
        "performed_at": NOW - dt.timedelta(hours=1),
        "odometer_km": 120_450,
        "vendor_name": "Lakeshore Truck Centre",
        "vendor_reference": "WO-88123",
        "cost": Decimal("642.18"),
        **extra,
    }
    return shop.service.complete(job, **values)


def test_the_list_shows_open_jobs_first_with_their_unit_then_the_history(shop: Shop) -> None:
    jobs = shop.service.jobs()
    assert [j.id for j in jobs] == [shop.brakes, shop.service_due, shop.history]
    brakes = jobs[0]
    assert (brakes.unit_number, brakes.unit_name, brakes.unit_status) == (
        "T1",
        "Truck t1",
        "REPAIR",
    )
    assert (brakes.type, brakes.status, brakes.scheduled_date) == (
        "CORRECTIVE",
        "SCHEDULED",
        FOUND.date(),
    )
    assert brakes.found_at == FOUND and brakes.odometer_km == 120_400
    done = jobs[2]
    assert (done.vendor_name, done.cost, done.currency) == (
        "Lakeshore Truck Centre",
        Decimal("185.00"),
        "CAD",
    )
    assert [j.id for j in shop.service.jobs(open_only=True)] == [shop.brakes, shop.service_due]


def test_booking_sets_then_clears_the_shop_day_of_a_scheduled_job(shop: Shop) -> None:
    shop.service.book(shop.service_due, LATER)
    assert _row(shop.laptop, "equipment_maintenance", shop.service_due)["scheduled_date"] == LATER
    shop.service.book(shop.service_due, None)
    assert _row(shop.laptop, "equipment_maintenance", shop.service_due)["scheduled_date"] is None
    row = str(shop.service_due)
    assert _outbox(shop.laptop) == [
        ("equipment_maintenance", "update", row),
        ("equipment_maintenance", "update", row),
    ]


def test_starting_puts_the_job_in_progress_and_it_cannot_start_twice(shop: Shop) -> None:
    shop.service.start(shop.service_due)
    assert _row(shop.laptop, "equipment_maintenance", shop.service_due)["status"] == "IN_PROGRESS"
    with pytest.raises(RuleViolation, match="already in progress") as err:
        shop.service.start(shop.service_due)
    assert err.value.code == INVALID_TRANSITION
    assert len(_outbox(shop.laptop)) == 1


def test_completing_the_last_repair_puts_the_truck_back_to_active_and_the_server_agrees(
    shop: Shop, server_db: ServerDb
) -> None:
    done = _complete(shop, shop.brakes)
    assert done.unit_status == "ACTIVE" and done.still_open == ()
    job = _row(shop.laptop, "equipment_maintenance", shop.brakes)
    assert (job["status"], job["vendor_reference"], job["cost"]) == (
        "COMPLETED",
        "WO-88123",
        Decimal("642.18"),
    )
    unit = _row(shop.laptop, "equipment", shop.t1)
    assert (unit["status"], unit["odometer_km"]) == ("ACTIVE", 120_450)
    # One batch: the job first, then its unit.
    assert [(t, op) for t, op, _ in _outbox(shop.laptop)] == [
        ("equipment_maintenance", "update"),
        ("equipment", "update"),
    ]
    shop.laptop.sync()
    assert _outbox(shop.laptop) == []
    server_job, server_unit = (
        server_db.row("equipment_maintenance", shop.brakes),
        server_db.row("equipment", shop.t1),
    )
    assert server_job is not None and server_unit is not None
    assert (server_job["status"], server_job["performed_at"]) == (
        "COMPLETED",
        NOW - dt.timedelta(hours=1),
    )
    assert (server_unit["status"], server_unit["odometer_km"]) == ("ACTIVE", 120_450)


def test_the_truck_stays_in_repair_while_another_repair_is_still_open(shop: Shop) -> None:
    second = shop.service.open_job(
        equipment_id=shop.t1, type="EMERGENCY", description="Tail lift hydraulic leak", date=LATER
    )
    done = _complete(shop, shop.brakes)
    assert done.unit_status is None and done.still_open == ("Tail lift hydraulic leak",)
    assert _row(shop.laptop, "equipment", shop.t1)["status"] == "REPAIR"
    # ... and finishing that one releases it.
    assert _complete(shop, second).unit_status == "ACTIVE"
    assert _row(shop.laptop, "equipment", shop.t1)["status"] == "ACTIVE"


def test_a_booked_routine_service_later_does_not_keep_a_repaired_truck_out(shop: Shop) -> None:
    shop.service.open_job(
        equipment_id=shop.t1, type="PREVENTIVE", description="Oil change", date=LATER
    )
    assert _complete(shop, shop.brakes).unit_status == "ACTIVE"


def test_a_retired_unit_is_never_put_back_to_work(
    shop: Shop, scene: Scene, server_db: ServerDb
) -> None:
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.update("equipment", shop.t1, {"status": "RETIRED"})
    shop.laptop.sync()
    done = _complete(shop, shop.brakes)
    assert done.unit_status is None
    unit = _row(shop.laptop, "equipment", shop.t1)
    assert (unit["status"], unit["odometer_km"]) == ("RETIRED", 120_400)
    assert [t for t, _, _ in _outbox(shop.laptop)] == ["equipment_maintenance"]
    with pytest.raises(RuleViolation, match="retired") as err:
        shop.service.open_job(equipment_id=shop.t1, type="CORRECTIVE", description="Paint")
    assert err.value.code == rules.UNIT_OUT_OF_FLEET


def test_readings_raise_the_unit_odometer_and_hours_but_never_lower_them(shop: Shop) -> None:
    done = shop.service.complete(
        shop.service_due,
        performed_at=NOW - dt.timedelta(minutes=30),
        odometer_km=87_500,  # a typo or an old slip: lower than the unit's 88,000
        engine_hours="912.5",
        cost="0",
    )
    assert done.unit_status is None  # T2 was ACTIVE all along
    unit = _row(shop.laptop, "equipment", shop.t2)
    assert (unit["odometer_km"], unit["engine_hours"]) == (88_000, Decimal("912.5"))
    job = _row(shop.laptop, "equipment_maintenance", shop.service_due)
    assert (job["odometer_km"], job["cost"]) == (87_500, Decimal("0.00"))


def test_cancelling_keeps_the_reason_in_the_job_notes(shop: Shop) -> None:
    shop.service.cancel(shop.service_due, "  Done at the dealer under warranty ")
    job = _row(shop.laptop, "equipment_maintenance", shop.service_due)
    assert job["status"] == "CANCELLED"
    assert job["notes"] == "Cancelled: Done at the dealer under warranty"
    assert _row(shop.laptop, "equipment", shop.t2)["status"] == "ACTIVE"


BAD_INPUT = [
    pytest.param(
        lambda s: _complete(s, s.brakes, cost=Decimal(-5)),
        NEGATIVE_AMOUNT,
        "cannot be negative",
        id="negative-cost",
    ),
    pytest.param(
        lambda s: _complete(s, s.brakes, cost="12.345"),
        NEGATIVE_AMOUNT,
        "dollars and cents",
        id="fraction-of-a-cent",
    ),
    pytest.param(
        lambda s: _complete(s, s.brakes, performed_at=NOW + dt.timedelta(days=1)),
        rules.FUTURE_DATE,
        "in the future",
        id="done-tomorrow",
    ),
    pytest.param(
        lambda s: _complete(s, s.brakes, performed_at=FOUND - dt.timedelta(hours=1)),
        rules.BEFORE_DEFECT,
        "before the inspection",
        id="repaired-before-the-defect-was-found",
    ),
    pytest.param(
        lambda s: _complete(s, s.brakes, odometer_km=-1),
        rules.NEGATIVE_READING,
        "cannot be negative",
        id="negative-odometer",
    ),
    pytest.param(
        lambda s: _complete(s, s.brakes, engine_hours="-0.5"),
        rules.NEGATIVE_READING,
        "cannot be negative",
        id="negative-engine-hours",
    ),
    pytest.param(
        lambda s: _complete(s, s.history),
        INVALID_TRANSITION,
        "completed and cannot be completed",
        id="complete-twice",
    ),
    pytest.param(
        lambda s: s.service.book(s.history, LATER),
        INVALID_TRANSITION,
        "only a scheduled job can be booked",
        id="book-a-completed-job",
    ),
    pytest.param(
        lambda s: s.service.book(s.service_due, NOW.date() - dt.timedelta(days=3)),
        DATE_IN_PAST,
        "cannot be in the past",
        id="book-a-past-day",
    ),
    pytest.param(
        lambda s: s.service.cancel(s.brakes, "   "),
        REASON_REQUIRED,
        "Say why",
        id="cancel-without-a-reason",
    ),
    pytest.param(
        lambda s: s.service.open_job(equipment_id=s.t2, type="CORRECTIVE", description=""),
        rules.DESCRIPTION_REQUIRED,
        "what needs doing",
        id="job-without-a-description",
    ),
]


@pytest.mark.parametrize(("attempt", "code", "words"), BAD_INPUT)
def test_bad_input_is_refused_with_a_clear_error_and_nothing_is_written(
    shop: Shop, attempt: Any, code: str, words: str
) -> None:
    before = shop.service.jobs()
    units = [_row(shop.laptop, "equipment", u) for u in (shop.t1, shop.t2)]
    with pytest.raises(RuleViolation) as err:
        attempt(shop)
    assert err.value.code == code and words in err.value.message
    assert isinstance(err.value, ValueError)
    assert shop.service.jobs() == before
    assert [_row(shop.laptop, "equipment", u) for u in (shop.t1, shop.t2)] == units
    assert _outbox(shop.laptop) == []


def test_a_cancelled_job_cannot_be_completed(shop: Shop) -> None:
    shop.service.cancel(shop.service_due, "Duplicate of the dealer's booking")
    queued = _outbox(shop.laptop)
    with pytest.raises(RuleViolation, match="was cancelled and cannot be completed") as err:
        _complete(shop, shop.service_due)
    assert err.value.code == INVALID_TRANSITION
    assert _outbox(shop.laptop) == queued


def test_a_crew_lead_may_not_change_maintenance_jobs(shop: Shop, scene: Scene, make_client) -> None:  # type: ignore[no-untyped-def]
    lead = make_client(scene.accounts["lead1"], "field-laptop")
    lead.sync()
    service = MaintenanceService(lead.writes)
    assert not service.may_update() and not service.may_create()
    for attempt in (
        lambda: service.book(shop.service_due, LATER),
        lambda: service.start(shop.brakes),
        lambda: service.complete(shop.brakes, performed_at=NOW, cost="10.00"),
        lambda: service.cancel(shop.brakes, "not needed"),
        lambda: service.open_job(equipment_id=shop.t1, type="CORRECTIVE", description="Mirror"),
    ):
        with pytest.raises(RuleViolation) as err:
            attempt()
        assert err.value.code == PERMISSION_DENIED
    assert _outbox(lead) == []


def test_a_role_that_may_finish_jobs_but_not_edit_units_still_gets_its_truck_back(
    shop: Shop, scene: Scene, server_db: ServerDb
) -> None:
    """The laptop cannot write the unit's status; the server puts it back when the job is done."""
    grants = server_db.scalar(
        "SELECT array_agg(id) FROM role_permission WHERE tenant_id = :t AND role = 'DISPATCHER'"
        " AND resource = 'equipment' AND action = 'UPDATE' AND deleted_at IS NULL",
        t=scene.tenant_id,
    )
    assert grants
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        for grant in grants:
            w.delete("role_permission", grant)
    shop.laptop.sync()  # the narrowed matrix reaches the replica

    done = _complete(shop, shop.brakes)
    assert done.unit_status is None  # not the laptop's to write any more
    assert _row(shop.laptop, "equipment", shop.t1)["status"] == "REPAIR"
    assert [(t, op) for t, op, _ in _outbox(shop.laptop)] == [("equipment_maintenance", "update")]
    report = shop.laptop.sync()
    assert report.push.rejected == 0  # type: ignore[attr-defined]
    server_unit = server_db.row("equipment", shop.t1)
    assert server_unit is not None and server_unit["status"] == "ACTIVE"
    assert _row(shop.laptop, "equipment", shop.t1)["status"] == "ACTIVE"  # pulled back
    # A later edit of the finished job (its cost) does not release a unit grounded since.
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.update("equipment", shop.t1, {"status": "REPAIR"})
    shop.laptop.sync()
    job = _row(shop.laptop, "equipment_maintenance", shop.brakes)
    shop.laptop.writes.update("equipment_maintenance", shop.brakes, {"cost": Decimal("700.00")})
    assert job["status"] == "COMPLETED" and shop.laptop.sync().push.rejected == 0  # type: ignore[attr-defined]
    assert server_db.row("equipment", shop.t1)["status"] == "REPAIR"  # type: ignore[index]
