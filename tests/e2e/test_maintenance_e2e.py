"""A grounded truck back on the road: failed brakes in the field, repaired from the office.

The crew lead's pre-trip check of T1 fails on its brakes and syncs; the server
opens the CORRECTIVE job and grounds the truck. The dispatcher syncs, completes
the job on their laptop with the shop's bill, syncs again: the server holds the
completed job, the truck ACTIVE, and the dispatch rules find nothing against it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy.orm import Session

from client.services.fleet import FleetService
from client.services.maintenance import MaintenanceService
from client.services.queries import get_row
from shared_models.rules.scheduling import out_of_service_reason
from sync_server.sync.schedule_facts import trucks_of
from tests.e2e.conftest import Client
from tests.utils.e2e import Scene, ServerDb


def _reason_on_server(server: ServerDb, scene: Scene, day: dt.date) -> str | None:
    truck = scene.rows["t1"]
    until = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), dt.UTC)
    with Session(server.engine) as session:
        facts = trucks_of(session, {truck}, until)
    return out_of_service_reason(facts[truck], day)


def test_a_truck_grounded_by_a_failed_check_is_repaired_from_the_office_and_dispatchable(
    scene: Scene, server_db: ServerDb, make_client: Callable[..., Client]
) -> None:
    t1 = scene.rows["t1"]
    lead = make_client(scene.accounts["lead1"], "field-laptop")
    lead.sync()
    fleet = FleetService(lead.writes)
    items = fleet.checklist(t1)
    for item in items:
        item["result"] = "PASS"
        if item["code"] == "service_brakes":
            item.update(result="FAIL", note="Pedal goes to the floor")
    checked_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    fleet.record_check(equipment_id=t1, items=items, odometer_km=120_400, performed_at=checked_at)
    lead.sync()

    today = dt.datetime.now(dt.UTC).date()
    unit = server_db.row("equipment", t1)
    assert unit is not None and unit["status"] == "REPAIR"
    assert _reason_on_server(server_db, scene, today) == "its status is REPAIR"

    office = make_client(scene.accounts["disp"], "dispatch-pc")
    office.sync()
    service = MaintenanceService(office.writes)
    (job,) = [j for j in service.jobs(open_only=True) if j.equipment_id == t1]
    assert (job.type, job.status, job.unit_status) == ("CORRECTIVE", "SCHEDULED", "REPAIR")
    assert "Service brakes" in job.description

    done = service.complete(
        job.id,
        performed_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20),
        odometer_km=120_412,
        vendor_name="Lakeshore Truck Centre",
        vendor_reference="WO-88123",
        cost="642.18",
    )
    assert done.unit_status == "ACTIVE"
    office.sync()

    server_job = server_db.row("equipment_maintenance", job.id)
    assert server_job is not None
    assert (server_job["status"], server_job["vendor_reference"], str(server_job["cost"])) == (
        "COMPLETED",
        "WO-88123",
        "642.18",
    )
    unit = server_db.row("equipment", t1)
    assert unit is not None and (unit["status"], unit["odometer_km"]) == ("ACTIVE", 120_412)
    assert _reason_on_server(server_db, scene, today) is None
    # The crew lead's laptop hears of it on its next sync.
    lead.sync()
    local = get_row(lead.store, "equipment", t1)
    assert local is not None and local["status"] == "ACTIVE"
