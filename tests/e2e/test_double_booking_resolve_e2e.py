"""A double booking taken apart on one laptop disappears from the other's open conflicts
(DESIGN 6.5): the server resolves the flag and the resolution syncs like any row.
"""

from __future__ import annotations

import datetime as dt

from client.services import get_row
from client.services.conflicts import list_open_conflicts
from tests.e2e.test_double_booking_e2e import DAY, _journey, _user


def test_the_flag_disappears_for_both_dispatchers_when_one_moves_a_journey_away(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        _user(w, scene, "disp2", "DISPATCHER")
        morning, late_morning = _journey(w, scene, 8), _journey(w, scene, 10)  # overlap 10-12
    truck, location = scene.rows["t1"], scene.locations[0]
    laptops = [make_client(scene.accounts[n], n) for n in ("disp", "disp2")]
    for laptop in laptops:
        laptop.sync()
    laptops[0].writes.update("journey", morning, {"truck_id": truck})
    laptops[1].writes.update("journey", late_morning, {"truck_id": truck})
    for laptop in (*laptops, *laptops):
        assert laptop.sync().push.rejected == 0
    [conflict] = list_open_conflicts(laptops[0].store, location, DAY)
    assert conflict.kind == "DOUBLE_BOOKED_EQUIPMENT"
    assert list_open_conflicts(laptops[1].store, location, DAY) == [conflict]

    # The second dispatcher moves the late-morning job to tomorrow, offline, then syncs.
    tomorrow = DAY + dt.timedelta(days=1)
    start = server_db.row("journey", late_morning)["scheduled_start"]
    laptops[1].writes.update(
        "journey",
        late_morning,
        {"scheduled_date": tomorrow, "scheduled_start": start + dt.timedelta(days=1)},
    )
    assert laptops[1].sync().push.rejected == 0
    laptops[0].sync()
    laptops[1].sync()

    server = server_db.row("schedule_conflict", conflict.id)
    assert server["resolved_at"] is not None and server["resolved_by"] is None
    assert "no longer double-booked" in server["note"] and "moved to" in server["note"]
    for laptop in laptops:
        assert list_open_conflicts(laptop.store, location) == []
        row = get_row(laptop.store, "schedule_conflict", conflict.id)
        assert row is not None and (row["note"], row["version"]) == (
            server["note"],
            server["version"],
        )
        status = laptop.engine.status()
        assert (status.pending, status.rejections) == (0, 0)
