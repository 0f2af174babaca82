"""Flags beyond double bookings on real laptops over HTTP (issue 5, DESIGN 6.5).

An offline dispatcher puts someone on a job during their time off: the push is
accepted, the server flags it, and both dispatchers' replicas pull the flag.
When the time off is withdrawn (from the other laptop) the server resolves the
flag itself, saying why, and both replicas see that too.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from client.services import get_row
from client.services.conflicts import list_open_conflicts
from shared_models.ids import uuid7
from tests.utils.e2e import add_journey, add_person

TORONTO = ZoneInfo("America/Toronto")
DAY = dt.date.today() + dt.timedelta(days=10)


def _local(hour: int) -> dt.datetime:
    return dt.datetime.combine(DAY, dt.time(hour), TORONTO).astimezone(dt.UTC)


def test_time_off_clash_is_flagged_for_both_dispatchers_and_cleared_when_withdrawn(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    location = scene.locations[0]
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        add_person(w, scene, "disp2", "DISPATCHER")
        ann = add_person(w, scene, "ann", "CREW_MEMBER")
        journey = add_journey(w, scene, DAY, _local(9))
        time_off = uuid7()
        w.insert(
            "availability",
            {
                "id": time_off,
                "user_id": ann,
                "type": "VACATION",
                "start_at": _local(0),
                "end_at": _local(0) + dt.timedelta(days=1),
                "approved_by": scene.user("admin"),
                "approved_at": _local(0) - dt.timedelta(days=20),
            },
        )
    laptops = [make_client(scene.accounts[n], n) for n in ("disp", "disp2")]
    for laptop in laptops:
        laptop.sync()

    # Offline, the first dispatcher puts Ann on the job: accepted, then flagged by the server.
    laptops[0].writes.insert("journey_crew", {"journey_id": journey, "user_id": ann})
    assert list_open_conflicts(laptops[0].store, location, DAY) == []
    for laptop in laptops:
        assert laptop.sync().push.rejected == 0
    seen = [list_open_conflicts(laptop.store, location, DAY) for laptop in laptops]
    assert seen[0] == seen[1] and len(seen[0]) == 1
    (flag,) = seen[0]
    assert (flag.kind, flag.journey_id, flag.user_id) == ("DURING_TIME_OFF", journey, ann)
    assert "Ann Person" in (flag.note or "") and "vacation" in (flag.note or "")

    # The second dispatcher withdraws the time off: the server clears the flag, saying why.
    laptops[1].writes.delete("availability", time_off)
    assert laptops[1].sync().push.rejected == 0
    laptops[0].sync()
    server = server_db.row("schedule_conflict", flag.id)
    assert server["resolved_at"] is not None and server["resolved_by"] is None
    assert "Resolved automatically: Ann Person's time off was withdrawn" in server["note"]
    for laptop in laptops:
        assert list_open_conflicts(laptop.store, location, DAY) == []
        row = get_row(laptop.store, "schedule_conflict", flag.id)
        assert row is not None and row["version"] == server["version"]
        assert row["note"] == server["note"]
        status = laptop.engine.status()
        assert (status.pending, status.rejections) == (0, 0)
