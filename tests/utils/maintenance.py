"""A branch's fleet with maintenance jobs in every state, written on the server: a factory
for the maintenance service, end-to-end and GUI tests."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from shared_models.ids import uuid7
from shared_models.rules.fleet import blank_items
from tests.utils.e2e import Scene, ServerDb

UTC = dt.UTC
NOW = dt.datetime.now(UTC).replace(microsecond=0)
FOUND = NOW - dt.timedelta(hours=3)
#: Far enough ahead to be a future day in every zone.
LATER = (NOW + dt.timedelta(days=5)).date()


def _failed_check(unit: uuid.UUID, who: uuid.UUID) -> dict[str, Any]:
    items = blank_items("TRUCK")
    for item in items:
        item["result"] = "FAIL" if item["code"] == "service_brakes" else "PASS"
    return {
        "id": uuid7(),
        "equipment_id": unit,
        "kind": "PRE_TRIP",
        "performed_by": who,
        "performed_at": FOUND,
        "odometer_km": 120_400,
        "items": items,
        "overall_result": "FAIL",
        "defects_summary": "Service brakes",
    }


def build_shop(scene: Scene, server: ServerDb) -> dict[str, uuid.UUID]:
    """The fleet above, written on the server as the inspection's reaction leaves it."""
    t1, t2 = scene.rows["t1"], scene.rows["t2"]
    ids = {"brakes": uuid7(), "service_due": uuid7(), "history": uuid7()}
    with server.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        w.update("equipment", t1, {"status": "REPAIR", "odometer_km": 120_400})
        w.update("equipment", t2, {"odometer_km": 88_000, "engine_hours": Decimal("900.0")})
        check = _failed_check(t1, scene.user("lead1"))
        w.insert("equipment_check", check)
        w.insert(
            "equipment_maintenance",
            {
                "id": ids["brakes"],
                "equipment_id": t1,
                "type": "CORRECTIVE",
                "status": "SCHEDULED",
                "scheduled_date": FOUND.date(),
                "odometer_km": 120_400,
                "description": "Defects found on T1 at inspection: Service brakes",
                "opened_by_check_id": check["id"],
            },
        )
        w.insert(
            "equipment_maintenance",
            {
                "id": ids["service_due"],
                "equipment_id": t2,
                "type": "PREVENTIVE",
                "status": "SCHEDULED",
                "description": "T2: oil and filters due at 88,000 km",
            },
        )
        w.insert(
            "equipment_maintenance",
            {
                "id": ids["history"],
                "equipment_id": t2,
                "type": "INSPECTION",
                "status": "COMPLETED",
                "performed_at": NOW - dt.timedelta(days=30),
                "description": "Annual safety inspection",
                "vendor_name": "Lakeshore Truck Centre",
                "cost": Decimal("185.00"),
            },
        )
    return ids
