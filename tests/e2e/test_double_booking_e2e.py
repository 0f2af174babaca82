"""Scheduling on real laptops (issue 5, DESIGN 6.5): double bookings flagged for both
dispatchers and resolved offline, and an accepted auto-assignment synced as ordinary edits.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from client.services import get_row, list_rows
from client.services.conflicts import flag_lines, list_open_conflicts, resolve_conflict
from client.services.dispatch import load_board
from client.services.planning import (
    NeedsConnection,
    Pin,
    PlanningService,
    ScheduleInfeasible,
)
from client.ui.dispatch.side_panel import ConflictList
from shared_models.ids import uuid7
from tests.utils.e2e import add_journey, add_person

UTC = dt.UTC
DAY = dt.date(2026, 6, 3)  # Toronto is UTC-4


def _at(hour: int) -> dt.datetime:
    return dt.datetime(2026, 6, 3, hour + 4, tzinfo=UTC)


def _user(w, scene, key: str, role: str, **extra: object) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return add_person(w, scene, key, role, **extra)


def _journey(w, scene, start: int, **extra: object) -> uuid.UUID:  # type: ignore[no-untyped-def]
    return add_journey(w, scene, DAY, _at(start), **extra)


def test_two_offline_dispatchers_double_book_a_truck_and_both_see_and_resolve_it(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        _user(w, scene, "disp2", "DISPATCHER")
        morning, late_morning = _journey(w, scene, 8), _journey(w, scene, 10)  # overlap 10-12
    truck = scene.rows["t1"]
    laptops = [make_client(scene.accounts[n], n) for n in ("disp", "disp2")]
    for laptop in laptops:
        laptop.sync()
    # Both offline: each books truck T1 on a different journey of the same morning.
    laptops[0].writes.update("journey", morning, {"truck_id": truck})
    laptops[1].writes.update("journey", late_morning, {"truck_id": truck})
    for laptop in (*laptops, *laptops):
        report = laptop.sync()
        assert report.push.rejected == 0  # flagged, never refused

    # Both assignments stand, and one open conflict names the truck and both journeys.
    assert server_db.row("journey", morning)["truck_id"] == truck
    assert server_db.row("journey", late_morning)["truck_id"] == truck
    location = scene.locations[0]
    seen = [list_open_conflicts(laptop.store, location, DAY) for laptop in laptops]
    assert seen[0] == seen[1] and len(seen[0]) == 1
    (conflict,) = seen[0]
    assert conflict.kind == "DOUBLE_BOOKED_EQUIPMENT" and conflict.equipment_id == truck
    other = ({morning, late_morning} - {conflict.journey_id}).pop()
    assert conflict.journey_id in {morning, late_morning} and conflict.other_journey_id == other
    number = server_db.row("journey", other)["number"]
    assert conflict.other_journey_number == number and number in (conflict.note or "")
    assert str(other) not in (conflict.note or "")
    assert list_open_conflicts(laptops[0].store, location, DAY + dt.timedelta(days=1)) == []

    # The second dispatcher resolves it offline; the first sees it resolved after syncing.
    resolve_conflict(laptops[1].writes, conflict.id, "T2 takes the late-morning move")
    assert list_open_conflicts(laptops[1].store, location, DAY) == []
    assert list_open_conflicts(laptops[0].store, location, DAY) == [conflict]
    assert laptops[1].sync().push.rejected == 0
    laptops[0].sync()
    server = server_db.row("schedule_conflict", conflict.id)
    assert server["resolved_by"] == scene.user("disp2") and server["resolved_at"] is not None
    assert server["note"].endswith("Resolved: T2 takes the late-morning move")
    for laptop in laptops:
        row = get_row(laptop.store, "schedule_conflict", conflict.id)
        assert row is not None
        assert (row["resolved_by"], row["note"]) == (server["resolved_by"], server["note"])
        assert row["version"] == server["version"]
        assert list_open_conflicts(laptop.store, location) == []
        status = laptop.engine.status()
        assert (status.pending, status.rejections) == (0, 0)


def _crew_day(server_db, scene) -> dict[str, uuid.UUID]:  # type: ignore[no-untyped-def]
    """Two overlapping jobs at branch 0 on DAY, four field people (two licensed leads)."""
    ids: dict[str, uuid.UUID] = {}
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        for key, role, licence in (
            ("ann", "CREW_LEAD", "G"),
            ("bob", "CREW_LEAD", "G"),
            ("cy", "CREW_MEMBER", None),
            ("dee", "CREW_MEMBER", None),
        ):
            ids[key] = _user(
                w,
                scene,
                key,
                role,
                has_drivers_license=licence is not None,
                license_class=licence,
            )
        ids["ja"] = _journey(w, scene, 8)
        ids["jb"] = _journey(w, scene, 9)
        # A crew row the plan will not keep: the office dispatcher put herself on the job.
        ids["stale"] = uuid7()
        w.insert(
            "journey_crew",
            {"id": ids["stale"], "journey_id": ids["jb"], "user_id": scene.user("disp")},
        )
    return ids


def _server_crews(server_db, journey_id: uuid.UUID) -> dict[uuid.UUID, str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with server_db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT user_id, crew_role FROM journey_crew"
                " WHERE journey_id = :j AND deleted_at IS NULL"
            ),
            {"j": journey_id},
        ).all()
    return {r.user_id: str(r.crew_role) for r in rows}


def test_an_accepted_proposal_syncs_as_ordinary_edits(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    ids = _crew_day(server_db, scene)
    laptop = make_client(scene.accounts["disp"], "laptop")
    laptop.sync()
    planning = PlanningService(laptop)
    pin = Pin(ids["ja"], user_ids=frozenset({ids["cy"]}))
    proposal = planning.propose(scene.locations[0], DAY, pins=[pin], keep_existing=False)
    plans = {p.journey_id: p for p in proposal.journeys}
    assert set(plans) == {ids["ja"], ids["jb"]}
    assert ids["cy"] in plans[ids["ja"]].user_ids  # the pin holds
    before = laptop.engine.status().pending

    planning.accept(proposal)
    assert laptop.engine.status().pending > before  # queued, not yet synced
    report = laptop.sync()
    assert (report.push.rejected, laptop.engine.status().pending) == (0, 0)

    for journey_id, plan in plans.items():
        server = server_db.row("journey", journey_id)
        assert server["crew_lead_id"] == plan.crew_lead_id
        assert server["truck_id"] == (plan.truck_ids[0] if plan.truck_ids else None)
        crews = _server_crews(server_db, journey_id)
        assert set(crews) == set(plan.user_ids)
        assert crews[plan.crew_lead_id] == "LEAD"
        local = list_rows(laptop.store, "journey_crew", filters={"journey_id": journey_id})
        assert {r["user_id"] for r in local} == set(plan.user_ids)
    # The dispatcher's own row on jb was not proposed: tombstoned, on the server too.
    assert server_db.row("journey_crew", ids["stale"])["deleted_at"] is not None
    # Accepting the same plan again changes nothing.
    planning.accept(proposal)
    assert laptop.engine.status().pending == 0


def test_an_infeasible_day_is_explained_and_offline_needs_a_connection(
    scene,
    make_client,
    server_db,  # type: ignore[no-untyped-def]
) -> None:
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        _journey(w, scene, 8)  # nobody at branch 0 can drive a truck
    laptop = make_client(scene.accounts["disp"], "laptop")
    laptop.sync()
    planning = PlanningService(laptop)
    with pytest.raises(ScheduleInfeasible) as caught:
        planning.propose(scene.locations[0], DAY, keep_existing=False)
    assert caught.value.reasons and all(r.message for r in caught.value.reasons)

    offline = PlanningService(laptop)
    offline.protocol = type(laptop.protocol)("http://127.0.0.1:9")  # nothing listens there
    try:
        with pytest.raises(NeedsConnection, match="needs a connection"):
            offline.propose(scene.locations[0], DAY)
    finally:
        offline.protocol.close()


def test_the_board_names_the_other_job_by_its_number_whatever_the_note_says(
    scene,
    make_client,
    server_db,
    qapp,  # type: ignore[no-untyped-def]
) -> None:
    with server_db.writer(scene.tenant_id, scene.user("admin"), "ADMIN") as w:
        morning, late_morning = _journey(w, scene, 8), _journey(w, scene, 10)  # overlap 10-12
    truck, location = scene.rows["t1"], scene.locations[0]
    laptop = make_client(scene.accounts["disp"], "disp")
    laptop.sync()
    laptop.writes.update("journey", morning, {"truck_id": truck})
    laptop.writes.update("journey", late_morning, {"truck_id": truck})
    assert laptop.sync().push.rejected == 0
    laptop.sync()
    numbers = {j: server_db.row("journey", j)["number"] for j in (morning, late_morning)}
    hours = {morning: "08:00-12:00", late_morning: "10:00-14:00"}

    def shown() -> tuple[list[str], str]:
        board = load_board(laptop.store, location, DAY)
        [flag] = board.recorded
        panel = ConflictList()
        panel.show_conflicts(board)
        [row] = panel.rows
        assert not row.grab().isNull()
        # The red block's tooltip on the flagged journey says the same.
        said = f"Flagged by the server: {'; '.join(flag_lines(flag))}"
        assert any(said in b.problems for b in board.blocks_of(flag.journey_id))
        return flag_lines(flag), row.words.text()

    [flag] = list_open_conflicts(laptop.store, location, DAY)
    other = flag.other_journey_id
    assert other in numbers and other != flag.journey_id
    pair = f"Also booked on {numbers[other]}, {hours[other]}"
    cases = {
        None: [pair],  # the server's own sentence, not repeated
        "Call the client about T1": [pair, "Call the client about T1"],
        f"also booked on journey {other}": [f"also booked on {numbers[other]}"],  # before 0012
        "": [pair],
    }
    for note, expected in cases.items():
        if note is not None:
            laptop.writes.update("schedule_conflict", flag.id, {"note": note})
        lines, text = shown()
        assert lines == expected, note
        assert numbers[other] in text and str(other) not in text and str(other)[:8] not in text
    assert laptop.sync().push.rejected == 0
    server = server_db.row("schedule_conflict", flag.id)
    assert (server["note"], server["other_journey_id"]) == ("", other)
